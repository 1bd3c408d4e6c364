//! `proof.bin`: `Groth16Proof::from_bytes` (128 bytes, three validated
//! points). Oracles: decoding is exact, and under the reference key only the
//! reference proof verifies the reference statement.
#![no_main]

mod common;

use common::{assert_exact, reference, Proof, PROOF};
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, ProvingBackend};
use zkinfer_groth16::Groth16Bn254;

fuzz_target!(|bytes: &[u8]| {
    let Ok(proof) = Proof::from_bytes(bytes) else {
        return;
    };
    assert_exact(bytes, &proof, ByteEncoding::to_bytes);
    let (vk, _, public) = reference();
    if let Ok(true) = Groth16Bn254::verify(vk, public, &proof) {
        assert_eq!(
            bytes, PROOF,
            "accepted a proof other than the reference one"
        );
    }
});
