//! The gadget abstraction: integer semantics, exact cost and synthesis, which must agree.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::wire::{field_of, Wire};
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, Variable};

/// A verifier challenge: a field element allocated as a public input.
///
/// This is the seam for interactive checks compiled with Fiat–Shamir, e.g. a
/// Freivalds matmul check `rᵀ(AB) = (rᵀA)B` costs `n·k + k·m`-ish products
/// instead of `n·k·m`. The challenge must be derived from commitments to the
/// operands (see [`crate::poseidon`]) before it is used; a gadget declares how
/// many it needs with [`Gadget::num_challenges`] and receives them in
/// [`Gadget::synthesize`]. No gadget in this crate uses one yet.
#[derive(Clone, Copy, Debug)]
pub struct Challenge<F: PrimeField> {
    /// The public-input variable.
    pub var: Variable,
    /// Its value (absent in setup mode).
    pub value: Option<F>,
}

/// A circuit fragment with three faces that must agree.
///
/// * [`reference`](Gadget::reference): the integer semantics, calling into
///   `zkinfer_quant::arith` (the quantized interpreter calls the same functions);
/// * [`cost`](Gadget::cost): the exact constraint, witness and non-zero counts
///   as a function of the gadget's parameters (shapes and bit widths);
/// * [`synthesize`](Gadget::synthesize): the constraints, whose outputs carry
///   exactly the reference integers.
///
/// Inputs and outputs are flat vectors of [`Wire`]s (tensors are row-major).
/// Inputs are assumed to lie in [`input_range`](Gadget::input_range), which
/// the producing gadget guarantees (its outputs are range-checked); the
/// soundness harness ([`crate::soundness`]) checks the three faces agree and
/// that no witness can change the outputs.
pub trait Gadget<F: PrimeField> {
    /// The gadget's name, also its namespace.
    fn name(&self) -> &'static str;

    /// Number of input wires.
    fn input_len(&self) -> usize;

    /// The inclusive range of input `index` on which the gadget is complete.
    fn input_range(&self, index: usize) -> (i128, i128);

    /// The integer semantics: outputs for the given inputs.
    fn reference(&self, inputs: &[i128]) -> Vec<i128>;

    /// The reference outputs as field elements; by default the integers of
    /// [`reference`](Gadget::reference) mapped by [`field_of`]. Gadgets whose
    /// outputs are not integers (hashes) override this.
    fn reference_field(&self, inputs: &[i128]) -> Vec<F> {
        self.reference(inputs).into_iter().map(field_of).collect()
    }

    /// The exact cost (for single-variable inputs, see [`Cost`]).
    fn cost(&self) -> Cost;

    /// Adds the constraints; outputs carry the reference values.
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        challenges: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>>;

    /// Verifier challenges the gadget needs (default none).
    fn num_challenges(&self) -> usize {
        0
    }

    /// Gadget-specific boundary inputs for the harness, besides the generic ones.
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        Vec::new()
    }

    /// Synthesizes a gadget that takes no challenge, checking the arity.
    fn apply(&self, cs: ConstraintSystemRef<F>, inputs: &[Wire<F>]) -> Result<Vec<Wire<F>>> {
        check_arity(self.name(), self.input_len(), inputs.len())?;
        self.synthesize(cs, inputs, &[])
    }
}

/// Returns [`GadgetError::Arity`] unless `got == expected`.
pub fn check_arity(gadget: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(GadgetError::Arity {
            gadget,
            expected,
            got,
        })
    }
}
