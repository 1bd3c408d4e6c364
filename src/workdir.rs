//! The artifact layout of a working directory (see `docs/artifacts.md`).
//!
//! ```text
//! settings.json    quantization and layout settings (user-editable)
//! compiled.json    model path + SHA-256, settings, calibration samples, predicted costs
//! pk.bin           proving key (backend bytes, with the backend's own header and version)
//! vk.bin           verifying key (carries the circuit digest)
//! commitment.json  the model's weight commitment, when weights are hashed
//! proof.bin        the proof (the bare 128 bytes of a Groth16 proof)
//! public.json      public inputs: field elements as decimal strings, labels, dequantized values
//! ```
//!
//! Every JSON artifact has a `format_version`; binary artifacts carry the
//! backend's magic and version. A mismatch is an error that says what to redo.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ZkinferError, ZkinferResult};
use crate::file_limits::{read_bounded, FileKind};
use crate::input::{sample_tensors, InputData};
use crate::pipeline::{CompiledModel, Settings, FORMAT_VERSION};

/// What `compile` records so that later steps rebuild exactly the same circuit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompiledRecord {
    /// Format version of this file.
    pub format_version: u32,
    /// The ONNX model, as given to `compile` (absolute path).
    pub model_path: PathBuf,
    /// SHA-256 of the ONNX file, hex: a changed model is detected, not silently used.
    pub model_sha256: String,
    /// The settings compiled with.
    pub settings: Settings,
    /// Calibration samples (one flat list per input per sample): quantization is
    /// a deterministic function of model, settings and these.
    pub calibration: Vec<Vec<Vec<f32>>>,
    /// Predicted number of constraints.
    pub constraints: u64,
}

/// A working directory holding one model's artifacts.
#[derive(Debug, Clone)]
pub struct WorkDir {
    root: PathBuf,
}

/// Hex SHA-256 of a file's bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl WorkDir {
    /// A working directory at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WorkDir { root: root.into() }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of an artifact by file name.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Write bytes, creating the directory.
    pub fn write(&self, name: &str, bytes: &[u8]) -> ZkinferResult<PathBuf> {
        std::fs::create_dir_all(&self.root).map_err(|e| ZkinferError::io(&self.root, e))?;
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(|e| ZkinferError::io(&path, e))?;
        Ok(path)
    }

    /// Read an artifact no larger than its kind's bound (see
    /// [`FileKind`]; checked before reading); a missing one says which
    /// command produces it.
    pub fn read(&self, name: &str) -> ZkinferResult<Vec<u8>> {
        let path = self.path(name);
        // Names zkinfer does not write get the tightest JSON-sized bound.
        let kind = FileKind::of_artifact(name).unwrap_or(FileKind::Settings);
        read_bounded(&path, kind).map_err(|e| match e {
            ZkinferError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ZkinferError::artifact(
                    &path,
                    format!("not found; run `zkinfer {}` first", producer(name)),
                )
            }
            other => other,
        })
    }

    /// Read a JSON artifact and check its format version.
    pub fn read_json<T: for<'de> Deserialize<'de>>(&self, name: &str) -> ZkinferResult<T> {
        let path = self.path(name);
        let bytes = self.read(name)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ZkinferError::artifact(&path, format!("invalid JSON: {e}")))?;
        let version = value.get("format_version").and_then(|v| v.as_u64());
        if version != Some(FORMAT_VERSION as u64) {
            return Err(ZkinferError::artifact(
                &path,
                format!(
                    "format version {} but this zkinfer reads version {FORMAT_VERSION}; re-run `zkinfer {}`",
                    version.map_or("missing".to_string(), |v| v.to_string()),
                    producer(name)
                ),
            ));
        }
        serde_json::from_value(value).map_err(|e| ZkinferError::artifact(&path, format!("{e}")))
    }

    /// Write a JSON artifact.
    pub fn write_json<T: Serialize>(&self, name: &str, value: &T) -> ZkinferResult<PathBuf> {
        let text = serde_json::to_string_pretty(value).expect("artifacts serialize");
        self.write(name, text.as_bytes())
    }

    /// Rebuild the compiled model recorded in `compiled.json`, checking that the
    /// ONNX file is unchanged.
    pub fn load_compiled(&self) -> ZkinferResult<(CompiledRecord, CompiledModel)> {
        let record: CompiledRecord = self.read_json(COMPILED)?;
        let bytes = read_bounded(&record.model_path, FileKind::Model)?;
        if sha256_hex(&bytes) != record.model_sha256 {
            return Err(ZkinferError::artifact(
                &record.model_path,
                "the model file changed since `zkinfer compile`; compile (and set up) again",
            ));
        }
        let graph = zkinfer_onnx::load_model_bytes(&bytes, &Default::default())?;
        let calibration = record
            .calibration
            .iter()
            .map(|s| sample_tensors(s, &graph))
            .collect::<ZkinferResult<Vec<_>>>()?;
        let compiled = CompiledModel::compile(graph, &calibration, record.settings.clone())?;
        Ok((record, compiled))
    }

    /// Compile `model` with settings and calibration data, and record it.
    pub fn compile(
        &self,
        model: &Path,
        calibration: &InputData,
        settings: Settings,
    ) -> ZkinferResult<(CompiledRecord, CompiledModel)> {
        let bytes = read_bounded(model, FileKind::Model)?;
        let graph = zkinfer_onnx::load_model_bytes(&bytes, &Default::default())?;
        let samples = calibration.all_tensors(&graph)?;
        // The compiled settings hold the searched scale (and the search turned off).
        let compiled = CompiledModel::compile(graph, &samples, settings)?;
        let record = CompiledRecord {
            format_version: FORMAT_VERSION,
            model_path: std::fs::canonicalize(model).map_err(|e| ZkinferError::io(model, e))?,
            model_sha256: sha256_hex(&bytes),
            settings: compiled.settings.clone(),
            calibration: calibration.samples.clone(),
            constraints: compiled.plan.total().constraints,
        };
        self.write_json(SETTINGS, &record.settings)?;
        self.write_json(COMPILED, &record)?;
        Ok((record, compiled))
    }
}

/// `settings.json`
pub const SETTINGS: &str = "settings.json";
/// `compiled.json`
pub const COMPILED: &str = "compiled.json";
/// `pk.bin`
pub const PROVING_KEY: &str = "pk.bin";
/// `vk.bin`
pub const VERIFYING_KEY: &str = "vk.bin";
/// `commitment.json`
pub const COMMITMENT: &str = "commitment.json";
/// `proof.bin`
pub const PROOF: &str = "proof.bin";
/// `public.json`
pub const PUBLIC: &str = "public.json";

/// The command that produces an artifact (for "run X first" messages).
fn producer(name: &str) -> &'static str {
    match name {
        SETTINGS | COMPILED => "compile",
        PROVING_KEY | VERIFYING_KEY | COMMITMENT => "setup",
        _ => "prove",
    }
}
