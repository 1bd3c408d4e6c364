//! Circuit identity: a hash of the constraint system, and the counts a key
//! records about the circuit it was made for, bound into that hash.

use std::{collections::BTreeMap, fmt, io, str::FromStr};

use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystem, Label, Matrix};
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Domain separators so a circuit digest can never collide with a SHA-256
/// of some other zkinfer structure. Bump the versions when the hashed layout
/// changes.
const STRUCTURE_DOMAIN: &[u8] = b"zkinfer/circuit-structure/v2";
const DIGEST_DOMAIN: &[u8] = b"zkinfer/circuit-digest/v2";

/// SHA-256 of a circuit's constraint matrices and sizes.
///
/// Two circuits with the same digest have the same constraints over the same
/// variables, so the digest identifies a model's circuit (architecture,
/// quantization and, when weights are constants, the weights). Keys carry it;
/// [`PublicInputs`](crate::PublicInputs) carry it; verification refuses to
/// mix artifacts of different digests with
/// [`BackendError::CircuitMismatch`](crate::BackendError::CircuitMismatch).
///
/// It is computed in two steps, `digest = H(structure ‖ counts)` with
/// `structure = H(matrices)`, so that a key can store the structure hash and
/// the counts instead of the digest and *recompute* the digest when decoded
/// (see [`CircuitShape`]). A verifying key has no matrices, so this is the
/// only way its counts can be bound to anything: a key whose counts were
/// altered names another circuit and is refused against the prover's
/// statement.
///
/// The digest depends only on the constraint system, not on the backend, so
/// `MockBackend` and `Groth16Backend` agree on it for the same circuit.
/// Displayed and serialized to JSON as 64 lowercase hex digits.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, CanonicalSerialize, CanonicalDeserialize,
)]
pub struct CircuitDigest(pub [u8; 32]);

/// SHA-256 of a circuit's constraint matrices alone (labels, shapes,
/// coefficients, columns): the part of a [`CircuitDigest`] a key cannot
/// recompute without the matrices.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, CanonicalSerialize, CanonicalDeserialize,
)]
pub struct StructureDigest(pub [u8; 32]);

impl fmt::Debug for StructureDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StructureDigest({})", CircuitDigest(self.0).to_hex())
    }
}

impl StructureDigest {
    /// Hashes a finalized constraint system's matrices (`cs.to_matrices()`).
    pub fn of_matrices<F: PrimeField>(matrices: &BTreeMap<Label, Vec<Matrix<F>>>) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(STRUCTURE_DOMAIN);
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
}

impl CircuitDigest {
    /// The digest of a circuit with matrices hashing to `structure` and the
    /// given sizes (public inputs without the constant `1`).
    pub fn of_parts(
        structure: &StructureDigest,
        num_public_inputs: usize,
        num_witness_variables: usize,
        num_constraints: usize,
    ) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(DIGEST_DOMAIN);
        hasher.update(structure.0);
        for count in [num_public_inputs, num_witness_variables, num_constraints] {
            hasher.update((count as u64).to_le_bytes());
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
///
/// Encoded as the structure hash and the three counts, **not** the digest:
/// decoding recomputes the digest from them ([`CircuitDigest::of_parts`]),
/// so every encoded byte is bound to the circuit identity the key claims.
/// (Storing the digest beside the counts let the counts in `vk.bin` be
/// edited with the key still verifying: nothing checked them.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitShape {
    /// Hash of the constraint matrices and counts, derived from the fields below.
    pub digest: CircuitDigest,
    /// Hash of the constraint matrices alone.
    pub structure: StructureDigest,
    /// Number of public inputs, not counting the constant `1` variable.
    pub num_public_inputs: usize,
    /// Number of private witness variables.
    pub num_witness_variables: usize,
    /// Number of constraints, summed over predicates.
    pub num_constraints: usize,
}

impl CircuitShape {
    /// A shape from its parts, with the digest they determine.
    pub fn new(
        structure: StructureDigest,
        num_public_inputs: usize,
        num_witness_variables: usize,
        num_constraints: usize,
    ) -> Self {
        Self {
            digest: CircuitDigest::of_parts(
                &structure,
                num_public_inputs,
                num_witness_variables,
                num_constraints,
            ),
            structure,
            num_public_inputs,
            num_witness_variables,
            num_constraints,
        }
    }

    /// Reads the shape of a finalized constraint system in setup or proving
    /// mode with matrices. `matrices` is `cs.to_matrices()`.
    pub fn of_constraint_system<F: PrimeField>(
        cs: &ConstraintSystem<F>,
        matrices: &BTreeMap<Label, Vec<Matrix<F>>>,
    ) -> Self {
        Self::new(
            StructureDigest::of_matrices(matrices),
            cs.num_instance_variables() - 1,
            cs.num_witness_variables(),
            cs.num_constraints(),
        )
    }

    /// The encoded parts, in encoding order.
    fn parts(&self) -> (StructureDigest, u64, u64, u64) {
        (
            self.structure,
            self.num_public_inputs as u64,
            self.num_witness_variables as u64,
            self.num_constraints as u64,
        )
    }
}

impl CanonicalSerialize for CircuitShape {
    fn serialize_with_mode<W: io::Write>(
        &self,
        writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        self.parts().serialize_with_mode(writer, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.parts().serialized_size(compress)
    }
}

impl Valid for CircuitShape {
    fn check(&self) -> Result<(), SerializationError> {
        Ok(())
    }
}

impl CanonicalDeserialize for CircuitShape {
    /// Reads the parts and recomputes the digest. Counts beyond `usize` are
    /// invalid rather than truncated, so distinct bytes never decode to one
    /// shape.
    fn deserialize_with_mode<R: io::Read>(
        reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        let (structure, public, witness, constraints) =
            <(StructureDigest, u64, u64, u64)>::deserialize_with_mode(reader, compress, validate)?;
        let count = |n: u64| usize::try_from(n).map_err(|_| SerializationError::InvalidData);
        Ok(Self::new(
            structure,
            count(public)?,
            count(witness)?,
            count(constraints)?,
        ))
    }
}
