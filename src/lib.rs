//! zkinfer: prove a neural network's inference in zero knowledge.
//!
//! This facade crate strings the pipeline together: an ONNX model is imported
//! ([`onnx`]) into a static float graph ([`ir`]), quantized to fixed point with
//! calibrated bit widths ([`quant`]), laid out as an R1CS circuit ([`layout`],
//! built from [`gadgets`]), and proven with a [`backend`] — Groth16 over BN254
//! ([`groth16`]) by default, or the mock backend that only checks constraints.
//!
//! The few calls a user needs are [`CompiledModel::compile`] and [`Pipeline`]
//! (`setup`, `prove`, `verify`); [`WorkDir`] is the artifact layout the CLI uses.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// The facade's error type.
pub mod error;
/// Size bounds on the files zkinfer reads, checked before reading.
pub mod file_limits;
/// Input data files (`input.json`).
pub mod input;
/// Compile, set up, prove, verify.
pub mod pipeline;
/// The working-directory artifact layout.
pub mod workdir;

pub use error::{ZkinferError, ZkinferResult};
pub use file_limits::{read_bounded, FileKind};
pub use input::InputData;
pub use pipeline::{
    CompiledModel, Keys, LayoutSettings, ModelCommitment, Pipeline, Proven, ScaleSearchSettings,
    Settings, FORMAT_VERSION,
};
pub use workdir::{CompiledRecord, WorkDir};

pub use ark_bn254::Fr;
pub use zkinfer_backend as backend;
pub use zkinfer_gadgets as gadgets;
pub use zkinfer_groth16 as groth16;
pub use zkinfer_ir as ir;
pub use zkinfer_layout as layout;
pub use zkinfer_onnx as onnx;
pub use zkinfer_quant as quant;
