//! `forewarn check [PATH...]`: the pre-commit command. Exit 1 when a document has a `warn`
//! topic without a covering content warning or a support line serving it, or prints a
//! stale support number; 0 when everything is covered; 2 on error; 3 when some documents
//! could not be read.

use super::CommonArgs;
use anyhow::Result;
use clap::Args;
use forewarn::output::Mode;
use std::process::ExitCode;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` or nothing for stdin.
    pub paths: Vec<std::path::PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    super::scan::run_mode(&args.paths, &args.common, Mode::Check)
}
