//! The crate's error type.

use thiserror::Error;
use zkinfer_ir::IrError;

/// Why a model could not be quantized or a quantized inference failed.
#[derive(Debug, Error)]
pub enum QuantError {
    /// The float model failed (shape inference, calibration run...).
    #[error("float model: {0}")]
    Ir(#[from] IrError),
    /// An op (or a form of it) that the quantized model cannot express.
    #[error("node `{node}`: op {op} is not supported for quantization: {reason}")]
    Unsupported {
        /// Node name.
        node: String,
        /// Op type name.
        op: String,
        /// What exactly is missing.
        reason: String,
    },
    /// Scales or bounds that would overflow the integer types of the interpreter
    /// or the bit budget allowed by the settings; refused at quantization time.
    #[error("node `{node}`: {reason}")]
    ScaleOverflow {
        /// Node name.
        node: String,
        /// The offending computation.
        reason: String,
    },
    /// A value exceeded its tensor's bit budget during an inference.
    #[error("node `{node}`: value {value} at element {index} overflows its {bits}-bit budget")]
    Overflow {
        /// Node (or input) name.
        node: String,
        /// Flat element index.
        index: usize,
        /// The offending integer.
        value: i128,
        /// The budget, in signed bits.
        bits: u32,
    },
    /// An op's input outside its domain during an inference (a zero divisor,
    /// a negative square root): no integer result, hence no proof.
    #[error("node `{node}` ({op}): element {index}: {reason}")]
    Domain {
        /// Node name.
        node: String,
        /// Op name.
        op: &'static str,
        /// Flat element index.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A runtime input is NaN or infinite.
    #[error("input `{name}`: element {index} is {value}, not a finite number")]
    NonFinite {
        /// Input name.
        name: String,
        /// Flat element index.
        index: usize,
        /// The value.
        value: f32,
    },
    /// Wrong number, type or shape of inputs.
    #[error("bad input: {0}")]
    BadInput(String),
    /// Calibration was asked to work without any sample.
    #[error("calibration needs at least one input sample")]
    NoCalibrationData,
    /// A runtime index (of a [`crate::model::Lookup`]) outside its table.
    #[error("node `{node}`: index {value} at element {index} is outside [0, {depth})")]
    IndexOutOfRange {
        /// Node name.
        node: String,
        /// Flat element index of the output.
        index: usize,
        /// The offending index.
        value: i128,
        /// The table length.
        depth: usize,
    },
    /// Settings could not be read or written.
    #[error("settings: {0}")]
    Settings(#[from] serde_json::Error),
}

/// Result alias for this crate.
pub type QuantResult<T> = Result<T, QuantError>;
