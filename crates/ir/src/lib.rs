//! zkinfer's model IR: the first stage of the pipeline.
//!
//! ONNX (or any other front end) is imported into a [`Graph`]: nodes in
//! topological order over named tensors, with a static [`Fact`] (type, concrete
//! shape, value when constant) for every tensor. Building a graph folds every
//! constant sub-graph, so the `Shape → Gather → Concat → Reshape` chains that
//! exporters emit disappear and later stages see plain static shapes.
//!
//! The float interpreter ([`Graph::run`]) is the reference semantics: the
//! quantized model is measured against it, and the circuit proves the quantized
//! model. Ops live in one module per family under [`ops`]; adding an op means one
//! file implementing [`Op`] plus one line in the importer's registry.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// NumPy-style broadcasting helpers shared by elementwise ops.
pub mod broadcast;
/// The crate's error type.
pub mod error;
/// Static facts about tensors.
pub mod fact;
/// Graphs, nodes and graph construction (ordering, inference, folding).
pub mod graph;
/// Shape inference by abstract evaluation.
pub mod infer;
/// The float reference interpreter.
pub mod interpret;
/// The [`Op`] trait and its helpers.
pub mod op;
/// Op implementations, one module per family.
pub mod ops;
/// Bounds on tensor sizes a model can ask for.
pub mod size;
/// Tensors and element types.
pub mod tensor;

pub use error::{IrError, IrResult};
pub use fact::Fact;
pub use graph::{Graph, Node, ValueInfo};
pub use interpret::FloatTrace;
pub use op::{Inputs, Op, OpExt};
pub use size::{size_limits, with_size_limits, SizeLimits, MAX_ELEMENTS, MAX_FOLDED_ELEMENTS};
pub use tensor::{DType, Tensor};
