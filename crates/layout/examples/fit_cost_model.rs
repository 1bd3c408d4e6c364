//! Measures Groth16 setup and prove time and peak memory on this machine for
//! the fixture models under several visibilities, fits the linear cost model
//! and rewrites `crates/layout/data/cost_model.json`.
//!
//! `cargo run -p zkinfer-layout --example fit_cost_model --release`

use std::path::Path;
use std::time::Instant;

use ark_std::rand::{rngs::StdRng, SeedableRng};
use zkinfer_backend::ProvingBackend;
use zkinfer_groth16::Groth16Bn254;
use zkinfer_ir::Tensor;
use zkinfer_layout::{
    plan, Cost, CostModel, InputVisibility, LinearFit, ModelCircuit, OutputVisibility, PlanOptions,
    Visibility, WeightVisibility,
};
use zkinfer_quant::{QuantSettings, QuantizedModel};

/// Peak resident set size so far (`VmHWM`), bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut prove = Vec::new();
    let mut setup = Vec::new();
    let mut memory = Vec::new();
    let visibilities = [
        (
            InputVisibility::Private,
            WeightVisibility::Fixed,
            OutputVisibility::Public,
        ),
        (
            InputVisibility::Private,
            WeightVisibility::Private,
            OutputVisibility::Public,
        ),
        (
            InputVisibility::Hashed,
            WeightVisibility::Fixed,
            OutputVisibility::Hashed,
        ),
        (
            InputVisibility::Private,
            WeightVisibility::Hashed,
            OutputVisibility::Public,
        ),
    ];
    // Smallest circuits first, so the running peak RSS tracks the current circuit.
    let mut runs = Vec::new();
    for name in ["tiny_relu", "digits_mlp", "digits_cnn"] {
        let dir = root.join("fixtures").join(name);
        let graph = zkinfer_onnx::load_model(dir.join("model.onnx")).expect("load");
        let text = std::fs::read_to_string(dir.join("input.json")).expect("input.json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        let data: Vec<f32> = json["input_data"][0]
            .as_array()
            .expect("input_data")
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect();
        let input = Tensor::from_f32(&graph.inputs[0].shape, data).expect("input");
        let model =
            QuantizedModel::quantize(&graph, &QuantSettings::default(), &[vec![input.clone()]])
                .expect("quantize");
        let trace = model.run(&[input]).expect("run");
        for (input, weights, output) in visibilities {
            let options = PlanOptions {
                visibility: Visibility {
                    input,
                    weights,
                    output,
                },
                memory_budget: Some(u64::MAX),
                ..PlanOptions::default()
            };
            let p = plan(&model, &options).expect("plan");
            runs.push((p.total(), name, model.clone(), p, trace.clone()));
        }
    }
    runs.sort_by_key(|r| r.0.constraints);
    let base_rss = peak_rss();
    for (cost, name, model, p, trace) in &runs {
        let mut rng = StdRng::seed_from_u64(1);
        let start = Instant::now();
        let (pk, _vk) =
            Groth16Bn254::setup(ModelCircuit::for_setup(model, p), &mut rng).expect("setup");
        let setup_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        Groth16Bn254::prove(&pk, ModelCircuit::for_proving(model, p, trace), &mut rng)
            .expect("prove");
        let prove_s = start.elapsed().as_secs_f64();
        let rss = peak_rss();
        println!(
            "{name:<11} {:<48} {cost}: setup {setup_s:.3} s, prove {prove_s:.3} s, peak {} MiB",
            p.visibility.to_string(),
            rss >> 20
        );
        setup.push((*cost, setup_s));
        prove.push((*cost, prove_s));
        memory.push((*cost, rss.max(base_rss) as f64));
    }
    let model = CostModel {
        machine: format!(
            "fit by examples/fit_cost_model.rs on {} CPUs over {} Groth16 runs of the fixture models",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            runs.len()
        ),
        prove_seconds: LinearFit::least_squares(&prove),
        setup_seconds: LinearFit::least_squares(&setup),
        peak_bytes: LinearFit::least_squares(&memory),
    };
    for (cost, t) in &prove {
        let _: &Cost = cost;
        println!(
            "prove {:>8} constraints: measured {t:.3} s, predicted {:.3} s",
            cost.constraints,
            model.prove_seconds(cost)
        );
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cost_model.json");
    std::fs::write(&path, model.to_json() + "\n").expect("write cost model");
    println!("wrote {}", path.display());
}
