//! Floor, ceil and round to whole numbers at a scale
//! ([`zkinfer_quant::arith::floor_at_scale`]).
//!
//! With `c` the mode's offset, the gadget proves `x + c = q·2^s + r` with
//! `0 ≤ r < 2^s` (one `s`-bit decomposition of the free linear combination
//! `r`) and `q` range-checked to its exact width (so the relation cannot wrap
//! modulo `p`); the output is the free linear combination `q·2^s`. Adversaries
//! that move `q` must move `r` by `∓2^s`, out of its range.
//!
//! `Round` rounds ties to even (ONNX): with the half-up offset, a tie is
//! exactly `r = 0`. A zero test (`r·inv = 1 − z`, `r·z = 0`, which forces
//! `z = [r = 0]`) and one product `t = z·[q odd]` (the parity is the lowest bit
//! of `q + 2^(n_q−1)`, `n_q ≥ 2`) give the output `(q − t)·2^s`.

use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{check_bits, decompose, decompose_cost, enforce, mul};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::{floor_at_scale, Bits, FloorMode};

/// `2^s·f(x/2^s)` elementwise for `bits`-bit signed inputs.
///
/// Cost per element with `n_q` the quotient's width ([`FloorAtScale::quotient_bits`]),
/// on an input with `v` variables and constant `c_x`: `n_q + s` constraints,
/// `n_q + s − 1` witnesses, plus 3 and 3 for `Round` (`s = 0` is free).
/// Example: 16-bit inputs at scale 7, floor → `n_q = 9`: 16 constraints,
/// 15 witnesses, 78 non-zeros; round: 19 constraints, 18 witnesses.
#[derive(Clone, Debug)]
pub struct FloorAtScale {
    /// Signed width of the inputs.
    pub bits: u32,
    /// The scale: whole numbers are multiples of `2^scale`.
    pub scale: u32,
    /// Floor, ceil or round.
    pub mode: FloorMode,
    /// Number of elements.
    pub len: usize,
}

impl FloorAtScale {
    fn quotient_range(&self) -> (i128, i128) {
        let (lo, hi) = Bits(self.bits).signed_range();
        let c = self.mode.offset(self.scale);
        ((lo + c) >> self.scale, (hi + c) >> self.scale)
    }

    /// Signed width of the quotient `q = floor((x + c)/2^s)`, at least 2 (so
    /// the lowest bit of `q + 2^(n_q−1)` is `q`'s parity).
    pub fn quotient_bits(&self) -> u32 {
        let (lo, hi) = self.quotient_range();
        Bits::signed_for_range(lo, hi).0.max(2)
    }

    /// Signed width of the outputs (the function is monotone: its values at the input extremes).
    pub fn out_bits(&self) -> u32 {
        let (lo, hi) = Bits(self.bits).signed_range();
        Bits::signed_for_range(
            floor_at_scale(lo, self.scale, self.mode),
            floor_at_scale(hi, self.scale, self.mode),
        )
        .0
    }

    /// Proves one element; returns `q·2^s` (or `x` itself at scale 0).
    pub fn floor_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        check_bits("floor", self.bits)?;
        if self.scale == 0 {
            return Ok(x.clone());
        }
        check_bits("floor", self.scale)?;
        let (s, c) = (self.scale, self.mode.offset(self.scale));
        let n_q = self.quotient_bits();
        // the half-up (or floor/ceil) quotient; Round corrects ties below
        let q_value = x.value.map(|v| (v + c) >> s);
        let q = Wire::witness(cs, "quotient", q_value)?;
        let q_shifted = q.offset(1 << (n_q - 1));
        let q_bits = decompose(cs, &q_shifted.lc, q_shifted.value, n_q, "floor")?;
        let scaled = q.scale_pow2(s);
        let r = x.offset(c).sub(&scaled);
        decompose(cs, &r.lc, r.value, s, "floor")?;
        if self.mode != FloorMode::Round {
            return Ok(scaled);
        }
        let inverse = r.value.map(|v| {
            if v == 0 {
                F::zero()
            } else {
                ark_ff::Field::inverse(&crate::wire::field_of::<F>(v)).expect("non-zero")
            }
        });
        let inv = Wire::from_variable(
            crate::wire::alloc_field_witness(cs, "inverse", inverse)?,
            None,
        );
        let zero = Wire::witness(cs, "tie", r.value.map(|v| i128::from(v == 0)))?;
        enforce(
            cs,
            r.lc.clone(),
            inv.lc.clone(),
            Wire::linear(&[(-1, &zero)], 1).lc,
        )?;
        enforce(
            cs,
            r.lc.clone(),
            zero.lc.clone(),
            ark_relations::gr1cs::LinearCombination::zero(),
        )?;
        let correction = mul(cs, &zero, &q_bits[0], "correction")?;
        Ok(q.sub(&correction).scale_pow2(s))
    }

    /// Exact cost of [`FloorAtScale::floor_one`] on an input with `x_vars` variables and constant `x_const`.
    pub fn cost_one(&self, x_vars: usize, x_const: i128) -> Cost {
        if self.scale == 0 {
            return Cost::ZERO;
        }
        let n_q = self.quotient_bits();
        let c = x_const + self.mode.offset(self.scale);
        let base = Cost::new(0, 1, 0)
            + decompose_cost(n_q, 1, 1 << (n_q - 1))
            + decompose_cost(self.scale, x_vars + 1, c);
        if self.mode != FloorMode::Round {
            return base;
        }
        // r·inv = 1 − z, r·z = 0, t = z·bit₀; r carries x's terms, q and its constant
        let r = x_vars + 1 + usize::from(c != 0);
        base + Cost::new(3, 3, (r + 1 + 2) + (r + 1) + 3)
    }
}

impl<F: PrimeField> Gadget<F> for FloorAtScale {
    fn name(&self) -> &'static str {
        "floor"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| floor_at_scale(x, self.scale, self.mode))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // whole numbers, halves and their neighbours
        let unit = 1i128 << self.scale;
        let (lo, hi) = Bits(self.bits).signed_range();
        [unit, unit / 2, -unit, -unit / 2, 3 * unit / 2]
            .into_iter()
            .flat_map(|v| [v - 1, v, v + 1])
            .filter(|v| (lo..=hi).contains(v))
            .map(|v| vec![v; self.len])
            .collect()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "floor");
        check_arity("floor", self.len, inputs.len())?;
        inputs.iter().map(|x| self.floor_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    /// `q + delta` with the remainder moved by `−delta·2^s`, bits rewritten (wrapped).
    fn shifted_quotient(g: &FloorAtScale, delta: i128) -> Adversary<Fr> {
        let (s, mode, n_q) = (g.scale, g.mode, g.quotient_bits());
        Adversary::new("quotient±1, remainder∓2^s", move |t| {
            let x = t.inputs()[0];
            let q = ((x + mode.offset(s)) >> s) + delta;
            let r = x + mode.offset(s) - (q << s);
            let qi = t.find("floor/quotient")[0];
            let groups = t.bit_groups("floor");
            t.set_int(qi, q);
            t.set_bits(&groups[0], q + (1 << (n_q - 1)));
            if let Some(r_bits) = groups.get(1) {
                t.set_bits(r_bits, r);
            }
            true
        })
    }

    #[test]
    fn floor_ceil_round_cost_and_soundness() {
        for mode in [FloorMode::Floor, FloorMode::Ceil, FloorMode::Round] {
            for (bits, scale) in [(12, 4), (8, 1), (10, 7), (6, 0)] {
                let g = FloorAtScale {
                    bits,
                    scale,
                    mode,
                    len: 1,
                };
                let adversaries = if scale > 0 {
                    vec![shifted_quotient(&g, 1), shifted_quotient(&g, -1)]
                } else {
                    vec![]
                };
                let report = testing::run(&g, &adversaries);
                if scale > 0 {
                    testing::assert_adversaries_ran(&report, 200);
                }
            }
        }
        assert_cost::<Fr, _>(&FloorAtScale {
            bits: 40,
            scale: 16,
            mode: FloorMode::Ceil,
            len: 5,
        });
    }

    #[test]
    fn round_is_ties_to_even() {
        let g = FloorAtScale {
            bits: 8,
            scale: 2,
            mode: FloorMode::Round,
            len: 1,
        };
        // 0.5, 1.5, 2.5, −0.5, −1.5 at scale 2
        for (x, y) in [(2, 0), (6, 8), (10, 8), (-2, 0), (-6, -8), (11, 12)] {
            assert_eq!(<FloorAtScale as Gadget<Fr>>::reference(&g, &[x]), vec![y]);
        }
        let report = testing::run(&g, &[tie_claimed_away()]);
        testing::assert_adversaries_ran(&report, 100);
    }

    /// Claims "no tie" (z = 0, correction 0) on a tie, or a tie where there is none.
    fn tie_claimed_away() -> Adversary<Fr> {
        Adversary::new("tie flag flipped", |t| {
            let z = t.find("floor/tie")[0];
            let c = t.find("floor/correction")[0];
            let flag: Fr = t.get(z);
            let flipped = if flag == Fr::from(0u64) { 1 } else { 0 };
            t.set_int(z, flipped);
            // the correction follows the claimed flag (parity from the honest bits)
            let parity = t.bit_groups("floor")[0][0];
            let p: Fr = t.get(parity);
            t.set(c, Fr::from(flipped as u64) * p);
            true
        })
    }

    #[test]
    fn documented_cost_example() {
        let g = FloorAtScale {
            bits: 16,
            scale: 7,
            mode: FloorMode::Floor,
            len: 1,
        };
        assert_eq!(g.quotient_bits(), 9);
        assert_eq!(
            <FloorAtScale as Gadget<Fr>>::cost(&g),
            Cost::new(16, 15, 78)
        );
    }
}
