//! `forewarn eval LABELS.csv`: precision, recall and F1 of `warn` per topic and overall
//! against hand labels (`path,topics` rows; topics `;`-separated; paths relative to
//! `--root`, by default the labels file's directory; `--split` selects rows by a `split`
//! column).

use super::labels::{LabelSet, read_skip_list};
use super::{CommonArgs, for_each_document};
use anyhow::Result;
use clap::Args;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labels CSV with columns `path,topics` (further columns ignored).
    pub labels: PathBuf,
    /// Directory the label paths are relative to.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// List every false positive and false negative.
    #[arg(long)]
    pub errors: bool,
    /// Leave out the labelled paths listed in FILE, one per line, relative like the
    /// labels; `#` lines and anything after ` | ` are ignored (so
    /// `eval/bbc-borderline.txt` can be passed as it is).
    #[arg(long, value_name = "FILE")]
    pub skip: Option<PathBuf>,
    /// Only the rows whose `split` column is NAME (for example `dev` or `holdout`).
    #[arg(long, value_name = "NAME")]
    pub split: Option<String>,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Tally {
    fn scores(&self) -> (f64, f64, f64) {
        let p = if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        };
        let r = if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
}

/// Runs `eval`.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let (engine, opts) = args.common.engine()?;
    let set = LabelSet {
        file: args.labels.clone(),
        root: args
            .root
            .clone()
            .unwrap_or_else(|| args.labels.parent().unwrap_or(Path::new(".")).to_path_buf()),
    };
    let skip = read_skip_list(args.skip.as_deref())?;
    let (rows, skipped) = set.read(args.split.as_deref(), &skip)?;
    let paths: Vec<String> = rows.iter().map(|r| r.path.clone()).collect();
    let expected: HashMap<String, BTreeSet<String>> =
        rows.into_iter().map(|r| (r.path, r.topics)).collect();
    let mut tallies: BTreeMap<String, Tally> = engine
        .lexicons
        .topics
        .iter()
        .map(|t| (t.id.clone(), Tally::default()))
        .collect();
    let mut mistakes = Vec::new();
    let total = paths.len();
    let jobs = Box::new(paths.into_iter().map(|p| super::Job::Path(p.into())));
    let counts = for_each_document(
        jobs,
        Some(total),
        &args.common,
        |doc| engine.analyze(doc, &opts),
        |path, report| {
            let got: BTreeSet<String> = report.warn_ids().into_iter().map(String::from).collect();
            let want = &expected[path];
            for t in got.union(want) {
                let tally = tallies.entry(t.clone()).or_default();
                match (got.contains(t), want.contains(t)) {
                    (true, true) => tally.tp += 1,
                    (true, false) => {
                        tally.fp += 1;
                        mistakes.push(format!("FP {t:<20} {path}"));
                    }
                    (false, true) => {
                        tally.fn_ += 1;
                        mistakes.push(format!("FN {t:<20} {path}"));
                    }
                    _ => {}
                }
            }
            Ok(())
        },
    )?;
    let left_out = args
        .skip
        .as_ref()
        .map(|f| format!(" ({skipped} listed in {} left out)", f.display()))
        .unwrap_or_default();
    println!(
        "{} documents from {}{left_out}",
        counts.processed,
        args.labels.display()
    );
    println!(
        "{:<22} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
        "topic", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    let mut total = Tally::default();
    for (id, t) in &tallies {
        if t.tp + t.fp + t.fn_ == 0 {
            continue;
        }
        let (p, r, f) = t.scores();
        println!(
            "{id:<22} {:>4} {:>4} {:>4} {p:>9.3} {r:>7.3} {f:>6.3}",
            t.tp, t.fp, t.fn_
        );
        total.tp += t.tp;
        total.fp += t.fp;
        total.fn_ += t.fn_;
    }
    let (p, r, f) = total.scores();
    println!(
        "{:<22} {:>4} {:>4} {:>4} {p:>9.3} {r:>7.3} {f:>6.3}",
        "overall (micro)", total.tp, total.fp, total.fn_
    );
    if args.errors {
        for m in &mistakes {
            println!("{m}");
        }
    }
    Ok(counts.exit_code(false))
}
