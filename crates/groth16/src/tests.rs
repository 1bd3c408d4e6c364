use ark_bn254::{Bn254, Fr};
use ark_relations::gr1cs::Matrix;
use zkinfer_backend::{
    synthesis::{r1cs_matrices, synthesize_setup},
    testing::{backend_suite, sample_circuit, suite_rng, QuantizedDotCircuit},
    BackendError, ByteEncoding, CircuitKey, CircuitShape, DecodeError, MockBackend, ProvingBackend,
};

use crate::{generator::MatrixReplay, prove_with, Groth16Backend, ProvingStrategy};

type Backend = Groth16Backend<Bn254>;

#[test]
fn groth16_passes_the_backend_suite() {
    backend_suite::<Backend>();
}

#[test]
fn proof_is_128_bytes_compressed() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<Backend>();
    let (pk, _) = Backend::setup(circuit.clone(), &mut rng).unwrap();
    let (proof, _) = Backend::prove(&pk, circuit, &mut rng).unwrap();
    assert_eq!(proof.to_bytes().len(), 128);
}

#[test]
fn both_proving_strategies_verify() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<Backend>();
    let (pk, vk) = Backend::setup(circuit.clone(), &mut rng).unwrap();
    for strategy in [
        ProvingStrategy::CachedMatrices,
        ProvingStrategy::Resynthesize,
    ] {
        let (proof, inputs) = prove_with(&pk, circuit.clone(), &mut rng, strategy).unwrap();
        assert!(
            Backend::verify(&vk, &inputs, &proof).unwrap(),
            "{strategy:?}"
        );
    }
    let other = QuantizedDotCircuit::with_weight_bits(&[1, 2, 3], &[1, 2, 3], 6);
    assert!(matches!(
        prove_with(&pk, other, &mut rng, ProvingStrategy::Resynthesize),
        Err(BackendError::CircuitMismatch { .. })
    ));
}

#[test]
fn mock_and_groth16_agree_on_digest_and_broken_constraint() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<Backend>();
    let (groth16_pk, _) = Backend::setup(circuit.clone(), &mut rng).unwrap();
    let (mock_pk, _) = MockBackend::<Fr>::setup(circuit.clone(), &mut rng).unwrap();
    assert_eq!(groth16_pk.shape(), mock_pk.shape());

    let broken = circuit.with_weight_out_of_range(1);
    let index_of = |error| match error {
        BackendError::Unsatisfied { index, .. } => index,
        other => panic!("expected Unsatisfied, got {other}"),
    };
    let groth16_index =
        index_of(Backend::prove(&groth16_pk, broken.clone(), &mut rng).unwrap_err());
    let mock_index = index_of(MockBackend::prove(&mock_pk, broken, &mut rng).unwrap_err());
    assert_eq!(groth16_index, mock_index);
}

/// Rows as sorted, merged `(column, coefficient)` lists, so matrices that
/// differ only in term order compare equal.
fn normalized(matrices: &[Matrix<Fr>]) -> Vec<Vec<Vec<(usize, Fr)>>> {
    matrices
        .iter()
        .map(|matrix| {
            matrix
                .iter()
                .map(|row| {
                    let mut terms: Vec<(usize, Fr)> = row
                        .iter()
                        .map(|&(coefficient, column)| (column, coefficient))
                        .collect();
                    terms.sort_by_key(|&(column, _)| column);
                    terms.dedup_by(|next, kept| {
                        let same = next.0 == kept.0;
                        if same {
                            kept.1 += next.1;
                        }
                        same
                    });
                    terms
                })
                .collect()
        })
        .collect()
}

#[test]
fn replayed_matrices_equal_the_recorded_ones() {
    let recorded = synthesize_setup(sample_circuit::<Backend>()).unwrap();
    let shape = recorded.shape;
    let recorded = r1cs_matrices(recorded.matrices).unwrap();
    let replayed = synthesize_setup(MatrixReplay {
        num_instance_variables: shape.num_public_inputs + 1,
        num_witness_variables: shape.num_witness_variables,
        matrices: &recorded,
    })
    .unwrap();
    assert_eq!(replayed.shape.num_constraints, shape.num_constraints);
    assert_eq!(
        normalized(&r1cs_matrices(replayed.matrices).unwrap()),
        normalized(&recorded)
    );
}

fn assert_inconsistent<T: std::fmt::Debug>(result: Result<T, BackendError>) {
    match result {
        Err(BackendError::Decode {
            reason: DecodeError::Inconsistent(_),
            ..
        }) => {}
        other => panic!("expected an inconsistent-key error, got {other:?}"),
    }
}

#[test]
fn keys_whose_parts_disagree_are_rejected_at_decode() {
    let mut rng = suite_rng();
    let (pk, vk) = Backend::setup(sample_circuit::<Backend>(), &mut rng).unwrap();

    let mut wrong_count = pk.clone();
    wrong_count.shape.num_constraints += 1;
    assert_inconsistent(crate::Groth16ProvingKey::<Bn254>::from_bytes(
        &wrong_count.to_bytes(),
    ));

    let mut wrong_column = pk.clone();
    wrong_column.matrices[0][0].push((Fr::from(1u64), 10_000));
    assert_inconsistent(crate::Groth16ProvingKey::<Bn254>::from_bytes(
        &wrong_column.to_bytes(),
    ));

    let mut wrong_inputs = vk.clone();
    wrong_inputs.shape.num_public_inputs += 1;
    assert_inconsistent(crate::Groth16VerifyingKey::<Bn254>::from_bytes(
        &wrong_inputs.to_bytes(),
    ));
}

/// The counts in a verifying key are bound to its digest: decoding
/// recomputes the digest from them, so a key whose witness or constraint
/// count was edited names another circuit and refuses the original statement.
#[test]
fn verifying_key_counts_are_bound_to_the_digest() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<Backend>();
    let (pk, vk) = Backend::setup(circuit, &mut rng).unwrap();
    let (proof, public) = Backend::prove(&pk, sample_circuit::<Backend>(), &mut rng).unwrap();
    assert!(Backend::verify(&vk, &public, &proof).unwrap());
    let edits: [fn(&mut CircuitShape); 3] = [
        |shape| shape.num_witness_variables += 1,
        |shape| shape.num_constraints -= 1,
        |shape| shape.structure.0[0] ^= 1,
    ];
    for edit in edits {
        let mut edited = vk.clone();
        edit(&mut edited.shape);
        // The digest is not encoded; decoding derives it from the edited parts.
        let decoded = crate::Groth16VerifyingKey::<Bn254>::from_bytes(&edited.to_bytes()).unwrap();
        assert_ne!(decoded.shape().digest, vk.shape().digest);
        assert!(matches!(
            Backend::verify(&decoded, &public, &proof),
            Err(BackendError::CircuitMismatch { .. })
        ));
    }
}

#[test]
fn local_proving_key_format_round_trips_and_rejects_bad_bytes() {
    let mut rng = suite_rng();
    let circuit = sample_circuit::<Backend>();
    let (pk, vk) = Backend::setup(circuit.clone(), &mut rng).unwrap();
    let bytes = pk.to_local_bytes();
    let decoded = crate::Groth16ProvingKey::<Bn254>::from_local_bytes(&bytes).unwrap();
    assert_eq!(decoded, pk);
    let (proof, inputs) = Backend::prove(&decoded, circuit, &mut rng).unwrap();
    assert!(Backend::verify(&vk, &inputs, &proof).unwrap());

    // Not interchangeable with the checked format, and length-exact.
    assert!(crate::Groth16ProvingKey::<Bn254>::from_bytes(&bytes).is_err());
    assert!(crate::Groth16ProvingKey::<Bn254>::from_local_bytes(&pk.to_bytes()).is_err());
    for len in [0, 4, 5, 40, bytes.len() / 2, bytes.len() - 1] {
        assert!(crate::Groth16ProvingKey::<Bn254>::from_local_bytes(&bytes[..len]).is_err());
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(matches!(
        crate::Groth16ProvingKey::<Bn254>::from_local_bytes(&padded),
        Err(BackendError::Decode {
            reason: DecodeError::TrailingBytes(1),
            ..
        })
    ));
}

/// Regression (found by the `groth16_vk` and `groth16_pk_local` fuzz
/// targets): a key whose public-input count is `u64::MAX` overflowed
/// `count + 1` in the consistency checks and panicked, and a constraint
/// count near `usize::MAX` overflowed inside ark-poly's evaluation-domain
/// constructor. Each must be a decode error. The counts (public inputs, witness variables, constraints) sit
/// after the 5-byte header and the 32-byte structure digest.
#[test]
fn keys_with_overflowing_counts_are_refused_without_panicking() {
    let mut rng = suite_rng();
    let (pk, vk) = Backend::setup(sample_circuit::<Backend>(), &mut rng).unwrap();
    let count = 5 + 32..5 + 32 + 8;
    // Each count saturated, and the public-input count at 2^64 - 2^60 (the
    // shape of the second fuzz crash: no overflow in our sums, one in ark-poly).
    let edits: [(usize, [u8; 8]); 4] = [
        (0, [0xff; 8]),
        (1, [0xff; 8]),
        (2, [0xff; 8]),
        (0, (u64::MAX - (1 << 60) + 1).to_le_bytes()),
    ];
    for (field, value) in edits {
        let at = count.start + 8 * field..count.end + 8 * field;
        let saturate = |mut bytes: Vec<u8>| {
            bytes[at.clone()].copy_from_slice(&value);
            bytes
        };
        let decoded = crate::Groth16VerifyingKey::<Bn254>::from_bytes(&saturate(vk.to_bytes()));
        if field == 0 {
            assert_inconsistent(decoded);
        } else {
            // A verifying key has no query sized by these counts: it decodes,
            // naming another circuit (the counts are bound to the digest).
            let digest = decoded.map(|key| key.shape().digest).ok();
            assert!(digest.is_some_and(|digest| digest != vk.shape().digest));
        }
        assert_inconsistent(crate::Groth16ProvingKey::<Bn254>::from_bytes(&saturate(
            pk.to_bytes(),
        )));
        assert_inconsistent(crate::Groth16ProvingKey::<Bn254>::from_local_bytes(
            &saturate(pk.to_local_bytes()),
        ));
    }
}
