//! `forewarn fix [PATH...]`: inserts the missing warning after the headline and the missing
//! support insert at the end, atomically, changing no other byte. `--diff` previews the
//! change without writing. A second run changes nothing. `-` reads stdin and writes the
//! fixed text to stdout.

use super::{CommonArgs, expand_paths, for_each_document};
use anyhow::Result;
use clap::Args;
use forewarn::rewrite::{fixed_front_matter, fixed_text, unified_diff, write_atomic};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories to fix; `-` reads stdin and prints the fixed text.
    pub paths: Vec<String>,
    /// Print a unified diff of what would change instead of writing.
    #[arg(long)]
    pub diff: bool,
    /// In Markdown, write the detected topic ids to the front-matter `content_warnings`
    /// list instead of inserting prose.
    #[arg(long)]
    pub front_matter: bool,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `fix`.
pub fn run(args: FixArgs) -> Result<ExitCode> {
    let (engine, opts) = args.common.engine()?;
    if args.common.input.is_some() {
        anyhow::bail!("fix rewrites files; it does not take --input");
    }
    let (jobs, total) = args.common.jobs(&args.paths)?;
    let paths = expand_paths(&args.paths, args.common.no_ignore);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write_errors = 0;
    let mut changed = 0;
    let counts = for_each_document(
        jobs,
        total,
        &args.common,
        |doc| {
            let report = engine.analyze(doc, &opts);
            if args.front_matter && doc.format == forewarn::input::InputFormat::Markdown {
                fixed_front_matter(doc, &report)
            } else {
                fixed_text(doc, &report)
            }
        },
        |doc, fixed| {
            if doc.path == "-" {
                out.write_all(fixed.as_deref().unwrap_or(&doc.text).as_bytes())?;
                return Ok(());
            }
            let Some(new) = fixed else { return Ok(()) };
            changed += 1;
            if args.diff {
                out.write_all(unified_diff(&doc.path, &doc.text, &new).as_bytes())?;
            } else if let Err(e) =
                write_atomic(Path::new(&doc.path), doc.text.as_bytes(), new.as_bytes())
            {
                write_errors += 1;
                eprintln!("forewarn: {}: {e}", doc.path);
                changed -= 1;
            } else if !args.common.quiet {
                eprintln!("forewarn: fixed {}", doc.path);
            }
            Ok(())
        },
    )?;
    out.flush()?;
    if !args.common.quiet
        && !args.diff
        && changed == 0
        && write_errors == 0
        && counts.processed > 0
        && paths != ["-"]
    {
        eprintln!(
            "forewarn: nothing to fix in {} document(s)",
            counts.processed
        );
    }
    let mut counts = counts;
    counts.errors += write_errors;
    counts.processed -= write_errors;
    Ok(counts.exit_code(false))
}
