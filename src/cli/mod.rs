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
use forewarn::input::{DEFAULT_MAX_BYTES, Document, InputError, InputFormat, OpenDocument};
use forewarn::lexicon::LexiconSet;
use forewarn::output::Format;
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--threads` is capped at this many per available core: more only adds contention, and
/// a huge number would spawn threads until the machine stalls.
pub const MAX_THREADS_PER_CORE: usize = 4;

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
    /// Follow symbolic links: into linked directories when walking, and (for `fix`) to
    /// rewrite the file a link points to.
    #[arg(long)]
    pub follow_symlinks: bool,
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
        if let Some(asked) = self.threads {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let cap = MAX_THREADS_PER_CORE * cores;
            let n = asked.clamp(1, cap);
            if n < asked && !self.quiet {
                eprintln!(
                    "forewarn: --threads {asked} is more than {MAX_THREADS_PER_CORE} per core; using {n}"
                );
            }
            // Only the first call in a process takes effect, which is the one that matters.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
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

/// The documents named by path arguments, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Walk {
    /// `-` and files as given; the documents found in directories, in sorted order.
    pub paths: Vec<PathBuf>,
    /// One line per folder or entry that could not be read during a walk.
    pub errors: Vec<String>,
}

/// Expands path arguments: `-` and files stay as given, directories are walked (honouring
/// ignore files unless `no_ignore`) for documents with a known extension. Links to files
/// are listed like files; links to directories are entered only with `follow_symlinks`.
/// No paths means stdin. Names need not be UTF-8.
pub fn expand_paths(paths: &[PathBuf], no_ignore: bool, follow_symlinks: bool) -> Walk {
    if paths.is_empty() {
        return Walk {
            paths: vec![PathBuf::from("-")],
            errors: Vec::new(),
        };
    }
    let mut walk = Walk::default();
    for p in paths {
        if p.as_os_str() == "-" || !p.is_dir() {
            walk.paths.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(p)
            .standard_filters(!no_ignore)
            .hidden(!no_ignore)
            .follow_links(follow_symlinks)
            .build()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    walk.errors.push(e.to_string());
                    continue;
                }
            };
            let is_file = entry
                .file_type()
                .is_some_and(|t| t.is_file() || (t.is_symlink() && entry.path().is_file()));
            let document = entry
                .path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| DOCUMENT_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
            if is_file && document {
                found.push(entry.into_path());
            }
        }
        found.sort();
        walk.paths.extend(found);
    }
    walk
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
    Path(PathBuf),
    /// A document from a batch file, or why it could not be made.
    Record(Box<Result<Document, RecordError>>),
    /// Something that could not even be listed (an unreadable folder in a walk).
    Failed(String),
}

impl CommonArgs {
    /// The documents to process: the records of `--input`, else the expanded paths (with
    /// the folders a walk could not read, as failures in their place).
    pub fn jobs(
        &self,
        paths: &[PathBuf],
    ) -> Result<(Box<dyn Iterator<Item = Job>>, Option<usize>)> {
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
        let walk = expand_paths(paths, self.no_ignore, self.follow_symlinks);
        let kept: Vec<PathBuf> = walk
            .paths
            .into_iter()
            .filter(|p| {
                p.as_os_str() == "-"
                    || !excludes.is_match(p.to_string_lossy().trim_start_matches("./"))
            })
            .collect();
        if kept.is_empty() && walk.errors.is_empty() {
            let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            anyhow::bail!(
                "no documents found in {} (ignore files, hidden names and exclude patterns may have left them out; --no-ignore reads them)",
                named.join(", ")
            );
        }
        let total = kept.len() + walk.errors.len();
        let jobs = walk
            .errors
            .into_iter()
            .map(Job::Failed)
            .chain(kept.into_iter().map(Job::Path));
        Ok((Box::new(jobs), Some(total)))
    }

    /// Where reports go: stdout, or `--output FILE`, written to a temporary file beside it
    /// and renamed over it by [`Output::commit`]. An output file that is one of the inputs
    /// (the same file, by device and inode) is refused before anything is read.
    pub fn output(&self, paths: &[PathBuf]) -> Result<Output> {
        let Some(path) = &self.output else {
            return Ok(Output {
                writer: std::io::BufWriter::new(Box::new(std::io::stdout())),
                file: None,
            });
        };
        if let Ok(out) = std::fs::metadata(path) {
            let inputs: Vec<PathBuf> = match &self.input {
                Some(batch) => vec![PathBuf::from(batch)],
                None => expand_paths(paths, self.no_ignore, self.follow_symlinks).paths,
            };
            if inputs.iter().any(|i| same_file(&out, i)) {
                anyhow::bail!(
                    "{}: is also an input; --output would overwrite it (write the report elsewhere)",
                    path.display()
                );
            }
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".forewarn-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("creating a file beside {}", path.display()))?;
        let handle = tmp.reopen()?;
        Ok(Output {
            writer: std::io::BufWriter::new(Box::new(handle)),
            file: Some((tmp, path.clone())),
        })
    }
}

/// True when `path` names the file whose metadata is `out` (same device and inode).
fn same_file(out: &std::fs::Metadata, path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).is_ok_and(|m| m.dev() == out.dev() && m.ino() == out.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (out, path);
        false
    }
}

/// Where a command writes its reports.
pub struct Output {
    writer: std::io::BufWriter<Box<dyn std::io::Write>>,
    /// For `--output`: the temporary file written and the path it will replace.
    file: Option<(tempfile::NamedTempFile, PathBuf)>,
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl Output {
    /// Flushes everything written and, for `--output`, syncs the file and renames it into
    /// place: a reader never sees half a report, and a failed run leaves the old one.
    pub fn commit(mut self) -> Result<()> {
        use std::io::Write;
        self.writer.flush()?;
        if let Some((tmp, path)) = self.file.take() {
            tmp.as_file().sync_all()?;
            tmp.persist(&path)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

/// How many bytes of documents may be read and under analysis at once, across all
/// threads. A document larger than this is analysed alone; so peak memory is a few times
/// the larger of this and the largest document, however many documents a run has.
pub const BYTES_IN_FLIGHT: u64 = 32 * 1024 * 1024;

/// The bytes of documents being read and analysed; a thread waits for room before reading.
#[derive(Default)]
struct Budget {
    used: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
}

impl Budget {
    /// Waits until `n` more bytes fit (at once when nothing else is in flight).
    fn acquire(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + n > BYTES_IN_FLIGHT {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += n;
    }

    /// Gives `n` bytes back.
    fn release(&self, n: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= n;
        self.freed.notify_all();
    }
}

/// Processes every job with `work` on all cores and hands each result, with the
/// document's path, to `sink` in input order. Memory stays bounded whatever the number and
/// size of documents: jobs go in chunks (of at most [`BYTES_IN_FLIGHT`] of records), each
/// document is read only when there is room ([`Budget`]), and its text is dropped once
/// `work` is done. Documents that cannot be read are reported on stderr with their path
/// or record line and counted; the run goes on. `work` must not itself wait for other
/// jobs of the pool (it runs while holding room in the budget).
pub fn for_each_document<T: Send>(
    jobs: Box<dyn Iterator<Item = Job>>,
    total: Option<usize>,
    common: &CommonArgs,
    work: impl Fn(&Document) -> T + Sync,
    mut sink: impl FnMut(&str, T) -> Result<()>,
) -> Result<RunCounts> {
    let chunk_size = (rayon::current_num_threads() * 64).max(64);
    let progress = progress_bar(total, common.quiet);
    let format = common.input_format.and_then(FormatArg::document_format);
    let budget = Budget::default();
    let mut counts = RunCounts::default();
    let mut jobs = jobs.peekable();
    let mut bytes = 0u64;
    while jobs.peek().is_some() {
        // Records are already in memory: a chunk holds at most the budget's worth.
        let mut chunk: Vec<Job> = Vec::with_capacity(chunk_size);
        let mut chunk_bytes = 0u64;
        while chunk.len() < chunk_size
            && chunk_bytes < BYTES_IN_FLIGHT
            && let Some(job) = jobs.next()
        {
            if let Job::Record(r) = &job
                && let Ok(doc) = r.as_ref()
            {
                chunk_bytes += doc.text.len() as u64;
            }
            chunk.push(job);
        }
        let results: Vec<Result<(String, u64, T), String>> = chunk
            .into_par_iter()
            .map(|job| {
                let (doc, size) = match job {
                    Job::Path(p) => {
                        let shown = |e: InputError| format!("{}: {e}", p.display());
                        let open = OpenDocument::open(&p, common.max_bytes).map_err(shown)?;
                        let size = open.size;
                        budget.acquire(size);
                        match open.read(format, common.max_bytes) {
                            Ok(doc) => (doc, size),
                            Err(e) => {
                                budget.release(size);
                                return Err(shown(e));
                            }
                        }
                    }
                    Job::Record(r) => {
                        let doc = (*r).map_err(|e| e.to_string())?;
                        let size = doc.text.len() as u64;
                        budget.acquire(size);
                        (doc, size)
                    }
                    Job::Failed(why) => return Err(why),
                };
                let out = work(&doc);
                let (path, len) = (doc.path.clone(), doc.text.len() as u64);
                drop(doc);
                budget.release(size);
                Ok((path, len, out))
            })
            .collect();
        for r in results {
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            match r {
                Ok((path, len, out)) => {
                    counts.processed += 1;
                    bytes += len;
                    if let Some(pb) = &progress {
                        let secs = pb.elapsed().as_secs_f64().max(1e-3);
                        pb.set_message(format!("{:.1} MB/s", bytes as f64 / 1e6 / secs));
                    }
                    sink(&path, out)?;
                }
                Err(e) => {
                    counts.errors += 1;
                    let line = format!("forewarn: {}", forewarn::output::terminal_safe(&e));
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
