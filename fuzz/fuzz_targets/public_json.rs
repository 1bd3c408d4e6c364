//! `public.json`: canonical decimal field elements, digest, metadata. Whatever
//! parses must re-serialize to JSON that parses back to the same statement
//! and metadata, and must not verify the tiny_relu reference proof unless it
//! is the reference statement with metadata consistent with it.
#![no_main]

use ark_bn254::Fr;
use libfuzzer_sys::fuzz_target;
use zkinfer_backend::{ByteEncoding, ProvingBackend, PublicInputs};
use zkinfer_groth16::Groth16Bn254;

static VK: &[u8] = include_bytes!("../reference/tiny_relu/vk.bin");
static PROOF: &[u8] = include_bytes!("../reference/tiny_relu/proof.bin");
static PUBLIC: &str = include_str!("../reference/tiny_relu/public.json");

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

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(public) = PublicInputs::<Fr>::from_json(text) else {
        return;
    };
    // The statement and its metadata survive a round trip (serde_json's
    // `float_roundtrip`: finding 5 of docs/security.md).
    let again = PublicInputs::<Fr>::from_json(&public.to_json()).expect("round trip parses");
    assert_eq!(again.circuit, public.circuit, "round trip changed the circuit");
    assert_eq!(
        again.field_elements(),
        public.field_elements(),
        "round trip changed the statement"
    );
    for (a, b) in again.values.iter().zip(&public.values) {
        assert_eq!(a.meta.label, b.meta.label, "round trip changed a label");
        let bits = |x: Option<f64>| x.map(f64::to_bits);
        assert_eq!(bits(a.meta.scale), bits(b.meta.scale), "round trip changed a scale");
        assert_eq!(
            bits(a.meta.dequantized),
            bits(b.meta.dequantized),
            "round trip changed a float"
        );
    }

    let (vk, proof, reference) = reference();
    if let Ok(true) = Groth16Bn254::verify(vk, &public, proof) {
        assert_eq!(
            public.field_elements(),
            reference.field_elements(),
            "accepted a statement other than the proven one"
        );
        public
            .check_metadata()
            .expect("accepted metadata inconsistent with the statement");
    }
});
