//! `zkinfer inspect MODEL`: the per-node circuit plan, with predicted costs.

use std::path::PathBuf;

use zkinfer::{CompiledModel, InputData};

use super::common::SettingsArgs;
use super::compile::calibration_file;

/// Arguments of `zkinfer inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ONNX model.
    pub model: PathBuf,
    /// Calibration data (default: input.json beside the model).
    #[arg(long, short)]
    pub calibration: Option<PathBuf>,
    /// Also list the alternatives the optimizer considered for each node.
    #[arg(long)]
    pub alternatives: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(args: Args) -> Result<(), String> {
    let settings = args.settings.resolve()?;
    let graph = zkinfer::onnx::load_model(&args.model)
        .map_err(|e| format!("{}: {e}", args.model.display()))?;
    let cal = InputData::load(calibration_file(&args.model, args.calibration.as_ref())?)
        .map_err(|e| e.to_string())?;
    let samples = cal.all_tensors(&graph).map_err(|e| e.to_string())?;
    let compiled = CompiledModel::compile(graph, &samples, settings).map_err(|e| e.to_string())?;
    print!("{}", compiled.plan);
    if args.alternatives {
        print!("{}", compiled.plan.alternatives_report());
    }
    Ok(())
}
