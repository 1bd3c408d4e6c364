//! Embedding zkinfer: compile a bundled model, set up, prove one inference and
//! verify it, with the backend chosen by type parameter.
//!
//! Run with `cargo run --release --example embed` (Groth16), or pass `mock` as the
//! first argument to only check constraints.

use ark_std::rand::rngs::OsRng;
use zkinfer::backend::MockBackend;
use zkinfer::groth16::Groth16Bn254;
use zkinfer::{CompiledModel, Fr, InputData, Pipeline, Settings, ZkinferError};

fn prove_and_verify<B: zkinfer::backend::ProvingBackend<Field = Fr>>(
    compiled: CompiledModel,
    input: &[zkinfer::ir::Tensor],
) -> Result<(), ZkinferError> {
    let pipeline = Pipeline::<B>::new(compiled);
    let keys = pipeline.setup(&mut OsRng)?;
    let proven = pipeline.prove(&keys.proving_key, input, &mut OsRng)?;
    let ok = Pipeline::<B>::verify(&keys.verifying_key, &proven.public_inputs, &proven.proof)?;
    println!(
        "{}: outputs {:?}, verified: {ok}",
        B::NAME,
        proven.outputs[0].to_f32_vec()
    );
    assert!(ok);
    Ok(())
}

fn main() -> Result<(), ZkinferError> {
    run(std::env::args().nth(1).as_deref() == Some("mock"))
}

/// The whole example; the test suite calls it too (`tests/embed_example.rs`).
pub fn run(mock: bool) -> Result<(), ZkinferError> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiny_relu");
    let graph = zkinfer::onnx::load_model(dir.join("model.onnx"))?;
    let input = InputData::load(dir.join("input.json"))?.first_tensors(&graph)?;
    let compiled = CompiledModel::compile(graph, std::slice::from_ref(&input), Settings::new())?;
    println!("{} constraints", compiled.plan.total().constraints);
    if mock {
        prove_and_verify::<MockBackend<Fr>>(compiled, &input)
    } else {
        prove_and_verify::<Groth16Bn254>(compiled, &input)
    }
}
