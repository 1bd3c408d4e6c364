//! `zkinfer`: the command-line face of the pipeline.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused)]

mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
