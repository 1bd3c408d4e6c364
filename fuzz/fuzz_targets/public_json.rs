//! `public.json`: canonical decimal field elements, digest, metadata. Whatever
//! parses must re-serialize to JSON that parses back to the same statement,
//! and must not verify the tiny_relu reference proof unless it is the
//! reference statement.
#![no_main]

use ark_bn254::Fr;
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, ProvingBackend, PublicInputs};
use zkinfer_groth16::Groth16Bn254;

static VK: &[u8] = include_bytes!("../reference/tiny_relu/vk.bin");
static PROOF: &[u8] = include_bytes!("../reference/tiny_relu/proof.bin");
static PUBLIC: &str = include_str!("../reference/tiny_relu/public.json");

type Vk = <Groth16Bn254 as ProvingBackend>::VerifyingKey;
type Proof = <Groth16Bn254 as ProvingBackend>::Proof;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(public) = PublicInputs::<Fr>::from_json(text) else {
        return;
    };
    let again = PublicInputs::<Fr>::from_json(&public.to_json()).expect("round trip parses");
    assert_eq!(again, public, "round trip changed the statement");

    let vk = Vk::from_bytes(VK).expect("reference vk");
    let proof = Proof::from_bytes(PROOF).expect("reference proof");
    let reference = PublicInputs::<Fr>::from_json(PUBLIC).expect("reference public inputs");
    if let Ok(true) = Groth16Bn254::verify(&vk, &public, &proof) {
        assert_eq!(
            public.field_elements(),
            reference.field_elements(),
            "accepted a statement other than the proven one"
        );
    }
});
