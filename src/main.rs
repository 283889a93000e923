//! The `forewarn` command: argument parsing and dispatch only.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Finds sensitive topics in articles and drafts and suggests the content warning and
/// support lines a careful editor would add.
#[derive(Debug, Parser)]
#[command(name = "forewarn", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print each document's topics, evidence, suggested warning and support lines.
    Scan(cli::scan::ScanArgs),
    /// Exit 1 when a document needs a warning or support line and lacks it (pre-commit).
    Check(cli::check::CheckArgs),
    /// Insert the missing warning and support line (atomically; --diff to preview).
    Fix(cli::fix::FixArgs),
    /// List, show, validate and test lexicons.
    Lexicons(cli::lexicons::LexiconsArgs),
    /// Show how each topic's score was reached for one document.
    Explain(cli::explain::ExplainArgs),
    /// Precision and recall of `warn` against hand labels.
    Eval(cli::eval::EvalArgs),
    /// Fit the decision models (lexicons/model.toml) on hand-labelled documents.
    Train(cli::train::TrainArgs),
    /// Print the effective configuration.
    Config(cli::config::ConfigArgs),
}

/// glibc raises its mmap threshold (up to 32 MiB) each time a large block is freed, so
/// later large blocks come from per-thread heaps that keep their memory: with several
/// threads analysing large documents in turn, peak memory grew with the number of threads,
/// not with the largest document. A fixed threshold hands large blocks back when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator parameter; it runs before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn run() -> anyhow::Result<ExitCode> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(a) => cli::scan::run(a),
        Command::Check(a) => cli::check::run(a),
        Command::Fix(a) => cli::fix::run(a),
        Command::Lexicons(a) => cli::lexicons::run(a),
        Command::Explain(a) => cli::explain::run(a),
        Command::Eval(a) => cli::eval::run(a),
        Command::Train(a) => cli::train::run(a),
        Command::Config(a) => cli::config::run(a),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            let message = format!("{err:#}");
            eprintln!("forewarn: {}", forewarn::output::terminal_safe(&message));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
