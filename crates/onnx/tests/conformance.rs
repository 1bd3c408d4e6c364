//! Conformance against ONNX's node tests and EZKL's example models.
//!
//! Each suite's passing cases are listed in `tests/baseline/<suite>.txt`. The test
//! fails when a listed case stops passing (a regression) and prints the cases
//! that newly pass so the baseline can be raised with
//! `zkinfer conformance DIR --write-baseline crates/onnx/tests/baseline/<suite>.txt`.
//! When `../shared` is absent the test says so and passes (CI always has it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use zkinfer_onnx::conformance::run_suite;

fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} not found (the shared corpus sits beside the checkout in CI)",
            dir.display()
        );
        None
    }
}

fn check_against_baseline(suite: &str) {
    let Some(dir) = corpus(suite) else { return };
    let report = run_suite(&dir, None).expect("suite runs");
    println!("{}", report.table(false));
    let baseline_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/baseline")
        .join(format!("{suite}.txt"));
    let baseline: BTreeSet<String> = std::fs::read_to_string(&baseline_file)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let passed = report.passed_names();
    let regressed: Vec<&String> = baseline.difference(&passed).collect();
    let improved: Vec<&String> = passed.difference(&baseline).collect();
    if !improved.is_empty() {
        println!(
            "{} case(s) pass that the baseline does not list yet: {improved:?}",
            improved.len()
        );
    }
    assert!(
        regressed.is_empty(),
        "{} baseline case(s) of {suite} no longer pass: {regressed:?}\n{}",
        regressed.len(),
        report.summary()
    );
    assert!(report.passed() >= baseline.len(), "{}", report.summary());
}

#[test]
fn onnx_node_tests_do_not_regress() {
    check_against_baseline("onnx-node");
}

#[test]
fn ezkl_example_models_do_not_regress() {
    check_against_baseline("ezkl-examples");
}
