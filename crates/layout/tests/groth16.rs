//! One real Groth16 setup, prove and verify of the tiny fixture.

mod common;

use ark_std::rand::{rngs::StdRng, SeedableRng};
use common::*;
use zkinfer_backend::{ByteEncoding, ProvingBackend};
use zkinfer_groth16::Groth16Bn254;
use zkinfer_layout::{annotate_public_inputs, decode_outputs, ModelCircuit, Visibility};

#[test]
fn tiny_relu_proves_and_verifies_with_groth16() {
    let f = fixture("tiny_relu");
    let plan = plan_for(&f.model, Visibility::default());
    plan.check_limits().expect("within limits");
    let mut rng = StdRng::seed_from_u64(1);
    let (pk, vk) =
        Groth16Bn254::setup(ModelCircuit::for_setup(&f.model, &plan), &mut rng).expect("setup");
    let (proof, mut public) = Groth16Bn254::prove(
        &pk,
        ModelCircuit::for_proving(&f.model, &plan, &f.trace),
        &mut rng,
    )
    .expect("prove");
    assert_eq!(proof.to_bytes().len(), 128);
    assert!(Groth16Bn254::verify(&vk, &public, &proof).expect("verify"));
    annotate_public_inputs(&f.model, &plan, &mut public);
    assert!(
        public.to_json().contains("logits[0,0]"),
        "{}",
        public.to_json()
    );
    let outputs = decode_outputs(&f.model, &plan, &public).expect("decode");
    let want: Vec<f32> = f
        .trace
        .dequantized(f.model.outputs()[0])
        .iter()
        .copied()
        .collect();
    assert_eq!(outputs[0], want);
    // A changed output is rejected.
    let mut forged = public.clone();
    forged.values[0].value += zkinfer_layout::Fr::from(1u64);
    assert!(!Groth16Bn254::verify(&vk, &forged, &proof).unwrap_or(false));
}
