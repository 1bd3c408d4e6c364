//! The facade's error type: every stage's error, with context.

use std::path::Path;

use zkinfer_backend::BackendError;
use zkinfer_ir::IrError;
use zkinfer_layout::LayoutError;
use zkinfer_onnx::OnnxError;
use zkinfer_quant::QuantError;

/// Anything that can go wrong between an ONNX file and a verified proof.
#[derive(Debug, thiserror::Error)]
pub enum ZkinferError {
    /// Importing the ONNX model failed.
    #[error("{0}")]
    Onnx(#[from] OnnxError),
    /// The float graph rejected an input or failed to run.
    #[error("{0}")]
    Ir(#[from] IrError),
    /// Quantization or the integer interpreter failed (e.g. a value overflowed its bit budget).
    #[error("quantization: {0}")]
    Quant(#[from] QuantError),
    /// Planning or synthesizing the circuit failed (e.g. the model is too large).
    #[error("circuit layout: {0}")]
    Layout(#[from] LayoutError),
    /// Setup, proving, verification or artifact decoding failed.
    #[error("proving backend: {0}")]
    Backend(#[from] BackendError),
    /// An input data file is malformed or does not fit the model.
    #[error("{source_name}: {reason}")]
    Input {
        /// The file (or "input data").
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// An artifact file is missing, of another format version, or inconsistent with the others.
    #[error("{path}: {reason}")]
    Artifact {
        /// Artifact path.
        path: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The statement is not about the published model: its public input at the
    /// commitment's position is not the model commitment.
    #[error("the proof is not about the committed model: public input {index} should be the model commitment {expected}, found {}", found.as_deref().unwrap_or("nothing"))]
    CommitmentMismatch {
        /// The published commitment.
        expected: String,
        /// Its position among the public inputs.
        index: usize,
        /// What the statement holds there.
        found: Option<String>,
    },
    /// A public input's label or scale is not the one the compiled model
    /// gives that position: `public.json` was edited, or belongs to another
    /// compilation of the model.
    #[error("public input {index}: the compiled model gives {expected}, public.json has {found}")]
    StatementMetadata {
        /// Position among the public inputs.
        index: usize,
        /// Label and scale the compiled model assigns.
        expected: String,
        /// What the statement carries.
        found: String,
    },
    /// A file is larger than the bound for its kind; refused before reading
    /// (see [`crate::file_limits`]).
    #[error(
        "{path}: {size} bytes is more than the {limit}-byte limit for {kind}; refusing to read it"
    )]
    FileTooLarge {
        /// File path.
        path: String,
        /// What the file was read as.
        kind: crate::file_limits::FileKind,
        /// Its size in bytes (at least this many, for a file that grew while read).
        size: u64,
        /// The bound for its kind.
        limit: u64,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl ZkinferError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ZkinferError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// An artifact error on `path`.
    pub fn artifact(path: &Path, reason: impl Into<String>) -> Self {
        ZkinferError::Artifact {
            path: path.display().to_string(),
            reason: reason.into(),
        }
    }
}

/// Result alias of the facade.
pub type ZkinferResult<T> = Result<T, ZkinferError>;
