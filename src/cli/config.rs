//! `forewarn config`: prints the effective configuration (files found, merged with flags).

use super::CommonArgs;
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `config`.
pub fn run(args: ConfigArgs) -> Result<ExitCode> {
    let config = args.common.effective_config()?;
    // Validate it the way a scan would, so `forewarn config` doubles as a check.
    args.common.engine()?;
    if config.sources.is_empty() {
        println!("# no configuration file found; defaults and flags only");
    }
    for s in &config.sources {
        println!("# from {}", s.display());
    }
    print!("{}", toml::to_string_pretty(&config)?);
    Ok(ExitCode::SUCCESS)
}
