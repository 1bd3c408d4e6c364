//! The steps behind `compile`, `setup`, `prove`, `verify` and `e2e`, generic over the backend.

use std::path::Path;
use std::time::Duration;

use ark_std::rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use zkinfer::backend::{ByteEncoding, ProvingBackend, PublicInputs};
use zkinfer::workdir::{COMMITMENT, COMPILED, PROOF, PROVING_KEY, PUBLIC, VERIFYING_KEY};
use zkinfer::{Fr, InputData, ModelCommitment, Pipeline, Settings, WorkDir, FORMAT_VERSION};

use super::common::{bytes, secs, step};

/// `commitment.json`: the weights' Poseidon commitment, published with the verifying key.
#[derive(Debug, Serialize, Deserialize)]
struct CommitmentFile {
    format_version: u32,
    /// Decimal field element.
    model_commitment: String,
    /// Index of the public input that must carry it.
    public_input_index: usize,
}

impl CommitmentFile {
    fn commitment(&self, path: &Path) -> Result<ModelCommitment, String> {
        let value = self.model_commitment.parse::<Fr>().map_err(|_| {
            format!(
                "{}: `model_commitment` is not a field element",
                path.display()
            )
        })?;
        Ok(ModelCommitment {
            index: self.public_input_index,
            value,
        })
    }
}

/// Compile: import, quantize, plan; write settings.json and compiled.json.
pub fn compile(
    model: &Path,
    calibration: &InputData,
    settings: Settings,
    dir: &WorkDir,
) -> Result<Duration, String> {
    let (result, took) = step("compiling", || dir.compile(model, calibration, settings));
    let (record, compiled) = result.map_err(|e| e.to_string())?;
    let total = compiled.plan.total();
    println!(
        "compiled {} → {} nodes, {} constraints, {} witness variables (predicted prove {:.2} s, peak {})",
        model.display(),
        compiled.model.nodes().len(),
        total.constraints,
        total.witnesses,
        compiled.plan.predicted_prove_seconds(),
        bytes(compiled.plan.predicted_peak_bytes() as usize)
    );
    println!(
        "scale 2^{} for inputs, weights and activations; settings: {}",
        record.settings.quant.activation_scale,
        dir.path(zkinfer::workdir::SETTINGS).display()
    );
    Ok(took)
}

/// Setup: keys for the compiled circuit.
pub fn setup<B: ProvingBackend<Field = Fr>>(dir: &WorkDir) -> Result<Duration, String> {
    let (_, compiled) = dir.load_compiled().map_err(|e| e.to_string())?;
    compiled.plan.check_limits().map_err(|e| e.to_string())?;
    let pipeline = Pipeline::<B>::new(compiled);
    let (keys, took) = step("circuit-specific setup", || pipeline.setup(&mut OsRng));
    let keys = keys.map_err(|e| e.to_string())?;
    // The proving key stays with the prover: the local format skips point
    // validation on reload (tens of seconds for large keys).
    let pk = keys.proving_key.to_local_bytes();
    let vk = keys.verifying_key.to_bytes();
    dir.write(PROVING_KEY, &pk).map_err(|e| e.to_string())?;
    dir.write(VERIFYING_KEY, &vk).map_err(|e| e.to_string())?;
    println!(
        "setup ({}) in {}: pk.bin {}, vk.bin {}",
        B::NAME,
        secs(took),
        bytes(pk.len()),
        bytes(vk.len())
    );
    if let Some(c) = pipeline.compiled.committed_model() {
        let file = CommitmentFile {
            format_version: FORMAT_VERSION,
            model_commitment: c.value.to_string(),
            public_input_index: c.index,
        };
        dir.write_json(COMMITMENT, &file)
            .map_err(|e| e.to_string())?;
        println!("model commitment (Poseidon of the weights): {}", c.value);
    }
    Ok(took)
}

/// Prove: one inference on an input file.
pub fn prove<B: ProvingBackend<Field = Fr>>(
    dir: &WorkDir,
    input: &Path,
) -> Result<Duration, String> {
    let (_, compiled) = dir.load_compiled().map_err(|e| e.to_string())?;
    let inputs = InputData::load(input)
        .and_then(|d| d.first_tensors(&compiled.graph))
        .map_err(|e| e.to_string())?;
    let pk_bytes = dir.read(PROVING_KEY).map_err(|e| e.to_string())?;
    let pk = B::ProvingKey::from_local_bytes(&pk_bytes)
        .map_err(|e| format!("{}: {e}", dir.path(PROVING_KEY).display()))?;
    // The encoded key is as large as the decoded one: free it before proving
    // rather than holding both through the multi-scalar multiplications.
    drop(pk_bytes);
    let pipeline = Pipeline::<B>::new(compiled);
    let (proven, took) = step("proving", || pipeline.prove(&pk, &inputs, &mut OsRng));
    let proven = proven.map_err(|e| e.to_string())?;
    let proof = proven.proof.to_bytes();
    dir.write(PROOF, &proof).map_err(|e| e.to_string())?;
    dir.write(PUBLIC, proven.public_inputs.to_json().as_bytes())
        .map_err(|e| e.to_string())?;
    println!(
        "proved ({}) in {}: proof.bin {} bytes, public.json {} values",
        B::NAME,
        secs(took),
        proof.len(),
        proven.public_inputs.len()
    );
    for (i, out) in proven.outputs.iter().enumerate() {
        let values = out.to_f32_vec();
        let argmax = values
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (j, &v)| {
                if v > best.1 {
                    (j, v)
                } else {
                    best
                }
            })
            .0;
        let shown: Vec<String> = values.iter().take(16).map(|v| format!("{v:.4}")).collect();
        println!(
            "output {i} {:?}: [{}{}] (argmax {argmax})",
            out.shape(),
            shown.join(", "),
            if values.len() > 16 { ", ..." } else { "" }
        );
    }
    Ok(took)
}

/// Verify: proof.bin + public.json against vk.bin (and commitment.json when present).
pub fn verify<B: ProvingBackend<Field = Fr>>(dir: &WorkDir) -> Result<Duration, String> {
    let vk_bytes = dir.read(VERIFYING_KEY).map_err(|e| e.to_string())?;
    let vk = B::VerifyingKey::from_bytes(&vk_bytes)
        .map_err(|e| format!("{}: {e}", dir.path(VERIFYING_KEY).display()))?;
    let proof_bytes = dir.read(PROOF).map_err(|e| e.to_string())?;
    let proof = B::Proof::from_bytes(&proof_bytes)
        .map_err(|e| format!("{}: {e}", dir.path(PROOF).display()))?;
    let public_text = dir.read(PUBLIC).map_err(|e| e.to_string())?;
    let public = PublicInputs::<Fr>::from_json(&String::from_utf8_lossy(&public_text))
        .map_err(|e| format!("{}: {e}", dir.path(PUBLIC).display()))?;
    // With the compiled model at hand, the statement's labels and scales
    // are checked too (its floats are checked by every verify): a reader of
    // public.json then reads what the proof proves. A verifier given only
    // vk.bin, proof.bin and public.json gets the field-element check.
    // A compiled.json that cannot be rebuilt (its model file moved) does not
    // stop verification, but says what was not checked.
    if dir.path(COMPILED).exists() {
        match dir.load_compiled() {
            Ok((_, compiled)) => {
                compiled
                    .check_public_metadata(&public)
                    .map_err(|e| format!("{}: {e}", dir.path(PUBLIC).display()))?;
                println!("public.json labels and scales match compiled.json");
            }
            Err(e) => println!("note: public.json labels and scales not checked ({e})"),
        }
    }
    let (ok, took) = if dir.path(COMMITMENT).exists() {
        let file: CommitmentFile = dir.read_json(COMMITMENT).map_err(|e| e.to_string())?;
        let commitment = file.commitment(&dir.path(COMMITMENT))?;
        step("verifying", || {
            Pipeline::<B>::verify_committed(&vk, &commitment, &public, &proof)
        })
    } else {
        step("verifying", || Pipeline::<B>::verify(&vk, &public, &proof))
    };
    let ok = ok.map_err(|e| e.to_string())?;
    if ok {
        println!("verified ({}) in {}", B::NAME, secs(took));
        Ok(took)
    } else {
        Err("proof REJECTED: it does not verify against vk.bin and public.json".into())
    }
}
