//! Verification with the prepared key, after the statement checks every
//! backend shares.

use ark_ec::pairing::Pairing;
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
    let inputs = public_inputs.field_elements();
    Ok(Groth16::<E>::verify_proof(&vk.prepared, &proof.0, &inputs)?)
}
