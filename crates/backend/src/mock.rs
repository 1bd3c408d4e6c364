//! `MockBackend`: checks constraint satisfaction instead of proving. The fast
//! path for tests, and the debugger for broken circuits.

use std::marker::PhantomData;

use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};

use crate::{
    digest::{CircuitDigest, CircuitShape},
    encoding::{read_compressed_exact, write_compressed, ArtifactHeader, ByteEncoding},
    error::BackendError,
    proving_backend::{check_statement, CircuitKey, ProofArtifact, ProvingBackend},
    public_inputs::PublicInputs,
    synthesis::{synthesize_checked, synthesize_setup},
};

/// A backend that synthesizes the circuit with values, checks every
/// constraint and "proves" by recording the public inputs.
///
/// It has the same interface and the same error behaviour as a real backend
/// (circuit mismatch, input count, malformed bytes) but **no soundness**:
/// anyone can write a `MockProof`. Use it to test circuits quickly and to
/// find broken constraints: a failing witness is reported as
/// [`BackendError::Unsatisfied`] with the namespace path of the first broken
/// constraint, e.g. `dense1/requantize/range_check`, built from the
/// `ns!(cs, "...")` namespaces the circuit opened.
#[derive(Clone, Copy, Debug, Default)]
pub struct MockBackend<F>(PhantomData<F>);

const PROVING_KEY_HEADER: ArtifactHeader = ArtifactHeader {
    name: "mock proving key",
    magic: *b"zkMK",
    version: 2,
};
const VERIFYING_KEY_HEADER: ArtifactHeader = ArtifactHeader {
    name: "mock verifying key",
    magic: *b"zkMV",
    version: 2,
};
const PROOF_HEADER: ArtifactHeader = ArtifactHeader {
    name: "mock proof",
    magic: *b"zkMP",
    version: 1,
};

/// Mock proving key: the circuit's shape, checked against the circuit
/// being proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockProvingKey {
    shape: CircuitShape,
}

/// Mock verifying key: the circuit's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockVerifyingKey {
    shape: CircuitShape,
}

/// Mock proof: the circuit digest and public inputs the prover saw.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MockProof<F: PrimeField> {
    circuit: CircuitDigest,
    public_inputs: Vec<F>,
}

impl<F: PrimeField> ProvingBackend for MockBackend<F> {
    type Field = F;
    type ProvingKey = MockProvingKey;
    type VerifyingKey = MockVerifyingKey;
    type Proof = MockProof<F>;

    const NAME: &'static str = "mock";

    fn setup<C, R>(
        circuit: C,
        _rng: &mut R,
    ) -> Result<(Self::ProvingKey, Self::VerifyingKey), BackendError>
    where
        C: ConstraintSynthesizer<F>,
        R: RngCore + CryptoRng,
    {
        let shape = synthesize_setup(circuit)?.shape;
        Ok((
            MockProvingKey {
                shape: shape.clone(),
            },
            MockVerifyingKey { shape },
        ))
    }

    fn prove<C, R>(
        pk: &Self::ProvingKey,
        circuit: C,
        _rng: &mut R,
    ) -> Result<(Self::Proof, PublicInputs<F>), BackendError>
    where
        C: ConstraintSynthesizer<F>,
        R: RngCore + CryptoRng,
    {
        let checked = synthesize_checked(circuit)?;
        if checked.shape.digest != pk.shape.digest {
            return Err(BackendError::CircuitMismatch {
                expected: pk.shape.digest,
                found: checked.shape.digest,
            });
        }
        let public_inputs = checked.assignment.public_inputs().to_vec();
        let proof = MockProof {
            circuit: pk.shape.digest,
            public_inputs: public_inputs.clone(),
        };
        Ok((proof, PublicInputs::new(pk.shape.digest, public_inputs)))
    }

    fn verify(
        vk: &Self::VerifyingKey,
        public_inputs: &PublicInputs<F>,
        proof: &Self::Proof,
    ) -> Result<bool, BackendError> {
        check_statement(&vk.shape, public_inputs)?;
        if proof.circuit != vk.shape.digest {
            return Err(BackendError::CircuitMismatch {
                expected: vk.shape.digest,
                found: proof.circuit,
            });
        }
        Ok(proof.public_inputs == public_inputs.field_elements())
    }
}

impl CircuitKey for MockProvingKey {
    fn shape(&self) -> &CircuitShape {
        &self.shape
    }
}

impl CircuitKey for MockVerifyingKey {
    fn shape(&self) -> &CircuitShape {
        &self.shape
    }
}

impl<F: PrimeField> ProofArtifact for MockProof<F> {}

fn encode<T: CanonicalSerialize>(header: &ArtifactHeader, value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    header.write(&mut bytes);
    write_compressed(value, &mut bytes);
    bytes
}

fn decode<T: CanonicalDeserialize + CanonicalSerialize>(
    header: &ArtifactHeader,
    bytes: &[u8],
) -> Result<T, BackendError> {
    read_compressed_exact(header.strip(bytes)?, header.name)
}

impl ByteEncoding for MockProvingKey {
    fn to_bytes(&self) -> Vec<u8> {
        encode(&PROVING_KEY_HEADER, &self.shape)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        Ok(Self {
            shape: decode(&PROVING_KEY_HEADER, bytes)?,
        })
    }
}

impl ByteEncoding for MockVerifyingKey {
    fn to_bytes(&self) -> Vec<u8> {
        encode(&VERIFYING_KEY_HEADER, &self.shape)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        Ok(Self {
            shape: decode(&VERIFYING_KEY_HEADER, bytes)?,
        })
    }
}

impl<F: PrimeField> ByteEncoding for MockProof<F> {
    fn to_bytes(&self) -> Vec<u8> {
        encode(&PROOF_HEADER, self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, BackendError> {
        decode(&PROOF_HEADER, bytes)
    }
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;

    use super::*;
    use crate::testing::{backend_suite, suite_rng, QuantizedDotCircuit};

    #[test]
    fn mock_backend_passes_the_backend_suite() {
        backend_suite::<MockBackend<Fr>>();
    }

    #[test]
    fn unsatisfied_constraint_is_named_by_its_namespace_path() {
        let mut rng = suite_rng();
        let circuit = QuantizedDotCircuit::<Fr>::new(&[3, -2, 5], &[17, 100, -128]);
        let (pk, _) = MockBackend::setup(circuit.clone(), &mut rng).unwrap();

        let error =
            MockBackend::prove(&pk, circuit.clone().with_wrong_output(), &mut rng).unwrap_err();
        match &error {
            BackendError::Unsatisfied { path, .. } => {
                assert_eq!(path.as_deref(), Some("dot_product"), "{error}")
            }
            other => panic!("expected Unsatisfied, got {other}"),
        }

        let error =
            MockBackend::prove(&pk, circuit.with_weight_out_of_range(1), &mut rng).unwrap_err();
        match &error {
            BackendError::Unsatisfied { path, .. } => {
                assert_eq!(path.as_deref(), Some("weights/range_check"), "{error}")
            }
            other => panic!("expected Unsatisfied, got {other}"),
        }
        assert!(error.to_string().contains("at weights/range_check"));
    }
}
