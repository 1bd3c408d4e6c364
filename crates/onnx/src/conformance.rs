//! Conformance: run reference test suites through the importer and the float
//! interpreter and compare with the expected outputs.
//!
//! Two layouts are understood:
//! - ONNX's backend node tests: `<case>/model.onnx` with
//!   `<case>/test_data_set_N/{input,output}_K.pb` (serialized `TensorProto`s);
//! - EZKL-style example models: `<case>/network.onnx`, `<case>/input.json`
//!   (`{"input_data": [[flattened floats per input]], "input_shapes": ...}`) and
//!   `<case>/expected.json` (`{"outputs": [[...]], "shapes": [[...]]}` from
//!   onnxruntime, or `{"error": ...}` where onnxruntime itself failed).
//!
//! Every case runs under `catch_unwind`: a panic is reported as a failure of that
//! case (and is a bug to fix), never as the end of the run.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use onnx_protobuf::{Message, ModelProto};
use zkinfer_ir::{DType, Graph, Tensor};

use crate::error::OnnxError;
use crate::load::{import_model, LoadOptions};
use crate::registry::OpRegistry;
use crate::tensor_proto::tensor_from_bytes;

/// The ops the float IR is required to support (issue #2's list). A node test
/// whose ops all belong here is "in scope" for the pass-rate target.
pub const REQUIRED_OPS: &[&str] = &[
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Abs",
    "Sqrt",
    "Pow",
    "Exp",
    "Log",
    "Erf",
    "Reciprocal",
    "MatMul",
    "Gemm",
    "Conv",
    "ConvTranspose",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "LpPool",
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Elu",
    "Selu",
    "Celu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Softplus",
    "Softsign",
    "Gelu",
    "Clip",
    "Softmax",
    "LogSoftmax",
    "BatchNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "Flatten",
    "Reshape",
    "Transpose",
    "Concat",
    "Slice",
    "Split",
    "Gather",
    "Squeeze",
    "Unsqueeze",
    "Pad",
    "Expand",
    "Tile",
    "ReduceSum",
    "ReduceMean",
    "ReduceMax",
    "ReduceMin",
    "ReduceL1",
    "ReduceL2",
    "ReduceSumSquare",
    "ArgMax",
    "ArgMin",
    "Sum",
    "Mean",
    "Max",
    "Min",
    "Constant",
    "ConstantOfShape",
    "Shape",
    "Cast",
    "Where",
    "Less",
    "Greater",
    "Equal",
    "Not",
    "And",
    "Or",
    "Resize",
    "Upsample",
    "Identity",
    "Dropout",
];

/// Comparison tolerance: `|got - want| <= abs + rel * |want|`.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Relative part.
    pub rel: f32,
    /// Absolute part.
    pub abs: f32,
}

/// Which suite layout a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// ONNX backend node tests (`model.onnx` + `test_data_set_*`).
    OnnxNode,
    /// EZKL example models (`network.onnx` + `input.json` + `expected.json`).
    EzklExamples,
}

impl Suite {
    /// The tolerance the suite is judged with (issue #2: rel 1e-4/abs 1e-5 for node
    /// tests, rel 1e-3 for the example models).
    pub fn tolerance(self) -> Tolerance {
        match self {
            Suite::OnnxNode => Tolerance {
                rel: 1e-4,
                abs: 1e-5,
            },
            Suite::EzklExamples => Tolerance {
                rel: 1e-3,
                abs: 1e-5,
            },
        }
    }
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every output within tolerance.
    Passed,
    /// Ran (or tried to) and disagreed or errored; the reason says how.
    Failed(String),
    /// Uses an op or feature zkinfer does not implement; names it.
    Unsupported(String),
    /// No reference to compare with (e.g. onnxruntime itself failed on the model).
    Skipped(String),
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Case directory name.
    pub name: String,
    /// Op types the model uses (empty if the file could not be decoded).
    pub ops: Vec<String>,
    /// What happened.
    pub outcome: Outcome,
}

impl CaseResult {
    /// True when every op of the model is in [`REQUIRED_OPS`].
    pub fn in_scope(&self) -> bool {
        !self.ops.is_empty() && self.ops.iter().all(|o| REQUIRED_OPS.contains(&o.as_str()))
    }
}

/// Results of a whole suite.
#[derive(Debug, Clone)]
pub struct Report {
    /// Layout of the suite.
    pub suite: Suite,
    /// One result per case, sorted by name.
    pub cases: Vec<CaseResult>,
}

impl Report {
    fn count(&self, f: impl Fn(&CaseResult) -> bool) -> usize {
        self.cases.iter().filter(|c| f(c)).count()
    }

    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(|c| c.outcome == Outcome::Passed)
    }

    /// Names of the cases that passed.
    pub fn passed_names(&self) -> BTreeSet<String> {
        self.cases
            .iter()
            .filter(|c| c.outcome == Outcome::Passed)
            .map(|c| c.name.clone())
            .collect()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(|c| matches!(c.outcome, Outcome::Failed(_)))
    }

    /// Cases that use unsupported ops or features.
    pub fn unsupported(&self) -> usize {
        self.count(|c| matches!(c.outcome, Outcome::Unsupported(_)))
    }

    /// Cases without a reference.
    pub fn skipped(&self) -> usize {
        self.count(|c| matches!(c.outcome, Outcome::Skipped(_)))
    }

    /// (passed, total) over the cases whose ops are all in [`REQUIRED_OPS`].
    pub fn in_scope(&self) -> (usize, usize) {
        let scoped = self.cases.iter().filter(|c| c.in_scope());
        let (mut passed, mut total) = (0, 0);
        for c in scoped {
            total += 1;
            passed += (c.outcome == Outcome::Passed) as usize;
        }
        (passed, total)
    }

    /// A one-paragraph summary.
    pub fn summary(&self) -> String {
        let (sp, st) = self.in_scope();
        format!(
            "{:?}: {} cases: {} passed, {} failed, {} unsupported, {} skipped (no reference); in scope (all ops in the required list): {}/{} passed",
            self.suite,
            self.cases.len(),
            self.passed(),
            self.failed(),
            self.unsupported(),
            self.skipped(),
            sp,
            st
        )
    }

    /// A table of every case that did not pass, grouped by outcome, plus the summary.
    pub fn table(&self, verbose: bool) -> String {
        let mut out = String::new();
        for c in &self.cases {
            let (tag, why) = match &c.outcome {
                Outcome::Passed if verbose => ("pass", String::new()),
                Outcome::Passed => continue,
                Outcome::Failed(r) => ("FAIL", r.clone()),
                Outcome::Unsupported(r) => ("unsupported", r.clone()),
                Outcome::Skipped(r) => ("skipped", r.clone()),
            };
            let why: String = why.chars().take(160).collect();
            let _ = writeln!(out, "{tag:<12} {:<48} {why}", c.name);
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }
}

/// Detect the layout of `dir` from its first case.
pub fn detect_suite(dir: &Path) -> Option<Suite> {
    for case in case_dirs(dir) {
        if case.join("model.onnx").exists() {
            return Some(Suite::OnnxNode);
        }
        if case.join("network.onnx").exists() {
            return Some(Suite::EzklExamples);
        }
    }
    None
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Run every case of a suite directory whose name contains `filter`.
pub fn run_suite(dir: &Path, filter: Option<&str>) -> Result<Report, String> {
    let suite = detect_suite(dir).ok_or_else(|| {
        format!(
            "{}: no conformance cases found (expected <case>/model.onnx or <case>/network.onnx)",
            dir.display()
        )
    })?;
    let registry = OpRegistry::with_all_ops();
    let mut cases = Vec::new();
    for case in case_dirs(dir) {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        cases.push(run_case(suite, &case, &registry));
    }
    Ok(Report { suite, cases })
}

/// Run one case directory of the given layout.
pub fn run_case(suite: Suite, case: &Path, registry: &OpRegistry) -> CaseResult {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let model_file = case.join(match suite {
        Suite::OnnxNode => "model.onnx",
        Suite::EzklExamples => "network.onnx",
    });
    let model = match std::fs::read(&model_file)
        .map_err(|e| e.to_string())
        .and_then(|b| {
            ModelProto::parse_from_bytes(&b).map_err(|e| format!("not a valid ONNX model: {e}"))
        }) {
        Ok(m) => m,
        Err(e) => {
            let outcome = match suite {
                // onnxruntime fails on it too: there is nothing to compare with.
                Suite::EzklExamples if reference_error(case).is_some() => Outcome::Skipped(e),
                _ => Outcome::Failed(e),
            };
            return CaseResult {
                name,
                ops: Vec::new(),
                outcome,
            };
        }
    };
    let ops = crate::load::op_types(&model);
    let outcome = catch_unwind(AssertUnwindSafe(|| match suite {
        Suite::OnnxNode => run_node_case(case, &model, registry),
        Suite::EzklExamples => run_ezkl_case(case, &model, registry),
    }))
    .unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Outcome::Failed(format!("PANIC: {msg}"))
    });
    CaseResult { name, ops, outcome }
}

/// Names of the graph's runtime inputs (inputs that are not initializers), in order.
fn runtime_input_names(model: &ModelProto) -> Vec<String> {
    let Some(g) = model.graph.as_ref() else {
        return Vec::new();
    };
    let inits: BTreeSet<&str> = g.initializer.iter().map(|t| t.name.as_str()).collect();
    g.input
        .iter()
        .filter(|i| !inits.contains(i.name.as_str()))
        .map(|i| i.name.clone())
        .collect()
}

fn classify(e: OnnxError) -> Outcome {
    match e {
        OnnxError::UnsupportedOp {
            op_type, domain, ..
        } => Outcome::Unsupported(if domain.is_empty() {
            op_type
        } else {
            format!("{domain}.{op_type}")
        }),
        e @ (OnnxError::UnsupportedFeature { .. }
        | OnnxError::UnsupportedDType { .. }
        | OnnxError::UnsupportedOpset { .. }) => Outcome::Unsupported(e.to_string()),
        e => Outcome::Failed(e.to_string()),
    }
}

fn numbered_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let n = name
                        .strip_prefix(prefix)?
                        .strip_suffix(".pb")?
                        .parse()
                        .ok()?;
                    Some((n, e.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

fn run_node_case(case: &Path, model: &ModelProto, registry: &OpRegistry) -> Outcome {
    let names = runtime_input_names(model);
    let mut sets: Vec<PathBuf> = case_dirs(case)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("test_data_set"))
        })
        .collect();
    sets.sort();
    if sets.is_empty() {
        return Outcome::Skipped("no test_data_set".into());
    }
    for set in sets {
        let read = |files: Vec<PathBuf>| -> Result<Vec<Tensor>, String> {
            files
                .iter()
                .map(|f| {
                    std::fs::read(f)
                        .map_err(|e| e.to_string())
                        .and_then(|b| tensor_from_bytes(&b).map_err(|e| e.to_string()))
                })
                .collect()
        };
        let inputs = match read(numbered_files(&set, "input_")) {
            Ok(v) => v,
            Err(e) => return Outcome::Failed(format!("reading inputs: {e}")),
        };
        let expected = match read(numbered_files(&set, "output_")) {
            Ok(v) => v,
            Err(e) => return Outcome::Failed(format!("reading outputs: {e}")),
        };
        if inputs.len() != names.len() {
            return Outcome::Failed(format!(
                "{} input files for {} graph inputs",
                inputs.len(),
                names.len()
            ));
        }
        let mut options = LoadOptions::default();
        for (n, t) in names.iter().zip(&inputs) {
            options.input_shapes.insert(n.clone(), t.shape().to_vec());
        }
        // Integer inputs that decide a shape (reduction axes, TopK's k...) must be
        // load-time constants; node tests feed them as inputs, so bind them when needed.
        let (graph, runtime_inputs) = match import_model(model, &options, registry) {
            Ok(g) => (g, inputs.clone()),
            Err(OnnxError::Ir(e)) if is_not_constant(&e) => {
                let bound = shape_deciding_inputs(model, registry);
                let mut runtime = Vec::new();
                for (n, t) in names.iter().zip(&inputs) {
                    if bound.contains(n) {
                        options.constant_inputs.insert(n.clone(), t.clone());
                    } else {
                        runtime.push(t.clone());
                    }
                }
                match import_model(model, &options, registry) {
                    Ok(g) => (g, runtime),
                    Err(e) => return classify(e),
                }
            }
            Err(e) => return classify(e),
        };
        if let Err(o) = run_and_compare(
            &graph,
            &runtime_inputs,
            &expected,
            Suite::OnnxNode.tolerance(),
        ) {
            return o;
        }
    }
    Outcome::Passed
}

/// Graph inputs wired directly into an op's shape-deciding slot (see
/// `zkinfer_ir::Op::shape_inputs`): reduction axes, `Reshape` targets, `Resize` scales...
fn shape_deciding_inputs(model: &ModelProto, registry: &OpRegistry) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(graph) = model.graph.as_ref() else {
        return out;
    };
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(1, |o| o.version);
    for (i, node) in graph.node.iter().enumerate() {
        let name = format!("{}_{i}", node.op_type);
        let ctx = crate::context::NodeContext {
            node,
            name: &name,
            opset,
        };
        let Some(op) = registry
            .get(&node.op_type)
            .and_then(|parse| parse(&ctx).ok())
        else {
            continue;
        };
        for &slot in op.shape_inputs() {
            if let Some(input) = node.input.get(slot).filter(|s| !s.is_empty()) {
                out.insert(input.clone());
            }
        }
    }
    out
}

fn is_not_constant(e: &zkinfer_ir::IrError) -> bool {
    match e {
        zkinfer_ir::IrError::NotConstant { .. } => true,
        zkinfer_ir::IrError::Node { source, .. } => is_not_constant(source),
        _ => false,
    }
}

fn run_and_compare(
    graph: &Graph,
    inputs: &[Tensor],
    expected: &[Tensor],
    tol: Tolerance,
) -> Result<(), Outcome> {
    let trace = graph
        .run_unchecked(inputs)
        .map_err(|e| Outcome::Failed(format!("run: {e}")))?;
    let got = graph.collect_outputs(&trace);
    if got.len() < expected.len() {
        return Err(Outcome::Failed(format!(
            "{} outputs, expected {}",
            got.len(),
            expected.len()
        )));
    }
    for (i, (g, w)) in got.iter().zip(expected).enumerate() {
        compare(g, w, tol).map_err(|e| Outcome::Failed(format!("output {i}: {e}")))?;
    }
    Ok(())
}

/// Compare one output with its reference: same shape, same element type (floats
/// within tolerance, NaN matching NaN), integers and booleans exactly.
pub fn compare(got: &Tensor, want: &Tensor, tol: Tolerance) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "shape {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
    }
    if got.dtype() != want.dtype() {
        return Err(format!("type {}, expected {}", got.dtype(), want.dtype()));
    }
    match (got, want) {
        (Tensor::F32(_), Tensor::F32(_)) => {
            compare_floats(&got.to_f32_vec(), &want.to_f32_vec(), tol)
        }
        _ if got == want => Ok(()),
        _ => {
            let (g, w) = (got.to_i64_vec(), want.to_i64_vec());
            let i = g.iter().zip(&w).position(|(a, b)| a != b).unwrap_or(0);
            Err(format!(
                "differs at flat index {i}: {} vs expected {}",
                g[i], w[i]
            ))
        }
    }
}

fn compare_floats(got: &[f32], want: &[f32], tol: Tolerance) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} values, expected {}", got.len(), want.len()));
    }
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok =
            (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol.abs + tol.rel * w.abs();
        if !ok {
            return Err(format!("differs at flat index {i}: {g} vs expected {w}"));
        }
    }
    Ok(())
}

fn reference_error(case: &Path) -> Option<String> {
    let text = std::fs::read_to_string(case.join("expected.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("error").map(|e| e.to_string())
}

fn run_ezkl_case(case: &Path, model: &ModelProto, registry: &OpRegistry) -> Outcome {
    if let Some(e) = reference_error(case) {
        return Outcome::Skipped(format!(
            "onnxruntime fails on it: {}",
            e.chars().take(100).collect::<String>()
        ));
    }
    let load_json = |file: &str| -> Result<serde_json::Value, String> {
        let text = std::fs::read_to_string(case.join(file)).map_err(|e| format!("{file}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))
    };
    let (input, expected) = match (load_json("input.json"), load_json("expected.json")) {
        (Ok(i), Ok(e)) => (i, e),
        (Err(e), _) | (_, Err(e)) => return Outcome::Failed(e),
    };
    let data = float_lists(input.get("input_data"));
    let names = runtime_input_names(model);
    // The model's declared shapes (batch dimension set to 1) come first; EZKL's
    // `input_shapes` often omit the batch dimension, so they are only a fallback
    // for inputs whose declared shape cannot be resolved.
    let mut graph = import_model(model, &LoadOptions::default(), registry);
    if matches!(graph, Err(OnnxError::UnresolvedShape { .. })) {
        let mut options = LoadOptions::default();
        if let Some(shapes) = input.get("input_shapes").and_then(|s| s.as_array()) {
            for (n, s) in names.iter().zip(shapes) {
                if let Some(dims) = s.as_array() {
                    options.input_shapes.insert(
                        n.clone(),
                        dims.iter()
                            .map(|d| d.as_u64().unwrap_or(1) as usize)
                            .collect(),
                    );
                }
            }
        }
        graph = import_model(model, &options, registry);
    }
    let graph = match graph {
        Ok(g) => g,
        Err(e) => return classify(e),
    };
    // Models without runtime inputs come with a dummy input list.
    let data = if graph.inputs.is_empty() {
        Vec::new()
    } else {
        data
    };
    if data.len() != graph.inputs.len() {
        return Outcome::Failed(format!(
            "input.json has {} inputs, the model {}",
            data.len(),
            graph.inputs.len()
        ));
    }
    let mut inputs = Vec::new();
    for (decl, values) in graph.inputs.iter().zip(data) {
        let t = match Tensor::from_f32(&decl.shape, values) {
            Ok(t) => t.cast(decl.dtype),
            Err(e) => return Outcome::Failed(format!("input `{}`: {e}", decl.name)),
        };
        inputs.push(t);
    }
    let want_values = float_lists(expected.get("outputs"));
    let trace = match graph.run_unchecked(&inputs) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(format!("run: {e}")),
    };
    let got = graph.collect_outputs(&trace);
    if got.len() != want_values.len() {
        return Outcome::Failed(format!(
            "{} outputs, expected {}",
            got.len(),
            want_values.len()
        ));
    }
    let tol = Suite::EzklExamples.tolerance();
    for (i, (g, w)) in got.iter().zip(&want_values).enumerate() {
        let g = if g.dtype() == DType::F32 {
            g.to_f32_vec()
        } else {
            g.cast(DType::F32).to_f32_vec()
        };
        if let Err(e) = compare_floats(&g, w, tol) {
            return Outcome::Failed(format!("output {i}: {e}"));
        }
    }
    Outcome::Passed
}

/// `[[f, f, ...], ...]` as vectors of f32 (booleans as 0/1, nulls as NaN).
fn float_lists(v: Option<&serde_json::Value>) -> Vec<Vec<f32>> {
    let Some(outer) = v.and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    outer
        .iter()
        .map(|inner| {
            inner
                .as_array()
                .map(|xs| {
                    xs.iter()
                        .map(|x| match x {
                            serde_json::Value::Bool(b) => *b as u8 as f32,
                            x => x.as_f64().map_or(f32::NAN, |f| f as f32),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}
