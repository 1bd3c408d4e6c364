//! Whole-model proving benchmarks on the bundled fixtures, through the facade
//! API (`CompiledModel` → `Pipeline` → setup / prove / verify), Groth16 over
//! BN254.
//!
//! Bench names:
//! - `prove/<fixture>/private_weights`: the default settings (input private,
//!   weights private, output public): trace, witness synthesis and proof;
//! - `prove/<fixture>/fixed_weights`: the same with the weights compiled into
//!   the circuit as constants (`WeightVisibility::Fixed`);
//! - `verify/<fixture>`: verifying one proof of the private-weights circuit
//!   (prepared verifying key, the model's public outputs).
//!
//! Fixtures: `tiny_relu`, `digits_mlp`, `digits_cnn` (see `fixtures/README.md`).
//! Compilation (with the scale search) and one setup per circuit run once,
//! before measuring, and their times and the circuit sizes are printed to
//! stderr. Setup is not benchmarked here (it is timed once per model by
//! `benches/peers/compare.sh`, see `docs/benchmarks.md`).
//!
//! ```text
//! cargo bench --bench models                 # everything, a few minutes
//! cargo bench --bench models -- digits_cnn   # one fixture
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ark_std::rand::rngs::OsRng;
use criterion::{criterion_group, criterion_main, Criterion};
use zkinfer::backend::{ByteEncoding, CircuitKey};
use zkinfer::groth16::Groth16Bn254;
use zkinfer::ir::Tensor;
use zkinfer::layout::WeightVisibility;
use zkinfer::{CompiledModel, InputData, Keys, Pipeline, Proven, Settings};

const FIXTURES: [&str; 3] = ["tiny_relu", "digits_mlp", "digits_cnn"];

/// One fixture compiled and set up under one weight visibility.
struct Prepared {
    pipeline: Pipeline,
    keys: Keys<Groth16Bn254>,
    inputs: Vec<Tensor>,
}

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn prepare(name: &str, weights: WeightVisibility) -> Prepared {
    let dir = fixture_dir(name);
    let graph = zkinfer::onnx::load_model(dir.join("model.onnx")).expect("load model");
    let inputs = InputData::load(dir.join("input.json"))
        .expect("load input")
        .first_tensors(&graph)
        .expect("input tensors");
    let mut settings = Settings::new();
    settings.plan.visibility.weights = weights;

    let started = Instant::now();
    let compiled =
        CompiledModel::compile(graph, std::slice::from_ref(&inputs), settings).expect("compile");
    let compile_time = started.elapsed();
    let pipeline: Pipeline = Pipeline::new(compiled);

    let started = Instant::now();
    let keys = pipeline.setup(&mut OsRng).expect("setup");
    let setup_time = started.elapsed();

    let shape = keys.proving_key.shape();
    eprintln!(
        "{name} ({weights:?} weights): {} constraints, {} witness variables, {} public inputs; \
         proving key {} bytes, verifying key {} bytes; compile {compile_time:.2?}, setup {setup_time:.2?}",
        shape.num_constraints,
        shape.num_witness_variables,
        shape.num_public_inputs,
        keys.proving_key.to_bytes().len(),
        keys.verifying_key.to_bytes().len(),
    );
    Prepared {
        pipeline,
        keys,
        inputs,
    }
}

impl Prepared {
    fn prove(&self) -> Proven<Groth16Bn254> {
        self.pipeline
            .prove(&self.keys.proving_key, &self.inputs, &mut OsRng)
            .expect("prove")
    }
}

fn bench_models(c: &mut Criterion) {
    for name in FIXTURES {
        // Compile and set up lazily, so that a criterion filter selecting only
        // some benches skips the others' setups.
        let mut private = None;
        let mut fixed = None;
        c.bench_function(&format!("prove/{name}/private_weights"), |b| {
            let p = private.get_or_insert_with(|| prepare(name, WeightVisibility::Private));
            b.iter(|| p.prove())
        });
        c.bench_function(&format!("prove/{name}/fixed_weights"), |b| {
            let p = fixed.get_or_insert_with(|| prepare(name, WeightVisibility::Fixed));
            b.iter(|| p.prove())
        });
        let mut proven = None;
        c.bench_function(&format!("verify/{name}"), |b| {
            let p = private.get_or_insert_with(|| prepare(name, WeightVisibility::Private));
            let proven = proven.get_or_insert_with(|| p.prove());
            b.iter(|| {
                let ok =
                    <Pipeline>::verify(&p.keys.verifying_key, &proven.public_inputs, &proven.proof)
                        .expect("verify");
                assert!(ok, "{name}: the proof does not verify");
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench_models
}
criterion_main!(benches);
