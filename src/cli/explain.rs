//! `forewarn explain PATH`: for each topic, which terms matched where with their weights,
//! what was excluded and why, and how the score compares with the thresholds.

use super::CommonArgs;
use anyhow::{Result, anyhow};
use clap::Args;
use forewarn::input::Document;
use forewarn::output::Format;
use std::process::ExitCode;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The document to explain (`-` for stdin).
    pub path: std::path::PathBuf,
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs `explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let (engine, mut opts) = args.common.engine()?;
    opts.include_below_threshold = true;
    let format = args
        .common
        .input_format
        .and_then(super::FormatArg::document_format);
    let doc = Document::read(&args.path, format, args.common.max_bytes)
        .map_err(|e| anyhow!("{}: {e}", args.path.display()))?;
    let report = engine.analyze(&doc, &opts);
    if args.common.format != Format::Human {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let safe = forewarn::output::terminal_safe;
    println!("{}", safe(&report.path));
    if let Some(h) = &doc.layout().headline {
        println!("headline: {:?}", &doc.text[h.clone()]);
    }
    println!(
        "existing warning: {}; existing support number: {}",
        report.has_warning, report.has_support
    );
    if report.topics.is_empty() {
        println!("no topic term matched");
    }
    for t in &report.topics {
        let level = t.level.map_or("none", |l| l.as_str());
        println!();
        match &t.model {
            Some(m) => {
                println!(
                    "{} ({}): {level}, score {}; fitted model: p {:.3}, warn at p {} (mention at score {})",
                    t.label, t.id, t.score, m.probability, m.threshold, t.mention_threshold
                );
                for f in &m.features {
                    println!(
                        "  {:>+6.2}  {:<9} {:>7.3} × {:>7.3}",
                        f.contribution, f.name, f.value, f.weight
                    );
                }
            }
            None => println!(
                "{} ({}): {level}, score {} — warn at {}, mention at {}",
                t.label, t.id, t.score, t.warn_threshold, t.mention_threshold
            ),
        }
        if let Some(d) = &t.deferred_to {
            println!("  capped at mention: defers to {d}, which is at warn");
        }
        if let Some(n) = t.too_few_places {
            println!(
                "  capped at mention: strong cues in only {n} place(s) (headline or stretches of the body); warn needs more"
            );
        }
        for m in &t.matches {
            println!(
                "  + {:>5.2}  {}:{}  {:?}  weight {}{} in {:?}",
                m.contribution,
                m.line,
                m.column,
                m.text,
                m.weight,
                if m.weak { " (weak)" } else { "" },
                m.position
            );
        }
        for e in &t.excluded {
            println!(
                "  - excluded {}:{} {:?} by {:?}: {}",
                e.line,
                e.column,
                e.text,
                e.by,
                safe(&e.reason)
            );
        }
        if t.unsupported_weak > 0 {
            println!(
                "  ({} weak cue(s) not counted: no strong cue nearby)",
                t.unsupported_weak
            );
        }
        println!(
            "  warning present: {}; support line present: {}",
            t.warned, t.supported
        );
    }
    Ok(ExitCode::SUCCESS)
}
