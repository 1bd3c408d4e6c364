//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zkinfer_ir::{DType, Graph, Tensor};

/// `../../<rel>` from this crate: the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// `/work/shared/corpus` seen from this crate, if present.
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    p.is_dir().then_some(p)
}

/// Which data list feeds each graph input: one list per input in order, or,
/// with more lists than inputs (the exporter dropped unused inputs), list `K`
/// for the input `torch.onnx` named `inputK` (`input` is argument 0).
fn input_lists(graph: &Graph, lists: usize) -> Option<Vec<usize>> {
    if lists == graph.inputs.len() {
        return Some((0..lists).collect());
    }
    if lists < graph.inputs.len() {
        return None;
    }
    graph
        .inputs
        .iter()
        .map(|decl| match decl.name.strip_prefix("input")? {
            "" => Some(0),
            k => k.parse::<usize>().ok().filter(|&k| k < lists),
        })
        .collect()
}

/// Inputs of `graph` from flattened float lists, shaped by the graph's
/// declarations (booleans cast from the listed numbers).
pub fn shape_inputs(graph: &Graph, flat: &[Vec<f64>]) -> Option<Vec<Tensor>> {
    let lists = input_lists(graph, flat.len())?;
    graph
        .inputs
        .iter()
        .zip(lists.iter().map(|&k| &flat[k]))
        .map(|(decl, data)| {
            let n: usize = decl.shape.iter().product();
            if data.len() != n {
                return None;
            }
            let t = Tensor::from_f32(&decl.shape, data.iter().map(|&x| x as f32).collect()).ok()?;
            match decl.dtype {
                DType::F32 => Some(t),
                DType::Bool => Some(t.cast(DType::Bool)),
                // Integer inputs feed integer Div/BitShift (integer_div,
                // bitshift), which the quantizer still computes as real
                // division: left out until integer-exact ops exist.
                DType::I64 => None,
            }
        })
        .collect()
}

/// `input_data` of an ezkl-style `input.json`.
pub fn read_input_json(path: &Path) -> Option<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let data = v.get("input_data")?.as_array()?;
    data.iter()
        .map(|input| {
            input.as_array().map(|xs| {
                xs.iter()
                    .filter_map(|x| x.as_f64().or_else(|| x.as_bool().map(f64::from)))
                    .collect()
            })
        })
        .collect()
}
