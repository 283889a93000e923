//! Command-line commands, one file each; this module holds what they share: common flags,
//! loading the engine, expanding paths, and running documents in parallel in input order.

pub mod check;
pub mod config;
pub mod eval;
pub mod explain;
pub mod fix;
pub mod labels;
pub mod lexicons;
pub mod scan;
pub mod train;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use forewarn::config::Config;
use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::records::{RecordError, RecordFields, RecordFormat, RecordReader};
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

/// Formats `--input-format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Plain text.
    Text,
    /// A CSV batch file (with `--input`).
    Csv,
    /// A JSON Lines batch file (with `--input`).
    Jsonl,
}

impl FormatArg {
    fn document_format(self) -> Option<InputFormat> {
        match self {
            FormatArg::Text => Some(InputFormat::Text),
            FormatArg::Csv | FormatArg::Jsonl => None,
        }
    }
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
    /// Read documents as this format instead of guessing from the extension; `csv` and
    /// `jsonl` apply to `--input` batch files.
    #[arg(long, value_enum)]
    pub input_format: Option<FormatArg>,
    /// A batch file of documents, one per CSV row or JSON Lines object (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// CSV column holding the record id.
    #[arg(long, default_value = "id")]
    pub id_column: String,
    /// CSV column holding the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// CSV column holding the title (the headline).
    #[arg(long)]
    pub title_column: Option<String>,
    /// JSON Lines field holding the record id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSON Lines field holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSON Lines field holding the title (the headline).
    #[arg(long)]
    pub title_field: Option<String>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// Read this configuration file (after any forewarn.toml found from the working directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for forewarn.toml or .forewarn.toml.
    #[arg(long)]
    pub no_config: bool,
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

    /// The effective configuration: discovered file < `--config` < flags.
    pub fn effective_config(&self) -> Result<Config> {
        let mut config = Config::default();
        if !self.no_config
            && let Some(found) =
                Config::discover(&std::env::current_dir().context("reading the working directory")?)
        {
            config = Config::read(&found)?;
        }
        if let Some(path) = &self.config {
            config = Config::read(path)?.or(config);
        }
        let flags = Config {
            region: self.region.clone(),
            lexicons: (!self.lexicons.is_empty()).then(|| {
                let mut all = config.lexicons.clone().unwrap_or_default();
                all.extend(self.lexicons.iter().cloned());
                all
            }),
            ..Config::default()
        };
        Ok(flags.or(config))
    }

    /// Loads the configuration and lexicons and compiles the engine; sets the thread count.
    /// The engine lives until the process exits (freeing its tries and term lists would
    /// only delay the exit).
    pub fn engine(&self) -> Result<(&'static Engine, AnalyzeOptions)> {
        if let Some(n) = self.threads {
            // Only the first call in a process takes effect, which is the one that matters.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global();
        }
        let config = self.effective_config()?;
        let mut lexicons = LexiconSet::load(config.lexicons.as_deref().unwrap_or_default())
            .context("loading lexicons")?;
        config.apply(&mut lexicons).map_err(anyhow::Error::msg)?;
        let engine: &'static Engine = Box::leak(Box::new(Engine::new(lexicons)));
        let region = match &config.region {
            Some(r) => Some(engine.resolve_region(r).map_err(anyhow::Error::msg)?),
            None => None,
        };
        let opts = AnalyzeOptions {
            region,
            include_below_threshold: false,
            require: config.fail_level,
            safe_messaging: config.safe_messaging,
        };
        Ok((engine, opts))
    }

    /// The paths to leave out, from the configuration's `exclude` globs.
    pub fn excludes(&self) -> Result<globset::GlobSet> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in self.effective_config()?.exclude.unwrap_or_default() {
            builder.add(
                globset::Glob::new(&pattern)
                    .with_context(|| format!("exclude pattern {pattern:?}"))?,
            );
        }
        Ok(builder.build()?)
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

/// One unit of work: a path to read, or a record already read from a batch file.
pub enum Job {
    /// A file path or `-`.
    Path(String),
    /// A document from a batch file, or why it could not be made.
    Record(Box<Result<Document, RecordError>>),
}

impl CommonArgs {
    /// The documents to process: the records of `--input`, else the expanded paths.
    pub fn jobs(&self, paths: &[String]) -> Result<(Box<dyn Iterator<Item = Job>>, Option<usize>)> {
        if let Some(input) = &self.input {
            let format = match self.input_format {
                Some(FormatArg::Csv) => RecordFormat::Csv,
                Some(FormatArg::Jsonl) => RecordFormat::Jsonl,
                _ => RecordFormat::from_name(input)
                    .ok_or_else(|| anyhow::anyhow!("{input}: say --input-format csv or jsonl"))?,
            };
            let fields = match format {
                RecordFormat::Csv => RecordFields {
                    id: self.id_column.clone(),
                    text: self.text_column.clone(),
                    title: self.title_column.clone(),
                },
                RecordFormat::Jsonl => RecordFields {
                    id: self.id_field.clone(),
                    text: self.text_field.clone(),
                    title: self.title_field.clone(),
                },
            };
            let reader = RecordReader::open(input, format, fields, self.max_bytes)?;
            return Ok((Box::new(reader.map(|r| Job::Record(Box::new(r)))), None));
        }
        if matches!(self.input_format, Some(FormatArg::Csv | FormatArg::Jsonl)) {
            anyhow::bail!("--input-format csv and jsonl apply to --input FILE");
        }
        let excludes = self.excludes()?;
        let paths: Vec<String> = expand_paths(paths, self.no_ignore)
            .into_iter()
            .filter(|p| p == "-" || !excludes.is_match(p.trim_start_matches("./")))
            .collect();
        let total = paths.len();
        Ok((Box::new(paths.into_iter().map(Job::Path)), Some(total)))
    }

    /// Where reports go: `--output FILE` or stdout.
    pub fn output(&self) -> Result<Box<dyn std::io::Write>> {
        Ok(match &self.output {
            Some(p) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
            )),
            None => Box::new(std::io::BufWriter::new(std::io::stdout())),
        })
    }
}

/// Processes every job with `work` on all cores, in chunks so memory stays bounded
/// whatever the number of documents, and hands each result to `sink` in input order.
/// Documents that cannot be read are reported on stderr with their path or record line
/// and counted; the run goes on.
pub fn for_each_document<T: Send>(
    jobs: Box<dyn Iterator<Item = Job>>,
    total: Option<usize>,
    common: &CommonArgs,
    work: impl Fn(&Document) -> T + Sync,
    mut sink: impl FnMut(&Document, T) -> Result<()>,
) -> Result<RunCounts> {
    let chunk_size = (rayon::current_num_threads() * 64).max(64);
    let progress = progress_bar(total, common.quiet);
    let format = common.input_format.and_then(FormatArg::document_format);
    let mut counts = RunCounts::default();
    let mut jobs = jobs.peekable();
    let mut bytes = 0u64;
    while jobs.peek().is_some() {
        let chunk: Vec<Job> = jobs.by_ref().take(chunk_size).collect();
        let results: Vec<Result<(Document, T), String>> = chunk
            .into_par_iter()
            .map(|job| {
                let doc = match job {
                    Job::Path(p) => Document::read(&p, format, common.max_bytes)
                        .map_err(|e| format!("{p}: {e}"))?,
                    Job::Record(r) => (*r).map_err(|e| e.to_string())?,
                };
                let out = work(&doc);
                Ok((doc, out))
            })
            .collect();
        for r in results {
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            match r {
                Ok((doc, out)) => {
                    counts.processed += 1;
                    bytes += doc.text.len() as u64;
                    if let Some(pb) = &progress {
                        let secs = pb.elapsed().as_secs_f64().max(1e-3);
                        pb.set_message(format!("{:.1} MB/s", bytes as f64 / 1e6 / secs));
                    }
                    sink(&doc, out)?;
                }
                Err(e) => {
                    counts.errors += 1;
                    let line = format!("forewarn: {e}");
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
fn progress_bar(total: Option<usize>, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || total.is_some_and(|t| t < 20) || !std::io::stderr().is_terminal() {
        return None;
    }
    let (pb, template) = match total {
        Some(t) => (
            indicatif::ProgressBar::new(t as u64),
            "{bar:30} {pos}/{len} documents  {msg}  eta {eta}",
        ),
        None => (
            indicatif::ProgressBar::new_spinner(),
            "{spinner} {pos} documents  {msg}",
        ),
    };
    pb.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}
