//! `pk.bin` in the prover's local format (`from_local_bytes`: points
//! uncompressed and not validated, everything the prover indexes by still
//! checked). The prover only reads its own file, but a corrupted disk must
//! give an error, not a panic. Seeded with a three-constraint circuit's key.
//! Oracle: decoding is exact and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkinfer_backend::ProvingBackend;
use zkinfer_groth16::Groth16Bn254;

type Pk = <Groth16Bn254 as ProvingBackend>::ProvingKey;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(pk) = Pk::from_local_bytes(bytes) {
        assert!(
            pk.to_local_bytes() == bytes,
            "local proving key decoding is not exact"
        );
    }
});
