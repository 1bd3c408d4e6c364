//! Key and proof decoding (`ByteEncoding::from_bytes`), the trust boundary
//! of the proving backends. The first byte picks the artifact:
//!
//! | byte % 5 | artifact |
//! |---|---|
//! | 0 | Groth16 proof |
//! | 1 | Groth16 verifying key |
//! | 2 | Groth16 proving key |
//! | 3 | mock proof |
//! | 4 | mock verifying key |
//!
//! Oracles: whatever decodes re-encodes stably, and a decoded Groth16 proof or key verifies the tiny_relu
//! reference statement only if it *is* the reference proof or key.
#![no_main]

use ark_bn254::Fr;
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, MockBackend, ProvingBackend, PublicInputs};
use zkinfer_groth16::Groth16Bn254;

static VK: &[u8] = include_bytes!("../reference/tiny_relu/vk.bin");
static PROOF: &[u8] = include_bytes!("../reference/tiny_relu/proof.bin");
static PUBLIC: &str = include_str!("../reference/tiny_relu/public.json");

type G = Groth16Bn254;
type Mock = MockBackend<Fr>;

/// Decode; whatever decodes must re-encode to bytes that decode to the same
/// encoding again. (Exact byte equality with the input does not hold yet: a
/// point at infinity decodes whatever its coordinate bytes hold — reported,
/// with a reproducer in `tests/tamper.rs`.)
fn round_trip<T: ByteEncoding>(bytes: &[u8]) -> Option<T> {
    let value = T::from_bytes(bytes).ok()?;
    let encoded = value.to_bytes();
    let again = T::from_bytes(&encoded).expect("a re-encoding decodes");
    assert_eq!(again.to_bytes(), encoded, "re-encoding is not stable");
    Some(value)
}

/// The reference key, proof and statement, decoded once per process.
fn reference() -> &'static (
    <Groth16Bn254 as ProvingBackend>::VerifyingKey,
    <Groth16Bn254 as ProvingBackend>::Proof,
    PublicInputs<Fr>,
) {
    static REFERENCE: std::sync::OnceLock<(
        <Groth16Bn254 as ProvingBackend>::VerifyingKey,
        <Groth16Bn254 as ProvingBackend>::Proof,
        PublicInputs<Fr>,
    )> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        (
            ByteEncoding::from_bytes(VK).expect("reference vk"),
            ByteEncoding::from_bytes(PROOF).expect("reference proof"),
            PublicInputs::from_json(PUBLIC).expect("reference public inputs"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let (reference_vk, reference_proof, public) = reference();
    match selector % 5 {
        0 => {
            if let Some(proof) = round_trip::<<G as ProvingBackend>::Proof>(bytes) {
                if let Ok(true) = G::verify(reference_vk, public, &proof) {
                    assert_eq!(
                        bytes, PROOF,
                        "accepted a proof other than the reference one"
                    );
                }
            }
        }
        1 => {
            if let Some(vk) = round_trip::<<G as ProvingBackend>::VerifyingKey>(bytes) {
                if let Ok(true) = G::verify(&vk, public, reference_proof) {
                    assert!(
                        vk.ark_key() == reference_vk.ark_key(),
                        "a different verifying key accepted the reference proof"
                    );
                }
            }
        }
        2 => {
            let _ = round_trip::<<G as ProvingBackend>::ProvingKey>(bytes);
        }
        3 => {
            let _ = round_trip::<<Mock as ProvingBackend>::Proof>(bytes);
        }
        _ => {
            let _ = round_trip::<<Mock as ProvingBackend>::VerifyingKey>(bytes);
        }
    }
});
