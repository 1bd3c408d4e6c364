//! `zkinfer compile MODEL`: import, quantize and plan; write settings.json and compiled.json.

use std::path::PathBuf;

use zkinfer::{InputData, WorkDir};

use super::common::{DirArg, SettingsArgs};
use super::flow;

/// Arguments of `zkinfer compile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ONNX model.
    pub model: PathBuf,
    /// Calibration data (`{"input_data": ...}`, one or several samples). Bit widths
    /// are derived from it; defaults to `input.json` beside the model.
    #[arg(long, short)]
    pub calibration: Option<PathBuf>,
    #[command(flatten)]
    pub dir: DirArg,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// The calibration file: given, or `input.json` beside the model.
pub fn calibration_file(
    model: &std::path::Path,
    given: Option<&PathBuf>,
) -> Result<PathBuf, String> {
    if let Some(p) = given {
        return Ok(p.clone());
    }
    let beside = model.with_file_name("input.json");
    if beside.exists() {
        Ok(beside)
    } else {
        Err(format!(
            "no calibration data: pass --calibration FILE (input.json format) or put input.json beside {}",
            model.display()
        ))
    }
}

pub fn run(args: Args) -> Result<(), String> {
    let settings = args.settings.resolve()?;
    let cal_path = calibration_file(&args.model, args.calibration.as_ref())?;
    let calibration = InputData::load(&cal_path).map_err(|e| e.to_string())?;
    flow::compile(
        &args.model,
        &calibration,
        settings,
        &WorkDir::new(&args.dir.dir),
    )?;
    Ok(())
}
