//! The EZKL example models through a new user's route — the public API with
//! default settings: load, `CompiledModel::compile` (scale search), setup, prove,
//! verify — then the proven, dequantized outputs against onnxruntime's
//! (`expected.json`): within 1 % of each output's range, the quantization
//! tolerance. The plan's predicted constraint count must equal the
//! synthesized one exactly.
//!
//! `ezkl_examples_prove_with_the_mock_backend` runs in CI with the mock backend
//! and keeps a committed pass list (`tests/baseline/ezkl_corpus.txt`) that must
//! not shrink; re-bless it with
//! `ZKINFER_BLESS=1 cargo test --release --test ezkl_corpus -- --nocapture`.
//! `ezkl_examples_prove_with_groth16` (ignored: minutes) does the same with real
//! Groth16 keys and proofs:
//! `cargo test --release --test ezkl_corpus -- --ignored --nocapture`.
//! Both skip when `../shared/corpus` is absent; `ZKINFER_CORPUS_ONLY=a,b` runs
//! only the named models.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ark_std::rand::rngs::StdRng;
use ark_std::rand::SeedableRng;
use zkinfer::backend::{CircuitKey, MockBackend, ProvingBackend};
use zkinfer::groth16::Groth16Bn254;
use zkinfer::quant::TensorError;
use zkinfer::{CompiledModel, Fr, InputData, Pipeline, Settings};

/// Largest circuit the CI run proves with the mock backend (bigger ones are
/// reported, not proven: they belong in benches).
const MOCK_LIMIT: u64 = 2_000_000;
/// Largest circuit the Groth16 run sets up.
const GROTH16_LIMIT: u64 = 1 << 21;
/// The quantization tolerance: max abs error over the output's range.
const TOLERANCE: f64 = 0.01;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ezkl-examples");
    dir.is_dir().then_some(dir)
}

/// onnxruntime's outputs, flattened, or `None` when it failed on the model.
fn expected_outputs(dir: &Path) -> Option<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["outputs"].as_array().map(|outs| {
        outs.iter()
            .map(|o| {
                o.as_array()
                    .map(|xs| xs.iter().filter_map(|x| x.as_f64()).collect())
                    .unwrap_or_default()
            })
            .collect()
    })
}

/// Max abs error over the expected output's range (its magnitude when the
/// range is 0): the metric compile's scale search holds to the tolerance.
fn relative_error(got: &[f32], want: &[f64]) -> Result<f64, String> {
    if got.len() != want.len() {
        return Err(format!("{} values, expected {}", got.len(), want.len()));
    }
    let want: Vec<f32> = want.iter().map(|&w| w as f32).collect();
    let mut stats = TensorError::new("output");
    stats.observe(got, &want, false);
    Ok(stats.relative_to_range())
}

struct Outcome {
    constraints: u64,
    scale: u32,
    error: f64,
    prove_ms: f64,
}

fn run_case<B: ProvingBackend<Field = Fr>>(dir: &Path, limit: u64) -> Result<Outcome, String> {
    let expected = expected_outputs(dir).ok_or("no onnxruntime reference")?;
    let graph =
        zkinfer::onnx::load_model(dir.join("network.onnx")).map_err(|e| format!("load: {e}"))?;
    let input = InputData::load(dir.join("input.json"))
        .and_then(|d| d.first_tensors(&graph))
        .map_err(|e| format!("input: {e}"))?;
    let compiled = CompiledModel::compile(graph, std::slice::from_ref(&input), Settings::new())
        .map_err(|e| format!("compile: {e}"))?;
    let constraints = compiled.plan.total().constraints;
    if constraints > limit {
        return Err(format!(
            "{constraints} constraints: above this run's limit of {limit}"
        ));
    }
    let scale = compiled.settings.quant.activation_scale;
    let pipeline = Pipeline::<B>::new(compiled);
    let mut rng = StdRng::seed_from_u64(7);
    let keys = pipeline
        .setup(&mut rng)
        .map_err(|e| format!("setup: {e}"))?;
    let synthesized = keys.verifying_key.shape().num_constraints as u64;
    if synthesized != constraints {
        return Err(format!(
            "cost model: predicted {constraints} constraints, synthesized {synthesized}"
        ));
    }
    let start = Instant::now();
    let proven = pipeline
        .prove(&keys.proving_key, &input, &mut rng)
        .map_err(|e| format!("prove: {e}"))?;
    let prove_ms = start.elapsed().as_secs_f64() * 1e3;
    let ok = Pipeline::<B>::verify(&keys.verifying_key, &proven.public_inputs, &proven.proof)
        .map_err(|e| format!("verify: {e}"))?;
    if !ok {
        return Err("verify: the proof was rejected".into());
    }
    if proven.outputs.len() != expected.len() {
        return Err(format!(
            "{} outputs, onnxruntime has {}",
            proven.outputs.len(),
            expected.len()
        ));
    }
    let mut error: f64 = 0.0;
    for (i, (got, want)) in proven.outputs.iter().zip(&expected).enumerate() {
        let e = relative_error(&got.to_f32_vec(), want).map_err(|e| format!("output {i}: {e}"))?;
        error = error.max(e);
    }
    if error > TOLERANCE {
        return Err(format!(
            "accuracy: max error {:.3} % of the output range (tolerance {:.0} %) at scale 2^{scale}",
            100.0 * error,
            100.0 * TOLERANCE
        ));
    }
    Ok(Outcome {
        constraints,
        scale,
        error,
        prove_ms,
    })
}

/// Runs every case, prints a table with failure reasons, returns the passing names.
fn run_corpus<B: ProvingBackend<Field = Fr>>(corpus: &Path, limit: u64) -> BTreeSet<String> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("readable corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("network.onnx").exists())
        .filter(|p| {
            // `ZKINFER_CORPUS_ONLY=lstm,gru` runs a subset (no baseline check then).
            only().is_none_or(|names| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                names.iter().any(|n| *n == name)
            })
        })
        .collect();
    cases.sort();
    let mut passed = BTreeSet::new();
    let mut referenced = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        referenced += expected_outputs(case).is_some() as usize;
        let outcome = std::panic::catch_unwind(|| run_case::<B>(case, limit))
            .unwrap_or_else(|_| Err("PANIC".into()));
        match outcome {
            Ok(o) => {
                println!(
                    "{name:<28} ok    {:>9} constraints  scale 2^{:<2}  err {:.3} %  prove {:.1} ms",
                    o.constraints,
                    o.scale,
                    100.0 * o.error,
                    o.prove_ms
                );
                passed.insert(name);
            }
            Err(why) => println!(
                "{name:<28} FAIL  {}",
                why.lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect::<String>()
            ),
        }
    }
    println!(
        "{} of {referenced} models with an onnxruntime reference prove and verify with {} within {:.0} % of the output range",
        passed.len(),
        B::NAME,
        100.0 * TOLERANCE
    );
    passed
}

fn only() -> Option<Vec<String>> {
    let v = std::env::var("ZKINFER_CORPUS_ONLY").ok()?;
    Some(v.split(',').map(|s| s.trim().to_owned()).collect())
}

#[test]
fn ezkl_examples_prove_with_the_mock_backend() {
    let Some(corpus) = corpus() else {
        println!("skipped: ../shared/corpus/ezkl-examples not found");
        return;
    };
    let passed = run_corpus::<MockBackend<Fr>>(&corpus, MOCK_LIMIT);
    if only().is_some() {
        return;
    }
    let baseline_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/baseline/ezkl_corpus.txt");
    if std::env::var_os("ZKINFER_BLESS").is_some() {
        let text: String = passed.iter().map(|n| format!("{n}\n")).collect();
        std::fs::create_dir_all(baseline_path.parent().unwrap()).expect("baseline dir");
        std::fs::write(&baseline_path, text).expect("write baseline");
        return;
    }
    let baseline = std::fs::read_to_string(&baseline_path).expect("committed baseline");
    let regressions: Vec<&str> = baseline
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !passed.contains(*n))
        .collect();
    assert!(
        regressions.is_empty(),
        "regressions against tests/baseline/ezkl_corpus.txt: {regressions:?}"
    );
}

#[test]
#[ignore = "real Groth16 setup and proofs over the whole corpus take minutes"]
fn ezkl_examples_prove_with_groth16() {
    let Some(corpus) = corpus() else {
        println!("skipped: ../shared/corpus/ezkl-examples not found");
        return;
    };
    let passed = run_corpus::<Groth16Bn254>(&corpus, GROTH16_LIMIT);
    assert!(!passed.is_empty(), "no model proved with Groth16");
}
