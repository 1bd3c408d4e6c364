//! The embedding API: ONNX model → compiled circuit → keys → proof → verification.

use std::marker::PhantomData;

use ark_bn254::Fr;
use ark_std::rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zkinfer_backend::{ProvingBackend, PublicInputs};
use zkinfer_ir::{Graph, Tensor};
use zkinfer_layout::{LayoutError, ModelCircuit, OptimizeMode, Plan, PlanOptions, Visibility};
use zkinfer_quant::{AccuracyReport, QuantSettings, QuantizedModel, Trace};

use crate::error::{ZkinferError, ZkinferResult};

/// Version of the settings and compiled-model JSON formats; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Everything that decides the circuit: how the model is quantized and how the
/// circuit is laid out (visibility of input, weights and output). Stored as
/// `settings.json` by the CLI.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Format version of this file.
    pub format_version: u32,
    /// Fixed-point scales, margins and bit limits.
    pub quant: QuantSettings,
    /// Visibility and optimizer mode.
    pub plan: LayoutSettings,
    /// Global scale search at compile time.
    pub search: ScaleSearchSettings,
}

/// The global choice of scale: try each scale, keep the one the optimizer mode
/// prefers (fewest constraints in `resources` mode, smallest error in `accuracy`
/// mode) among those whose output error on the calibration samples stays within
/// `tolerance`. Compiling records the chosen scale in the settings and turns the
/// search off, so later steps rebuild the same circuit without searching again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScaleSearchSettings {
    /// Whether to search (`false`: use `quant`'s scales as they are).
    pub enabled: bool,
    /// Scale exponents to try for inputs, weights and activations.
    pub scales: Vec<u32>,
    /// Largest acceptable max-abs output error, as a fraction of the output's range.
    pub tolerance: f64,
}

impl Default for ScaleSearchSettings {
    fn default() -> Self {
        ScaleSearchSettings {
            enabled: true,
            scales: (5..=20).collect(),
            tolerance: 0.01,
        }
    }
}

/// `quant` with the input, weight and activation scales set to `scale`.
fn at_scale(quant: &QuantSettings, scale: u32) -> QuantSettings {
    QuantSettings {
        input_scale: scale,
        weight_scale: scale,
        activation_scale: scale,
        nonlinear_scale: quant.nonlinear_scale.max(scale),
        ..quant.clone()
    }
}

/// The serializable part of the layout options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LayoutSettings {
    /// Visibility of input, weights and output.
    pub visibility: Visibility,
    /// What the optimizer minimizes.
    pub mode: OptimizeMode,
    /// Fuse affine + rescale + ReLU into one bit decomposition where possible.
    pub fuse: bool,
}

impl Default for LayoutSettings {
    /// The optimizer's defaults, except the mode: `resources`, so that the scale
    /// search picks the cheapest circuit whose error stays within tolerance.
    fn default() -> Self {
        let defaults = PlanOptions::default();
        LayoutSettings {
            visibility: defaults.visibility,
            mode: OptimizeMode::Resources,
            fuse: defaults.fuse,
        }
    }
}

impl LayoutSettings {
    /// The optimizer's options (shipped cost model, memory budget from the machine).
    pub fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            visibility: self.visibility,
            mode: self.mode,
            fuse: self.fuse,
            ..PlanOptions::default()
        }
    }
}

impl Settings {
    /// Default settings at the current format version.
    pub fn new() -> Self {
        Settings {
            format_version: FORMAT_VERSION,
            ..Default::default()
        }
    }
}

/// A model ready to be set up and proven: the float graph, its quantized
/// version, and the circuit plan.
#[derive(Debug, Clone)]
pub struct CompiledModel {
    /// The float graph (the reference semantics).
    pub graph: Graph,
    /// The integer model the circuit proves.
    pub model: QuantizedModel,
    /// The circuit layout: gadget per node, bit widths, predicted costs.
    pub plan: Plan,
    /// The settings it was compiled with.
    pub settings: Settings,
}

impl CompiledModel {
    /// Quantize `graph` with ranges calibrated on `calibration` samples and plan its circuit.
    ///
    /// Calibration decides every tensor's bit width: proving an input whose
    /// intermediate values exceed the calibrated ranges (with the settings'
    /// margin) fails with an overflow error naming the node, so calibrate on
    /// representative data.
    pub fn compile(
        graph: Graph,
        calibration: &[Vec<Tensor>],
        mut settings: Settings,
    ) -> ZkinferResult<Self> {
        // With the weights as witnesses, dropping the ones that quantize to
        // zero would publish which they are in the circuit's structure.
        settings.quant.keep_zero_weights |=
            settings.plan.visibility.weights != zkinfer_layout::WeightVisibility::Fixed;
        if settings.search.enabled && !settings.search.scales.is_empty() {
            let options = settings.plan.plan_options();
            let base = settings.quant.clone();
            let found = zkinfer_layout::search_scale(
                settings.search.scales.iter().copied(),
                settings.search.tolerance,
                &options,
                |scale| {
                    let quant = at_scale(&base, scale);
                    let model = QuantizedModel::quantize(&graph, &quant, calibration)
                        .map_err(LayoutError::Quant)?;
                    let report = AccuracyReport::compare(&graph, &model, calibration)
                        .map_err(LayoutError::Quant)?;
                    Ok((model, report.worst_relative_error()))
                },
            )?;
            settings.quant = at_scale(&base, found.scale);
            settings.search.enabled = false;
            return Ok(CompiledModel {
                graph,
                model: found.model,
                plan: found.plan,
                settings,
            });
        }
        let model = QuantizedModel::quantize(&graph, &settings.quant, calibration)?;
        let plan = zkinfer_layout::plan(&model, &settings.plan.plan_options())?;
        Ok(CompiledModel {
            graph,
            model,
            plan,
            settings,
        })
    }

    /// Run the integer model on float inputs: the trace the witness is read from.
    pub fn trace(&self, inputs: &[Tensor]) -> ZkinferResult<Trace> {
        self.graph.check_inputs(inputs)?;
        Ok(self.model.run(inputs)?)
    }

    /// Compare the quantized model with the float one on some samples.
    pub fn accuracy(&self, samples: &[Vec<Tensor>]) -> ZkinferResult<AccuracyReport> {
        Ok(AccuracyReport::compare(&self.graph, &self.model, samples)?)
    }

    /// The Poseidon commitment to the weights, when the settings hash them.
    pub fn model_commitment(&self) -> Option<Fr> {
        zkinfer_layout::model_commitment(&self.model, &self.plan)
    }

    /// The model commitment with its position among the public inputs: what
    /// the setup party publishes beside the verifying key, and what
    /// [`Pipeline::verify_committed`] checks.
    pub fn committed_model(&self) -> Option<ModelCommitment> {
        let value = self.model_commitment()?;
        let mut index = 0;
        for segment in zkinfer_layout::public_input_layout(&self.model, &self.plan) {
            if segment == zkinfer_layout::PublicSegment::WeightCommitment {
                return Some(ModelCommitment { index, value });
            }
            index += segment.len(&self.model);
        }
        None
    }

    /// Checks a statement's human-readable metadata against this model: the
    /// statement has as many public inputs as the plan, and each carries the
    /// label and scale the model gives its position (the dequantized floats
    /// are checked against the field elements by every backend's `verify`,
    /// see [`PublicInputs::check_metadata`]). Together the two mean a reader
    /// of `public.json`'s floats reads what the proof proves.
    pub fn check_public_metadata(&self, public_inputs: &PublicInputs<Fr>) -> ZkinferResult<()> {
        let mut expected = public_inputs.clone();
        zkinfer_layout::annotate_public_inputs(&self.model, &self.plan, &mut expected);
        let planned: usize = zkinfer_layout::public_input_layout(&self.model, &self.plan)
            .iter()
            .map(|segment| segment.len(&self.model))
            .sum();
        if planned != public_inputs.len() {
            return Err(ZkinferError::StatementMetadata {
                index: planned.min(public_inputs.len()),
                expected: format!("{planned} public inputs"),
                found: format!("{}", public_inputs.len()),
            });
        }
        let describe = |meta: &zkinfer_backend::ValueMeta| {
            format!(
                "label {:?}, scale {}",
                meta.label.as_deref().unwrap_or(""),
                meta.scale.map_or("none".into(), |s| s.to_string())
            )
        };
        for (index, (want, have)) in expected
            .values
            .iter()
            .zip(&public_inputs.values)
            .enumerate()
        {
            if want.meta.label != have.meta.label || want.meta.scale != have.meta.scale {
                return Err(ZkinferError::StatementMetadata {
                    index,
                    expected: describe(&want.meta),
                    found: describe(&have.meta),
                });
            }
        }
        Ok(())
    }
}

/// A published model commitment: the Poseidon hash of the weights and the
/// position of the public input that must carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelCommitment {
    /// Index of the commitment among the public inputs.
    pub index: usize,
    /// The commitment.
    pub value: Fr,
}

impl ModelCommitment {
    /// Check that a statement is about the committed model: its public input at
    /// `index` is the commitment. A proof can only verify if the circuit
    /// recomputed that hash from the weights it used.
    pub fn check(&self, public_inputs: &PublicInputs<Fr>) -> ZkinferResult<()> {
        match public_inputs.values.get(self.index) {
            Some(v) if v.value == self.value => Ok(()),
            found => Err(ZkinferError::CommitmentMismatch {
                expected: self.value.to_string(),
                index: self.index,
                found: found.map(|v| v.value.to_string()),
            }),
        }
    }
}

/// Keys of one compiled model under backend `B`.
#[derive(Debug, Clone)]
pub struct Keys<B: ProvingBackend> {
    /// The proving key (large; the prover keeps it).
    pub proving_key: B::ProvingKey,
    /// The verifying key (small; published).
    pub verifying_key: B::VerifyingKey,
}

/// A proof with the statement it proves.
#[derive(Debug, Clone)]
pub struct Proven<B: ProvingBackend<Field = Fr>> {
    /// The proof (128 bytes for Groth16).
    pub proof: B::Proof,
    /// The public inputs, with labels and dequantized values.
    pub public_inputs: PublicInputs<Fr>,
    /// The model's outputs on this input, dequantized from the integer trace.
    pub outputs: Vec<Tensor>,
}

/// The proving pipeline over backend `B`: Groth16 over BN254 by default, the mock
/// backend (constraint checking only) for fast tests.
///
/// ```
/// use zkinfer::{CompiledModel, InputData, Pipeline, Settings};
/// # fn main() -> Result<(), zkinfer::ZkinferError> {
/// let graph = zkinfer::onnx::load_model("fixtures/tiny_relu/model.onnx")?;
/// let inputs = InputData::load("fixtures/tiny_relu/input.json")?.first_tensors(&graph)?;
/// let compiled = CompiledModel::compile(graph, &[inputs.clone()], Settings::new())?;
/// let pipeline: Pipeline = Pipeline::new(compiled);
/// let mut rng = ark_std::rand::rngs::OsRng;
/// let keys = pipeline.setup(&mut rng)?;
/// let proven = pipeline.prove(&keys.proving_key, &inputs, &mut rng)?;
/// assert!(<Pipeline>::verify(&keys.verifying_key, &proven.public_inputs, &proven.proof)?);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Pipeline<B: ProvingBackend<Field = Fr> = zkinfer_groth16::Groth16Bn254> {
    /// The compiled model.
    pub compiled: CompiledModel,
    backend: PhantomData<B>,
}

impl<B: ProvingBackend<Field = Fr>> Pipeline<B> {
    /// A pipeline for a compiled model.
    pub fn new(compiled: CompiledModel) -> Self {
        Pipeline {
            compiled,
            backend: PhantomData,
        }
    }

    /// Circuit-specific setup. Refuses models beyond the machine's limits before
    /// allocating anything.
    pub fn setup<R: RngCore + CryptoRng>(&self, rng: &mut R) -> ZkinferResult<Keys<B>> {
        self.compiled.plan.check_limits()?;
        let circuit = ModelCircuit::for_setup(&self.compiled.model, &self.compiled.plan);
        let (proving_key, verifying_key) = B::setup(circuit, rng)?;
        Ok(Keys {
            proving_key,
            verifying_key,
        })
    }

    /// Prove one inference on `inputs`.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        proving_key: &B::ProvingKey,
        inputs: &[Tensor],
        rng: &mut R,
    ) -> ZkinferResult<Proven<B>> {
        let trace = self.compiled.trace(inputs)?;
        let outputs = trace.dequantized_outputs();
        let circuit = ModelCircuit::for_proving(&self.compiled.model, &self.compiled.plan, &trace);
        let (proof, mut public_inputs) = B::prove(proving_key, circuit, rng)?;
        zkinfer_layout::annotate_public_inputs(
            &self.compiled.model,
            &self.compiled.plan,
            &mut public_inputs,
        );
        Ok(Proven {
            proof,
            public_inputs,
            outputs,
        })
    }

    /// Verify a proof about the committed model: the statement must carry the
    /// published commitment at its position, and the proof must verify.
    pub fn verify_committed(
        verifying_key: &B::VerifyingKey,
        commitment: &ModelCommitment,
        public_inputs: &PublicInputs<Fr>,
        proof: &B::Proof,
    ) -> ZkinferResult<bool> {
        commitment.check(public_inputs)?;
        Self::verify(verifying_key, public_inputs, proof)
    }

    /// Verify a proof with everything a holder of the compiled model can
    /// check: the statement's labels and scales are this model's
    /// ([`CompiledModel::check_public_metadata`]), it carries the model
    /// commitment when the weights are hashed, and the proof verifies.
    pub fn verify_with_model(
        &self,
        verifying_key: &B::VerifyingKey,
        public_inputs: &PublicInputs<Fr>,
        proof: &B::Proof,
    ) -> ZkinferResult<bool> {
        self.compiled.check_public_metadata(public_inputs)?;
        match self.compiled.committed_model() {
            Some(commitment) => {
                Self::verify_committed(verifying_key, &commitment, public_inputs, proof)
            }
            None => Self::verify(verifying_key, public_inputs, proof),
        }
    }

    /// Verify a proof against a verifying key and public inputs.
    pub fn verify(
        verifying_key: &B::VerifyingKey,
        public_inputs: &PublicInputs<Fr>,
        proof: &B::Proof,
    ) -> ZkinferResult<bool> {
        Ok(B::verify(verifying_key, public_inputs, proof)?)
    }
}
