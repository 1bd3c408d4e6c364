//! Proving: get the witness from the circuit, check it against the cached
//! matrices, and run ark-groth16's prover on the matrices directly.

use ark_ec::pairing::Pairing;
use ark_ff::{PrimeField, UniformRand};
use ark_groth16::{r1cs_to_qap::evaluate_constraint, Groth16};
use ark_relations::gr1cs::{ConstraintSynthesizer, Matrix, R1CS_PREDICATE_LABEL};
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use zkinfer_backend::{
    synthesis::{r1cs_matrices, synthesize_full, synthesize_witness, Assignment},
    BackendError, CircuitShape, PublicInputs,
};

use crate::data_structures::{Groth16Proof, Groth16ProvingKey};

/// How [`prove_with`] obtains the witness and the matrices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProvingStrategy {
    /// Synthesize the circuit in witness-only mode (no constraint is built)
    /// and use the matrices cached in the proving key. The default: it does
    /// strictly less work than ark-groth16's own `prove`.
    #[default]
    CachedMatrices,
    /// Synthesize constraints and values again, as ark-groth16's `prove`
    /// does, and use the freshly built matrices after checking they hash to
    /// the key's digest. Slower; kept for measurement and for debugging a
    /// circuit whose synthesis might differ between setup and proving.
    Resynthesize,
}

/// Proves `circuit` under `pk` with the chosen strategy.
///
/// Before any group operation the witness is checked against the matrices
/// (one pass over the nonzero entries, small next to the multi-scalar
/// multiplications), so a wrong witness is reported as
/// [`BackendError::Unsatisfied`] instead of producing a proof that fails to
/// verify. The index it names can be looked up by running the same circuit
/// through `MockBackend`, which also reports the namespace path.
pub fn prove_with<E, C, R>(
    pk: &Groth16ProvingKey<E>,
    circuit: C,
    rng: &mut R,
    strategy: ProvingStrategy,
) -> Result<(Groth16Proof<E>, PublicInputs<E::ScalarField>), BackendError>
where
    E: Pairing,
    C: ConstraintSynthesizer<E::ScalarField>,
    R: RngCore + CryptoRng,
{
    let (assignment, fresh_matrices) = match strategy {
        ProvingStrategy::CachedMatrices => (synthesize_witness(circuit)?, None),
        ProvingStrategy::Resynthesize => {
            let synthesized = synthesize_full(circuit)?;
            if synthesized.shape.digest != pk.shape.digest {
                return Err(BackendError::CircuitMismatch {
                    expected: pk.shape.digest,
                    found: synthesized.shape.digest,
                });
            }
            (
                synthesized.assignment,
                Some(r1cs_matrices(synthesized.matrices)?),
            )
        }
    };
    let matrices = fresh_matrices.as_deref().unwrap_or(&pk.matrices);
    check_shape(&pk.shape, &assignment)?;
    let full_assignment = assignment.full();
    if let Some(index) = first_unsatisfied_constraint(matrices, &full_assignment) {
        return Err(BackendError::Unsatisfied {
            predicate: R1CS_PREDICATE_LABEL.to_owned(),
            index,
            path: None,
        });
    }

    let r = E::ScalarField::rand(rng);
    let s = E::ScalarField::rand(rng);
    let proof = Groth16::<E>::create_proof_with_reduction_and_matrices(
        &pk.key,
        r,
        s,
        matrices,
        assignment.instance.len(),
        pk.shape.num_constraints,
        &full_assignment,
    )?;
    let public_inputs = PublicInputs::new(pk.shape.digest, assignment.public_inputs().to_vec());
    Ok((Groth16Proof(proof), public_inputs))
}

/// The witness-only run must allocate exactly the variables setup did, or
/// the cached matrices would be applied to the wrong values.
fn check_shape<F>(shape: &CircuitShape, assignment: &Assignment<F>) -> Result<(), BackendError> {
    let counts = [
        (
            "public inputs",
            shape.num_public_inputs,
            assignment.instance.len() - 1,
        ),
        (
            "witness variables",
            shape.num_witness_variables,
            assignment.witness.len(),
        ),
    ];
    for (what, expected, found) in counts {
        if expected != found {
            return Err(BackendError::ShapeMismatch {
                what,
                expected,
                found,
            });
        }
    }
    Ok(())
}

/// Index of the first constraint `⟨A_i,z⟩·⟨B_i,z⟩ ≠ ⟨C_i,z⟩`, if any.
pub fn first_unsatisfied_constraint<F: PrimeField>(
    matrices: &[Matrix<F>],
    full_assignment: &[F],
) -> Option<usize> {
    let [a, b, c] = matrices else {
        return Some(0);
    };
    // Coarse chunks: the check is a few milliseconds even at 2^18
    // constraints, and each extra parallel split is a point where a busy
    // machine can make the prover wait for a descheduled worker.
    (0..a.len())
        .into_par_iter()
        .with_min_len(1 << 14)
        .find_first(|&row| {
            evaluate_constraint(&a[row], full_assignment)
                * evaluate_constraint(&b[row], full_assignment)
                != evaluate_constraint(&c[row], full_assignment)
        })
}
