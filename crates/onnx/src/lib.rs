//! ONNX import for zkinfer: the entry of the pipeline.
//!
//! [`load_model`] decodes an `.onnx` file with `onnx-protobuf`, converts
//! initializers (from `raw_data` or the typed fields), reads attributes with the
//! operator specification's defaults, and maps every node through the
//! [`OpRegistry`] to a `zkinfer_ir` op. Inference-only no-ops (`Identity`,
//! `Dropout`) are removed: a proof is about deterministic inference. A dynamic
//! batch dimension becomes 1 (see [`LoadOptions`]), and the resulting
//! [`zkinfer_ir::Graph`] has static shapes with every shape sub-graph folded.
//!
//! [`conformance`] runs ONNX's own node tests and EZKL's example models through
//! the float interpreter and reports what passes.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// Conformance harness over ONNX node tests and EZKL example models.
pub mod conformance;
/// Typed access to a node's attributes.
pub mod context;
/// The importer's error type.
pub mod error;
/// Model import.
pub mod load;
/// Op parsers, one module per family.
pub mod ops;
/// ONNX op type → parser.
pub mod registry;
/// `TensorProto` decoding.
pub mod tensor_proto;

pub use context::NodeContext;
pub use error::{OnnxError, OnnxResult};
pub use load::{
    import_model, load_model, load_model_bytes, load_model_with, read_model_file, LoadOptions,
    DEFAULT_MAX_MODEL_BYTES,
};
pub use registry::{OpRegistry, ParseFn};
pub use tensor_proto::{tensor_from_bytes, tensor_from_proto};
