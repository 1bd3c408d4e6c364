//! ReLU, leaky ReLU / PReLU and Clip.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{decompose, decompose_cost, enforce, sign_decompose};
use crate::rescale::{divide_by_constant, divide_by_constant_cost};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::{clip, leaky_relu, relu, Bits};

/// `relu(x)` elementwise for `bits`-bit signed inputs: the sign is the top bit
/// of `x + 2^(bits−1)`, and `out = sign·x` is one product.
///
/// Cost per element: `bits + 1` constraints, `bits` witnesses, `6·bits + 1` non-zeros.
#[derive(Clone, Debug)]
pub struct Relu {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Relu {
    fn name(&self) -> &'static str {
        "relu"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs.iter().map(|&x| relu(x)).collect()
    }
    fn cost(&self) -> Cost {
        let b = self.bits as usize;
        Cost::new(b + 1, b, 6 * b + 1) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "relu");
        check_arity("relu", self.len, inputs.len())?;
        inputs
            .iter()
            .map(|x| {
                let bits = sign_decompose(&cs, x, self.bits, "relu")?;
                let sign = bits.last().expect("bits ≥ 1");
                let out = Wire::witness(&cs, "out", x.value.map(relu))?;
                enforce(&cs, sign.lc.clone(), x.lc.clone(), out.lc.clone())?;
                Ok(out)
            })
            .collect()
    }
}

/// The sign `[x ≥ 0]` (the last bit of `x`'s signed decomposition) and
/// `relu(x) = sign·x` for a `bits`-bit `x` of any shape; composite gadgets
/// (softplus, ELU) split their input into the two branches with it.
pub fn sign_and_relu<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    x: &Wire<F>,
    bits: u32,
    gadget: &'static str,
) -> Result<(Wire<F>, Wire<F>)> {
    let bits = sign_decompose(cs, x, bits, gadget)?;
    let sign = bits.last().expect("bits ≥ 1").clone();
    let relu = crate::range::mul(cs, &sign, x, "relu")?;
    Ok((sign, relu))
}

/// Cost of [`sign_and_relu`] on an input with `x_vars` variable terms and
/// constant `x_const`. The sign reads `x` (plus its constant shifted by
/// `2^(bits−1)`) and `bits − 1` bits; the product reads the sign and `x`.
pub fn sign_and_relu_cost(bits: u32, x_vars: usize, x_const: i128) -> Cost {
    let half = 1i128 << (bits - 1);
    let nz = |c: i128| usize::from(c != 0);
    decompose_cost(bits, x_vars, x_const + half)
        + Cost::new(
            1,
            1,
            (x_vars + nz(x_const + half) + bits as usize - 1) + (x_vars + nz(x_const)) + 1,
        )
}

/// Leaky ReLU / PReLU: `x` if `x ≥ 0`, else `rescale(x·slope_i, shift)`, with
/// one fixed-point slope per element (PReLU broadcasts its per-channel slopes).
///
/// The negative branch `t = rescale(slope·x)` is computed for every input (a
/// [`divide_by_constant`] of the free product `slope·x`), then
/// `out − t = sign·(x − t)` selects. Cost per element with
/// `m = bits of slope·x`: `bits + 1` (sign and select) plus the division cost.
#[derive(Clone, Debug)]
pub struct LeakyRelu {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Slope of each element at scale `shift` (must be non-zero; use [`Relu`] for zero).
    pub slopes: Vec<i64>,
    /// Fractional bits of the slopes.
    pub shift: u32,
}

impl LeakyRelu {
    fn product_bits(&self, slope: i64) -> u32 {
        let (lo, hi) = Bits(self.bits).signed_range();
        let (a, b) = (lo * slope as i128, hi * slope as i128);
        Bits::signed_for_range(a.min(b), a.max(b)).0
    }
}

impl LeakyRelu {
    /// Terms of `x − t` in the select constraint (`t = slope·x` itself when `shift = 0`).
    fn select_terms(&self, slope: i64) -> usize {
        if self.shift > 0 {
            2
        } else {
            usize::from(slope != 1)
        }
    }
}

impl<F: PrimeField> Gadget<F> for LeakyRelu {
    fn name(&self) -> &'static str {
        "leaky_relu"
    }
    fn input_len(&self) -> usize {
        self.slopes.len()
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .zip(&self.slopes)
            .map(|(&x, &slope)| leaky_relu(x, slope, self.shift))
            .collect()
    }
    fn cost(&self) -> Cost {
        let b = self.bits as usize;
        self.slopes
            .iter()
            .map(|&slope| {
                decompose_cost(self.bits, 1, 1 << (self.bits - 1))
                    + divide_by_constant_cost(self.product_bits(slope), 1 << self.shift, 1)
                    + Cost::new(1, 1, (b + 1) + self.select_terms(slope) + 2)
            })
            .sum()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "leaky_relu");
        check_arity("leaky_relu", self.slopes.len(), inputs.len())?;
        inputs
            .iter()
            .zip(&self.slopes)
            .map(|(x, &slope)| {
                if slope == 0 {
                    return Err(GadgetError::Parameters {
                        gadget: "leaky_relu",
                        reason: "zero slope: use Relu".into(),
                    });
                }
                let bits = sign_decompose(&cs, x, self.bits, "leaky_relu")?;
                let sign = bits.last().expect("bits ≥ 1");
                let scaled = x.scale(slope as i128);
                let (t, _) = divide_by_constant(
                    &cs,
                    &scaled,
                    self.product_bits(slope),
                    1 << self.shift,
                    "leaky_relu",
                )?;
                let out = Wire::witness(
                    &cs,
                    "out",
                    x.value.map(|v| leaky_relu(v, slope, self.shift)),
                )?;
                enforce(&cs, sign.lc.clone(), x.sub(&t).lc, out.sub(&t).lc)?;
                Ok(out)
            })
            .collect()
    }
}

/// `clip(x, lo, hi)` elementwise: two comparisons `[x ≥ lo]`, `[x ≤ hi]` and
/// two products, `p = [x ≥ lo]·(x − lo)` and `out − lo − p = (1 − [x ≤ hi])·(hi − x)`.
///
/// Cost per element: `m_lo + m_hi + 2` constraints and `m_lo + m_hi` witnesses,
/// where `m_lo`, `m_hi` are the signed widths of `x − lo` and `hi − x`.
#[derive(Clone, Debug)]
pub struct Clip {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Lower bound (inclusive).
    pub lo: i128,
    /// Upper bound (inclusive), `lo ≤ hi`.
    pub hi: i128,
    /// Number of elements.
    pub len: usize,
}

impl Clip {
    /// Signed widths of `x − lo` and `hi − x`.
    pub fn comparison_bits(&self) -> (u32, u32) {
        let (min, max) = Bits(self.bits).signed_range();
        (
            Bits::signed_for_range(min - self.lo, max - self.lo).0,
            Bits::signed_for_range(self.hi - max, self.hi - min).0,
        )
    }

    /// Clips one wire (used by composite gadgets).
    pub fn clip_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let (m_lo, m_hi) = self.comparison_bits();
        let above_lo = x.offset(-self.lo + (1 << (m_lo - 1)));
        let bits_lo = decompose(cs, &above_lo.lc, above_lo.value, m_lo, "clip")?;
        let below_hi = Wire::linear(&[(-1, x)], self.hi + (1 << (m_hi - 1)));
        let bits_hi = decompose(cs, &below_hi.lc, below_hi.value, m_hi, "clip")?;
        let ge_lo = bits_lo.last().expect("bits ≥ 1");
        let le_hi = bits_hi.last().expect("bits ≥ 1");
        let p = crate::range::mul(cs, ge_lo, &x.offset(-self.lo), "above_lo")?;
        let out = Wire::witness(cs, "out", x.value.map(|v| clip(v, self.lo, self.hi)))?;
        let not_le_hi = Wire::linear(&[(-1, le_hi)], 1);
        let hi_minus_x = Wire::linear(&[(-1, x)], self.hi);
        enforce(
            cs,
            not_le_hi.lc,
            hi_minus_x.lc,
            Wire::linear(&[(1, &out), (-1, &p)], -self.lo).lc,
        )?;
        Ok(out)
    }

    /// Cost of [`Clip::clip_one`] on a single variable.
    pub fn cost_one(&self) -> Cost {
        self.cost_one_with(1)
    }

    /// Cost of [`Clip::clip_one`] on an input with `x_vars` variable terms and no constant.
    pub fn cost_one_with(&self, x_vars: usize) -> Cost {
        self.cost_one_at(x_vars, 0)
    }

    /// Cost of [`Clip::clip_one`] on an input with `x_vars` variable terms and
    /// constant `x_const` (composite gadgets clip linear combinations such as `x − 2·relu(x)`).
    pub fn cost_one_at(&self, x_vars: usize, x_const: i128) -> Cost {
        let (m_lo, m_hi) = self.comparison_bits();
        let nz = |c: i128| usize::from(c != 0);
        let c_lo = x_const - self.lo + (1 << (m_lo - 1));
        let c_hi = self.hi - x_const + (1 << (m_hi - 1));
        // p = ge_lo·(x − lo): ge_lo has x, the ONE term (iff c_lo ≠ 0) and m_lo − 1 bits.
        let product = Cost::new(
            1,
            1,
            (x_vars + nz(c_lo) + (m_lo as usize - 1)) + (x_vars + nz(x_const - self.lo)) + 1,
        );
        // (1 − le_hi)·(hi − x) = out − lo − p; 1 − le_hi = 1 − (c_hi − x − low)/2^(m_hi−1).
        let one_minus = nz((1i128 << (m_hi - 1)) - c_hi);
        let select = Cost::new(
            1,
            1,
            (x_vars + one_minus + (m_hi as usize - 1))
                + (x_vars + nz(self.hi - x_const))
                + (2 + nz(self.lo)),
        );
        decompose_cost(m_lo, x_vars, c_lo) + decompose_cost(m_hi, x_vars, c_hi) + product + select
    }
}

impl<F: PrimeField> Gadget<F> for Clip {
    fn name(&self) -> &'static str {
        "clip"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs.iter().map(|&x| clip(x, self.lo, self.hi)).collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one() * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "clip");
        check_arity("clip", self.len, inputs.len())?;
        if self.lo > self.hi {
            return Err(GadgetError::Parameters {
                gadget: "clip",
                reason: format!("empty interval [{}, {}]", self.lo, self.hi),
            });
        }
        inputs.iter().map(|x| self.clip_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    /// Claims the other branch of a two-way selection for the output witness `out`.
    fn other_branch(path: &'static str, other: fn(i128, i128) -> i128) -> Adversary<Fr> {
        Adversary::new("other branch", move |t| {
            let out = t.find(&format!("{path}/out"))[0];
            let x = t.inputs()[0];
            let honest = t.honest_outputs()[0];
            t.set_int(out, other(x, honest));
            true
        })
    }

    #[test]
    fn relu_cost_and_soundness() {
        for bits in [1, 2, 8, 16] {
            let g = Relu { bits, len: 1 };
            let cost = <Relu as Gadget<Fr>>::cost(&g);
            assert!(cost.constraints as u32 <= bits + 2);
            let flip = other_branch("relu", |x, honest| if honest == 0 { x } else { 0 });
            let report = testing::run(&g, &[flip]);
            assert!(report.adversarial > 20);
        }
        assert_cost::<Fr, _>(&Relu { bits: 16, len: 64 });
    }

    #[test]
    fn leaky_relu_cost_and_soundness() {
        // slope 0.1 at scale 8 (26), a negative slope, and an integer slope
        for (bits, slopes, shift) in [
            (12, vec![26], 8),
            (8, vec![-77], 8),
            (8, vec![3], 0),
            (10, vec![64], 7),
        ] {
            let g = LeakyRelu {
                bits,
                slopes: slopes.clone(),
                shift,
            };
            let slope = slopes[0];
            let flip = Adversary::new("other branch", move |t| {
                let out = t.find("leaky_relu/out")[0];
                let x = t.inputs()[0];
                let other = if x >= 0 {
                    zkinfer_quant::arith::rescale(x * slope as i128, shift)
                } else {
                    x
                };
                t.set_int(out, other);
                true
            });
            testing::run(&g, &[flip]);
        }
        assert_cost::<Fr, _>(&LeakyRelu {
            bits: 16,
            slopes: vec![26, -3, 100, 1],
            shift: 8,
        });
    }

    #[test]
    fn clip_cost_and_soundness() {
        for (bits, lo, hi) in [
            (8, -20, 30),
            (8, 0, 127),
            (6, -32, 31),
            (10, 5, 5),
            (8, 0, 6),
        ] {
            let g = Clip {
                bits,
                lo,
                hi,
                len: 1,
            };
            let unclipped = Adversary::new("unclipped", |t| {
                let out = t.find("clip/out")[0];
                let x = t.inputs()[0];
                t.set_int(out, x);
                true
            });
            testing::run(&g, &[unclipped]);
        }
    }
}
