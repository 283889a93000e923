//! `forewarn lexicons list|show|validate|test`: what the lexicons hold, and checks of a
//! user's own lexicon files (errors name file and line).

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use forewarn::engine::Engine;
use forewarn::lexicon::{LexiconSet, cases::run_cases};
use forewarn::support::LineStatus;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lexicons`.
#[derive(Debug, Args)]
pub struct LexiconsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: LexiconsAction,
    /// Extra lexicon directory or topic file, loaded over the defaults (repeatable).
    #[arg(long = "lexicons", value_name = "DIR", global = true)]
    pub lexicons: Vec<PathBuf>,
}

/// `lexicons` subcommands.
#[derive(Debug, Subcommand)]
pub enum LexiconsAction {
    /// Lists topics: id, label, term counts, regions with a dedicated support line.
    List,
    /// Prints one topic's definition and support lines.
    Show {
        /// Topic id.
        id: String,
    },
    /// Validates a directory of lexicon files (or one file) without the defaults.
    Validate {
        /// Directory or file.
        path: PathBuf,
    },
    /// Runs the test cases in lexicon files (default: the embedded ones).
    Test {
        /// Directories or topic files to test (loaded over the defaults).
        paths: Vec<PathBuf>,
    },
}

/// Runs `lexicons`.
pub fn run(args: LexiconsArgs) -> Result<ExitCode> {
    match args.action {
        LexiconsAction::List => {
            let set = LexiconSet::load(&args.lexicons).context("loading lexicons")?;
            println!(
                "{:<22} {:<40} {:>6} {:>8}  regions",
                "id", "label", "terms", "patterns"
            );
            for t in &set.topics {
                let terms: usize = t
                    .cues
                    .iter()
                    .flat_map(|c| &c.terms)
                    .map(|x| x.variants.len())
                    .sum();
                let patterns: usize = t.cues.iter().map(|c| c.patterns.len()).sum();
                let regions: std::collections::BTreeSet<&str> = set
                    .support
                    .lines
                    .iter()
                    .filter(|l| l.serves(&t.id) && l.status == LineStatus::Current)
                    .map(|l| l.region.as_str())
                    .collect();
                let regions: Vec<&str> = regions.into_iter().collect();
                println!(
                    "{:<22} {:<40} {:>6} {:>8}  {}",
                    t.id,
                    t.label,
                    terms,
                    patterns,
                    regions.join(" ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LexiconsAction::Show { id } => {
            let set = LexiconSet::load(&args.lexicons).context("loading lexicons")?;
            let Some(t) = set.topic(&id) else {
                let ids: Vec<&str> = set.topics.iter().map(|t| t.id.as_str()).collect();
                bail!("no topic {id:?}; topics: {}", ids.join(", "));
            };
            println!("{} ({})  from {}", t.label, t.id, t.source);
            println!(
                "thresholds: warn {} mention {}; headline ×{} lead ×{} (first {} words)",
                t.score.warn, t.score.mention, t.score.headline, t.score.lead, t.score.lead_words
            );
            match set.model.topics.get(&t.id) {
                Some(m) => println!(
                    "decided by the fitted model (lexicons/model.toml): warn at p {}",
                    m.threshold
                ),
                None => println!("decided by the thresholds (no fitted model)"),
            }
            for c in &t.cues {
                let kind = if c.weak { "weak" } else { "strong" };
                let terms: Vec<&str> = c.terms.iter().map(|x| x.written.as_str()).collect();
                println!("cues weight {} ({kind}): {}", c.weight, terms.join(", "));
                for p in &c.patterns {
                    println!("  pattern: {}", p.written);
                }
            }
            for e in &t.exclusions {
                let terms: Vec<&str> = e.terms.iter().map(|x| x.written.as_str()).collect();
                println!("exclusion ({}): {}", e.reason, terms.join(", "));
                for p in &e.patterns {
                    println!("  pattern: {}", p.written);
                }
            }
            println!("support lines:");
            for l in set.support.lines.iter().filter(|l| l.serves(&t.id)) {
                println!(
                    "  {} {} {} ({:?}, verified {})",
                    l.region, l.organisation, l.phone, l.status, l.verified
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LexiconsAction::Validate { path } => {
            let topics = LexiconSet::load_only(&path)?;
            // Also check it combines with the defaults (defer_to, ids).
            LexiconSet::load(std::slice::from_ref(&path))?;
            println!("{}: {} topic(s) valid", path.display(), topics.len());
            Ok(ExitCode::SUCCESS)
        }
        LexiconsAction::Test { paths } => {
            let mut extra = args.lexicons.clone();
            extra.extend(paths.iter().cloned());
            let set = LexiconSet::load(&extra).context("loading lexicons")?;
            let ids: Vec<String> = if paths.is_empty() {
                set.topics.iter().map(|t| t.id.clone()).collect()
            } else {
                let mut ids = Vec::new();
                for p in &paths {
                    ids.extend(LexiconSet::load_only(p)?.into_iter().map(|t| t.id));
                }
                ids
            };
            let engine = Engine::new(set);
            let (mut run, mut failed) = (0, 0);
            for id in &ids {
                let r = run_cases(&engine, id);
                run += r.run;
                failed += r.failures.len();
                for f in &r.failures {
                    println!("FAIL {} [{}] {:?}: {}", f.topic, f.kind, f.text, f.got);
                }
            }
            println!("{} passed, {} failed", run - failed, failed);
            Ok(ExitCode::from(if failed > 0 {
                super::EXIT_FINDINGS
            } else {
                super::EXIT_OK
            }))
        }
    }
}
