//! Byte formats of keys and proofs: a checked, exact-length decoding of
//! ark-serialize's compressed encoding, behind a small artifact header.

use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};

use crate::error::{BackendError, DecodeError};

/// Conversion of a key or proof to and from bytes.
///
/// `from_bytes` is the trust boundary: it validates every curve point (on
/// the curve, in the prime-order subgroup) and field element, and rejects
/// missing or trailing bytes, so a value that decodes is safe to verify with.
pub trait ByteEncoding: Sized {
    /// The canonical encoding.
    fn to_bytes(&self) -> Vec<u8>;

    /// Decodes and validates `bytes`, which must hold exactly one artifact.
    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError>;

    /// An encoding for artifacts that stay on the machine that wrote them (the
    /// prover's own proving key), which may skip expensive point validation.
    /// Defaults to the canonical encoding.
    fn to_local_bytes(&self) -> Vec<u8> {
        self.to_bytes()
    }

    /// Decodes [`ByteEncoding::to_local_bytes`]. Only for bytes this machine
    /// wrote itself: a backend may trust their curve points. A bad local key
    /// can only make the prover's own proofs fail, never a verifier accept.
    fn from_local_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        Self::from_bytes(bytes)
    }
}

/// The header that starts every encoded key (proofs carry none, so a Groth16
/// proof stays 128 bytes): four magic bytes naming the artifact kind, then a
/// format version, so a proving key passed where a verifying key belongs is
/// a clear error and future formats (committed segments) can coexist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactHeader {
    /// Human name used in errors, e.g. `"Groth16 verifying key"`.
    pub name: &'static str,
    /// Four bytes identifying the artifact kind.
    pub magic: [u8; 4],
    /// Format version this build writes and reads.
    pub version: u8,
}

impl ArtifactHeader {
    /// Length of the header in bytes.
    pub const LEN: usize = 5;

    /// Appends the header to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.magic);
        out.push(self.version);
    }

    /// Checks the header at the start of `bytes` and returns the rest.
    pub fn strip<'a>(&self, bytes: &'a [u8]) -> Result<&'a [u8], BackendError> {
        if bytes.len() < Self::LEN {
            return Err(self.decode_error(DecodeError::Truncated));
        }
        let (header, rest) = bytes.split_at(Self::LEN);
        if header[..4] != self.magic {
            return Err(self.decode_error(DecodeError::WrongMagic));
        }
        if header[4] != self.version {
            return Err(self.decode_error(DecodeError::UnsupportedVersion(header[4])));
        }
        Ok(rest)
    }

    /// A [`BackendError::Decode`] naming this artifact.
    pub fn decode_error(&self, reason: DecodeError) -> BackendError {
        BackendError::Decode {
            artifact: self.name,
            reason,
        }
    }
}

/// Serializes `value` compressed, appending to `out`.
pub fn write_compressed<T: CanonicalSerialize>(value: &T, out: &mut Vec<u8>) {
    out.reserve(value.compressed_size());
    value
        .serialize_compressed(&mut *out)
        .expect("writing to a Vec cannot fail");
}

/// Serializes `value` uncompressed, appending to `out`.
pub fn write_uncompressed<T: CanonicalSerialize>(value: &T, out: &mut Vec<u8>) {
    out.reserve(value.uncompressed_size());
    value
        .serialize_uncompressed(&mut *out)
        .expect("writing to a Vec cannot fail");
}

/// Deserializes exactly one compressed, validated `T` from `bytes`.
///
/// Fails with [`DecodeError::Truncated`] when bytes run out,
/// [`DecodeError::TrailingBytes`] when some are left, and
/// [`DecodeError::Invalid`] when a point or field element is invalid.
pub fn read_compressed_exact<T: CanonicalDeserialize + CanonicalSerialize>(
    bytes: &[u8],
    artifact: &'static str,
) -> Result<T, BackendError> {
    let mut reader = ArtifactReader::new(bytes, artifact);
    let value = reader.read(Compress::Yes, Validate::Yes)?;
    reader.finish()?;
    Ok(value)
}

/// Reads consecutive values of one artifact, each with its own encoding
/// mode, then insists that every byte was used.
pub struct ArtifactReader<'a> {
    bytes: &'a [u8],
    artifact: &'static str,
}

impl<'a> ArtifactReader<'a> {
    /// A reader over `bytes`, naming `artifact` in errors.
    pub fn new(bytes: &'a [u8], artifact: &'static str) -> Self {
        Self { bytes, artifact }
    }

    /// Reads the next value, insisting that its bytes are the value's one
    /// canonical encoding. ark-ec's decoding of a point at infinity ignores the
    /// coordinate bytes, so without this check one artifact would have many
    /// byte strings (found by the `backend_bytes` fuzz target).
    pub fn read<T: CanonicalDeserialize + CanonicalSerialize>(
        &mut self,
        compress: Compress,
        validate: Validate,
    ) -> Result<T, BackendError> {
        let before = self.bytes;
        let value =
            T::deserialize_with_mode(&mut self.bytes, compress, validate).map_err(|error| {
                BackendError::Decode {
                    artifact: self.artifact,
                    reason: classify(error),
                }
            })?;
        let consumed = &before[..before.len() - self.bytes.len()];
        let mut canonical = Vec::with_capacity(consumed.len());
        value
            .serialize_with_mode(&mut canonical, compress)
            .expect("writing to a Vec cannot fail");
        if canonical != consumed {
            return Err(BackendError::Decode {
                artifact: self.artifact,
                reason: DecodeError::Inconsistent("not the canonical encoding of its value"),
            });
        }
        Ok(value)
    }

    /// Fails with [`DecodeError::TrailingBytes`] if bytes are left.
    pub fn finish(self) -> Result<(), BackendError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(BackendError::Decode {
                artifact: self.artifact,
                reason: DecodeError::TrailingBytes(self.bytes.len()),
            })
        }
    }
}

fn classify(error: SerializationError) -> DecodeError {
    match error {
        SerializationError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated
        }
        other => DecodeError::Invalid(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: ArtifactHeader = ArtifactHeader {
        name: "test artifact",
        magic: *b"TEST",
        version: 1,
    };

    fn decode_reason(result: Result<impl Sized, BackendError>) -> DecodeError {
        match result {
            Err(BackendError::Decode { reason, .. }) => reason,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("decoded"),
        }
    }

    #[test]
    fn exact_reading_rejects_missing_and_trailing_bytes() {
        let mut bytes = Vec::new();
        write_compressed(&(7u64, 9u32), &mut bytes);
        assert_eq!(
            read_compressed_exact::<(u64, u32)>(&bytes, "pair").unwrap(),
            (7, 9)
        );
        let reason = decode_reason(read_compressed_exact::<(u64, u32)>(&bytes[..11], "pair"));
        assert!(matches!(reason, DecodeError::Truncated), "{reason}");
        bytes.push(0);
        let reason = decode_reason(read_compressed_exact::<(u64, u32)>(&bytes, "pair"));
        assert!(matches!(reason, DecodeError::TrailingBytes(1)), "{reason}");
    }

    #[test]
    fn header_names_wrong_kind_and_version() {
        let mut bytes = Vec::new();
        HEADER.write(&mut bytes);
        assert_eq!(HEADER.strip(&bytes).unwrap(), &[] as &[u8]);
        let reason = decode_reason(HEADER.strip(b"NOPE\x01"));
        assert!(matches!(reason, DecodeError::WrongMagic));
        let reason = decode_reason(HEADER.strip(b"TEST\x09"));
        assert!(matches!(reason, DecodeError::UnsupportedVersion(9)));
        let reason = decode_reason(HEADER.strip(b"TE"));
        assert!(matches!(reason, DecodeError::Truncated));
    }
}
