//! `zkinfer setup`, `zkinfer prove`, `zkinfer verify`.

use std::path::PathBuf;

use zkinfer::backend::MockBackend;
use zkinfer::groth16::Groth16Bn254;
use zkinfer::{Fr, WorkDir};

use super::common::{BackendChoice, DirArg};
use super::flow;

/// Arguments of `zkinfer setup`.
#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    #[command(flatten)]
    pub dir: DirArg,
    /// Proving backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

/// Arguments of `zkinfer prove`.
#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    /// Input data (`{"input_data": [[...]]}`).
    #[arg(long, short)]
    pub input: PathBuf,
    #[command(flatten)]
    pub dir: DirArg,
    /// Proving backend (must match the one used for setup).
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

/// Arguments of `zkinfer verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub dir: DirArg,
    /// Proving backend (must match the one used for setup).
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

pub fn setup(args: SetupArgs) -> Result<(), String> {
    let dir = WorkDir::new(&args.dir.dir);
    match args.backend {
        BackendChoice::Groth16 => flow::setup::<Groth16Bn254>(&dir),
        BackendChoice::Mock => flow::setup::<MockBackend<Fr>>(&dir),
    }
    .map(|_| ())
}

pub fn prove(args: ProveArgs) -> Result<(), String> {
    let dir = WorkDir::new(&args.dir.dir);
    match args.backend {
        BackendChoice::Groth16 => flow::prove::<Groth16Bn254>(&dir, &args.input),
        BackendChoice::Mock => flow::prove::<MockBackend<Fr>>(&dir, &args.input),
    }
    .map(|_| ())
}

pub fn verify(args: VerifyArgs) -> Result<(), String> {
    let dir = WorkDir::new(&args.dir.dir);
    match args.backend {
        BackendChoice::Groth16 => flow::verify::<Groth16Bn254>(&dir),
        BackendChoice::Mock => flow::verify::<MockBackend<Fr>>(&dir),
    }
    .map(|_| ())
}
