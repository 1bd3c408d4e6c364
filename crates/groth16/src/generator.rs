//! Setup: synthesize the circuit once, key the R1CS it produced, keep the
//! matrices for proving.

use ark_ec::pairing::Pairing;
use ark_ff::PrimeField;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, Matrix, SynthesisError, Variable,
};
use ark_std::rand::{CryptoRng, RngCore};
use zkinfer_backend::{
    synthesis::{r1cs_matrices, synthesize_setup},
    BackendError,
};

use crate::data_structures::{Groth16ProvingKey, Groth16VerifyingKey};

/// Runs `circuit` once in setup mode, then generates Groth16 keys for the
/// matrices it produced.
///
/// ark-groth16 synthesizes its own circuit argument, so it is handed a
/// [`MatrixReplay`] of the recorded matrices rather than the model circuit:
/// the model is synthesized once, and the keys provably belong to the
/// matrices that were digested and cached.
pub fn setup<E, C, R>(
    circuit: C,
    rng: &mut R,
) -> Result<(Groth16ProvingKey<E>, Groth16VerifyingKey<E>), BackendError>
where
    E: Pairing,
    C: ConstraintSynthesizer<E::ScalarField>,
    R: RngCore + CryptoRng,
{
    let synthesized = synthesize_setup(circuit)?;
    let shape = synthesized.shape;
    let matrices = r1cs_matrices(synthesized.matrices)?;
    let replay = MatrixReplay {
        num_instance_variables: shape.num_public_inputs + 1,
        num_witness_variables: shape.num_witness_variables,
        matrices: &matrices,
    };
    let key = Groth16::<E>::generate_random_parameters_with_reduction(replay, rng)?;
    let vk = Groth16VerifyingKey::new(shape.clone(), &key.vk);
    let pk = Groth16ProvingKey {
        shape,
        key,
        matrices,
    };
    Ok((pk, vk))
}

/// A circuit that re-enforces recorded R1CS matrices over fresh variables.
/// Setup-mode only: it has no values.
pub struct MatrixReplay<'a, F: PrimeField> {
    /// Instance variables including the constant `1`.
    pub num_instance_variables: usize,
    /// Witness variables.
    pub num_witness_variables: usize,
    /// `[A, B, C]`.
    pub matrices: &'a [Matrix<F>],
}

impl<F: PrimeField> ConstraintSynthesizer<F> for MatrixReplay<'_, F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        for _ in 1..self.num_instance_variables {
            let _ = cs.new_input_variable(|| Err(SynthesisError::AssignmentMissing))?;
        }
        for _ in 0..self.num_witness_variables {
            let _ = cs.new_witness_variable(|| Err(SynthesisError::AssignmentMissing))?;
        }
        let num_instance = self.num_instance_variables;
        let row_to_lc = |row: &[(F, usize)]| {
            LinearCombination(
                row.iter()
                    .map(|&(coefficient, column)| {
                        let variable = match column {
                            0 => Variable::One,
                            column if column < num_instance => Variable::instance(column),
                            column => Variable::witness(column - num_instance),
                        };
                        (coefficient, variable)
                    })
                    .collect(),
            )
        };
        let [a, b, c] = self.matrices else {
            return Err(SynthesisError::ArityMismatch);
        };
        for ((a_row, b_row), c_row) in a.iter().zip(b).zip(c) {
            cs.enforce_r1cs_constraint(
                || row_to_lc(a_row),
                || row_to_lc(b_row),
                || row_to_lc(c_row),
            )?;
        }
        Ok(())
    }
}
