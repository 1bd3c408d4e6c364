//! The production proving backend. A model circuit (a
//! `ConstraintSynthesizer<Fr>` built by the model crates) goes in; a Groth16
//! proof over BN254 of 128 bytes comes out, checkable in a few milliseconds
//! with a prepared verifying key. [`Groth16Backend`] implements
//! `zkinfer-backend`'s `ProvingBackend`, so everything above it (the
//! `zkinfer` facade, the CLI) can swap it for `MockBackend` in tests.
//!
//! Proving keys cache the circuit's R1CS matrices. Proving then runs the
//! circuit in witness-only mode, where ark-relations skips building
//! constraints, and hands the assignment to ark-groth16's
//! `create_proof_with_reduction_and_matrices`: less work than ark-groth16's
//! own `prove`, which rebuilds every constraint and its matrices per proof.
//! Groth16 itself is [Groth16](https://eprint.iacr.org/2016/260), via
//! ark-groth16.
//!
//! # Writing circuits for the cached-matrix prover
//!
//! `prove` runs `generate_constraints` with
//! `SynthesisMode::Prove { construct_matrices: false, .. }`: constraint
//! closures are never called, only variable allocations and their value
//! closures. Three rules follow:
//!
//! 1. Allocate the same variables in the same order in every mode; never
//!    branch on `cs.is_in_setup_mode()` or on witness values to decide what
//!    to allocate. A circuit that does gets `ShapeMismatch` (different
//!    counts) or `Unsatisfied` (same counts, different meaning).
//! 2. Keep values in your own variables (as ark-r1cs-std's `FpVar` does);
//!    do not read `cs.assigned_value()` of a symbolic linear combination,
//!    which has no value when matrices are not built.
//! 3. Compute values from the quantized trace in the value closures; all
//!    work inside constraint closures is skipped, which is where the saving
//!    comes from.
//!
//! Keys come in two byte formats: [`ByteEncoding`](zkinfer_backend::ByteEncoding)
//! (compressed, every curve point validated: for anything received) and, for
//! proving keys, [`Groth16ProvingKey::to_local_bytes`] (uncompressed, points
//! trusted: for a key this machine wrote, about 100× faster to load).
//!
//! ```
//! use ark_bn254::Fr;
//! use ark_std::rand::{rngs::StdRng, SeedableRng};
//! use zkinfer_backend::{ByteEncoding, ProvingBackend};
//! use zkinfer_groth16::Groth16Bn254;
//! # use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
//! # use ark_relations::lc;
//! # #[derive(Clone)]
//! # struct Square { x: u64 }
//! # impl ConstraintSynthesizer<Fr> for Square {
//! #     fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
//! #         let y = cs.new_input_variable(|| Ok(Fr::from(self.x * self.x)))?;
//! #         let x = cs.new_witness_variable(|| Ok(Fr::from(self.x)))?;
//! #         cs.enforce_r1cs_constraint(|| lc![x], || lc![x], || lc![y])
//! #     }
//! # }
//!
//! let mut rng = StdRng::seed_from_u64(1);
//! let (pk, vk) = Groth16Bn254::setup(Square { x: 3 }, &mut rng)?;
//! let (proof, public_inputs) = Groth16Bn254::prove(&pk, Square { x: 3 }, &mut rng)?;
//! assert_eq!(proof.to_bytes().len(), 128);
//! assert!(Groth16Bn254::verify(&vk, &public_inputs, &proof)?);
//! # Ok::<(), zkinfer_backend::BackendError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

use std::marker::PhantomData;

use ark_bn254::Bn254;
use ark_ec::pairing::Pairing;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_std::rand::{CryptoRng, RngCore};
use zkinfer_backend::{BackendError, ProvingBackend, PublicInputs};

/// Keys and proof, their byte formats and decode-time consistency checks.
pub mod data_structures;
/// Setup: one synthesis, keys for the recorded matrices.
pub mod generator;
/// Proving from cached matrices, or by re-synthesis for comparison.
pub mod prover;
/// Verification with a prepared key.
pub mod verifier;

#[cfg(test)]
mod tests;

pub use data_structures::{Groth16Proof, Groth16ProvingKey, Groth16VerifyingKey};
pub use prover::{prove_with, ProvingStrategy};

/// The upstream crates, re-exported for benchmarks and for callers that need
/// the raw ark-groth16 API on the same versions.
pub use {ark_bn254, ark_groth16};

/// Groth16 over the pairing `E`, BN254 unless chosen otherwise.
///
/// Setup is circuit-specific (a new key pair per model circuit); proofs are
/// zero-knowledge (fresh `r`, `s` from the RNG per proof).
#[derive(Clone, Copy, Debug, Default)]
pub struct Groth16Backend<E: Pairing = Bn254>(PhantomData<E>);

/// Groth16 over BN254, the backend zkinfer ships. An alias because a default
/// type parameter does not apply in expression position:
/// `Groth16Bn254::prove(..)` works where `Groth16Backend::prove(..)` would
/// ask for the pairing.
pub type Groth16Bn254 = Groth16Backend<Bn254>;

impl<E: Pairing> ProvingBackend for Groth16Backend<E> {
    type Field = E::ScalarField;
    type ProvingKey = Groth16ProvingKey<E>;
    type VerifyingKey = Groth16VerifyingKey<E>;
    type Proof = Groth16Proof<E>;

    const NAME: &'static str = "groth16";

    fn setup<C, R>(
        circuit: C,
        rng: &mut R,
    ) -> Result<(Self::ProvingKey, Self::VerifyingKey), BackendError>
    where
        C: ConstraintSynthesizer<Self::Field>,
        R: RngCore + CryptoRng,
    {
        generator::setup(circuit, rng)
    }

    fn prove<C, R>(
        pk: &Self::ProvingKey,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Self::Proof, PublicInputs<Self::Field>), BackendError>
    where
        C: ConstraintSynthesizer<Self::Field>,
        R: RngCore + CryptoRng,
    {
        prover::prove_with(pk, circuit, rng, ProvingStrategy::default())
    }

    fn verify(
        vk: &Self::VerifyingKey,
        public_inputs: &PublicInputs<Self::Field>,
        proof: &Self::Proof,
    ) -> Result<bool, BackendError> {
        verifier::verify(vk, public_inputs, proof)
    }
}
