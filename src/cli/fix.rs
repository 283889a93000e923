//! `forewarn fix [PATH...]`: inserts the missing warning after the headline and the missing
//! support insert at the end, atomically, changing no other byte. `--diff` previews the
//! change without writing. A second run changes nothing. `-` reads stdin and writes the
//! fixed text to stdout.

use super::{CommonArgs, expand_paths, for_each_document};
use anyhow::Result;
use clap::Args;
use forewarn::output::terminal_safe;
use forewarn::rewrite::{
    fixed_front_matter, fixed_text, remove_stale_temp_files, unified_diff, write_atomic,
};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories to fix; `-` reads stdin and prints the fixed text.
    pub paths: Vec<std::path::PathBuf>,
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

/// What fixing one document came to.
enum Outcome {
    /// Nothing was missing.
    Unchanged,
    /// Text for stdout: the fixed (or unchanged) text of stdin, or a diff.
    Print(String),
    /// The file was rewritten.
    Written,
    /// The file needed a fix that could not be written: why.
    Failed(String),
}

/// Runs `fix`.
pub fn run(args: FixArgs) -> Result<ExitCode> {
    let (engine, opts) = args.common.engine()?;
    if args.common.input.is_some() {
        anyhow::bail!("fix rewrites files; it does not take --input");
    }
    let (jobs, total) = args.common.jobs(&args.paths)?;
    let only_stdin = expand_paths(&args.paths, true, false).paths == [Path::new("-")];
    // Folders already cleared of temporary files a killed run left behind.
    let cleaned = std::sync::Mutex::new(std::collections::HashSet::new());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write_errors = 0;
    let mut changed = 0;
    // The file is written by the worker that analysed it, so no document's text waits in
    // memory for its turn; messages still come in input order.
    let counts = for_each_document(
        jobs,
        total,
        &args.common,
        |doc| {
            let report = engine.analyze(doc, &opts);
            let fixed = if args.front_matter && doc.format == forewarn::input::InputFormat::Markdown
            {
                fixed_front_matter(doc, &report)
            } else {
                fixed_text(doc, &report)
            };
            if doc.path == "-" {
                return Outcome::Print(fixed.unwrap_or_else(|| doc.text.clone()));
            }
            let Some(new) = fixed else {
                return Outcome::Unchanged;
            };
            if args.diff {
                return Outcome::Print(unified_diff(&doc.path, &doc.text, &new));
            }
            let path = Path::new(&doc.path);
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let first_here = cleaned
                .lock()
                .is_ok_and(|mut c| c.insert(dir.map(Path::to_path_buf)));
            if first_here {
                remove_stale_temp_files(dir.unwrap_or(Path::new(".")));
            }
            match write_atomic(
                path,
                doc.text.as_bytes(),
                new.as_bytes(),
                args.common.follow_symlinks,
            ) {
                Ok(()) => Outcome::Written,
                Err(e) => Outcome::Failed(e.to_string()),
            }
        },
        |path, outcome| {
            match outcome {
                Outcome::Unchanged => {}
                Outcome::Print(text) => {
                    changed += usize::from(path != "-");
                    out.write_all(text.as_bytes())?;
                }
                Outcome::Written => {
                    changed += 1;
                    if !args.common.quiet {
                        eprintln!("forewarn: fixed {}", terminal_safe(path));
                    }
                }
                Outcome::Failed(why) => {
                    write_errors += 1;
                    eprintln!("forewarn: {}: {why}", terminal_safe(path));
                }
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
        && !only_stdin
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
