//! One conformance suite, written once against [`ProvingBackend`], that every
//! backend's tests run: honest proofs verify, and every kind of bad input is
//! refused with a typed error or `Ok(false)`, never accepted and never a
//! panic.
//!
//! Enabled under `cfg(test)` and by the `testing` feature, so other backend
//! crates call it from their own tests:
//!
//! ```ignore
//! #[test]
//! fn groth16_passes_the_backend_suite() {
//!     zkinfer_backend::testing::backend_suite::<Groth16Backend>();
//! }
//! ```

mod circuits;

pub use circuits::{field_from_i64, QuantizedDotCircuit};

use ark_ff::One;
use ark_std::rand::{rngs::StdRng, SeedableRng};

use crate::{
    encoding::ByteEncoding,
    error::{BackendError, DecodeError},
    proving_backend::{CircuitKey, ProofArtifact, ProvingBackend},
    public_inputs::PublicInputs,
};

/// Runs every check below against backend `B`.
pub fn backend_suite<B: ProvingBackend>() {
    honest_proof_verifies::<B>();
    artifacts_round_trip_through_bytes::<B>();
    changed_public_input_is_rejected::<B>();
    wrong_public_input_count_is_an_error::<B>();
    other_circuits_artifacts_are_rejected::<B>();
    flipped_proof_bytes_are_never_accepted::<B>();
    truncated_and_padded_artifacts_fail_to_decode::<B>();
    keys_are_not_interchangeable::<B>();
    unsatisfied_witness_fails_to_prove::<B>();
    proving_with_another_circuits_key_fails::<B>();
}

/// Deterministic RNG so failures reproduce.
pub fn suite_rng() -> StdRng {
    StdRng::seed_from_u64(0x007a_6b69_6e66_6572)
}

/// The suite's main circuit: 3 inputs, 8-bit weights.
pub fn sample_circuit<B: ProvingBackend>() -> QuantizedDotCircuit<B::Field> {
    QuantizedDotCircuit::new(&[3, -2, 5], &[17, 100, -128])
}

/// A different constraint system with the same number of public inputs.
pub fn other_circuit<B: ProvingBackend>() -> QuantizedDotCircuit<B::Field> {
    QuantizedDotCircuit::with_weight_bits(&[3, -2, 5], &[17, 30, -12], 6)
}

type Keys<B> = (
    <B as ProvingBackend>::ProvingKey,
    <B as ProvingBackend>::VerifyingKey,
);
type Proved<B> = (
    <B as ProvingBackend>::Proof,
    PublicInputs<<B as ProvingBackend>::Field>,
);

fn setup_and_prove<B: ProvingBackend>(
    circuit: QuantizedDotCircuit<B::Field>,
    rng: &mut StdRng,
) -> (Keys<B>, Proved<B>) {
    let keys = B::setup(circuit.clone(), rng).expect("setup");
    let proved = B::prove(&keys.0, circuit, rng).expect("prove");
    (keys, proved)
}

fn assert_not_accepted(result: Result<bool, BackendError>, what: &str) {
    assert!(!matches!(result, Ok(true)), "{what} was accepted");
}

/// An honest proof verifies, and its public inputs are the circuit's, bound
/// to the key's digest.
pub fn honest_proof_verifies<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<B>();
    let expected_inputs = circuit.public_inputs();
    let ((pk, vk), (proof, public_inputs)) = setup_and_prove::<B>(circuit, &mut rng);

    assert_eq!(public_inputs.field_elements(), expected_inputs);
    assert_eq!(public_inputs.circuit, vk.shape().digest);
    assert_eq!(pk.shape(), vk.shape());
    assert_eq!(vk.shape().num_public_inputs, 4);
    assert!(vk.segments().is_plain());
    assert!(proof.segment_commitments().is_empty());
    assert!(B::verify(&vk, &public_inputs, &proof).expect("verify"));
}

/// Keys, proof and public inputs survive bytes/JSON and still verify.
pub fn artifacts_round_trip_through_bytes<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((pk, vk), (proof, public_inputs)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);

    let pk = B::ProvingKey::from_bytes(&pk.to_bytes()).expect("decode proving key");
    let vk = B::VerifyingKey::from_bytes(&vk.to_bytes()).expect("decode verifying key");
    let proof = B::Proof::from_bytes(&proof.to_bytes()).expect("decode proof");
    let public_inputs =
        PublicInputs::from_json(&public_inputs.to_json()).expect("decode public inputs");
    assert!(B::verify(&vk, &public_inputs, &proof).expect("verify decoded"));

    let (proof, public_inputs) = B::prove(&pk, sample_circuit::<B>(), &mut rng).expect("prove");
    assert!(B::verify(&vk, &public_inputs, &proof).expect("verify with decoded pk"));
}

/// Changing any one public input makes verification return `Ok(false)`.
pub fn changed_public_input_is_rejected<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((_, vk), (proof, public_inputs)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);
    for index in 0..public_inputs.len() {
        let mut changed = public_inputs.clone();
        changed.values[index].value += B::Field::one();
        assert!(
            !B::verify(&vk, &changed, &proof).expect("verify changed input"),
            "changed public input {index} was accepted"
        );
    }
}

/// Too few or too many public inputs is `PublicInputCount`.
pub fn wrong_public_input_count_is_an_error<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((_, vk), (proof, public_inputs)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);

    let mut fewer = public_inputs.clone();
    fewer.values.pop();
    let mut more = public_inputs.clone();
    more.values.push(public_inputs.values[0].clone());
    for (inputs, found) in [(fewer, 3), (more, 5)] {
        match B::verify(&vk, &inputs, &proof) {
            Err(BackendError::PublicInputCount {
                expected: 4,
                found: got,
            }) => {
                assert_eq!(got, found)
            }
            other => panic!("{found} public inputs: expected PublicInputCount, got {other:?}"),
        }
    }
}

/// Another circuit's public inputs are `CircuitMismatch`; its proof, even
/// with this circuit's public inputs, is never accepted.
pub fn other_circuits_artifacts_are_rejected<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((_, vk), (proof, public_inputs)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);
    let ((_, other_vk), (other_proof, other_inputs)) =
        setup_and_prove::<B>(other_circuit::<B>(), &mut rng);
    assert_ne!(vk.shape().digest, other_vk.shape().digest);

    match B::verify(&vk, &other_inputs, &other_proof) {
        Err(BackendError::CircuitMismatch { expected, found }) => {
            assert_eq!(expected, vk.shape().digest);
            assert_eq!(found, other_vk.shape().digest);
        }
        other => panic!("expected CircuitMismatch, got {other:?}"),
    }
    assert_not_accepted(
        B::verify(&vk, &public_inputs, &other_proof),
        "another circuit's proof",
    );
    assert_not_accepted(
        B::verify(&other_vk, &other_inputs, &proof),
        "a proof checked under another circuit's key",
    );
}

/// Every single-byte corruption of an encoded proof fails to decode or fails
/// to verify.
pub fn flipped_proof_bytes_are_never_accepted<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((_, vk), (proof, public_inputs)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);
    let bytes = proof.to_bytes();
    for index in 0..bytes.len() {
        for mask in [0x01, 0x80] {
            let mut corrupted = bytes.clone();
            corrupted[index] ^= mask;
            if let Ok(proof) = B::Proof::from_bytes(&corrupted) {
                assert_not_accepted(
                    B::verify(&vk, &public_inputs, &proof),
                    &format!("proof with byte {index} ^ {mask:#04x}"),
                );
            }
        }
    }
}

/// Truncated artifacts are `Truncated` (or otherwise undecodable); padded ones
/// are `TrailingBytes`.
pub fn truncated_and_padded_artifacts_fail_to_decode<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let ((pk, vk), (proof, _)) = setup_and_prove::<B>(sample_circuit::<B>(), &mut rng);
    check_truncation_and_padding::<B::ProvingKey>(&pk.to_bytes(), "proving key");
    check_truncation_and_padding::<B::VerifyingKey>(&vk.to_bytes(), "verifying key");
    check_truncation_and_padding::<B::Proof>(&proof.to_bytes(), "proof");
}

fn check_truncation_and_padding<T: ByteEncoding>(bytes: &[u8], what: &str) {
    // Every cut of short artifacts; a spread of cuts of long ones.
    let step = (bytes.len() / 64).max(1);
    for len in (0..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
        assert!(
            matches!(
                T::from_bytes(&bytes[..len]),
                Err(BackendError::Decode { .. })
            ),
            "{what} truncated to {len} of {} bytes decoded",
            bytes.len()
        );
    }
    let mut padded = bytes.to_vec();
    padded.extend_from_slice(&[0, 0, 0]);
    match T::from_bytes(&padded) {
        Err(BackendError::Decode {
            reason: DecodeError::TrailingBytes(3),
            ..
        }) => {}
        Err(other) => panic!("{what} with 3 trailing bytes: expected TrailingBytes, got {other}"),
        Ok(_) => panic!("{what} with 3 trailing bytes decoded"),
    }
}

/// A proving key's bytes do not decode as a verifying key, nor the reverse.
pub fn keys_are_not_interchangeable<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let (pk, vk) = B::setup(sample_circuit::<B>(), &mut rng).expect("setup");
    assert!(matches!(
        B::VerifyingKey::from_bytes(&pk.to_bytes()),
        Err(BackendError::Decode { .. })
    ));
    assert!(matches!(
        B::ProvingKey::from_bytes(&vk.to_bytes()),
        Err(BackendError::Decode { .. })
    ));
}

/// A witness that breaks a constraint yields `Unsatisfied` from `prove`.
pub fn unsatisfied_witness_fails_to_prove<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let (pk, _) = B::setup(sample_circuit::<B>(), &mut rng).expect("setup");
    for broken in [
        sample_circuit::<B>().with_wrong_output(),
        sample_circuit::<B>().with_weight_out_of_range(2),
    ] {
        match B::prove(&pk, broken, &mut rng) {
            Err(BackendError::Unsatisfied { predicate, .. }) => assert_eq!(predicate, "R1CS"),
            Err(other) => panic!("expected Unsatisfied, got {other}"),
            Ok(_) => panic!("proved an unsatisfied witness"),
        }
    }
}

/// Proving a circuit with a key made for another circuit is an error.
pub fn proving_with_another_circuits_key_fails<B: ProvingBackend>() {
    let mut rng = suite_rng();
    let (pk, _) = B::setup(sample_circuit::<B>(), &mut rng).expect("setup");
    let bigger = QuantizedDotCircuit::new(&[1, 2, 3, 4], &[5, 6, 7, 8]);
    let smaller = other_circuit::<B>();
    for circuit in [bigger, smaller] {
        match B::prove(&pk, circuit, &mut rng) {
            Err(
                BackendError::CircuitMismatch { .. }
                | BackendError::ShapeMismatch { .. }
                | BackendError::Unsatisfied { .. },
            ) => {}
            Err(other) => panic!("expected a circuit mismatch, got {other}"),
            Ok(_) => panic!("proved a circuit with another circuit's key"),
        }
    }
}
