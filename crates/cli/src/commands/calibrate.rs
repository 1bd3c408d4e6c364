//! `zkinfer calibrate MODEL --data FILE`: accuracy of the quantized model at several scales.

use std::path::PathBuf;

use zkinfer::{CompiledModel, InputData};

use super::common::SettingsArgs;
use super::compile::calibration_file;

/// Arguments of `zkinfer calibrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ONNX model.
    pub model: PathBuf,
    /// Calibration data, one or several samples (default: input.json beside the model).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Scale exponents to try (inputs, weights and activations together).
    #[arg(long, value_delimiter = ',', default_values_t = [4u32, 5, 6, 7, 8, 10, 12])]
    pub scales: Vec<u32>,
    /// Write the settings of the cheapest scale within tolerance to this file.
    #[arg(long)]
    pub write_settings: Option<PathBuf>,
    /// Largest acceptable max-abs output error, as a fraction of the output range.
    #[arg(long, default_value_t = 0.01)]
    pub tolerance: f64,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(args: Args) -> Result<(), String> {
    let base = args.settings.resolve()?;
    let graph = zkinfer::onnx::load_model(&args.model)
        .map_err(|e| format!("{}: {e}", args.model.display()))?;
    let data = InputData::load(calibration_file(&args.model, args.data.as_ref())?)
        .map_err(|e| e.to_string())?;
    let samples = data.all_tensors(&graph).map_err(|e| e.to_string())?;
    println!(
        "{:>6} {:>12} {:>14} {:>14} {:>10}",
        "scale", "constraints", "max abs err", "rel to range", "argmax ok"
    );
    let mut best = None;
    for &scale in &args.scales {
        let mut settings = base.clone();
        settings.quant.input_scale = scale;
        settings.quant.weight_scale = scale;
        settings.quant.activation_scale = scale;
        settings.search.enabled = false;
        let compiled = match CompiledModel::compile(graph.clone(), &samples, settings.clone()) {
            Ok(c) => c,
            Err(e) => {
                println!("{scale:>6} refused: {e}");
                continue;
            }
        };
        let report = compiled.accuracy(&samples).map_err(|e| e.to_string())?;
        let constraints = compiled.plan.total().constraints;
        let rel = report.worst_relative_error();
        let max_abs = report
            .outputs
            .iter()
            .map(|o| o.max_abs_error)
            .fold(0.0, f64::max);
        println!(
            "{scale:>6} {constraints:>12} {max_abs:>14.6} {:>13.3}% {:>9.1}%",
            rel * 100.0,
            report.argmax_agreement() * 100.0
        );
        if rel <= args.tolerance && best.as_ref().is_none_or(|(c, _, _)| constraints < *c) {
            best = Some((constraints, settings, report));
        }
    }
    match best {
        Some((constraints, settings, report)) => {
            println!(
                "cheapest within tolerance: scale {} ({constraints} constraints); per output and per layer:",
                settings.quant.activation_scale
            );
            print!("{report}");
            if let Some(path) = args.write_settings {
                let text = serde_json::to_string_pretty(&settings).expect("settings serialize");
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("settings written to {}", path.display());
            }
            Ok(())
        }
        None => Err(format!(
            "no scale keeps the output error within {:.1}% of the output range",
            args.tolerance * 100.0
        )),
    }
}
