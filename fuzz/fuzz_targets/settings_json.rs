//! `settings.json` (the facade's `Settings`) and the quantizer's own
//! `QuantSettings` JSON; settings that parse are used to compile the
//! tiny_relu fixture, so out-of-range scales and bit limits are exercised too.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zkinfer::{CompiledModel, InputData, Settings};
use zkinfer_ir::{Graph, Tensor};
use zkinfer_quant::QuantSettings;

static TINY_RELU: &[u8] = include_bytes!("../../fixtures/tiny_relu/model.onnx");
static TINY_RELU_INPUT: &str = include_str!("../../fixtures/tiny_relu/input.json");

fn fixture() -> &'static (Graph, Vec<Tensor>) {
    static FIXTURE: OnceLock<(Graph, Vec<Tensor>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let graph =
            zkinfer_onnx::load_model_bytes(TINY_RELU, &Default::default()).expect("fixture loads");
        let inputs = InputData::parse(TINY_RELU_INPUT)
            .expect("fixture input parses")
            .first_tensors(&graph)
            .expect("fixture input fits");
        (graph, inputs)
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let _ = QuantSettings::from_json(text);
    let Ok(settings) = serde_json::from_str::<Settings>(text) else {
        return;
    };
    // A scale search over many scales is slow, not wrong: keep executions fast.
    if settings.search.enabled && settings.search.scales.len() > 4 {
        return;
    }
    let (graph, inputs) = fixture();
    if let Ok(compiled) = CompiledModel::compile(graph.clone(), &[inputs.clone()], settings) {
        let _ = compiled.trace(inputs);
    }
});
