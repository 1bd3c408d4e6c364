//! `input.json` parsing, then conversion to tensors of the tiny_relu fixture
//! (length, finiteness and range checks).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zkinfer::InputData;
use zkinfer_ir::Graph;

static TINY_RELU: &[u8] = include_bytes!("../../fixtures/tiny_relu/model.onnx");

fn graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        zkinfer_onnx::load_model_bytes(TINY_RELU, &Default::default()).expect("fixture loads")
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(data) = InputData::parse(text) else {
        return;
    };
    if let Ok(tensors) = data.all_tensors(graph()) {
        // Whatever passed the checks must be runnable by the float model.
        for sample in tensors {
            let _ = graph().run(&sample);
        }
    }
});
