//! Every EZKL example model through quantize → plan → MockBackend, with a
//! committed pass list (`tests/ezkl_corpus_baseline.txt`) that must not shrink.
//! Skipped when the shared corpus is absent. Regenerate the baseline with
//! `ZKINFER_BLESS=1 cargo test -p zkinfer-layout --release --test ezkl_corpus -- --nocapture`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use zkinfer_layout::{plan, Visibility};
use zkinfer_quant::{QuantSettings, QuantizedModel};

fn run_case(dir: &Path) -> Result<String, String> {
    let graph =
        zkinfer_onnx::load_model(dir.join("network.onnx")).map_err(|e| format!("load: {e}"))?;
    let data = input_data(&dir.join("input.json"));
    let data = if graph.inputs.is_empty() {
        Vec::new()
    } else {
        data
    };
    let inputs = tensors(&graph, &data).map_err(|e| format!("inputs: {e}"))?;
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .map_err(|e| format!("quantize: {e}"))?;
    let trace = model.run(&inputs).map_err(|e| format!("run: {e}"))?;
    let plan = plan(&model, &options(Visibility::default())).map_err(|e| format!("plan: {e}"))?;
    if plan.total().constraints > 2_000_000 {
        return Err(format!(
            "plan: {} constraints, too big for the mock test",
            plan.total().constraints
        ));
    }
    let (shape, _) = mock_prove(&model, &plan, &trace).map_err(|e| format!("prove: {e}"))?;
    if shape.num_constraints as u64 != plan.total().constraints {
        return Err(format!(
            "predicted {} constraints, synthesized {}",
            plan.total().constraints,
            shape.num_constraints
        ));
    }
    Ok(format!("{} constraints", shape.num_constraints))
}

#[test]
fn ezkl_examples_prove_with_the_mock_backend() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/ezkl-examples");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("skipped: {} not found", corpus.display());
        return;
    };
    let mut cases: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("network.onnx").exists())
        .collect();
    cases.sort();
    let mut passed = BTreeSet::new();
    let mut table = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let outcome =
            std::panic::catch_unwind(|| run_case(case)).unwrap_or_else(|_| Err("panic".into()));
        let line = match &outcome {
            Ok(what) => {
                passed.insert(name.clone());
                format!("{name:<28} ok    {what}")
            }
            Err(why) => format!(
                "{name:<28} FAIL  {}",
                why.chars().take(150).collect::<String>()
            ),
        };
        table.push_str(&line);
        table.push('\n');
    }
    println!(
        "{table}{} of {} prove with the mock backend",
        passed.len(),
        cases.len()
    );
    let baseline_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ezkl_corpus_baseline.txt");
    if std::env::var_os("ZKINFER_BLESS").is_some() {
        let text: String = passed.iter().map(|n| format!("{n}\n")).collect();
        std::fs::write(&baseline_path, text).expect("write baseline");
        return;
    }
    let baseline = std::fs::read_to_string(&baseline_path).unwrap_or_default();
    let regressions: Vec<&str> = baseline
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !passed.contains(*n))
        .collect();
    assert!(
        regressions.is_empty(),
        "regressions against the baseline: {regressions:?}"
    );
}
