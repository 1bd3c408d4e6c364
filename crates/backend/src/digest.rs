//! Circuit identity: a hash of the constraint system, and the counts a key
//! records about the circuit it was made for.

use std::{collections::BTreeMap, fmt, io, str::FromStr};

use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystem, Label, Matrix};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Domain separator so a circuit digest can never collide with a SHA-256 of
/// some other zkinfer structure. Bump the version when the hashed layout
/// changes.
const DIGEST_DOMAIN: &[u8] = b"zkinfer/circuit-digest/v1";

/// SHA-256 of a circuit's constraint matrices and variable counts.
///
/// Two circuits with the same digest have the same constraints over the same
/// variables, so the digest identifies a model's circuit (architecture,
/// quantization and, when weights are constants, the weights). Keys carry it;
/// [`PublicInputs`](crate::PublicInputs) carry it; verification refuses to
/// mix artifacts of different digests with
/// [`BackendError::CircuitMismatch`](crate::BackendError::CircuitMismatch).
///
/// The digest depends only on the constraint system, not on the backend, so
/// `MockBackend` and `Groth16Backend` agree on it for the same circuit.
/// Displayed and serialized to JSON as 64 lowercase hex digits.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, CanonicalSerialize, CanonicalDeserialize,
)]
pub struct CircuitDigest(pub [u8; 32]);

impl CircuitDigest {
    /// Hashes the finalized constraint system's matrices and variable counts.
    ///
    /// `matrices` is `cs.to_matrices()`, passed in because callers that keep
    /// the matrices (the Groth16 backend) already have them.
    pub fn of_matrices<F: PrimeField>(
        num_instance_variables: usize,
        num_witness_variables: usize,
        matrices: &BTreeMap<Label, Vec<Matrix<F>>>,
    ) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(DIGEST_DOMAIN);
        hasher.update((num_instance_variables as u64).to_le_bytes());
        hasher.update((num_witness_variables as u64).to_le_bytes());
        hasher.update((matrices.len() as u64).to_le_bytes());
        let mut writer = HashWriter(&mut hasher);
        for (label, predicate_matrices) in matrices {
            writer.update_len(label.len());
            writer.0.update(label.as_bytes());
            writer.update_len(predicate_matrices.len());
            for matrix in predicate_matrices {
                writer.update_len(matrix.len());
                for row in matrix {
                    writer.update_len(row.len());
                    for (coefficient, column) in row {
                        coefficient
                            .serialize_compressed(&mut writer)
                            .expect("hashing cannot fail");
                        writer.update_len(*column);
                    }
                }
            }
        }
        Self(hasher.finalize().into())
    }

    /// The digest as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// Adapts a SHA-256 state to `io::Write` so field elements can serialize
/// straight into it without an intermediate buffer.
struct HashWriter<'a>(&'a mut Sha256);

impl HashWriter<'_> {
    fn update_len(&mut self, len: usize) {
        self.0.update((len as u64).to_le_bytes());
    }
}

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Display for CircuitDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for CircuitDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CircuitDigest({})", self.to_hex())
    }
}

/// Error parsing a [`CircuitDigest`] from hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a circuit digest is 64 hex digits")]
pub struct ParseDigestError;

impl FromStr for CircuitDigest {
    type Err = ParseDigestError;

    fn from_str(hex: &str) -> Result<Self, Self::Err> {
        let hex = hex.as_bytes();
        if hex.len() != 64 {
            return Err(ParseDigestError);
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| ParseDigestError)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| ParseDigestError)?;
        }
        Ok(Self(bytes))
    }
}

impl Serialize for CircuitDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for CircuitDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let hex = String::deserialize(deserializer)?;
        hex.parse().map_err(serde::de::Error::custom)
    }
}

/// What a key records about the circuit it was made for: its digest and
/// sizes. Every key of every backend exposes one through
/// [`CircuitKey::shape`](crate::CircuitKey::shape).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CircuitShape {
    /// Hash of the constraint matrices and variable counts.
    pub digest: CircuitDigest,
    /// Number of public inputs, not counting the constant `1` variable.
    pub num_public_inputs: usize,
    /// Number of private witness variables.
    pub num_witness_variables: usize,
    /// Number of constraints, summed over predicates.
    pub num_constraints: usize,
}

impl CircuitShape {
    /// Reads the shape of a finalized constraint system in setup or proving
    /// mode with matrices. `matrices` is `cs.to_matrices()`.
    pub fn of_constraint_system<F: PrimeField>(
        cs: &ConstraintSystem<F>,
        matrices: &BTreeMap<Label, Vec<Matrix<F>>>,
    ) -> Self {
        Self {
            digest: CircuitDigest::of_matrices(
                cs.num_instance_variables(),
                cs.num_witness_variables(),
                matrices,
            ),
            num_public_inputs: cs.num_instance_variables() - 1,
            num_witness_variables: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
        }
    }
}
