//! The crate's error type.

use ark_relations::gr1cs::SynthesisError;
use thiserror::Error;

/// Why a gadget could not be synthesized.
#[derive(Debug, Error)]
pub enum GadgetError {
    /// The underlying constraint system refused (e.g. a missing assignment in prove mode).
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// An input value lies outside the bit budget the gadget was built for;
    /// no honest witness exists, so synthesis stops instead of emitting an
    /// unsatisfiable system.
    #[error("{gadget}: value {value} does not fit in {bits} bits")]
    OutOfRange {
        /// Gadget path.
        gadget: &'static str,
        /// The offending value.
        value: i128,
        /// The bit budget.
        bits: u32,
    },
    /// The number or shape of inputs does not match the gadget's parameters.
    #[error("{gadget}: expected {expected} inputs, got {got}")]
    Arity {
        /// Gadget name.
        gadget: &'static str,
        /// Inputs the parameters call for.
        expected: usize,
        /// Inputs received.
        got: usize,
    },
    /// The parameters themselves are inconsistent (e.g. a zero divisor, too many bits).
    #[error("{gadget}: invalid parameters: {reason}")]
    Parameters {
        /// Gadget name.
        gadget: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Results of gadget synthesis.
pub type Result<T> = std::result::Result<T, GadgetError>;
