//! The proving layer's seam. Upstream, the model crates turn a quantized
//! network and its trace into a circuit: a `ConstraintSynthesizer<F>` over
//! ark-relations' constraint system. This crate defines how such a circuit is
//! set up, proved and verified without committing to a proof system: the
//! [`ProvingBackend`] trait, the artifacts every backend shares
//! ([`PublicInputs`] as JSON, [`CircuitDigest`] naming the circuit, the
//! [`BackendError`] enum) and [`MockBackend`], which checks constraints
//! instead of proving and names the first broken one by namespace path.
//! Downstream, `zkinfer-groth16` implements the trait with Groth16 over BN254
//! and the `zkinfer` facade picks a backend by type parameter.
//!
//! # Proving a circuit
//!
//! ```
//! use ark_bn254::Fr;
//! use ark_std::rand::{rngs::StdRng, SeedableRng};
//! use zkinfer_backend::{MockBackend, ProvingBackend};
//! # use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
//! # use ark_relations::lc;
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
//! let (pk, vk) = MockBackend::<Fr>::setup(Square { x: 3 }, &mut rng)?;
//! let (proof, public_inputs) = MockBackend::prove(&pk, Square { x: 3 }, &mut rng)?;
//! assert!(MockBackend::verify(&vk, &public_inputs, &proof)?);
//! # Ok::<(), zkinfer_backend::BackendError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// Circuit identity: [`CircuitDigest`] and [`CircuitShape`].
pub mod digest;
/// Byte formats: [`ByteEncoding`] and checked, exact-length decoding.
pub mod encoding;
/// [`BackendError`], the one error type of every backend.
pub mod error;
/// [`MockBackend`]: constraint checking with namespace-path diagnostics.
pub mod mock;
/// [`ProvingBackend`] and the traits of its keys and proofs.
pub mod proving_backend;
/// [`PublicInputs`] and their JSON form.
pub mod public_inputs;
/// Planned extensions' vocabulary: committed segments and challenges.
pub mod segments;
/// Running a circuit in setup, witness-only and checked modes.
pub mod synthesis;
/// The backend conformance suite and its test circuits.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use digest::{CircuitDigest, CircuitShape, StructureDigest};
pub use encoding::ByteEncoding;
pub use error::{BackendError, DecodeError};
pub use mock::{MockBackend, MockProof, MockProvingKey, MockVerifyingKey};
pub use proving_backend::{Capabilities, CircuitKey, ProofArtifact, ProvingBackend};
pub use public_inputs::{dequantize, signed_integer_of, PublicInputs, PublicValue, ValueMeta};
pub use segments::{Challenge, CircuitSegments, SegmentCommitment, SegmentKind, SegmentSpec};

/// The arkworks crates circuits are written against, re-exported so circuit
/// and backend always agree on their versions.
pub use {ark_ff, ark_relations, ark_serialize, ark_std};
