//! The crate's error type.

use thiserror::Error;
use zkinfer_quant::QuantError;

/// Why a model could not be planned, synthesized or decoded.
#[derive(Debug, Error)]
pub enum LayoutError {
    /// No gadget implements this node under the requested visibility.
    #[error("node `{node}` ({op}): {reason}")]
    Unsupported {
        /// Node name.
        node: String,
        /// Quantized op kind.
        op: String,
        /// What is missing.
        reason: String,
    },
    /// The plan needs more constraints than the prover supports.
    #[error(
        "the plan needs {predicted} constraints, {excess} over the limit of {limit} (2^{limit_log2}); {suggestions}",
        limit_log2 = limit.trailing_zeros(),
        suggestions = crate::limits::describe(suggestions)
    )]
    TooManyConstraints {
        /// Predicted constraint count.
        predicted: u64,
        /// The limit.
        limit: u64,
        /// `predicted - limit`.
        excess: u64,
        /// Cheaper settings and what they would cost.
        suggestions: Vec<crate::limits::Suggestion>,
    },
    /// The plan's predicted peak memory exceeds what the machine has available.
    #[error(
        "proving needs about {} of memory, {} more than the {} available; {suggestions}",
        crate::limits::human_bytes(*predicted_bytes),
        crate::limits::human_bytes(predicted_bytes.saturating_sub(*available_bytes)),
        crate::limits::human_bytes(*available_bytes),
        suggestions = crate::limits::describe(suggestions)
    )]
    OutOfMemory {
        /// Predicted peak bytes.
        predicted_bytes: u64,
        /// `MemAvailable` of `/proc/meminfo`.
        available_bytes: u64,
        /// Cheaper settings and what they would cost.
        suggestions: Vec<crate::limits::Suggestion>,
    },
    /// The plan was made for another model (node count or shapes differ).
    #[error("the plan does not match the model: {0}")]
    PlanMismatch(String),
    /// Public inputs that cannot be decoded into the model's outputs.
    #[error("public inputs: {0}")]
    PublicInputs(String),
    /// The cost model JSON could not be read or written.
    #[error("cost model: {0}")]
    CostModel(String),
    /// The constraint system refused (e.g. a missing value in prove mode).
    #[error("synthesis: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
    /// A gadget refused its inputs (a value outside its bit budget: the trace
    /// does not belong to this model, or was tampered with).
    #[error("node `{node}`: {message}")]
    Gadget {
        /// Node name.
        node: String,
        /// The gadget's error.
        message: String,
    },
    /// Re-quantization failed during a scale search.
    #[error("quantization: {0}")]
    Quant(#[from] QuantError),
}
