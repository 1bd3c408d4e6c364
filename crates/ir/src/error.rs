//! The one error type of the IR crate.

use crate::tensor::DType;

/// Everything that can go wrong while building, checking or running a model graph.
///
/// Variants carry the op or tensor they concern so that a user can find the
/// offending node; [`IrError::Node`] wraps an op's error with the node's name.
#[derive(Debug, thiserror::Error)]
pub enum IrError {
    /// An op received an input of the wrong element type.
    #[error("{op}: input {index} has type {found}, expected {expected}")]
    DType {
        /// Op type, e.g. `Conv`.
        op: &'static str,
        /// Position of the offending input.
        index: usize,
        /// What the op accepts.
        expected: String,
        /// What it got.
        found: DType,
    },
    /// Shapes that do not fit together (broadcasting, matmul inner dims, concat...).
    #[error("{op}: incompatible shapes: {detail}")]
    Shape {
        /// Op type.
        op: &'static str,
        /// What did not fit, with the shapes involved.
        detail: String,
    },
    /// An attribute or a constant input holds a value the op cannot use.
    #[error("{op}: invalid argument: {detail}")]
    InvalidArgument {
        /// Op type.
        op: &'static str,
        /// Which argument and why.
        detail: String,
    },
    /// A required input slot is empty.
    #[error("{op}: missing required input {index}")]
    MissingInput {
        /// Op type.
        op: &'static str,
        /// Position of the missing input.
        index: usize,
    },
    /// An input whose value must be known when the model is loaded (a shape, axes, pads...)
    /// depends on the model's runtime input.
    #[error("{op}: input {index} must be a constant known at load time (it decides a shape)")]
    NotConstant {
        /// Op type.
        op: &'static str,
        /// Position of the input.
        index: usize,
    },
    /// A node reads a tensor that no node, input or initializer produces.
    #[error("tensor `{name}` is read by node `{node}` but never produced (missing initializer or input?)")]
    UnknownTensor {
        /// Tensor name.
        name: String,
        /// Node that reads it.
        node: String,
    },
    /// A graph output names a tensor that is never produced.
    #[error("graph output `{0}` is never produced")]
    UnknownOutput(String),
    /// The graph's nodes cannot be ordered so that every input is produced before it is read.
    #[error("the graph has a cycle through node `{0}`")]
    Cycle(String),
    /// A tensor the model asks for is larger than the IR creates
    /// ([`crate::SizeLimits::max_elements`], default [`crate::MAX_ELEMENTS`]),
    /// or the constants folded at load time exceed
    /// [`crate::SizeLimits::max_folded_elements`] in total.
    #[error("{op}: a tensor of shape {shape:?} exceeds the limit of {limit} elements (the default, 2^28, is also the most constraints a BN254 circuit can have); check the model's declared shapes and shape arguments")]
    TensorTooLarge {
        /// Op type, or `input`/`folding` for graph-level checks.
        op: &'static str,
        /// The shape asked for.
        shape: Vec<usize>,
        /// The bound it exceeds.
        limit: usize,
    },
    /// A graph input declares more elements than the IR creates ([`crate::SizeLimits::max_elements`]).
    #[error("input `{name}` declares shape {shape:?}, more than the limit of {limit} elements; give a smaller shape (LoadOptions::input_shapes, or fix the model's declaration)")]
    InputTooLarge {
        /// Input name.
        name: String,
        /// Declared shape.
        shape: Vec<usize>,
        /// The bound it exceeds.
        limit: usize,
    },
    /// A runtime input does not match the declared input.
    #[error("input `{name}`: expected {expected_dtype} {expected:?}, got {found_dtype} {found:?}")]
    InputMismatch {
        /// Input name.
        name: String,
        /// Declared shape.
        expected: Vec<usize>,
        /// Declared type.
        expected_dtype: DType,
        /// Shape supplied.
        found: Vec<usize>,
        /// Type supplied.
        found_dtype: DType,
    },
    /// Wrong number of runtime inputs.
    #[error("the model takes {expected} input(s), got {found}")]
    InputCount {
        /// Declared number of inputs.
        expected: usize,
        /// Number supplied.
        found: usize,
    },
    /// A NaN or infinite value in a runtime input: a proof about it would be meaningless.
    #[error("input `{name}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite {
        /// Input name.
        name: String,
        /// Flat index of the first bad value.
        index: usize,
        /// The value itself.
        value: f32,
    },
    /// An error raised inside a node, with the node's name and op type for context.
    #[error("node `{node}` ({op}): {source}")]
    Node {
        /// Node name (or a generated one).
        node: String,
        /// Op type.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: Box<IrError>,
    },
}

impl IrError {
    /// Shorthand for [`IrError::InvalidArgument`].
    pub fn invalid(op: &'static str, detail: impl Into<String>) -> Self {
        IrError::InvalidArgument {
            op,
            detail: detail.into(),
        }
    }

    /// Shorthand for [`IrError::Shape`].
    pub fn shape(op: &'static str, detail: impl Into<String>) -> Self {
        IrError::Shape {
            op,
            detail: detail.into(),
        }
    }
}

/// Result alias of the IR crate.
pub type IrResult<T> = Result<T, IrError>;
