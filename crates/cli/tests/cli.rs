//! Drives the `zkinfer` binary through the main workflow and through every
//! failure path a user can hit: each must exit non-zero with one actionable line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(rel: &str) -> String {
    repo().join("fixtures").join(rel).display().to_string()
}

fn zkinfer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The failure's message: exactly one line on stderr, starting with "error:".
fn one_line_error(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        stdout(o)
    );
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_owned()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn e2e_with_the_mock_backend_verifies() {
    let dir = tempdir();
    let out = zkinfer(&[
        "e2e",
        &fixture("tiny_relu"),
        "--backend",
        "mock",
        "-d",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("verified"), "{}", stdout(&out));
}

#[test]
fn step_by_step_groth16_proves_and_verifies_with_a_128_byte_proof() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let model = fixture("tiny_relu/model.onnx");
    let input = fixture("tiny_relu/input.json");
    for args in [
        vec!["compile", model.as_str(), "-d", d],
        vec!["setup", "-d", d],
        vec!["prove", "--input", input.as_str(), "-d", d],
        vec!["verify", "-d", d],
    ] {
        let out = zkinfer(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let proof = std::fs::read(dir.path().join("proof.bin")).unwrap();
    // 128 bytes of Groth16 (2 G1 + 1 G2 compressed) plus the artifact header.
    assert!(proof.len() <= 128 + 8, "proof is {} bytes", proof.len());
    let public = std::fs::read_to_string(dir.path().join("public.json")).unwrap();
    assert!(public.contains("dequantized"), "{public}");
}

#[test]
fn a_missing_model_file_is_one_line_naming_it() {
    let dir = tempdir();
    let out = zkinfer(&[
        "compile",
        "/no/such/model.onnx",
        "-c",
        &fixture("tiny_relu/input.json"),
        "-d",
        dir.path().to_str().unwrap(),
    ]);
    let line = one_line_error(&out);
    assert!(line.contains("/no/such/model.onnx"), "{line}");
}

#[test]
fn an_unsupported_op_is_named_with_its_node() {
    let dir = tempdir();
    let out = zkinfer(&[
        "compile",
        &fixture("errors/unsupported_op.onnx"),
        "-c",
        &fixture("errors/unsupported_op.input.json"),
        "-d",
        dir.path().to_str().unwrap(),
    ]);
    let line = one_line_error(&out);
    assert!(line.contains("Det") && line.contains("det0"), "{line}");
}

#[test]
fn a_wrong_input_length_says_what_the_model_expects() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let out = zkinfer(&["compile", &fixture("tiny_relu/model.onnx"), "-d", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"input_data": [[1.0, 2.0, 3.0]]}"#).unwrap();
    let out = zkinfer(&[
        "prove",
        "--input",
        bad.to_str().unwrap(),
        "-d",
        d,
        "--backend",
        "mock",
    ]);
    let line = one_line_error(&out);
    assert!(
        line.contains("3 values") && line.contains("expects 4"),
        "{line}"
    );
}

#[test]
fn a_nan_input_is_refused() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    assert!(
        zkinfer(&["compile", &fixture("tiny_relu/model.onnx"), "-d", d])
            .status
            .success()
    );
    assert!(zkinfer(&["setup", "-d", d, "--backend", "mock"])
        .status
        .success());
    let bad = dir.path().join("nan.json");
    // JSON has no NaN literal; a huge exponent parses to infinity.
    std::fs::write(&bad, r#"{"input_data": [[1.0, 1e999, 0.0, 0.0]]}"#).unwrap();
    let out = zkinfer(&[
        "prove",
        "--input",
        bad.to_str().unwrap(),
        "-d",
        d,
        "--backend",
        "mock",
    ]);
    let line = one_line_error(&out);
    assert!(
        line.contains("non-finite") || line.contains("number"),
        "{line}"
    );
}

#[test]
fn steps_out_of_order_say_which_command_to_run() {
    let dir = tempdir();
    let out = zkinfer(&["setup", "-d", dir.path().to_str().unwrap()]);
    let line = one_line_error(&out);
    assert!(line.contains("zkinfer compile"), "{line}");
    let out = zkinfer(&["verify", "-d", dir.path().to_str().unwrap()]);
    let line = one_line_error(&out);
    assert!(line.contains("zkinfer setup"), "{line}");
}

#[test]
fn a_proof_checked_against_another_models_key_is_rejected() {
    let a = tempdir();
    let b = tempdir();
    let (da, db) = (a.path().to_str().unwrap(), b.path().to_str().unwrap());
    for (d, model) in [(da, "tiny_relu"), (db, "digits_mlp")] {
        let out = zkinfer(&["e2e", &fixture(model), "-d", d, "--weights", "fixed"]);
        assert!(
            out.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Swap in the other model's verifying key.
    std::fs::copy(b.path().join("vk.bin"), a.path().join("vk.bin")).unwrap();
    let out = zkinfer(&["verify", "-d", da]);
    let line = one_line_error(&out);
    assert!(line.to_lowercase().contains("circuit"), "{line}");
}

#[test]
fn a_tampered_proof_is_rejected() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let out = zkinfer(&["e2e", &fixture("tiny_relu"), "-d", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("proof.bin");
    let mut proof = std::fs::read(&path).unwrap();
    let last = proof.len() - 1;
    proof[last] ^= 0x01;
    std::fs::write(&path, &proof).unwrap();
    one_line_error(&zkinfer(&["verify", "-d", d]));
}

#[test]
fn a_changed_output_in_public_json_is_rejected() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let out = zkinfer(&["e2e", &fixture("tiny_relu"), "-d", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("public.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let values = json["values"].as_array_mut().expect("values list");
    let first = values[0]["value"]
        .as_str()
        .expect("decimal string")
        .to_owned();
    let bumped = (first.parse::<u128>().unwrap_or(0) + 1).to_string();
    values[0]["value"] = serde_json::Value::String(bumped);
    std::fs::write(&path, json.to_string()).unwrap();
    one_line_error(&zkinfer(&["verify", "-d", d]));
}

/// The proof does not cover `public.json`'s labels, scales and floats, so
/// `verify` checks them: the floats against the proven integers, the labels
/// and scales against compiled.json. Each edit is one line naming the value.
#[test]
fn edited_metadata_in_public_json_is_refused() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let out = zkinfer(&["e2e", &fixture("tiny_relu"), "-d", d, "--backend", "mock"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("labels and scales match compiled.json"),
        "{}",
        stdout(&out)
    );
    let path = dir.path().join("public.json");
    let original = std::fs::read_to_string(&path).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit, &str); 4] = [
        (
            "dequantized",
            |v| v["dequantized"] = 123.5.into(),
            "dequantized",
        ),
        ("scale", |v| v["scale"] = 0.5.into(), "scale"),
        (
            "label",
            |v| v["label"] = "logits[0,9]".into(),
            "compiled model",
        ),
        ("unknown key", |v| v["labei"] = "x".into(), "labei"),
    ];
    for (what, edit, expected) in edits {
        let mut json: serde_json::Value = serde_json::from_str(&original).unwrap();
        let values = json["values"].as_array_mut().expect("values list");
        let last = values.len() - 1;
        edit(&mut values[last]);
        std::fs::write(&path, json.to_string()).unwrap();
        let out = zkinfer(&["verify", "-d", d, "--backend", "mock"]);
        let line = one_line_error(&out);
        assert!(line.contains(expected), "{what}: {line}");
    }
}

#[test]
fn hashed_weights_publish_a_commitment_that_verify_enforces() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    let out = zkinfer(&[
        "e2e",
        &fixture("tiny_relu"),
        "-d",
        d,
        "--weights",
        "hashed",
        "--backend",
        "mock",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("model commitment"),
        "{}",
        stdout(&out)
    );
    let path = dir.path().join("commitment.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // Another model's commitment (here: an edited one) must not match the statement.
    json["model_commitment"] = serde_json::Value::String("12345".into());
    std::fs::write(&path, json.to_string()).unwrap();
    let line = one_line_error(&zkinfer(&["verify", "-d", d, "--backend", "mock"]));
    assert!(line.contains("committed model"), "{line}");
}
