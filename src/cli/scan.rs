//! `forewarn scan [PATH...]`: prints, per document, its topics with level, score and
//! evidence, the suggested warning and the suggested support lines. `-` or no path reads
//! stdin; directories are walked. Exit 0, 2 on error, 3 when some documents failed.

use super::{CommonArgs, for_each_document};
use anyhow::Result;
use clap::Args;
use forewarn::output::{Mode, Summary, printer};
use std::process::ExitCode;

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` or nothing for stdin.
    pub paths: Vec<std::path::PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    run_mode(&args.paths, &args.common, Mode::Scan)
}

/// Runs `scan` or `check` over `paths`, printing in `mode`.
pub fn run_mode(paths: &[std::path::PathBuf], common: &CommonArgs, mode: Mode) -> Result<ExitCode> {
    let (engine, opts) = common.engine()?;
    if opts.region.is_none()
        && !common.quiet
        && common.format == forewarn::output::Format::Human
        && mode == Mode::Scan
    {
        eprintln!(
            "forewarn: {}",
            engine.lexicons.templates_for(None).fallback_note
        );
    }
    let (jobs, total) = common.jobs(paths)?;
    let mut out = common.output(paths)?;
    let mut printer = printer(common.format, mode, common.color());
    printer.begin(&mut out)?;
    let mut summary = Summary::default();
    let counts = for_each_document(
        jobs,
        total,
        common,
        |doc| engine.analyze(doc, &opts),
        |_, report| {
            summary.documents += 1;
            if report.fails_check() {
                summary.failing += 1;
            }
            printer.document(&mut out, &report)?;
            Ok(())
        },
    )?;
    summary.errors = counts.errors;
    printer.finish(&mut out, &summary)?;
    out.commit()?;
    if mode == Mode::Check
        && !common.quiet
        && summary.failing > 0
        && common.format == forewarn::output::Format::Human
    {
        eprintln!(
            "forewarn: {} of {} document(s) failed the check (`forewarn fix` adds missing warnings and support lines)",
            summary.failing, summary.documents
        );
    }
    Ok(counts.exit_code(mode == Mode::Check && summary.failing > 0))
}
