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

/// Inputs of `graph` from flattened float lists, shaped by the graph's declarations.
pub fn shape_inputs(graph: &Graph, flat: &[Vec<f64>]) -> Option<Vec<Tensor>> {
    if flat.len() != graph.inputs.len() {
        return None;
    }
    graph
        .inputs
        .iter()
        .zip(flat)
        .map(|(decl, data)| {
            let n: usize = decl.shape.iter().product();
            if data.len() != n {
                return None;
            }
            match decl.dtype {
                DType::F32 => {
                    Tensor::from_f32(&decl.shape, data.iter().map(|&x| x as f32).collect()).ok()
                }
                _ => None,
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
            input
                .as_array()
                .map(|xs| xs.iter().filter_map(|x| x.as_f64()).collect())
        })
        .collect()
}
