//! `zkinfer conformance DIR`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use zkinfer_onnx::conformance::run_suite;

/// Arguments of `zkinfer conformance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Suite directory: ONNX node tests (`<case>/model.onnx`) or EZKL examples (`<case>/network.onnx`).
    dir: PathBuf,
    /// Only run cases whose directory name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Also list the cases that passed.
    #[arg(long, short)]
    verbose: bool,
    /// Write the names of the passing cases to this file (a regression baseline).
    #[arg(long)]
    write_baseline: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), String> {
    let report = run_suite(&args.dir, args.filter.as_deref())?;
    print!("{}", report.table(args.verbose));
    if let Some(path) = args.write_baseline {
        let names: BTreeSet<String> = report.passed_names();
        let text: String = names.into_iter().map(|n| n + "\n").collect();
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!(
            "baseline of {} passing cases written to {}",
            report.passed(),
            path.display()
        );
    }
    Ok(())
}
