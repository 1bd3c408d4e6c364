//! The one error type every proving backend returns.

use ark_relations::gr1cs::SynthesisError;
use ark_serialize::SerializationError;
use thiserror::Error;

use crate::digest::CircuitDigest;

/// Everything that can go wrong while setting up, proving or verifying.
///
/// Verification distinguishes two outcomes: a *rejected* proof is `Ok(false)`
/// (the bytes were well-formed, the pairing check failed), while inputs that
/// cannot even be checked (wrong model, wrong input count, malformed bytes)
/// are an `Err` naming what was wrong.
#[derive(Debug, Error)]
pub enum BackendError {
    /// The circuit's `generate_constraints` returned an error.
    #[error("circuit synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),

    /// The witness does not satisfy the circuit. `path` is the namespace path
    /// of the first broken constraint (`layer3/relu/...`) when the backend
    /// traced namespaces; `MockBackend` always does, the fast Groth16 path
    /// does not.
    #[error(
        "constraint #{index} of predicate {predicate} is unsatisfied{}",
        describe_path(path)
    )]
    Unsatisfied {
        /// Label of the predicate whose constraint failed (`"R1CS"` for
        /// ordinary rank-1 constraints).
        predicate: String,
        /// Index of the failed constraint within that predicate.
        index: usize,
        /// Namespace path of the failed constraint, root first, joined by `/`.
        path: Option<String>,
    },

    /// The artifact was made for a different circuit than the key it is
    /// checked against: a proof or public inputs of model A against model B's
    /// verifying key, or a circuit proved with another circuit's proving key.
    #[error("circuit mismatch: key is for circuit {expected}, got {found}")]
    CircuitMismatch {
        /// Digest carried by the key.
        expected: CircuitDigest,
        /// Digest of the other artifact.
        found: CircuitDigest,
    },

    /// Witness synthesis produced a different number of variables than the
    /// circuit had at setup, so the cached constraint matrices do not apply.
    #[error("circuit shape mismatch: key expects {expected} {what}, circuit has {found}")]
    ShapeMismatch {
        /// Which count differs (`"public inputs"`, `"witness variables"`).
        what: &'static str,
        /// The count recorded in the key.
        expected: usize,
        /// The count the circuit produced.
        found: usize,
    },

    /// Verification was given a different number of public inputs than the
    /// verifying key expects.
    #[error("wrong number of public inputs: key expects {expected}, got {found}")]
    PublicInputCount {
        /// Number of public inputs the circuit has (the constant `1` excluded).
        expected: usize,
        /// Number supplied.
        found: usize,
    },

    /// Bytes could not be decoded as the named artifact.
    #[error("cannot decode {artifact}: {reason}")]
    Decode {
        /// Which artifact was being read (`"Groth16 proof"`, ...).
        artifact: &'static str,
        /// What was wrong with the bytes.
        reason: DecodeError,
    },

    /// Public inputs JSON was malformed.
    #[error("invalid public inputs JSON: {0}")]
    PublicInputsJson(#[from] serde_json::Error),

    /// A public input's human-readable metadata contradicts its field
    /// element: the `dequantized` float is not `integer × scale`, a scale is
    /// not a positive finite number, or a float appears without a scale.
    /// Verification checks the field elements; this check keeps a reader of
    /// the floats from being misled by an edited `public.json`.
    #[error("public input {index} ({label}): {reason}")]
    PublicMetadata {
        /// Position of the value among the public inputs.
        index: usize,
        /// The value's label, or `"unlabelled"`.
        label: String,
        /// What is inconsistent.
        reason: String,
    },

    /// The circuit uses a constraint kind the backend cannot prove (for
    /// example a non-R1CS predicate of a generalized constraint system).
    #[error("unsupported by this backend: {0}")]
    Unsupported(String),
}

/// Why bytes failed to decode; carried by [`BackendError::Decode`].
#[derive(Debug, Error)]
pub enum DecodeError {
    /// The input ended before the artifact did.
    #[error("truncated input")]
    Truncated,
    /// Bytes were left over after a complete artifact.
    #[error("{0} trailing bytes after the artifact")]
    TrailingBytes(usize),
    /// The header does not name this artifact kind.
    #[error("wrong magic bytes (not this kind of artifact)")]
    WrongMagic,
    /// The header names a format version this build cannot read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// A field element, curve point or length was invalid (a point off the
    /// curve or outside the prime-order subgroup, a non-canonical field
    /// element, a bad flag).
    #[error("invalid encoding: {0}")]
    Invalid(SerializationError),
    /// The parts decoded but do not fit together (a query length that
    /// differs from the recorded circuit shape, a matrix column out of range).
    #[error("inconsistent contents: {0}")]
    Inconsistent(&'static str),
}

fn describe_path(path: &Option<String>) -> String {
    match path {
        Some(path) if !path.is_empty() => format!(" at {path}"),
        _ => String::new(),
    }
}
