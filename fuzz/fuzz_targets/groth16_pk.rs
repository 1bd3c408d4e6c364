//! A proving key in the checked format (`Groth16ProvingKey::from_bytes`:
//! validated points, exact length, matrices and query lengths consistent
//! with the circuit shape). Seeded with the key of a three-constraint
//! circuit so that one execution takes microseconds, not the milliseconds
//! a model's key needs. Oracle: decoding is exact and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, ProvingBackend};
use zkinfer_groth16::Groth16Bn254;

type Pk = <Groth16Bn254 as ProvingBackend>::ProvingKey;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(pk) = Pk::from_bytes(bytes) {
        assert!(pk.to_bytes() == bytes, "proving key decoding is not exact");
    }
});
