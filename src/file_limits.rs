//! Size bounds on every file zkinfer reads, checked before reading.
//!
//! Keys, proofs and statements arrive from other parties, and a JSON or
//! binary parser needs its whole input in memory: without a bound, a
//! multi-gigabyte (or endless, like `/dev/zero`) file would be allocated
//! whole before it could be refused. [`read_bounded`] compares the file's
//! size with its kind's bound first, then reads through a reader that stops
//! one byte past the bound, so neither a lying size nor a growing file gets
//! through. The bounds are far above what a provable model produces (see each
//! kind) and are listed in `docs/security.md`.

use std::{fmt, io::Read, path::Path};

use crate::error::{ZkinferError, ZkinferResult};

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// The kinds of file zkinfer reads, each with its own size bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An ONNX model: [`zkinfer_onnx::DEFAULT_MAX_MODEL_BYTES`] (1 GiB).
    Model,
    /// `input.json` or a calibration file: 64 MiB, about three million
    /// values written out as JSON floats; a provable model's inputs are far
    /// smaller.
    InputData,
    /// `settings.json`: 1 MiB (a few hundred bytes in practice).
    Settings,
    /// `compiled.json`, which embeds the calibration samples: 64 MiB, as
    /// input data.
    Compiled,
    /// `pk.bin`, the prover's own key: 64 GiB. Keys grow with the circuit
    /// (hundreds of bytes per constraint), so this bound only stops a wrong
    /// path such as a device file.
    ProvingKey,
    /// `vk.bin`: 64 MiB; a Groth16 verifying key holds one 32-byte point per
    /// public input, so this admits about two million public inputs.
    VerifyingKey,
    /// `proof.bin`: 1 MiB (a Groth16 proof is 128 bytes).
    Proof,
    /// `public.json`: 64 MiB, a few hundred thousand labelled values.
    PublicInputs,
    /// `commitment.json`: 64 KiB (one field element and an index).
    Commitment,
}

impl FileKind {
    /// The largest file of this kind that is read, in bytes.
    pub const fn max_bytes(self) -> u64 {
        match self {
            FileKind::Model => zkinfer_onnx::DEFAULT_MAX_MODEL_BYTES,
            FileKind::InputData | FileKind::Compiled => 64 * MIB,
            FileKind::Settings => MIB,
            FileKind::ProvingKey => 64 * GIB,
            FileKind::VerifyingKey | FileKind::PublicInputs => 64 * MIB,
            FileKind::Proof => MIB,
            FileKind::Commitment => 64 * KIB,
        }
    }

    /// The kind of a working-directory artifact, by file name (see
    /// [`crate::workdir`]); `None` for a name zkinfer does not write.
    pub fn of_artifact(name: &str) -> Option<Self> {
        use crate::workdir::{
            COMMITMENT, COMPILED, PROOF, PROVING_KEY, PUBLIC, SETTINGS, VERIFYING_KEY,
        };
        Some(match name {
            SETTINGS => FileKind::Settings,
            COMPILED => FileKind::Compiled,
            PROVING_KEY => FileKind::ProvingKey,
            VERIFYING_KEY => FileKind::VerifyingKey,
            COMMITMENT => FileKind::Commitment,
            PROOF => FileKind::Proof,
            PUBLIC => FileKind::PublicInputs,
            _ => return None,
        })
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Model => "ONNX models",
            FileKind::InputData => "input data",
            FileKind::Settings => "settings",
            FileKind::Compiled => "compiled.json",
            FileKind::ProvingKey => "proving keys",
            FileKind::VerifyingKey => "verifying keys",
            FileKind::Proof => "proofs",
            FileKind::PublicInputs => "public inputs",
            FileKind::Commitment => "commitment files",
        })
    }
}

/// Reads `path` whole if it is no larger than `kind`'s bound, else fails
/// with [`ZkinferError::FileTooLarge`] without reading it.
pub fn read_bounded(path: &Path, kind: FileKind) -> ZkinferResult<Vec<u8>> {
    let limit = kind.max_bytes();
    let too_large = |size| ZkinferError::FileTooLarge {
        path: path.display().to_string(),
        kind,
        size,
        limit,
    };
    let file = std::fs::File::open(path).map_err(|e| ZkinferError::io(path, e))?;
    let size = file
        .metadata()
        .map_err(|e| ZkinferError::io(path, e))?
        .len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ZkinferError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_bounded`] for a text file: the bytes must be UTF-8.
pub fn read_bounded_text(path: &Path, kind: FileKind) -> ZkinferResult<String> {
    let bytes = read_bounded(path, kind)?;
    String::from_utf8(bytes).map_err(|e| {
        ZkinferError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_with_no_size_is_cut_off_at_the_bound() {
        // /dev/zero reports size 0 and never ends.
        let path = Path::new("/dev/zero");
        if !path.exists() {
            return;
        }
        match read_bounded(path, FileKind::Commitment) {
            Err(ZkinferError::FileTooLarge { size, limit, .. }) => {
                assert_eq!(limit, 64 * KIB);
                assert_eq!(size, limit + 1);
            }
            other => panic!("expected FileTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn artifact_names_map_to_their_kinds() {
        assert_eq!(
            FileKind::of_artifact("vk.bin"),
            Some(FileKind::VerifyingKey)
        );
        assert_eq!(FileKind::of_artifact("proof.bin"), Some(FileKind::Proof));
        assert_eq!(FileKind::of_artifact("model.onnx"), None);
    }
}
