//! Subcommands, one module each.

mod calibrate;
mod common;
mod compile;
mod conformance;
mod e2e;
mod flow;
mod inspect;
mod keys;
mod run;

use clap::{Parser, Subcommand};

/// Prove neural-network inference in zero knowledge: ONNX in, a 128-byte Groth16 proof out.
///
/// The usual workflow, with artifacts in ./zkinfer-out:
///   zkinfer compile model.onnx --calibration input.json
///   zkinfer setup
///   zkinfer prove --input input.json
///   zkinfer verify
/// or all four at once: zkinfer e2e fixtures/digits_mlp
#[derive(Debug, Parser)]
#[command(name = "zkinfer", version, about, verbatim_doc_comment)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import, quantize and plan a model's circuit; writes settings.json and compiled.json.
    ///
    /// Example: zkinfer compile fixtures/digits_cnn/model.onnx --weights fixed
    Compile(compile::Args),
    /// Compare the quantized model with the float one at several scales.
    ///
    /// Example: zkinfer calibrate fixtures/digits_mlp/model.onnx --scales 5,6,7,8
    Calibrate(calibrate::Args),
    /// Generate the proving and verifying keys of the compiled circuit (pk.bin, vk.bin).
    ///
    /// Example: zkinfer setup -d zkinfer-out
    Setup(keys::SetupArgs),
    /// Prove one inference; writes proof.bin and public.json and prints the output.
    ///
    /// Example: zkinfer prove --input fixtures/digits_mlp/input.json
    Prove(keys::ProveArgs),
    /// Verify proof.bin and public.json against vk.bin; prints "verified".
    ///
    /// Example: zkinfer verify -d zkinfer-out
    Verify(keys::VerifyArgs),
    /// Compile, set up, prove and verify a model in one go.
    ///
    /// Example: zkinfer e2e fixtures/digits_mlp
    E2e(e2e::Args),
    /// Print the circuit plan: per node the gadget, bit widths and predicted constraints.
    ///
    /// Example: zkinfer inspect fixtures/digits_cnn/model.onnx
    Inspect(inspect::Args),
    /// Run a model's float reference interpreter on an input file.
    ///
    /// Example: zkinfer run fixtures/digits_mlp/model.onnx --input fixtures/digits_mlp/input.json
    Run(run::Args),
    /// Run a conformance suite (ONNX node tests or EZKL-style example models)
    /// through the float interpreter and report what passes.
    ///
    /// Example: zkinfer conformance ../shared/corpus/onnx-node --filter conv
    Conformance(conformance::Args),
}

/// Dispatch a parsed command line. Errors are rendered as one line by `main`.
pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Compile(args) => compile::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Setup(args) => keys::setup(args),
        Command::Prove(args) => keys::prove(args),
        Command::Verify(args) => keys::verify(args),
        Command::E2e(args) => e2e::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Run(args) => run::run(args),
        Command::Conformance(args) => conformance::run(args),
    }
}
