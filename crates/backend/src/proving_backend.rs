//! The `ProvingBackend` trait and the traits its keys and proofs implement.

use std::fmt::Debug;

use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_std::rand::{CryptoRng, RngCore};

use crate::{
    digest::CircuitShape,
    encoding::ByteEncoding,
    error::BackendError,
    public_inputs::PublicInputs,
    segments::{CircuitSegments, SegmentCommitment},
};

/// A proof system that proves circuits written as
/// [`ConstraintSynthesizer`]s.
///
/// Modeled on arkworks' `SNARK<F>`: keys and proofs are associated types and
/// every method is generic over the circuit, so no trait object sits in the
/// proving path and callers pick a backend by type parameter:
///
/// ```ignore
/// fn prove_model<B: ProvingBackend>(pk: &B::ProvingKey, circuit: ModelCircuit<B::Field>)
///     -> Result<(B::Proof, PublicInputs<B::Field>), BackendError>
/// {
///     B::prove(pk, circuit, &mut rand::rngs::OsRng)
/// }
/// ```
///
/// The same circuit type serves setup and proving, run in arkworks' modes:
/// at setup its witness closures are never evaluated (return
/// `SynthesisError::AssignmentMissing` when values are absent), at proving
/// they are.
///
/// Verification outcomes: `Ok(true)` accepts; `Ok(false)` rejects a
/// well-formed proof that does not check; `Err` means the inputs could not be
/// checked against this key at all (another circuit's public inputs, the
/// wrong number of them).
///
/// Future variants (commit-and-prove with Fiat–Shamir challenges, models
/// proven in linked segments; see [`segments`](crate::segments)) keep this
/// signature: their keys report committed segments through
/// [`CircuitKey::segments`], their proofs expose commitments through
/// [`ProofArtifact::segment_commitments`], and [`ProvingBackend::CAPABILITIES`]
/// says which a backend supports.
pub trait ProvingBackend {
    /// Scalar field the circuits are written over.
    type Field: PrimeField;
    /// What proving needs besides the circuit.
    type ProvingKey: CircuitKey + ByteEncoding + Clone + Debug;
    /// What verification needs besides public inputs and proof.
    type VerifyingKey: CircuitKey + ByteEncoding + Clone + Debug;
    /// The proof.
    type Proof: ProofArtifact;

    /// Short name for logs and bench labels, e.g. `"groth16-bn254"`.
    const NAME: &'static str;

    /// Which of the planned extensions this backend implements.
    const CAPABILITIES: Capabilities = Capabilities::SINGLE_SEGMENT;

    /// Generates keys for `circuit`'s constraint system.
    ///
    /// `rng` supplies the setup's secret randomness; for keys anyone relies
    /// on, use a cryptographic RNG and discard it afterwards.
    fn setup<C, R>(
        circuit: C,
        rng: &mut R,
    ) -> Result<(Self::ProvingKey, Self::VerifyingKey), BackendError>
    where
        C: ConstraintSynthesizer<Self::Field>,
        R: RngCore + CryptoRng;

    /// Proves that `circuit`, with the witness it carries, satisfies the
    /// constraint system `pk` was made for. Returns the proof and the public
    /// inputs it is bound to.
    fn prove<C, R>(
        pk: &Self::ProvingKey,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Self::Proof, PublicInputs<Self::Field>), BackendError>
    where
        C: ConstraintSynthesizer<Self::Field>,
        R: RngCore + CryptoRng;

    /// Checks `proof` for `public_inputs` under `vk`.
    ///
    /// Fails with [`BackendError::CircuitMismatch`] if `public_inputs` name
    /// another circuit and [`BackendError::PublicInputCount`] if their number
    /// differs from the key's.
    fn verify(
        vk: &Self::VerifyingKey,
        public_inputs: &PublicInputs<Self::Field>,
        proof: &Self::Proof,
    ) -> Result<bool, BackendError>;
}

/// Checks shared by every backend's `verify` before any cryptography:
/// the public inputs belong to this key's circuit, have the right count and
/// carry metadata consistent with their field elements
/// ([`PublicInputs::check_metadata`]).
pub fn check_statement<F: PrimeField>(
    shape: &CircuitShape,
    public_inputs: &PublicInputs<F>,
) -> Result<(), BackendError> {
    if public_inputs.circuit != shape.digest {
        return Err(BackendError::CircuitMismatch {
            expected: shape.digest,
            found: public_inputs.circuit,
        });
    }
    if public_inputs.len() != shape.num_public_inputs {
        return Err(BackendError::PublicInputCount {
            expected: shape.num_public_inputs,
            found: public_inputs.len(),
        });
    }
    public_inputs.check_metadata()
}

/// A proving or verifying key: it knows which circuit it was made for.
pub trait CircuitKey {
    /// Digest and sizes of the key's circuit.
    fn shape(&self) -> &CircuitShape;

    /// How the key's circuit divides its witness. Single-segment for every
    /// key today.
    fn segments(&self) -> CircuitSegments {
        CircuitSegments::single()
    }
}

/// A proof.
pub trait ProofArtifact: ByteEncoding + Clone + Debug {
    /// Commitments to the proof's committed witness segments, in segment
    /// order; empty for plain (single-segment) proofs.
    fn segment_commitments(&self) -> &[SegmentCommitment] {
        &[]
    }
}

/// The extensions a backend implements; see [`segments`](crate::segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Can commit to witness segments and feed Fiat–Shamir challenges derived
    /// from them to the circuit.
    pub committed_segments: bool,
    /// Can link proofs of separate circuits through equal segment
    /// commitments under a shared commitment key.
    pub linked_segments: bool,
}

impl Capabilities {
    /// Plain single-circuit proving: what every backend supports today.
    pub const SINGLE_SEGMENT: Self = Self {
        committed_segments: false,
        linked_segments: false,
    };
}
