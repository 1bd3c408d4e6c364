//! Flags and helpers shared by the proving subcommands.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use zkinfer::layout::{InputVisibility, OutputVisibility, WeightVisibility};
use zkinfer::Settings;

/// Where artifacts live.
#[derive(Debug, Clone, clap::Args)]
pub struct DirArg {
    /// Working directory for artifacts (settings.json, pk.bin, vk.bin, proof.bin, public.json...).
    #[arg(long, short = 'd', default_value = "zkinfer-out")]
    pub dir: PathBuf,
}

/// Which proving backend to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// Groth16 over BN254: 128-byte proofs.
    #[default]
    Groth16,
    /// Constraint checking only, no proof (fast; for debugging circuits).
    Mock,
}

/// Settings flags of `compile`, `inspect` and `e2e`.
#[derive(Debug, Clone, clap::Args)]
pub struct SettingsArgs {
    /// Start from this settings.json instead of the defaults.
    #[arg(long)]
    pub settings: Option<PathBuf>,
    /// Visibility of the model's input.
    #[arg(long, value_enum)]
    pub input_visibility: Option<InputVis>,
    /// Visibility of the weights: private (witness), fixed (circuit constants), hashed (private + public Poseidon commitment).
    #[arg(long, value_enum)]
    pub weights: Option<WeightVis>,
    /// Visibility of the output.
    #[arg(long, value_enum)]
    pub output_visibility: Option<OutputVis>,
    /// Fixed-point scale exponent for inputs, weights and activations (values are
    /// round(x·2^scale)); without it, compile searches the scale (see settings.json `search`).
    #[arg(long)]
    pub scale: Option<u32>,
}

/// `--input-visibility` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InputVis {
    /// Hidden from the verifier.
    Private,
    /// Part of the public statement.
    Public,
    /// Hidden, with a public Poseidon commitment.
    Hashed,
}

/// `--weights` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum WeightVis {
    /// Hidden from the verifier.
    Private,
    /// Baked into the circuit (cheapest).
    Fixed,
    /// Hidden, with a public Poseidon commitment (the model commitment).
    Hashed,
}

/// `--output-visibility` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutputVis {
    /// Part of the public statement.
    Public,
    /// Hidden from the verifier.
    Private,
    /// Hidden, with a public Poseidon commitment.
    Hashed,
}

impl SettingsArgs {
    /// Defaults, overridden by a settings file, overridden by flags.
    pub fn resolve(&self) -> Result<Settings, String> {
        let mut settings = match &self.settings {
            Some(path) => {
                let text =
                    zkinfer::file_limits::read_bounded_text(path, zkinfer::FileKind::Settings)
                        .map_err(|e| e.to_string())?;
                let s: Settings =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                if s.format_version != zkinfer::FORMAT_VERSION {
                    return Err(format!(
                        "{}: format version {} but this zkinfer reads version {}",
                        path.display(),
                        s.format_version,
                        zkinfer::FORMAT_VERSION
                    ));
                }
                s
            }
            None => Settings::new(),
        };
        let vis = &mut settings.plan.visibility;
        if let Some(v) = self.input_visibility {
            vis.input = match v {
                InputVis::Private => InputVisibility::Private,
                InputVis::Public => InputVisibility::Public,
                InputVis::Hashed => InputVisibility::Hashed,
            };
        }
        if let Some(v) = self.weights {
            vis.weights = match v {
                WeightVis::Private => WeightVisibility::Private,
                WeightVis::Fixed => WeightVisibility::Fixed,
                WeightVis::Hashed => WeightVisibility::Hashed,
            };
        }
        if let Some(v) = self.output_visibility {
            vis.output = match v {
                OutputVis::Public => OutputVisibility::Public,
                OutputVis::Private => OutputVisibility::Private,
                OutputVis::Hashed => OutputVisibility::Hashed,
            };
        }
        if let Some(s) = self.scale {
            settings.quant.input_scale = s;
            settings.quant.weight_scale = s;
            settings.quant.activation_scale = s;
            settings.search.enabled = false;
        }
        Ok(settings)
    }
}

/// Runs `work` behind a spinner and returns its result and duration.
pub fn step<T>(label: &str, work: impl FnOnce() -> T) -> (T, Duration) {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
    );
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    let start = Instant::now();
    let out = work();
    let took = start.elapsed();
    bar.finish_and_clear();
    (out, took)
}

/// Seconds with milliseconds.
pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Human-readable byte count.
pub fn bytes(n: usize) -> String {
    zkinfer::layout::limits::human_bytes(n as u64)
}
