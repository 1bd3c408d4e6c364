//! Integer square root: `y = floor(√(x·2^k))` for `x ≥ 0`
//! ([`zkinfer_quant::arith::sqrt_scaled`]).
//!
//! The root is a claimed witness `y`, certified by
//!
//! * `0 ≤ y < 2^n_y` (one decomposition; `n_y` covers the largest root, and
//!   bounds `y²` far below the field modulus),
//! * `y² = y·y` (one product),
//! * `r = x·2^k − y² ∈ [0, 2^n_r)` and `2y − r ∈ [0, 2^n_r)` (two
//!   decompositions, `2^n_r > 2·y_max`),
//!
//! i.e. `y² ≤ X ≤ y² + 2y < (y + 1)²` over the integers (every quantity is
//! far below the modulus, so the field relations cannot wrap). That pins `y`
//! to `floor(√X)`; a negative `X` has no satisfying `r`, so a negative
//! radicand has no proof, matching the interpreter's error.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{check_bits, decompose, decompose_cost, mul};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::{sqrt_scaled, Bits};

/// `floor(√(x·2^shift))` elementwise for `bits`-bit signed inputs that are `≥ 0`.
///
/// Cost per element on an input with `v` variables and constant `c`
/// ([`Sqrt::cost_one`]): `n_y + 1 + 2·n_r` constraints, `n_y + 2·n_r − 1`
/// witnesses, with `n_y` = bits of the largest root and `n_r` = bits of
/// twice it. Example: 16-bit inputs, shift 8 → `y_max = 2896`, `n_y = 12`,
/// `n_r = 13`: 39 constraints, 37 witnesses, 193 non-zeros.
#[derive(Clone, Debug)]
pub struct Sqrt {
    /// Signed width of the inputs.
    pub bits: u32,
    /// The radicand is `x·2^shift`.
    pub shift: u32,
    /// Number of elements.
    pub len: usize,
}

impl Sqrt {
    /// The largest root: of the largest `bits`-bit input.
    pub fn max_root(&self) -> i128 {
        let (_, hi) = Bits(self.bits).signed_range();
        sqrt_scaled(hi, self.shift).unwrap_or(0)
    }

    /// Width of the root's (unsigned) range check.
    pub fn root_bits(&self) -> u32 {
        Bits::unsigned_for_max(self.max_root()).0
    }

    /// Width of the remainder checks: `2^n_r > 2·y_max`.
    fn remainder_bits(&self) -> u32 {
        Bits::unsigned_for_max(2 * self.max_root()).0
    }

    /// Signed width of the outputs (`[0, y_max]`).
    pub fn out_bits(&self) -> u32 {
        Bits::signed_for_range(0, self.max_root()).0
    }

    fn check(&self) -> Result<()> {
        check_bits("sqrt", self.bits)?;
        if self.bits + self.shift > 120 {
            return Err(GadgetError::Parameters {
                gadget: "sqrt",
                reason: format!(
                    "radicands of {} + {} bits are too wide",
                    self.bits, self.shift
                ),
            });
        }
        Ok(())
    }

    /// Proves one root.
    pub fn sqrt_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        self.check()?;
        let (n_y, n_r) = (self.root_bits(), self.remainder_bits());
        let radicand = x.scale_pow2(self.shift);
        let y_value = match x.value {
            Some(v) => Some(sqrt_scaled(v, self.shift).ok_or(GadgetError::OutOfRange {
                gadget: "sqrt",
                value: v,
                bits: self.bits,
            })?),
            None => None,
        };
        let y = Wire::witness(cs, "root", y_value)?;
        decompose(cs, &y.lc, y.value, n_y, "sqrt")?;
        let square = mul(cs, &y, &y, "square")?;
        let r = radicand.sub(&square);
        decompose(cs, &r.lc, r.value, n_r, "sqrt")?;
        let slack = Wire::linear(&[(2, &y), (-1, &r)], 0);
        decompose(cs, &slack.lc, slack.value, n_r, "sqrt")?;
        Ok(y)
    }

    /// Exact cost of [`Sqrt::sqrt_one`] on an input with `x_vars` variables and constant `x_const`.
    pub fn cost_one(&self, x_vars: usize, x_const: i128) -> Cost {
        if self.check().is_err() {
            return Cost::ZERO;
        }
        let (n_y, n_r) = (self.root_bits(), self.remainder_bits());
        let c = x_const << self.shift;
        Cost::new(0, 1, 0)
            + decompose_cost(n_y, 1, 0)
            + Cost::new(1, 1, 3)
            + decompose_cost(n_r, x_vars + 1, c)
            + decompose_cost(n_r, x_vars + 2, -c)
    }
}

impl<F: PrimeField> Gadget<F> for Sqrt {
    fn name(&self) -> &'static str {
        "sqrt"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        (0, Bits(self.bits).signed_range().1)
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| sqrt_scaled(x, self.shift).unwrap_or(-1))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // perfect squares of the radicand and their neighbours
        let mut out = Vec::new();
        let hi = Bits(self.bits).signed_range().1;
        for y in [1i128, 2, 3, 5, 16] {
            for x in [y * y - 1, y * y, y * y + 1] {
                if (0..=hi).contains(&x) {
                    out.push(vec![x; self.len]);
                }
            }
        }
        out
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "sqrt");
        check_arity("sqrt", self.len, inputs.len())?;
        inputs.iter().map(|x| self.sqrt_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;
    use ark_relations::gr1cs::ConstraintSystem;

    /// Claims `y + delta` as the root, with the square and all three
    /// decompositions rewritten consistently (wrapped where negative).
    fn shifted_root(g: &Sqrt, delta: i128) -> Adversary<Fr> {
        let (shift, n_y) = (g.shift, g.root_bits());
        Adversary::new("root±1, remainder compensating", move |t| {
            let x = t.inputs()[0];
            let y = sqrt_scaled(x, shift).unwrap() + delta;
            let r = (x << shift) - y * y;
            let root = t.find("sqrt/root")[0];
            let square = t.find("sqrt/square")[0];
            let groups = t.bit_groups("sqrt");
            t.set_int(root, y);
            t.set_int(square, y * y);
            t.set_bits(&groups[0], y.rem_euclid(1 << n_y));
            t.set_bits(&groups[1], r);
            t.set_bits(&groups[2], 2 * y - r);
            true
        })
    }

    #[test]
    fn sqrt_cost_and_soundness() {
        for (bits, shift) in [(8, 0), (8, 4), (12, 7), (5, 1)] {
            let g = Sqrt {
                bits,
                shift,
                len: 1,
            };
            let report = testing::run(&g, &[shifted_root(&g, 1), shifted_root(&g, -1)]);
            testing::assert_adversaries_ran(&report, 200);
        }
        assert_cost::<Fr, _>(&Sqrt {
            bits: 30,
            shift: 10,
            len: 8,
        });
    }

    #[test]
    fn documented_cost_example() {
        let g = Sqrt {
            bits: 16,
            shift: 8,
            len: 1,
        };
        assert_eq!(g.max_root(), 2896);
        assert_eq!(<Sqrt as Gadget<Fr>>::cost(&g), Cost::new(39, 37, 193));
    }

    #[test]
    fn negative_radicand_is_an_error_not_a_bad_proof() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Wire::witness(&cs, "x", Some(-4)).unwrap();
        let g = Sqrt {
            bits: 8,
            shift: 0,
            len: 1,
        };
        assert!(g.apply(cs, &[x]).is_err());
    }

    #[test]
    fn a_negative_radicand_has_no_proof() {
        // x = −1 with the prover's best attempt y = 0: r = −1 cannot be decomposed.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Wire::witness(&cs, "x", Some(0)).unwrap();
        let g = Sqrt {
            bits: 8,
            shift: 0,
            len: 1,
        };
        g.apply(cs.clone(), &[x]).unwrap();
        assert!(cs.is_satisfied().unwrap());
        let cs2 = ConstraintSystem::<Fr>::new_ref();
        let minus_one = Wire::<Fr>::witness(&cs2, "x", Some(-1)).unwrap();
        // synthesize as if x were 0 (value lie), then check with the real −1
        let lying = Wire {
            lc: minus_one.lc.clone(),
            value: Some(0),
        };
        g.apply(cs2.clone(), &[lying]).unwrap();
        assert!(!cs2.is_satisfied().unwrap());
    }
}
