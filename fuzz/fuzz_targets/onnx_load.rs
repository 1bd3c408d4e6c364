//! The ONNX importer on arbitrary bytes: decode, import (shape inference and
//! constant folding happen at load), then, if the graph is small enough to
//! run, the float interpreter on zero inputs. Any panic is a bug; errors are
//! the expected outcome for almost every input.
//!
//! The loader's tensor bounds are lowered to 2^20 elements (default 2^28):
//! the fuzzer looks for panics, and at the default a few bytes can make the
//! loader legitimately allocate gigabytes, which libFuzzer's RSS limit would
//! report as a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkinfer_ir::{SizeLimits, Tensor};
use zkinfer_onnx::{load_model_bytes, LoadOptions};

/// Largest tensor (in elements) the loader may create.
const MAX_ELEMENTS: usize = 1 << 20;

/// Most nodes a graph may have to be run after loading.
const MAX_RUN_NODES: usize = 256;

fuzz_target!(|bytes: &[u8]| {
    let options = LoadOptions {
        size_limits: SizeLimits {
            max_elements: MAX_ELEMENTS,
            max_folded_elements: 4 * MAX_ELEMENTS,
        },
        ..LoadOptions::default()
    };
    let Ok(graph) = load_model_bytes(bytes, &options) else {
        return;
    };
    // Every declared input and inferred tensor is within MAX_ELEMENTS here.
    if graph.nodes.len() > MAX_RUN_NODES {
        return;
    }
    let inputs: Vec<Tensor> = graph
        .inputs
        .iter()
        .map(|i| Tensor::zeros(i.dtype, &i.shape))
        .collect();
    let _ = graph.run(&inputs);
});
