//! `forewarn train LABELS.csv[=ROOT]…`: fits the decision models (`lexicons/model.toml`)
//! from hand-labelled documents. Reads every labelled document, computes each topic's
//! evidence features, picks the warn threshold by cross-validation (folds by document), fits
//! the final models on everything, and prints per-topic cross-validated precision and
//! recall. Rerun it after changing the labels or the lexicons' cues.

use super::labels::{LabelSet, Labelled};
use super::{CommonArgs, Job, for_each_document};
use anyhow::{Context, Result, bail};
use clap::Args;
use forewarn::lexicon::{DecisionModel, TopicModel};
use forewarn::score::TopicFeatures;
use forewarn::train::{Example, FitOptions, fit_models};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labels files (`path,topics` rows), each optionally with `=ROOT`, the directory
    /// its paths are relative to (default: the file's directory).
    #[arg(required = true, value_name = "LABELS.csv[=ROOT]")]
    pub sets: Vec<String>,
    /// Only the rows whose `split` column is NAME (rows of files without one are kept).
    #[arg(long, value_name = "NAME")]
    pub split: Option<String>,
    /// Write the model file here (default: stdout).
    #[arg(long = "write", value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Cross-validation folds for choosing the threshold.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// L2 penalty of the pooled model.
    #[arg(long, default_value_t = FitOptions::default().pooled_penalty)]
    pub pooled_penalty: f64,
    /// L2 penalty pulling each topic towards the pooled model.
    #[arg(long, default_value_t = FitOptions::default().topic_penalty)]
    pub topic_penalty: f64,
    /// Choose the threshold with the best F1 among those whose cross-validated precision
    /// is at least this.
    #[arg(long, default_value_t = 0.0)]
    pub min_precision: f64,
    /// List every cross-validated false positive and false negative (to stderr).
    #[arg(long)]
    pub errors: bool,
    /// Also write every example (path, topic, fold, label, features) to FILE as CSV, for
    /// studying the features outside forewarn.
    #[arg(long, value_name = "FILE")]
    pub examples: Option<PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// One document's labels and features.
struct Row {
    path: String,
    topics: BTreeSet<String>,
    features: Vec<TopicFeatures>,
    fold: usize,
}

/// Runs `train`.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    if args.folds < 2 {
        bail!("--folds must be at least 2");
    }
    let (engine, _) = args.common.engine()?;
    let topics = &engine.lexicons.topics;
    let names = engine.lexicons.feature_names();
    let dims = names.len();
    let mut labelled: Vec<Labelled> = Vec::new();
    for arg in &args.sets {
        let set = LabelSet::parse(arg);
        labelled.extend(set.read(args.split.as_deref(), &BTreeSet::new())?.0);
    }
    for l in &labelled {
        if let Some(t) = l.topics.iter().find(|t| engine.lexicons.topic(t).is_none()) {
            bail!("{}: unknown topic {t:?} in the labels", l.path);
        }
    }
    let total = labelled.len();
    let mut labels = labelled.into_iter();
    let jobs = Box::new(
        labels
            .clone()
            .map(|l| Job::Path(l.path.into()))
            .collect::<Vec<_>>()
            .into_iter(),
    );
    let mut rows: Vec<Row> = Vec::with_capacity(total);
    let counts = for_each_document(
        jobs,
        Some(total),
        &args.common,
        |doc| engine.topic_features(doc),
        |path, features| {
            // Jobs come back in input order; skip labels whose document failed to read.
            for l in labels.by_ref() {
                if l.path == path {
                    rows.push(Row {
                        fold: fold_of(&l.path, args.folds),
                        path: l.path.clone(),
                        topics: l.topics,
                        features,
                    });
                    break;
                }
            }
            Ok(())
        },
    )?;
    if rows.is_empty() {
        bail!("no labelled document could be read");
    }
    let options = FitOptions {
        pooled_penalty: args.pooled_penalty,
        topic_penalty: args.topic_penalty,
    };
    // Deferral: a topic's `deferred` feature says whether a topic it defers to is at warn.
    // A first fit takes that from the labels; the final one from the first fit's verdicts.
    let deferred_by_labels = |row: &Row, t: usize| {
        topics[t].defer_to.iter().any(|d| {
            row.topics.contains(d)
                && row
                    .features
                    .iter()
                    .any(|f| topics[f.topic].id == *d && f.features[0] > 0.0)
        })
    };
    let first = fit_all(
        &rows,
        dims,
        topics,
        |_| true,
        options,
        0.5,
        &deferred_by_labels,
    );
    let deferred_by_model = |row: &Row, t: usize| {
        topics[t].defer_to.iter().any(|d| {
            row.features.iter().any(|f| {
                topics[f.topic].id == *d
                    && first[f.topic].probability(&f.features) >= first[f.topic].threshold
            })
        })
    };
    if let Some(file) = &args.examples {
        let mut w =
            csv::Writer::from_path(file).with_context(|| format!("writing {}", file.display()))?;
        let mut header = vec![
            "path".to_string(),
            "topic".into(),
            "fold".into(),
            "warn".into(),
        ];
        header.extend(names.iter().cloned());
        w.write_record(&header)?;
        for row in &rows {
            for (t, x, warn) in examples_of(row, topics, &deferred_by_model) {
                let mut rec = vec![
                    row.path.clone(),
                    topics[t].id.clone(),
                    row.fold.to_string(),
                    u8::from(warn).to_string(),
                ];
                rec.extend(x.iter().map(|v| v.to_string()));
                w.write_record(&rec)?;
            }
        }
        w.flush()?;
    }
    // Cross-validated probabilities for every example.
    // (topic, probability, warn, row)
    let mut scored: Vec<(usize, f64, bool, usize)> = Vec::new();
    for fold in 0..args.folds {
        let models = fit_all(
            &rows,
            dims,
            topics,
            |r| r.fold != fold,
            options,
            0.5,
            &deferred_by_model,
        );
        for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.fold == fold) {
            for (t, x, warn) in examples_of(row, topics, &deferred_by_model) {
                scored.push((t, models[t].probability(&x), warn, i));
            }
        }
    }
    // Labelled warnings no counted cue reaches: missed whatever the model says.
    let mut unreachable = vec![0usize; topics.len()];
    let mut no_cue: Vec<(usize, &str)> = Vec::new();
    for row in &rows {
        for id in &row.topics {
            let t = topics.iter().position(|x| &x.id == id).expect("checked");
            if !row
                .features
                .iter()
                .any(|f| f.topic == t && f.features[0] > 0.0)
            {
                unreachable[t] += 1;
                no_cue.push((t, &row.path));
            }
        }
    }
    let missed: usize = unreachable.iter().sum();
    let tally = |threshold: f64, topic: Option<usize>| {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for &(t, p, warn, _) in &scored {
            if topic.is_some_and(|x| x != t) {
                continue;
            }
            match (p >= threshold, warn) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        fn_ += topic.map_or(missed, |t| unreachable[t]);
        (tp, fp, fn_)
    };
    let prf = |(tp, fp, fn_): (usize, usize, usize)| {
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    };
    let threshold = (5..=95)
        .map(|i| i as f64 / 100.0)
        .filter(|&t| prf(tally(t, None)).0 >= args.min_precision)
        .max_by(|&a, &b| prf(tally(a, None)).2.total_cmp(&prf(tally(b, None)).2))
        .unwrap_or(0.5);
    let models = fit_all(
        &rows,
        dims,
        topics,
        |_| true,
        options,
        threshold,
        &deferred_by_model,
    );

    eprintln!(
        "{} documents ({} could not be read); threshold {threshold:.2} chosen by {}-fold cross-validation",
        rows.len(),
        counts.errors,
        args.folds
    );
    eprintln!(
        "{:<22} {:>8} {:>5} {:>11} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "topic", "examples", "warn", "unreachable", "tp", "fp", "fn", "precision", "recall"
    );
    let mut model = DecisionModel::default();
    for (t, topic) in topics.iter().enumerate() {
        let examples = scored.iter().filter(|s| s.0 == t).count();
        let positives = scored.iter().filter(|s| s.0 == t && s.2).count();
        let counts = tally(threshold, Some(t));
        let (p, r, _) = prf(counts);
        eprintln!(
            "{:<22} {:>8} {:>5} {:>11} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}",
            topic.id, examples, positives, unreachable[t], counts.0, counts.1, counts.2, p, r
        );
        if examples > 0 {
            model.topics.insert(topic.id.clone(), models[t].clone());
        }
    }
    if args.errors {
        let mut mistakes: Vec<(usize, String)> = scored
            .iter()
            .filter(|s| (s.1 >= threshold) != s.2)
            .map(|&(t, p, warn, i)| {
                let kind = if warn { "FN" } else { "FP" };
                (
                    t,
                    format!("{kind} {:<22} p {p:.2}  {}", topics[t].id, rows[i].path),
                )
            })
            .chain(
                no_cue
                    .iter()
                    .map(|&(t, path)| (t, format!("FN {:<22} no cue  {path}", topics[t].id))),
            )
            .collect();
        mistakes.sort();
        for (_, m) in mistakes {
            eprintln!("{m}");
        }
    }
    let overall = tally(threshold, None);
    let (p, r, f) = prf(overall);
    eprintln!(
        "{:<22} {:>8} {:>5} {:>11} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}  (F1 {f:.3})",
        "overall (micro)",
        scored.len(),
        scored.iter().filter(|s| s.2).count(),
        missed,
        overall.0,
        overall.1,
        overall.2,
        p,
        r
    );
    let header = format!(
        "Decision models, fitted by `forewarn train` (do not edit by hand: refit from the labels).\n\
         \n\
         Labels: {}{}\n\
         {} documents; threshold {threshold:.2} chosen by {}-fold cross-validation, where the\n\
         models scored warn precision {p:.3}, recall {r:.3} (labelled warnings no cue reaches count as missed).\n\
         Penalties: pooled {}, topic {}. Features: see `forewarn explain` and src/score/features.rs.",
        args.sets.join(" "),
        args.split
            .as_ref()
            .map(|s| format!(" (split {s})"))
            .unwrap_or_default(),
        rows.len(),
        args.folds,
        options.pooled_penalty,
        options.topic_penalty,
    );
    let text = model.to_toml(&header, &names);
    match &args.write {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The examples of one document: every topic with a counted strong cue, its features (with
/// `deferred` from `deferred`) and whether the labels say warn.
fn examples_of(
    row: &Row,
    topics: &[forewarn::lexicon::Topic],
    deferred: &dyn Fn(&Row, usize) -> bool,
) -> Vec<(usize, Vec<f64>, bool)> {
    row.features
        .iter()
        .filter(|f| f.features[0] > 0.0)
        .map(|f| {
            let mut x = f.features.clone();
            x[forewarn::score::features::DEFERRED] = f64::from(u8::from(deferred(row, f.topic)));
            (f.topic, x, row.topics.contains(&topics[f.topic].id))
        })
        .collect()
}

/// Fits every topic's model on the rows `keep` selects.
fn fit_all(
    rows: &[Row],
    dims: usize,
    topics: &[forewarn::lexicon::Topic],
    keep: impl Fn(&Row) -> bool,
    options: FitOptions,
    threshold: f64,
    deferred: &dyn Fn(&Row, usize) -> bool,
) -> Vec<TopicModel> {
    let mut examples: Vec<Vec<Example>> = vec![Vec::new(); topics.len()];
    for row in rows.iter().filter(|r| keep(r)) {
        for (t, features, warn) in examples_of(row, topics, deferred) {
            examples[t].push(Example { features, warn });
        }
    }
    fit_models(dims, &examples, options, threshold)
}

/// A stable fold for `path` (FNV-1a of its bytes).
fn fold_of(path: &str, folds: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % folds as u64) as usize
}
