//! zkinfer's quantized model: the stage between the float IR and the circuit.
//!
//! A float model from `zkinfer-ir` is turned into an integer fixed-point model
//! whose every value is the integer `round(x·2^s)` for a real `x` at scale `s`.
//! The circuit (`zkinfer-gadgets`) proves exactly this integer model, so the
//! integer semantics live in one place, [`arith`], and both the quantized
//! interpreter and the gadgets call those functions: there is no second
//! definition of rounding, activation or approximation anywhere.
//!
//! The pipeline inside this crate: [`Calibration`] records every float tensor's
//! range on sample inputs; [`QuantizedModel::quantize`] chooses scales
//! ([`QuantSettings`]), rounds weights and lowers every float op to a small set of
//! integer ops ([`QOp`]), each one gadget family of the circuit; the integer
//! interpreter ([`QuantizedModel::run`]) produces the [`Trace`] the circuit's
//! witness is read from; [`AccuracyReport`] compares it with the float model.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// Integer fixed-point semantics: rounding, activations, nonlinear approximations, softmax.
pub mod arith;

/// Accuracy of the quantized model against the float one.
pub mod accuracy;
/// Calibration: float tensor ranges over sample inputs.
pub mod calibrate;
/// The crate's error type.
pub mod error;
/// Conversions between reals and fixed-point integers.
pub mod fixed;
/// Flat-index helpers (broadcasting, reduction groups).
pub mod index;
/// The integer interpreter and its trace.
pub mod interpret;
/// The quantized model's IR: tensors, nodes, integer ops.
pub mod model;
/// Lowering a float graph to the quantized model.
mod quantize;
/// Division by private values, square root, floor/ceil/round ([`QOp::Rounded`]).
pub mod rounded;
/// Scale search against an accuracy target.
pub mod search;
/// Quantization settings (JSON).
pub mod settings;

pub use accuracy::{AccuracyReport, TensorError};
pub use calibrate::Calibration;
pub use error::{QuantError, QuantResult};
pub use interpret::Trace;
pub use model::{
    Affine, Gather, GatherSource, Lookup, NonlinearKind, QNode, QOp, QTensor, QTensorId,
    QuantizedModel, Rescale, Tap, Term, WeightSharing, Windows,
};
pub use rounded::RoundedOp;
pub use search::{search_scales, ScaleSearch};
pub use settings::QuantSettings;
