//! `zkinfer run MODEL --input INPUT.json`: the float reference interpreter.

use std::path::PathBuf;

use zkinfer::InputData;

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
    let graph = zkinfer::onnx::load_model(&args.model)
        .map_err(|e| format!("{}: {e}", args.model.display()))?;
    let inputs = InputData::load(&args.input)
        .and_then(|d| d.first_tensors(&graph))
        .map_err(|e| e.to_string())?;
    let outputs = graph.run(&inputs).map_err(|e| e.to_string())?;
    for (name, t) in graph.outputs.iter().zip(outputs) {
        println!("{name} {:?}: {:?}", t.shape(), t.to_f32_vec());
    }
    Ok(())
}
