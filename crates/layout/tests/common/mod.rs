//! Shared test helpers: fixtures, quantization, mock proving.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use zkinfer_backend::{BackendError, CircuitKey, MockBackend, ProvingBackend, PublicInputs};
use zkinfer_ir::{Graph, Tensor};
use zkinfer_layout::{
    plan, Fr, GadgetChoice, ModelCircuit, OutputVisibility, Plan, PlanOptions, Visibility,
};
use zkinfer_quant::{QTensorId, QuantSettings, QuantizedModel, Trace};

/// `crates/layout/../../` = the workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Float lists of an `{"input_data": [[...], ...]}` file.
pub fn input_data(path: &Path) -> Vec<Vec<f32>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["input_data"]
        .as_array()
        .map(|lists| {
            lists
                .iter()
                .map(|l| {
                    l.as_array()
                        .map(|xs| {
                            xs.iter()
                                .map(|x| {
                                    x.as_f64()
                                        .or_else(|| x.as_bool().map(f64::from))
                                        .unwrap_or(0.0) as f32
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Which data list feeds each graph input. Normally one list per input, in
/// order. With more lists than inputs, the exporter dropped unused inputs:
/// `torch.onnx` names positional arguments `input`, `input1`, `input2`, …, so
/// `inputK` is argument `K` of the original call, whose lists the example's
/// `input.json` still holds (`bitwise_ops` keeps `input2` and `input3` of four).
pub fn input_lists(graph: &Graph, lists: usize) -> Result<Vec<usize>, String> {
    let mismatch = || format!("{lists} input lists for {} inputs", graph.inputs.len());
    if lists == graph.inputs.len() {
        return Ok((0..lists).collect());
    }
    if lists < graph.inputs.len() {
        return Err(mismatch());
    }
    graph
        .inputs
        .iter()
        .map(|decl| match decl.name.strip_prefix("input") {
            Some("") => Some(0),
            Some(k) => k.parse::<usize>().ok(),
            None => None,
        })
        .map(|k| k.filter(|&k| k < lists).ok_or_else(mismatch))
        .collect()
}

/// The graph's inputs from flat float lists.
pub fn tensors(graph: &Graph, data: &[Vec<f32>]) -> Result<Vec<Tensor>, String> {
    let lists = input_lists(graph, data.len())?;
    graph
        .inputs
        .iter()
        .zip(lists.iter().map(|&k| &data[k]))
        .map(|(decl, values)| {
            Tensor::from_f32(&decl.shape, values.clone())
                .map(|t| t.cast(decl.dtype))
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A fixture model quantized with its own input as calibration, and its trace.
pub struct Fixture {
    pub name: String,
    pub model: QuantizedModel,
    pub trace: Trace,
}

pub fn fixture(name: &str) -> Fixture {
    let dir = workspace().join("fixtures").join(name);
    let graph = zkinfer_onnx::load_model(dir.join("model.onnx")).expect("load");
    let inputs = tensors(&graph, &input_data(&dir.join("input.json"))).expect("inputs");
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .expect("quantize");
    let trace = model.run(&inputs).expect("run");
    Fixture {
        name: name.into(),
        model,
        trace,
    }
}

pub fn options(visibility: Visibility) -> PlanOptions {
    PlanOptions {
        visibility,
        memory_budget: Some(u64::MAX),
        ..PlanOptions::default()
    }
}

/// Setup and prove with the mock backend; returns the key's shape counts and the public inputs.
pub fn mock_prove(
    model: &QuantizedModel,
    plan: &Plan,
    trace: &Trace,
) -> Result<(zkinfer_backend::CircuitShape, PublicInputs<Fr>), BackendError> {
    let mut rng = StdRng::seed_from_u64(7);
    let (pk, vk) = MockBackend::<Fr>::setup(ModelCircuit::for_setup(model, plan), &mut rng)?;
    let (proof, public) =
        MockBackend::prove(&pk, ModelCircuit::for_proving(model, plan, trace), &mut rng)?;
    assert!(MockBackend::verify(&vk, &public, &proof)?);
    Ok((pk.shape().clone(), public))
}

pub fn plan_for(model: &QuantizedModel, visibility: Visibility) -> Plan {
    plan(model, &options(visibility)).expect("plan")
}

/// Mock-prove with explicit tensor values (possibly tampered).
pub fn mock_prove_values(
    model: &QuantizedModel,
    plan: &Plan,
    values: &[ndarray::ArrayD<i64>],
) -> Result<(), BackendError> {
    let mut rng = StdRng::seed_from_u64(7);
    let (pk, vk) = MockBackend::<Fr>::setup(ModelCircuit::for_setup(model, plan), &mut rng)?;
    let (proof, public) =
        MockBackend::prove(&pk, ModelCircuit::for_values(model, plan, values), &mut rng)?;
    if MockBackend::verify(&vk, &public, &proof)? {
        Ok(())
    } else {
        Err(BackendError::Unsupported("verification failed".into()))
    }
}

/// `../shared/corpus/ezkl-examples` beside the workspace, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = workspace().join("../shared/corpus/ezkl-examples");
    dir.is_dir().then_some(dir)
}

/// A corpus model quantized at the default settings with its own input as
/// calibration, and its trace.
pub fn corpus_model(dir: &Path) -> (QuantizedModel, Trace) {
    let graph = zkinfer_onnx::load_model(dir.join("network.onnx")).expect("load");
    let inputs = tensors(&graph, &input_data(&dir.join("input.json"))).expect("inputs");
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .expect("quantize");
    let trace = model.run(&inputs).expect("run");
    (model, trace)
}

/// Non-zeros of the synthesized matrices, with the backends' optimization goal.
pub fn actual_nonzeros(model: &QuantizedModel, plan: &Plan, trace: &Trace) -> u64 {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    ModelCircuit::for_proving(model, plan, trace)
        .generate_constraints(cs.clone())
        .expect("synthesize");
    assert!(cs.is_satisfied().expect("satisfiable"), "unsatisfied");
    cs.finalize();
    cs.to_matrices()
        .expect("matrices")
        .values()
        .flat_map(|ms| ms.iter())
        .flat_map(|m| m.iter())
        .map(|row| row.len() as u64)
        .sum()
}

/// Whether a gadget (not a free linear combination) reads `tensor`, or it is
/// a model output: then changing its value must break the proof.
pub fn read_by_gadget(model: &QuantizedModel, plan: &Plan, tensor: QTensorId) -> bool {
    model.outputs().contains(&tensor)
        || model.nodes().iter().zip(&plan.nodes).any(|(n, p)| {
            n.inputs.contains(&tensor)
                && !matches!(p.gadget, GadgetChoice::Linear | GadgetChoice::Fused)
        })
}

/// Plans `model` under `visibility`, checks a `gadget` node is in the plan,
/// proves with the mock backend and asserts the prediction is exact
/// (constraints, witnesses, public inputs, non-zeros) and that public outputs
/// are the trace's integers bit for bit. Returns a report line.
pub fn assert_exact_prediction(
    name: &str,
    model: &QuantizedModel,
    trace: &Trace,
    visibility: Visibility,
    gadget: &GadgetChoice,
) -> String {
    let plan = plan_for(model, visibility);
    assert!(
        plan.nodes.iter().any(|n| n.gadget == *gadget),
        "{name}: no {gadget} node\n{plan}"
    );
    let (shape, public) = mock_prove(model, &plan, trace)
        .unwrap_or_else(|e| panic!("{name} {visibility}: {e}\n{plan}"));
    let total = plan.total();
    assert_eq!(
        (
            shape.num_constraints as u64,
            shape.num_witness_variables as u64,
            shape.num_public_inputs as u64
        ),
        (total.constraints, total.witnesses, total.instances),
        "{name} {visibility}: constraints, witnesses, public inputs\n{plan}"
    );
    assert_eq!(
        actual_nonzeros(model, &plan, trace),
        total.nonzeros,
        "{name} {visibility}: non-zeros\n{plan}"
    );
    if visibility.output == OutputVisibility::Public {
        let outputs: Vec<i64> = model
            .outputs()
            .iter()
            .flat_map(|&id| trace.value(id).iter().copied())
            .collect();
        let claimed = &public.values[public.values.len() - outputs.len()..];
        for (i, (p, v)) in claimed.iter().zip(&outputs).enumerate() {
            assert_eq!(p.value, Fr::from(*v as i128), "{name}: output {i}");
        }
    }
    format!(
        "{name:<26} {visibility}: {} constraints (predicted {}), {} witnesses\n",
        shape.num_constraints, total.constraints, shape.num_witness_variables
    )
}
