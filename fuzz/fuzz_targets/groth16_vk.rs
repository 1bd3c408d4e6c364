//! `vk.bin`: `Groth16VerifyingKey::from_bytes` (header, circuit shape with
//! the digest recomputed from its counts, validated points). Oracles:
//! decoding is exact, and only the reference key's bytes verify the
//! reference proof — every byte of the key matters.
#![no_main]

mod common;

use common::{assert_exact, reference, Vk, VK};
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, ProvingBackend};
use zkinfer_groth16::Groth16Bn254;

fuzz_target!(|bytes: &[u8]| {
    let Ok(vk) = Vk::from_bytes(bytes) else {
        return;
    };
    assert_exact(bytes, &vk, ByteEncoding::to_bytes);
    let (_, proof, public) = reference();
    if let Ok(true) = Groth16Bn254::verify(&vk, public, proof) {
        assert_eq!(
            bytes, VK,
            "a different verifying key accepted the reference proof"
        );
    }
});
