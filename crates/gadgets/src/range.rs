//! Range checks by bit decomposition, and the comparisons built on them.
//!
//! [`decompose`] proves `0 ≤ y < 2^n` for a linear combination `y` with `n`
//! constraints and `n − 1` witnesses: bits `0..n−1` are allocated and
//! booleanity-checked (`b·b = b`), and the top bit is *derived*,
//! `D = y − Σ_{i<n−1} 2^i·b_i`, with the single constraint
//! `D·(D − 2^(n−1)) = 0`, i.e. `D ∈ {0, 2^(n−1)}`. Every gadget that needs a
//! sign, a remainder bound or a quotient bound goes through it.
//!
//! A cheaper batched range check is a seam for later: with a verifier
//! [`Challenge`](crate::gadget::Challenge), a log-derivative lookup argument
//! checks many small values against one table for about one constraint per
//! value. Packing small values into one field element does not reduce the
//! number of booleanity constraints in plain R1CS, so it is not offered.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::wire::{alloc_witness, tidy, Wire};
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, Variable};
use zkinfer_quant::arith::Bits;

/// The widest decomposition allowed: keeps every integer relation far below the BN254 modulus.
pub const MAX_BITS: u32 = 200;

/// Enforces `a·b = c`, tidying the three linear combinations.
pub fn enforce<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    a: LinearCombination<F>,
    b: LinearCombination<F>,
    c: LinearCombination<F>,
) -> Result<()> {
    let (a, b, c) = (tidy(a), tidy(b), tidy(c));
    cs.enforce_r1cs_constraint(|| a, || b, || c)?;
    Ok(())
}

fn pow2<F: PrimeField>(k: u32) -> F {
    F::from(2u64).pow([k as u64])
}

/// Checks a bit width is usable.
pub fn check_bits(gadget: &'static str, n: u32) -> Result<()> {
    if (1..=MAX_BITS).contains(&n) {
        Ok(())
    } else {
        Err(GadgetError::Parameters {
            gadget,
            reason: format!("{n} bits is outside 1..={MAX_BITS}"),
        })
    }
}

/// Proves `0 ≤ y < 2^n`; returns the `n` bits, least significant first (the last is derived).
///
/// `y` must be tidy. Cost: [`decompose_cost`]`(n, variable terms of y, constant of y)`.
pub fn decompose<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    y: &LinearCombination<F>,
    value: Option<i128>,
    n: u32,
    gadget: &'static str,
) -> Result<Vec<Wire<F>>> {
    check_bits(gadget, n)?;
    if let Some(v) = value {
        if v < 0 || v >= 1i128 << n {
            return Err(GadgetError::OutOfRange {
                gadget,
                value: v,
                bits: n,
            });
        }
    }
    let mut bits = Vec::with_capacity(n as usize);
    let mut rest = y.clone();
    for i in 0..n - 1 {
        let bit_value = value.map(|v| (v >> i) & 1);
        let var = alloc_witness(cs, &format!("bit[{i}]"), bit_value)?;
        let bit = LinearCombination::from(var);
        enforce(cs, bit.clone(), bit.clone(), bit.clone())?;
        rest = rest - (pow2::<F>(i), var);
        bits.push(Wire::from_variable(var, bit_value));
    }
    let rest = tidy(rest);
    let top_scale = pow2::<F>(n - 1);
    enforce(
        cs,
        rest.clone(),
        rest.clone() - (top_scale, Variable::One),
        LinearCombination::zero(),
    )?;
    let inverse = ark_ff::Field::inverse(&top_scale).expect("2 is invertible");
    bits.push(Wire {
        lc: tidy(&rest * inverse),
        value: value.map(|v| (v >> (n - 1)) & 1),
    });
    Ok(bits)
}

/// Cost of [`decompose`] on a linear combination with `vars` variable terms and constant `constant`:
/// `n` constraints, `n − 1` witnesses, `5(n−1) + 2·vars + [constant ≠ 0] + [constant ≠ 2^(n−1)]` non-zeros.
pub fn decompose_cost(n: u32, vars: usize, constant: i128) -> Cost {
    let n = n as usize;
    Cost::new(
        n,
        n - 1,
        5 * (n - 1) + 2 * vars + usize::from(constant != 0) + usize::from(constant != 1 << (n - 1)),
    )
}

/// The sign bit `[x ≥ 0]` of a `bits`-bit signed value: the top bit of
/// `x + 2^(bits−1)` decomposed in `bits` bits (also range-checks `x`).
///
/// Returns all bits (the sign is the last). Cost: `decompose_cost(bits, vars(x), c_x + 2^(bits−1))`.
pub fn sign_decompose<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    x: &Wire<F>,
    bits: u32,
    gadget: &'static str,
) -> Result<Vec<Wire<F>>> {
    check_bits(gadget, bits)?;
    let shifted = x.offset(1 << (bits - 1));
    decompose(cs, &shifted.lc, shifted.value, bits, gadget)
}

/// Allocates `out = a·b` with one constraint. Cost: `(1, 1, |a| + |b| + 1)`.
pub fn mul<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    a: &Wire<F>,
    b: &Wire<F>,
    label: &str,
) -> Result<Wire<F>> {
    let value = a.value.zip(b.value).map(|(x, y)| x * y);
    let out = Wire::witness(cs, label, value)?;
    enforce(cs, a.lc.clone(), b.lc.clone(), out.lc.clone())?;
    Ok(out)
}

/// Signed range check: proves every input lies in `[-2^(bits−1), 2^(bits−1))` and passes it through.
///
/// Cost per element: `bits` constraints, `bits − 1` witnesses, `5·bits − 2` non-zeros.
#[derive(Clone, Debug)]
pub struct RangeCheck {
    /// Signed bit width.
    pub bits: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for RangeCheck {
    fn name(&self) -> &'static str {
        "range_check"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs.to_vec()
    }
    fn cost(&self) -> Cost {
        decompose_cost(self.bits, 1, 1 << (self.bits - 1)) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "range_check");
        check_arity("range_check", self.len, inputs.len())?;
        for x in inputs {
            sign_decompose(&cs, x, self.bits, "range_check")?;
        }
        Ok(inputs.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use crate::Fr;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn range_check_cost_and_soundness() {
        for bits in [1, 2, 8, 16] {
            testing::run(&RangeCheck { bits, len: 2 }, &[]);
        }
        crate::soundness::assert_cost::<Fr, _>(&RangeCheck { bits: 32, len: 64 });
    }

    #[test]
    fn out_of_range_input_is_an_error_not_a_bad_proof() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Wire::witness(&cs, "x", Some(128)).unwrap();
        let err = RangeCheck { bits: 8, len: 1 }.apply(cs, &[x]).unwrap_err();
        assert!(matches!(err, GadgetError::OutOfRange { .. }), "{err}");
    }

    #[test]
    fn a_non_boolean_top_bit_is_rejected() {
        // 2^8 + 3 claimed as an 8-bit value: the derived top bit would be 2.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let y = Wire::<Fr>::witness(&cs, "y", Some(259)).unwrap();
        let low = decompose(&cs, &y.lc, Some(3), 9, "t").unwrap();
        assert_eq!(low.len(), 9);
        assert!(cs.is_satisfied().unwrap());
        let cs = ConstraintSystem::<Fr>::new_ref();
        let y = Wire::<Fr>::witness(&cs, "y", Some(259)).unwrap();
        // bypass the honest value check by decomposing the value the adversary wants
        decompose(&cs, &y.lc, Some(3), 8, "t").unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
