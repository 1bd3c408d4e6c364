//! zkinfer's layout stage: the only place that decides *how* a quantized model
//! becomes a circuit.
//!
//! Upstream, `zkinfer-quant` turns a float graph into a [`QuantizedModel`] of
//! integer ops ([`QOp`](zkinfer_quant::QOp)) and runs it into a
//! [`Trace`](zkinfer_quant::Trace); `zkinfer-gadgets` offers R1CS gadgets with
//! exact cost formulas. This crate
//!
//! 1. costs every candidate gadget for every node ([`cost`], [`optimizer`]),
//!    with a fitted model of prove time and memory ([`CostModel`]);
//! 2. chooses one per node, fusing what can share a decomposition
//!    (affine + rescale + ReLU) and treating data movement and exact linear
//!    maps as free wiring: the result is a [`Plan`], printable as a table;
//! 3. refuses plans over the limits before any setup ([`Plan::check_limits`]);
//! 4. builds the whole-model circuit, node by node, as
//!    [`ModelCircuit`], a `ConstraintSynthesizer<Fr>` whose witness values come
//!    only from the trace, under a [`Visibility`] of inputs, weights and outputs.
//!
//! Downstream, the `zkinfer` facade and CLI hand the circuit to a
//! `zkinfer-backend` [`ProvingBackend`](zkinfer_backend::ProvingBackend).
//!
//! ```ignore
//! let plan = zkinfer_layout::plan(&model, &PlanOptions::default())?;
//! plan.check_limits()?;
//! println!("{plan}");
//! let (pk, vk) = Groth16Bn254::setup(ModelCircuit::for_setup(&model, &plan), &mut rng)?;
//! let trace = model.run(&inputs)?;
//! let (proof, mut public) = Groth16Bn254::prove(&pk, ModelCircuit::for_proving(&model, &plan, &trace), &mut rng)?;
//! zkinfer_layout::annotate_public_inputs(&model, &plan, &mut public);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]
// Index loops mirror the formulas (row r, window w) they implement.
#![allow(clippy::needless_range_loop)]

/// The whole-model circuit, one synthesis function per op family.
pub mod circuit;
/// Poseidon commitments to weights, inputs and outputs.
pub mod commitment;
/// [`Cost`]: constraints, witnesses, public inputs, non-zeros.
pub mod cost;
/// [`CostModel`]: fitted prove time and memory.
pub mod cost_model;
/// The crate's error type.
pub mod error;
/// Gadget parameters per node family, shared by costing and synthesis.
mod family;
/// Limits checked before setup.
pub mod limits;
/// Candidate gadgets per node, their costs, and the choice.
pub mod optimizer;
/// [`Plan`] and its table.
pub mod plan;
/// Public-input layout, metadata and output decoding.
pub mod public;
/// Gadget parameters of the rounded ops (private division, square root, floor).
mod rounded;
/// Scale search against a calibration error tolerance.
pub mod scale_search;
/// [`Visibility`] of inputs, weights and outputs.
pub mod visibility;

pub use circuit::ModelCircuit;
pub use commitment::model_commitment;
pub use cost::Cost;
pub use cost_model::{CostModel, LinearFit};
pub use error::LayoutError;
pub use limits::{available_memory, Suggestion, MAX_CONSTRAINTS};
pub use optimizer::{plan, PlanOptions};
pub use plan::{Alternative, GadgetChoice, OptimizeMode, Plan, PlanExtra, PlanNode};
pub use public::{annotate_public_inputs, decode_outputs, public_input_layout, PublicSegment};
pub use scale_search::{search_scale, ScaleSearch};
pub use visibility::{InputVisibility, OutputVisibility, Visibility, WeightVisibility};

/// The scalar field every circuit of this crate is written over.
pub use ark_bn254::Fr;
