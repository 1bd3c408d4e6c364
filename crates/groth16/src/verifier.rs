//! Verification with the prepared key, after the statement checks every
//! backend shares.

use ark_ec::{pairing::Pairing, AffineRepr, VariableBaseMSM};
use ark_ff::PrimeField;
use ark_groth16::Groth16;
use zkinfer_backend::{proving_backend::check_statement, BackendError, PublicInputs};

use crate::data_structures::{Groth16Proof, Groth16VerifyingKey};

/// Checks `proof` for `public_inputs` under `vk`.
///
/// The count check matters beyond error messages: ark-groth16 zips inputs
/// with the key's input query, so missing trailing inputs would otherwise be
/// read as zeros.
pub fn verify<E: Pairing>(
    vk: &Groth16VerifyingKey<E>,
    public_inputs: &PublicInputs<E::ScalarField>,
    proof: &Groth16Proof<E>,
) -> Result<bool, BackendError> {
    check_statement(&vk.shape, public_inputs)?;
    let prepared_inputs = prepare_inputs(vk, public_inputs);
    Ok(Groth16::<E>::verify_proof_with_prepared_inputs(
        &vk.prepared,
        &proof.0,
        &prepared_inputs,
    )?)
}

/// `γ_abc[0] + Σ xᵢ·γ_abc[i]` as one multi-scalar multiplication.
///
/// ark-groth16's `prepare_inputs` multiplies point by point, and a negative
/// quantized input (`p - 3`) costs a full 254-bit multiplication there; the
/// MSM recognizes small and small-negative scalars and is several times
/// faster on a model's inputs.
fn prepare_inputs<E: Pairing>(
    vk: &Groth16VerifyingKey<E>,
    public_inputs: &PublicInputs<E::ScalarField>,
) -> E::G1 {
    let query = &vk.prepared.vk.gamma_abc_g1;
    let scalars: Vec<_> = public_inputs
        .values
        .iter()
        .map(|input| input.value.into_bigint())
        .collect();
    query[0].into_group() + E::G1::msm_bigint(&query[1..], &scalars)
}
