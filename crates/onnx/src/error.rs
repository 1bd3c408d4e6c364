//! The one error type of the ONNX importer.

use zkinfer_ir::IrError;

/// Everything that can go wrong while importing an ONNX model.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// File path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the loader's bound
    /// ([`LoadOptions::max_file_bytes`](crate::LoadOptions::max_file_bytes)),
    /// checked before reading it.
    #[error("`{path}` is {size} bytes, more than the {limit}-byte limit for ONNX models; if the model is genuine, raise `LoadOptions::max_file_bytes`")]
    FileTooLarge {
        /// File path.
        path: String,
        /// The file's size in bytes (at least this many, for a file that grew while read).
        size: u64,
        /// The bound in force.
        limit: u64,
    },
    /// The bytes are not a valid ONNX protobuf message (garbage or truncated file).
    #[error("not a valid ONNX {what} (garbage or truncated file?): {source}")]
    Decode {
        /// Which message was being decoded (`ModelProto`, `TensorProto`).
        what: &'static str,
        /// The protobuf error.
        #[source]
        source: protobuf::Error,
    },
    /// The model has no graph.
    #[error("the ONNX model has no graph")]
    NoGraph,
    /// An op that zkinfer does not implement.
    #[error("unsupported op `{op_type}` (domain `{domain}`, opset {opset}) in node `{node}`; supported ops are listed in the README")]
    UnsupportedOp {
        /// ONNX op type.
        op_type: String,
        /// Op domain (empty for the default ONNX domain).
        domain: String,
        /// Opset version in effect for that domain.
        opset: i64,
        /// Node name.
        node: String,
    },
    /// An opset outside what the importer supports.
    #[error("opset {opset} of the default domain is not supported (supported: 7 to 21)")]
    UnsupportedOpset {
        /// The model's opset.
        opset: i64,
    },
    /// An attribute is missing, of the wrong type, or holds an unsupported value.
    #[error("node `{node}` ({op_type}): attribute `{attribute}`: {reason}")]
    Attribute {
        /// Node name.
        node: String,
        /// ONNX op type.
        op_type: String,
        /// Attribute name.
        attribute: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A node uses a feature of its op that zkinfer does not implement (e.g. a
    /// non-nearest `Resize` mode, or `Dropout`'s mask output).
    #[error("node `{node}` ({op_type}): {reason}")]
    UnsupportedFeature {
        /// Node name.
        node: String,
        /// ONNX op type.
        op_type: String,
        /// What is not supported.
        reason: String,
    },
    /// A tensor whose data lives in an external file: zkinfer only loads self-contained models.
    #[error("tensor `{tensor}` stores its data in an external file; re-export the model with the weights embedded (onnx.save(model, path, save_as_external_data=False))")]
    ExternalData {
        /// Tensor name.
        tensor: String,
    },
    /// A tensor of an element type zkinfer cannot represent (strings, complex...).
    #[error("tensor `{tensor}` has unsupported element type {data_type}")]
    UnsupportedDType {
        /// Tensor name.
        tensor: String,
        /// ONNX `TensorProto.DataType` code.
        data_type: i32,
    },
    /// A tensor whose payload does not match its declared shape and type.
    #[error("tensor `{tensor}`: {reason}")]
    BadTensor {
        /// Tensor name.
        tensor: String,
        /// What does not match.
        reason: String,
    },
    /// A graph input whose shape cannot be made concrete.
    #[error("input `{input}`: dimension {dim} is symbolic (`{param}`); only the batch dimension is set automatically — pass concrete input shapes")]
    UnresolvedShape {
        /// Input name.
        input: String,
        /// Dimension index.
        dim: usize,
        /// The symbolic name.
        param: String,
    },
    /// A graph input without a tensor type.
    #[error("input `{input}` is not a tensor (sequences and maps are not supported)")]
    NotATensor {
        /// Input name.
        input: String,
    },
    /// Building or checking the IR graph failed (shape inference, a missing tensor...).
    #[error("{0}")]
    Ir(#[from] IrError),
}

/// Result alias of the importer.
pub type OnnxResult<T> = Result<T, OnnxError>;
