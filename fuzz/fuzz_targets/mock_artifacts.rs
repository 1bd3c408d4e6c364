//! The mock backend's proof and keys (`ByteEncoding::from_bytes`). The first
//! byte picks the artifact (`% 3`: proof, proving key, verifying key).
//! Oracle: decoding is exact and never panics.
#![no_main]

use ark_bn254::Fr;
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, MockBackend, ProvingBackend};

type Mock = MockBackend<Fr>;

fn exact<T: ByteEncoding>(bytes: &[u8]) {
    if let Ok(value) = T::from_bytes(bytes) {
        assert!(value.to_bytes() == bytes, "mock decoding is not exact");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => exact::<<Mock as ProvingBackend>::Proof>(bytes),
        1 => exact::<<Mock as ProvingBackend>::ProvingKey>(bytes),
        _ => exact::<<Mock as ProvingBackend>::VerifyingKey>(bytes),
    }
});
