//! zkinfer's R1CS gadgets: the stage between the quantized model and the proof.
//!
//! `zkinfer-quant` turns a float model into integer fixed-point arithmetic
//! ([`zkinfer_quant::arith`]); this crate expresses each of those integer
//! operations as rank-1 constraints over a prime field (BN254's scalar field
//! [`Fr`] for Groth16), and the layout crate builds a model circuit by calling
//! these gadgets node by node with values from the quantized interpreter's
//! trace. The crate knows nothing of ONNX or of layouts.
//!
//! Every gadget implements [`Gadget`]: its integer semantics (calling
//! `zkinfer_quant::arith`, the single source of truth), an exact [`Cost`]
//! formula and its synthesis. Values flow between gadgets as [`Wire`]s —
//! linear combinations paired with the integer they carry — so linear layers
//! cost no constraint and witness generation never recomputes the model.
//! The [`soundness`] harness checks every gadget against its reference and
//! against mutated and adversarial witnesses. See `docs/gadgets.md` for a
//! worked example of writing a new gadget.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

/// ReLU, leaky ReLU / PReLU and Clip.
pub mod activation;
/// Exact constraint-system costs.
pub mod cost;
/// Division by a signed, non-zero private value.
pub mod divide;
/// Erf and GELU through the sigmoid.
pub mod erf;
/// The crate's error type.
pub mod error;
/// ELU, SELU and CELU through the exponential.
pub mod exp_linear;
/// Floor, ceil and round to whole numbers at a scale.
pub mod floor;
/// The gadget trait and verifier challenges.
pub mod gadget;
/// Convolution and pooling geometry.
pub mod geometry;
/// Dot products, MatMul/Gemm, Conv and bias.
pub mod linear;
/// Comparisons, boolean logic, `Where` and booleanity checks.
pub mod logic;
/// Lookups with private indices through a constrained one-hot.
pub mod lookup;
/// Exp, Sigmoid, Tanh and Softmax approximations.
pub mod nonlinear;
/// Max, max-reduce, MaxPool, AveragePool and ArgMax.
pub mod pool;
/// Poseidon commitments with injective packing.
pub mod poseidon;
/// Range checks by bit decomposition and the comparisons built on them.
pub mod range;
/// Rescale, division by constants and the fused rescale + ReLU.
pub mod rescale;
/// Gadget namespaces and witness labels.
pub mod scope;
/// Softplus through the exponential and a `ln(1+u)` polynomial.
pub mod softplus;
/// The soundness harness.
pub mod soundness;
/// Integer square root of a scaled value.
pub mod sqrt;
/// Wires and the integer → field mapping.
pub mod wire;

pub use cost::Cost;
pub use error::GadgetError;
pub use gadget::{Challenge, Gadget};
pub use wire::Wire;

/// BN254's scalar field, the field of zkinfer's Groth16 circuits.
pub type Fr = ark_bn254::Fr;

/// Crates the exported macros refer to.
#[doc(hidden)]
pub mod reexports {
    pub use ark_relations;
}

#[cfg(test)]
pub(crate) mod testing;
