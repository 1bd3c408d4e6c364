//! The ONNX importer on arbitrary bytes: decode, import (shape inference and
//! constant folding happen at load), then, if the graph loads and is small
//! enough to run, the float interpreter on zero inputs. Any panic is a bug;
//! errors are the expected outcome for almost every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkinfer_ir::{Graph, Tensor};
use zkinfer_onnx::{load_model_bytes, LoadOptions};

/// Largest tensor (in elements) the interpreter is asked to materialise: the
/// fuzzer looks for panics, not for models that are legitimately huge.
const MAX_ELEMENTS: usize = 1 << 20;

fn elements(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS)
}

/// Whether every runtime tensor of the graph is of a size worth running.
fn small_enough(graph: &Graph) -> bool {
    let declared = graph.inputs.iter().all(|i| elements(&i.shape).is_some());
    let computed = graph.nodes.iter().flat_map(|n| &n.outputs).all(|name| {
        graph
            .fact(name)
            .is_none_or(|fact| elements(&fact.shape).is_some())
    });
    declared && computed && graph.nodes.len() <= 256
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(graph) = load_model_bytes(bytes, &LoadOptions::default()) else {
        return;
    };
    if !small_enough(&graph) {
        return;
    }
    let inputs: Vec<Tensor> = graph
        .inputs
        .iter()
        .map(|i| Tensor::zeros(i.dtype, &i.shape))
        .collect();
    let _ = graph.run(&inputs);
});
