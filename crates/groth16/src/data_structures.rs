//! Keys and proof, their byte formats, and the consistency checks that make
//! a decoded key safe to prove and verify with.

use ark_ec::pairing::Pairing;
use ark_groth16::{prepare_verifying_key, PreparedVerifyingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::Matrix;
use zkinfer_backend::{
    ark_ff::FftField,
    ark_serialize::{Compress, Validate},
    encoding::{
        read_compressed_exact, write_compressed, write_uncompressed, ArtifactHeader, ArtifactReader,
    },
    BackendError, ByteEncoding, CircuitKey, CircuitShape, DecodeError, ProofArtifact,
};

const PROVING_KEY_HEADER: ArtifactHeader = ArtifactHeader {
    name: "Groth16 proving key",
    magic: *b"zkGP",
    version: 2,
};
const VERIFYING_KEY_HEADER: ArtifactHeader = ArtifactHeader {
    name: "Groth16 verifying key",
    magic: *b"zkGV",
    version: 2,
};
const LOCAL_PROVING_KEY_HEADER: ArtifactHeader = ArtifactHeader {
    name: "Groth16 proving key (local format)",
    magic: *b"zkGL",
    version: 2,
};
const PROOF_NAME: &str = "Groth16 proof";

/// Groth16 proving key plus what proving needs besides the witness: the
/// circuit's R1CS matrices and shape.
///
/// Caching the matrices lets [`prove`](crate::Groth16Backend::prove) run the
/// circuit in witness-only mode (no constraint is built) and hand the
/// assignment straight to the QAP reduction.
#[derive(Clone, Debug, PartialEq)]
pub struct Groth16ProvingKey<E: Pairing> {
    pub(crate) shape: CircuitShape,
    pub(crate) key: ark_groth16::ProvingKey<E>,
    /// `[A, B, C]`, one sparse row per constraint, columns indexing
    /// `instance ‖ witness`.
    pub(crate) matrices: Vec<Matrix<E::ScalarField>>,
}

/// Groth16 verifying key, prepared for fast verification, bound to a
/// circuit digest and public-input count.
///
/// It holds nothing that verification does not depend on: the digest is
/// recomputed from the stored counts (see [`CircuitShape`]) and checked
/// against the statement, the public-input count must match the key's input
/// query, and the curve points are the key. (A free-form model commitment
/// used to ride along unchecked; `commitment.json`, which
/// `Pipeline::verify_committed` enforces, replaced it.)
#[derive(Clone, Debug)]
pub struct Groth16VerifyingKey<E: Pairing> {
    pub(crate) shape: CircuitShape,
    pub(crate) prepared: PreparedVerifyingKey<E>,
}

/// A Groth16 proof: three curve points, 128 bytes compressed over BN254.
#[derive(Clone, Debug, PartialEq)]
pub struct Groth16Proof<E: Pairing>(pub ark_groth16::Proof<E>);

impl<E: Pairing> Groth16ProvingKey<E> {
    /// The matching verifying key.
    pub fn verifying_key(&self) -> Groth16VerifyingKey<E> {
        Groth16VerifyingKey::new(self.shape.clone(), &self.key.vk)
    }

    /// The underlying ark-groth16 proving key.
    pub fn ark_key(&self) -> &ark_groth16::ProvingKey<E> {
        &self.key
    }

    /// The cached `[A, B, C]` constraint matrices.
    pub fn matrices(&self) -> &[Matrix<E::ScalarField>] {
        &self.matrices
    }

    /// Checks every length that proving indexes by, so a corrupted or
    /// mismatched key is an error here rather than a panic in the prover.
    fn check_consistency(&self) -> Result<(), &'static str> {
        let shape = &self.shape;
        // The counts come from the file: add them checked (a count near
        // `usize::MAX` overflowed here; found by the `groth16_pk_local` target).
        const OVERFLOW: &str = "circuit counts overflow";
        let num_instance = shape.num_public_inputs.checked_add(1).ok_or(OVERFLOW)?;
        let num_variables = num_instance
            .checked_add(shape.num_witness_variables)
            .ok_or(OVERFLOW)?;
        let domain_size = shape
            .num_constraints
            .checked_add(num_instance)
            .ok_or(OVERFLOW)?;
        let key = &self.key;
        if self.matrices.len() != 3 {
            return Err("expected three constraint matrices");
        }
        for matrix in &self.matrices {
            if matrix.len() != shape.num_constraints {
                return Err("matrix row count differs from the constraint count");
            }
            if matrix
                .iter()
                .flatten()
                .any(|&(_, column)| column >= num_variables)
            {
                return Err("matrix column outside the variable range");
            }
        }
        // ark-poly's `new` overflows (panics) for sizes near `usize::MAX`
        // (found by `groth16_pk_local`), so refuse anything beyond the
        // field's largest power-of-two subgroup first: no such domain exists.
        const TOO_LARGE: &str = "circuit too large for an evaluation domain";
        let two_adicity = <E::ScalarField as FftField>::TWO_ADICITY.min(usize::BITS - 2);
        if domain_size > 1usize << two_adicity {
            return Err(TOO_LARGE);
        }
        let domain =
            GeneralEvaluationDomain::<E::ScalarField>::new(domain_size).ok_or(TOO_LARGE)?;
        let expected = [
            (key.vk.gamma_abc_g1.len(), num_instance),
            (key.a_query.len(), num_variables),
            (key.b_g1_query.len(), num_variables),
            (key.b_g2_query.len(), num_variables),
            (key.l_query.len(), shape.num_witness_variables),
            (key.h_query.len(), domain.size() - 1),
        ];
        if expected.iter().any(|(found, expected)| found != expected) {
            return Err("query lengths do not match the circuit shape");
        }
        Ok(())
    }
}

impl<E: Pairing> Groth16VerifyingKey<E> {
    pub(crate) fn new(shape: CircuitShape, key: &ark_groth16::VerifyingKey<E>) -> Self {
        Self {
            shape,
            prepared: prepare_verifying_key(key),
        }
    }

    /// The underlying ark-groth16 verifying key.
    pub fn ark_key(&self) -> &ark_groth16::VerifyingKey<E> {
        &self.prepared.vk
    }

    /// The prepared key verification uses.
    pub fn prepared(&self) -> &PreparedVerifyingKey<E> {
        &self.prepared
    }
}

impl<E: Pairing> PartialEq for Groth16VerifyingKey<E> {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.prepared.vk == other.prepared.vk
    }
}

impl<E: Pairing> CircuitKey for Groth16ProvingKey<E> {
    fn shape(&self) -> &CircuitShape {
        &self.shape
    }
}

impl<E: Pairing> CircuitKey for Groth16VerifyingKey<E> {
    fn shape(&self) -> &CircuitShape {
        &self.shape
    }
}

impl<E: Pairing> ProofArtifact for Groth16Proof<E> {}

impl<E: Pairing> ByteEncoding for Groth16ProvingKey<E> {
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        PROVING_KEY_HEADER.write(&mut bytes);
        write_compressed(&(&self.shape, &self.key, &self.matrices), &mut bytes);
        bytes
    }

    /// Decodes with full validation: every curve point is checked to be on
    /// the curve and in the prime-order subgroup, which dominates decoding
    /// time for large keys.
    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        let body = PROVING_KEY_HEADER.strip(bytes)?;
        let (shape, key, matrices) = read_compressed_exact(body, PROVING_KEY_HEADER.name)?;
        let pk = Self {
            shape,
            key,
            matrices,
        };
        pk.check_consistency()
            .map_err(|reason| PROVING_KEY_HEADER.decode_error(DecodeError::Inconsistent(reason)))?;
        Ok(pk)
    }

    fn to_local_bytes(&self) -> Vec<u8> {
        Groth16ProvingKey::to_local_bytes(self)
    }

    fn from_local_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        Groth16ProvingKey::from_local_bytes(bytes)
    }
}

impl<E: Pairing> Groth16ProvingKey<E> {
    /// The proving key in the *local* format: curve points uncompressed,
    /// for a key this machine generated and stores for its own use.
    ///
    /// About twice the size of [`to_bytes`](ByteEncoding::to_bytes) but read
    /// back by [`from_local_bytes`](Self::from_local_bytes) about a hundred
    /// times faster, because decoding neither decompresses points (a square
    /// root each) nor checks subgroup membership (a scalar multiplication per
    /// G2 point); see `docs/benchmarks.md`.
    pub fn to_local_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        LOCAL_PROVING_KEY_HEADER.write(&mut bytes);
        write_compressed(&self.shape, &mut bytes);
        write_uncompressed(&self.key, &mut bytes);
        write_compressed(&self.matrices, &mut bytes);
        bytes
    }

    /// Reads a key written by [`to_local_bytes`](Self::to_local_bytes).
    ///
    /// Curve points are **not** validated, so only use this for keys from
    /// trusted storage; bytes from anyone else go through
    /// [`from_bytes`](ByteEncoding::from_bytes). A bad point cannot make a
    /// verifier accept a false statement (soundness rests on the verifying
    /// key), but it would produce proofs that fail to verify. The header,
    /// exact length, field elements and every length the prover indexes by
    /// are still checked, so corrupted bytes are an error, not a panic.
    pub fn from_local_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        let header = &LOCAL_PROVING_KEY_HEADER;
        let mut reader = ArtifactReader::new(header.strip(bytes)?, header.name);
        let shape = reader.read(Compress::Yes, Validate::Yes)?;
        let key = reader.read(Compress::No, Validate::No)?;
        let matrices = reader.read(Compress::Yes, Validate::Yes)?;
        reader.finish()?;
        let pk = Self {
            shape,
            key,
            matrices,
        };
        pk.check_consistency()
            .map_err(|reason| header.decode_error(DecodeError::Inconsistent(reason)))?;
        Ok(pk)
    }
}

impl<E: Pairing> ByteEncoding for Groth16VerifyingKey<E> {
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        VERIFYING_KEY_HEADER.write(&mut bytes);
        write_compressed(&(&self.shape, &self.prepared.vk), &mut bytes);
        bytes
    }

    /// Decodes a verifying key: header, [`CircuitShape`] (digest recomputed
    /// from the counts), then the Groth16 key with every point validated.
    /// Every byte is load-bearing: `tests/tamper.rs` flips each one and
    /// checks that the key then refuses the original proof.
    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        let body = VERIFYING_KEY_HEADER.strip(bytes)?;
        let (shape, key): (CircuitShape, ark_groth16::VerifyingKey<E>) =
            read_compressed_exact(body, VERIFYING_KEY_HEADER.name)?;
        // `len - 1`, not `count + 1`: the count is untrusted and may be
        // `usize::MAX` (an overflow found by the `groth16_vk` target).
        if key.gamma_abc_g1.len().checked_sub(1) != Some(shape.num_public_inputs) {
            return Err(VERIFYING_KEY_HEADER.decode_error(DecodeError::Inconsistent(
                "input query length differs from the public input count",
            )));
        }
        Ok(Self::new(shape, &key))
    }
}

impl<E: Pairing> ByteEncoding for Groth16Proof<E> {
    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_compressed(&self.0, &mut bytes);
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        read_compressed_exact(bytes, PROOF_NAME).map(Self)
    }
}
