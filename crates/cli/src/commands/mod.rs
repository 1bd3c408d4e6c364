//! Subcommands, one module each.

mod conformance;
mod run;

use clap::{Parser, Subcommand};

/// Prove neural-network inference in zero knowledge.
#[derive(Debug, Parser)]
#[command(name = "zkinfer", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a conformance suite (ONNX node tests or EZKL-style example models)
    /// through the float interpreter and report what passes.
    ///
    /// Example: zkinfer conformance ../shared/corpus/onnx-node --filter conv
    Conformance(conformance::Args),
    /// Run a model's float reference interpreter on an input JSON file.
    ///
    /// Example: zkinfer run fixtures/digits_mlp/model.onnx --input fixtures/digits_mlp/input.json
    Run(run::Args),
}

/// Dispatch a parsed command line. Errors are rendered as one line by `main`.
pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Conformance(args) => conformance::run(args),
        Command::Run(args) => run::run(args),
    }
}
