//! Rescaling, division by constants, and the fused rescale + ReLU.
//!
//! Division by a positive constant `d` proves `x + floor(d/2) = q·d + r` with
//! `0 ≤ r < d` and `q` range-checked to its exact output width `n_q`
//! (so the integer relation cannot wrap modulo `p`). The quotient `q` is
//! allocated once; its range check decomposes `q + 2^(n_q−1)` and the
//! remainder `r = x + floor(d/2) − q·d` is a free linear combination that is
//! decomposed directly. For `d = 2^k` one `k`-bit decomposition bounds `r`;
//! otherwise `r` and `d − 1 − r` are both decomposed in `bits(d−1)` bits.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{check_bits, decompose, decompose_cost, enforce};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::{div_round, relu, Bits};

/// The output width of `div_round(x, d)` for `x` of `in_bits` signed bits.
pub fn quotient_bits(in_bits: u32, d: i128) -> u32 {
    let (lo, hi) = Bits(in_bits).signed_range();
    Bits::signed_for_range(div_round(lo, d), div_round(hi, d)).0
}

/// Width of the remainder decomposition(s) for divisor `d > 1`.
fn remainder_bits(d: i128) -> u32 {
    Bits::unsigned_for_max(d - 1).0
}

fn is_power_of_two(d: i128) -> bool {
    d > 0 && d & (d - 1) == 0
}

/// Proves `q = div_round(x, d)` for `x` a `in_bits`-bit signed value; returns `q`,
/// its bits (the last one is `[q ≥ 0]`), and nothing else.
///
/// `d = 1` is the identity and costs nothing (the bits are then empty).
pub fn divide_by_constant<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    x: &Wire<F>,
    in_bits: u32,
    d: i128,
    gadget: &'static str,
) -> Result<(Wire<F>, Vec<Wire<F>>)> {
    check_bits(gadget, in_bits)?;
    if d <= 0 {
        return Err(GadgetError::Parameters {
            gadget,
            reason: format!("divisor {d} must be positive"),
        });
    }
    if d == 1 {
        return Ok((x.clone(), Vec::new()));
    }
    let n_q = quotient_bits(in_bits, d);
    let q_value = x.value.map(|v| div_round(v, d));
    let q = Wire::witness(cs, "quotient", q_value)?;
    let q_shifted = q.offset(1 << (n_q - 1));
    let q_bits = decompose(cs, &q_shifted.lc, q_shifted.value, n_q, gadget)?;
    // r = x + floor(d/2) − q·d
    let r = Wire::linear(&[(1, x), (-d, &q)], d / 2);
    let n_r = remainder_bits(d);
    decompose(cs, &r.lc, r.value, n_r, gadget)?;
    if !is_power_of_two(d) {
        let slack = Wire::linear(&[(-1, &r)], d - 1);
        decompose(cs, &slack.lc, slack.value, n_r, gadget)?;
    }
    Ok((q, q_bits))
}

/// Cost of [`divide_by_constant`] on an input with `x_vars` variable terms (1 for a single variable)
/// and no constant term.
pub fn divide_by_constant_cost(in_bits: u32, d: i128, x_vars: usize) -> Cost {
    divide_by_constant_cost_with(in_bits, d, x_vars, 0)
}

/// Cost of [`divide_by_constant`] on an input with `x_vars` variable terms and constant `x_const`.
pub fn divide_by_constant_cost_with(in_bits: u32, d: i128, x_vars: usize, x_const: i128) -> Cost {
    if d == 1 {
        return Cost::ZERO;
    }
    let n_q = quotient_bits(in_bits, d);
    let n_r = remainder_bits(d);
    let mut cost = Cost::new(0, 1, 0)
        + decompose_cost(n_q, 1, 1 << (n_q - 1))
        + decompose_cost(n_r, x_vars + 1, x_const + d / 2);
    if !is_power_of_two(d) {
        cost += decompose_cost(n_r, x_vars + 1, d - 1 - d / 2 - x_const);
    }
    cost
}

/// `rescale(x, shift)` elementwise: division by `2^shift` rounding half up.
///
/// Cost per element (`shift ≥ 1`, `n_q = quotient_bits(in_bits, 2^shift)`,
/// which is `in_bits − shift + 1`): `n_q + shift` constraints,
/// `n_q + shift − 1` witnesses, `5(n_q + shift) − 2` non-zeros. `shift = 0` is free.
#[derive(Clone, Debug)]
pub struct Rescale {
    /// Signed width of the inputs.
    pub in_bits: u32,
    /// The power of two divided by.
    pub shift: u32,
    /// Number of elements.
    pub len: usize,
}

impl Rescale {
    /// Signed width of the outputs.
    pub fn out_bits(&self) -> u32 {
        quotient_bits(self.in_bits, 1 << self.shift)
    }
}

impl<F: PrimeField> Gadget<F> for Rescale {
    fn name(&self) -> &'static str {
        "rescale"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.in_bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| zkinfer_quant::arith::rescale(x, self.shift))
            .collect()
    }
    fn cost(&self) -> Cost {
        divide_by_constant_cost(self.in_bits, 1 << self.shift, 1) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "rescale");
        check_arity("rescale", self.len, inputs.len())?;
        inputs
            .iter()
            .map(|x| Ok(divide_by_constant(&cs, x, self.in_bits, 1 << self.shift, "rescale")?.0))
            .collect()
    }
}

/// `div_round(x, divisor)` elementwise for a positive constant divisor.
///
/// Cost per element: [`divide_by_constant_cost`]`(in_bits, divisor, 1)`.
#[derive(Clone, Debug)]
pub struct DivConst {
    /// Signed width of the inputs.
    pub in_bits: u32,
    /// The positive divisor.
    pub divisor: i128,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for DivConst {
    fn name(&self) -> &'static str {
        "div_const"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.in_bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs.iter().map(|&x| div_round(x, self.divisor)).collect()
    }
    fn cost(&self) -> Cost {
        divide_by_constant_cost(self.in_bits, self.divisor, 1) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "div_const");
        check_arity("div_const", self.len, inputs.len())?;
        inputs
            .iter()
            .map(|x| Ok(divide_by_constant(&cs, x, self.in_bits, self.divisor, "div_const")?.0))
            .collect()
    }
}

/// `relu(rescale(x, shift))` elementwise, reusing the quotient's decomposition
/// for the sign: the top bit of `q + 2^(n_q−1)` is `[q ≥ 0]`, so ReLU costs one
/// product `out = [q ≥ 0]·q` on top of [`Rescale`].
///
/// Cost per element (`shift ≥ 1`): `n_q + shift + 1 ≤ in_bits + 2` constraints,
/// `n_q + shift` witnesses, `6·n_q + 5·shift + 1` non-zeros.
/// With `shift = 0` it is [`Relu`](crate::activation::Relu).
#[derive(Clone, Debug)]
pub struct FusedRescaleRelu {
    /// Signed width of the inputs.
    pub in_bits: u32,
    /// The power of two divided by.
    pub shift: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for FusedRescaleRelu {
    fn name(&self) -> &'static str {
        "rescale_relu"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.in_bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| relu(zkinfer_quant::arith::rescale(x, self.shift)))
            .collect()
    }
    fn cost(&self) -> Cost {
        if self.shift == 0 {
            return <crate::activation::Relu as Gadget<F>>::cost(&crate::activation::Relu {
                bits: self.in_bits,
                len: self.len,
            });
        }
        let n_q = quotient_bits(self.in_bits, 1 << self.shift) as usize;
        (divide_by_constant_cost(self.in_bits, 1 << self.shift, 1) + Cost::new(1, 1, n_q + 3))
            * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "rescale_relu");
        check_arity("rescale_relu", self.len, inputs.len())?;
        if self.shift == 0 {
            return crate::activation::Relu {
                bits: self.in_bits,
                len: self.len,
            }
            .synthesize(cs, inputs, &[]);
        }
        inputs
            .iter()
            .map(|x| {
                let (q, q_bits) =
                    divide_by_constant(&cs, x, self.in_bits, 1 << self.shift, "rescale_relu")?;
                let sign = q_bits.last().expect("n_q ≥ 1 bits");
                let out_value = q.value.map(relu);
                let out = Wire::witness(&cs, "relu", out_value)?;
                enforce(&cs, sign.lc.clone(), q.lc.clone(), out.lc.clone())?;
                Ok(out)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    /// The quotient moved by `delta` with the remainder compensating by `−delta·d`,
    /// bits rewritten with the wrapped (two's complement) decomposition.
    fn shifted_quotient(path: &'static str, in_bits: u32, d: i128, delta: i128) -> Adversary<Fr> {
        let n_q = quotient_bits(in_bits, d);
        Adversary::new("quotient±1, remainder∓d", move |t| {
            let x = t.inputs()[0];
            let q = div_round(x, d);
            let r = x + d / 2 - q * d;
            let q_index = t.find(&format!("{path}/quotient"))[0];
            let groups = t.bit_groups(path);
            t.set_int(q_index, q + delta);
            t.set_bits(&groups[0], q + delta + (1 << (n_q - 1)));
            if let Some(r_bits) = groups.get(1) {
                t.set_bits(r_bits, r - delta * d);
            }
            if groups.len() > 2 {
                t.set_bits(&groups[2], d - 1 - (r - delta * d));
            }
            true
        })
    }

    #[test]
    fn rescale_cost_and_soundness() {
        for (in_bits, shift) in [(16, 8), (8, 2), (12, 11), (4, 1)] {
            let g = Rescale {
                in_bits,
                shift,
                len: 1,
            };
            let adversaries = [
                shifted_quotient("rescale", in_bits, 1 << shift, 1),
                shifted_quotient("rescale", in_bits, 1 << shift, -1),
            ];
            let report = testing::run(&g, &adversaries);
            testing::assert_adversaries_ran(&report, 200);
        }
        assert_cost::<Fr, _>(&Rescale {
            in_bits: 40,
            shift: 16,
            len: 32,
        });
        assert_cost::<Fr, _>(&Rescale {
            in_bits: 16,
            shift: 0,
            len: 4,
        });
    }

    #[test]
    fn rescale_cost_formula_is_in_bits_plus_one() {
        let g = Rescale {
            in_bits: 24,
            shift: 8,
            len: 1,
        };
        let cost = <Rescale as Gadget<Fr>>::cost(&g);
        assert_eq!(g.out_bits(), 17);
        assert_eq!(cost, Cost::new(25, 24, 5 * 25 - 2));
    }

    #[test]
    fn div_const_cost_and_soundness() {
        for (in_bits, divisor) in [(16, 9), (12, 4), (10, 3), (8, 25), (6, 1)] {
            let g = DivConst {
                in_bits,
                divisor,
                len: 1,
            };
            let adversaries: Vec<Adversary<Fr>> = if divisor > 2 {
                vec![
                    shifted_quotient("div_const", in_bits, divisor, 1),
                    shifted_quotient("div_const", in_bits, divisor, -1),
                ]
            } else {
                vec![]
            };
            testing::run(&g, &adversaries);
        }
    }

    #[test]
    fn fused_rescale_relu_cost_and_soundness() {
        for (in_bits, shift) in [(16, 8), (8, 3), (6, 0)] {
            let g = FusedRescaleRelu {
                in_bits,
                shift,
                len: 1,
            };
            let cost = <FusedRescaleRelu as Gadget<Fr>>::cost(&g);
            assert!(cost.constraints as u32 <= in_bits + 3);
            let flip = Adversary::new("sign flipped", |t| {
                let Some(&out) = t.find("/relu").first().or(t.find("/out").first()) else {
                    return false;
                };
                let honest = t.honest_outputs()[0];
                // claim the other branch: zero for a positive quotient, the
                // (negative) quotient itself otherwise
                let q = t.find("/quotient").first().map(|&i| t.get(i));
                match q {
                    Some(q) if honest == 0 => t.set(out, q),
                    _ => t.set_int(out, 0),
                }
                true
            });
            testing::run(&g, &[flip]);
        }
    }
}
