//! Command-line commands, one file each; this module holds what they share: common flags,
//! loading the engine, expanding paths, and running documents in parallel in input order.

pub mod check;
pub mod eval;
pub mod explain;
pub mod fix;
pub mod lexicons;
pub mod scan;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{DEFAULT_MAX_BYTES, Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use forewarn::output::Format;
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: success (and, for `check`, nothing missing).
pub const EXIT_OK: u8 = 0;
/// Exit status of `check` when a document lacks a warning or support line.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status for an error: bad flags or lexicons, or no document could be processed.
pub const EXIT_ERROR: u8 = 2;
/// Exit status when some documents were processed and others could not be read.
pub const EXIT_PARTIAL: u8 = 3;

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Flags every document command takes.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Region for support lines: AU, NZ, UK, IE, US or CA (default: international services).
    #[arg(long, short = 'r', env = "FOREWARN_REGION")]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour (NO_COLOR turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Extra lexicon directory or topic file; adds to or replaces the defaults (repeatable).
    #[arg(long = "lexicons", value_name = "DIR")]
    pub lexicons: Vec<PathBuf>,
    /// Read every document as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Skip documents larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Do not show a progress bar or the summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Search directories without honouring .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
}

impl CommonArgs {
    /// True when human output should be coloured.
    pub fn color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }

    /// Loads the lexicons and compiles the engine; sets the thread count.
    pub fn engine(&self) -> Result<(Engine, AnalyzeOptions)> {
        if let Some(n) = self.threads {
            // Only the first call in a process takes effect, which is the one that matters.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global();
        }
        let lexicons = LexiconSet::load(&self.lexicons).context("loading lexicons")?;
        let engine = Engine::new(lexicons);
        let region = match &self.region {
            Some(r) => Some(engine.resolve_region(r).map_err(anyhow::Error::msg)?),
            None => None,
        };
        Ok((
            engine,
            AnalyzeOptions {
                region,
                include_below_threshold: false,
            },
        ))
    }
}

/// Extensions read when walking a directory.
const DOCUMENT_EXTENSIONS: [&str; 7] = ["txt", "text", "md", "markdown", "mdx", "html", "htm"];

/// Expands path arguments: `-` and files stay as given, directories are walked (honouring
/// ignore files unless `no_ignore`) for documents with a known extension, in sorted order.
/// No paths means stdin.
pub fn expand_paths(paths: &[String], no_ignore: bool) -> Vec<String> {
    if paths.is_empty() {
        return vec!["-".to_string()];
    }
    let mut out = Vec::new();
    for p in paths {
        if p != "-" && std::path::Path::new(p).is_dir() {
            let mut found: Vec<String> = ignore::WalkBuilder::new(p)
                .standard_filters(!no_ignore)
                .hidden(!no_ignore)
                .build()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .filter(|e| {
                    e.path()
                        .extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| {
                            DOCUMENT_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str())
                        })
                })
                .map(|e| e.path().to_string_lossy().into_owned())
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Counts of a run over many documents.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunCounts {
    /// Documents processed.
    pub processed: usize,
    /// Documents that could not be read.
    pub errors: usize,
}

impl RunCounts {
    /// The exit code for these counts when there were no findings.
    pub fn exit_code(&self, findings: bool) -> ExitCode {
        ExitCode::from(if self.processed == 0 && self.errors > 0 {
            EXIT_ERROR
        } else if self.errors > 0 {
            EXIT_PARTIAL
        } else if findings {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        })
    }
}

/// A document read and processed, or why it could not be read.
type DocumentResult<T> = Result<(Document, T), forewarn::input::InputError>;

/// Reads and processes each path with `work` on all cores, in chunks so memory stays
/// bounded, and hands each result to `sink` in input order. Read errors are printed to
/// stderr with their path and counted; the run goes on.
pub fn for_each_document<T: Send>(
    paths: &[String],
    common: &CommonArgs,
    work: impl Fn(&Document) -> T + Sync,
    mut sink: impl FnMut(&Document, T) -> Result<()>,
) -> Result<RunCounts> {
    let chunk = (rayon::current_num_threads() * 8).max(8);
    let progress = progress_bar(paths.len(), common.quiet);
    let mut counts = RunCounts::default();
    for group in paths.chunks(chunk) {
        let results: Vec<(String, DocumentResult<T>)> = group
            .par_iter()
            .map(|p| {
                let r = Document::read(p, common.input_format, common.max_bytes).map(|doc| {
                    let out = work(&doc);
                    (doc, out)
                });
                (p.clone(), r)
            })
            .collect();
        for (path, r) in results {
            match r {
                Ok((doc, out)) => {
                    counts.processed += 1;
                    if let Some(pb) = &progress {
                        pb.inc_length(0);
                        pb.inc(1);
                        pb.set_message(format!("{:.1} MB", doc.text.len() as f64 / 1e6));
                    }
                    sink(&doc, out)?;
                }
                Err(e) => {
                    counts.errors += 1;
                    if let Some(pb) = &progress {
                        pb.inc(1);
                    }
                    let line = format!("forewarn: {path}: {e}");
                    match &progress {
                        Some(pb) => pb.println(line),
                        None => eprintln!("{line}"),
                    }
                }
            }
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    Ok(counts)
}

/// A progress bar on stderr for long runs, only when stderr is a terminal.
fn progress_bar(total: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || total < 20 || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} documents  {per_sec}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}
