//! Values flowing between gadgets, and the one place where integers become
//! field elements.
//!
//! A [`Wire`] is a linear combination paired with the integer it carries in
//! the quantized trace. Gadgets read the integer to fill their witnesses, so
//! witness generation never recomputes the model; in setup mode the integer
//! is absent and every witness closure returns
//! [`SynthesisError::AssignmentMissing`], following ark's "same function, three
//! modes". Linear operations ([`Wire::linear`], [`Wire::add`], …) build new
//! linear combinations and cost no constraint.

use crate::error::Result;
use crate::scope;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// The field element of an integer: `x mod p`, negative values wrapping to `p − |x|`.
///
/// This is the only integer → field map in the crate.
pub fn field_of<F: PrimeField>(x: i128) -> F {
    F::from(x)
}

/// Drops zero terms and merges repeated variables, so matrix non-zero counts are exact.
pub fn tidy<F: PrimeField>(mut lc: LinearCombination<F>) -> LinearCombination<F> {
    lc.compactify();
    lc.0.retain(|(c, v)| !c.is_zero() && !v.is_zero());
    lc
}

/// Allocates a private witness variable holding `value`, labelled for the soundness harness.
///
/// In setup mode `value` is `None` and the closure is never run; in prove
/// mode a missing value is [`SynthesisError::AssignmentMissing`].
pub fn alloc_witness<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    label: &str,
    value: Option<i128>,
) -> Result<Variable> {
    alloc_field_witness(cs, label, value.map(field_of))
}

/// Allocates a private witness variable holding a field element.
pub fn alloc_field_witness<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    label: &str,
    value: Option<F>,
) -> Result<Variable> {
    scope::label_next_witness(cs, label);
    Ok(cs.new_witness_variable(|| value.ok_or(SynthesisError::AssignmentMissing))?)
}

/// A linear combination with the integer it carries (absent in setup mode).
#[derive(Clone, Debug)]
pub struct Wire<F: PrimeField> {
    /// The value as a linear combination of circuit variables.
    pub lc: LinearCombination<F>,
    /// The integer value from the quantized trace; `None` in setup mode.
    pub value: Option<i128>,
}

impl<F: PrimeField> Wire<F> {
    /// A circuit constant (known in every mode).
    pub fn constant(value: i128) -> Self {
        Wire {
            lc: tidy(LinearCombination(vec![(field_of(value), Variable::One)])),
            value: Some(value),
        }
    }

    /// A single variable carrying `value`.
    pub fn from_variable(var: Variable, value: Option<i128>) -> Self {
        Wire {
            lc: LinearCombination::from(var),
            value,
        }
    }

    /// A fresh private witness (e.g. a model input or private weight).
    pub fn witness(cs: &ConstraintSystemRef<F>, label: &str, value: Option<i128>) -> Result<Self> {
        Ok(Self::from_variable(alloc_witness(cs, label, value)?, value))
    }

    /// A fresh public input.
    pub fn public_input(cs: &ConstraintSystemRef<F>, value: Option<i128>) -> Result<Self> {
        let var =
            cs.new_input_variable(|| value.map(field_of).ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Self::from_variable(var, value))
    }

    /// `Σ c_i·w_i + constant`: free (no constraint).
    pub fn linear(terms: &[(i128, &Wire<F>)], constant: i128) -> Self {
        let mut lc = LinearCombination(vec![(field_of(constant), Variable::One)]);
        let mut value = Some(constant);
        for (c, w) in terms {
            if *c == 0 {
                continue;
            }
            let coeff: F = field_of(*c);
            lc.0.extend(w.lc.0.iter().map(|(k, v)| (coeff * k, *v)));
            value = value.zip(w.value).map(|(acc, x)| acc + c * x);
        }
        Wire {
            lc: tidy(lc),
            value,
        }
    }

    /// `self + other` (free).
    pub fn add(&self, other: &Wire<F>) -> Self {
        Self::linear(&[(1, self), (1, other)], 0)
    }

    /// `self − other` (free).
    pub fn sub(&self, other: &Wire<F>) -> Self {
        Self::linear(&[(1, self), (-1, other)], 0)
    }

    /// `c·self` (free).
    pub fn scale(&self, c: i128) -> Self {
        Self::linear(&[(c, self)], 0)
    }

    /// `2^k·self` (free), exact for any `k` (the coefficient is a field element).
    pub fn scale_pow2(&self, k: u32) -> Self {
        let factor = F::from(2u64).pow([k as u64]);
        Wire {
            lc: tidy(&self.lc * factor),
            value: self
                .value
                .and_then(|v| v.checked_mul(1i128.checked_shl(k)?)),
        }
    }

    /// `self + c` (free).
    pub fn offset(&self, c: i128) -> Self {
        Self::linear(&[(1, self)], c)
    }

    /// The number of non-constant terms of the linear combination.
    pub fn num_variable_terms(&self) -> usize {
        self.lc.0.iter().filter(|(_, v)| !v.is_one()).count()
    }
}
