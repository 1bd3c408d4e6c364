//! `zkinfer run MODEL --input INPUT.json`: the float reference interpreter.

use std::path::PathBuf;

use zkinfer_ir::Tensor;

/// Arguments of `zkinfer run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ONNX model.
    model: PathBuf,
    /// Input JSON: `{"input_data": [[flattened floats], ...]}`, one list per model input.
    #[arg(long, short)]
    input: PathBuf,
}

pub fn run(args: Args) -> Result<(), String> {
    let graph = zkinfer_onnx::load_model(&args.model).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let text = std::fs::read_to_string(&args.input).map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", args.input.display()))?;
    let lists = json
        .get("input_data")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("{}: expected {{\"input_data\": [[...], ...]}}", args.input.display()))?;
    if lists.len() != graph.inputs.len() {
        return Err(format!("{}: {} input list(s), the model takes {}", args.input.display(), lists.len(), graph.inputs.len()));
    }
    let mut inputs = Vec::new();
    for (decl, list) in graph.inputs.iter().zip(lists) {
        let values: Vec<f32> = list
            .as_array()
            .ok_or_else(|| format!("input `{}`: expected a list of numbers", decl.name))?
            .iter()
            .map(|v| v.as_f64().map(|f| f as f32).ok_or_else(|| format!("input `{}`: {v} is not a number", decl.name)))
            .collect::<Result<_, _>>()?;
        let expected: usize = decl.shape.iter().product();
        if values.len() != expected {
            return Err(format!("input `{}`: {} values, the model expects {} (shape {:?})", decl.name, values.len(), expected, decl.shape));
        }
        inputs.push(Tensor::from_f32(&decl.shape, values).map_err(|e| e.to_string())?.cast(decl.dtype));
    }
    let outputs = graph.run(&inputs).map_err(|e| e.to_string())?;
    for (name, t) in graph.outputs.iter().zip(outputs) {
        println!("{name} {:?}: {:?}", t.shape(), t.to_f32_vec());
    }
    Ok(())
}
