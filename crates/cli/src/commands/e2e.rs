//! `zkinfer e2e MODEL_DIR`: compile, set up, prove and verify in one go.

use std::path::PathBuf;
use std::time::Duration;

use zkinfer::backend::MockBackend;
use zkinfer::groth16::Groth16Bn254;
use zkinfer::{Fr, InputData, WorkDir};

use super::common::{secs, BackendChoice, DirArg, SettingsArgs};
use super::compile::calibration_file;
use super::flow;

/// Arguments of `zkinfer e2e`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An ONNX model, or a directory holding `model.onnx` (or `network.onnx`) and `input.json`.
    pub model: PathBuf,
    /// Input data to prove (default: `input.json` beside the model); also the calibration data
    /// unless --calibration is given.
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// Calibration data (default: the input).
    #[arg(long, short)]
    pub calibration: Option<PathBuf>,
    #[command(flatten)]
    pub dir: DirArg,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Proving backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

pub fn run(args: Args) -> Result<(), String> {
    let model = if args.model.is_dir() {
        ["model.onnx", "network.onnx"]
            .iter()
            .map(|f| args.model.join(f))
            .find(|p| p.exists())
            .ok_or_else(|| {
                format!(
                    "{}: no model.onnx or network.onnx inside",
                    args.model.display()
                )
            })?
    } else {
        args.model.clone()
    };
    let input = calibration_file(&model, args.input.as_ref())?;
    let calibration = args.calibration.clone().unwrap_or_else(|| input.clone());
    let settings = args.settings.resolve()?;
    let dir = WorkDir::new(&args.dir.dir);
    let cal = InputData::load(&calibration).map_err(|e| e.to_string())?;
    let compile = flow::compile(&model, &cal, settings, &dir)?;
    let (setup, prove, verify) = match args.backend {
        BackendChoice::Groth16 => steps::<Groth16Bn254>(&dir, &input)?,
        BackendChoice::Mock => steps::<MockBackend<Fr>>(&dir, &input)?,
    };
    println!(
        "timing: compile {}, setup {}, prove {}, verify {} (artifacts in {})",
        secs(compile),
        secs(setup),
        secs(prove),
        secs(verify),
        dir.root().display()
    );
    Ok(())
}

fn steps<B: zkinfer::backend::ProvingBackend<Field = Fr>>(
    dir: &WorkDir,
    input: &std::path::Path,
) -> Result<(Duration, Duration, Duration), String> {
    Ok((
        flow::setup::<B>(dir)?,
        flow::prove::<B>(dir, input)?,
        flow::verify::<B>(dir)?,
    ))
}
