//! Stage 6, output: prints [`DocumentReport`]s. One file per format; every printer sees only
//! reports, streamed in input order, and never re-scans.

pub mod csv;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::report::DocumentReport;
use std::borrow::Cow;
use std::io::{self, Write};

/// True for characters a terminal acts on instead of showing: C0 and C1 controls, DEL,
/// and the bidirectional marks, embeddings, overrides and isolates that reorder a line.
fn drives_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// `s` with every character that could drive a terminal (ESC and the sequences it starts,
/// BEL, backspace, CR and LF, bidi overrides) written as an escape such as `\u{1b}`, so that
/// a document's text or a file's name cannot recolour, retitle, rewrite or reorder what a
/// person reads, nor forge a line of output.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(drives_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if drives_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Output formats, as chosen with `--format`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Readable text (default).
    Human,
    /// One JSON array of documents.
    Json,
    /// One JSON object per document per line.
    Jsonl,
    /// One CSV row per document.
    Csv,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Which command the output is for: `check` reports only what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `scan`: every finding and suggestion.
    Scan,
    /// `check`: what would make the check fail.
    Check,
}

/// Totals printed after the last document.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Documents analysed.
    pub documents: usize,
    /// Documents that could not be read.
    pub errors: usize,
    /// Documents that fail `check`.
    pub failing: usize,
}

/// Writes a stream of reports in one format.
pub trait Printer {
    /// Called once before the first document.
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// Called for each document, in input order.
    fn document(&mut self, out: &mut dyn Write, report: &DocumentReport) -> io::Result<()>;
    /// Called once after the last document.
    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// A printer for `format` in `mode`; `color` turns on ANSI colours in human output.
pub fn printer(format: Format, mode: Mode, color: bool) -> Box<dyn Printer + Send> {
    match format {
        Format::Human => Box::new(human::HumanPrinter::new(mode, color)),
        Format::Json => Box::new(json::JsonPrinter::array()),
        Format::Jsonl => Box::new(json::JsonPrinter::lines()),
        Format::Csv => Box::new(csv::CsvPrinter),
        Format::Sarif => Box::new(sarif::SarifPrinter::new(mode)),
        Format::Github => Box::new(github::GithubPrinter::new(mode)),
    }
}

/// One problem `check` reports, with where to point at in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Rule id (`missing-warning`, `missing-support`, `stale-number`, `topic`).
    pub rule: &'static str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// One-line message.
    pub message: String,
    /// True for failures of `check`; false for notes.
    pub failing: bool,
}

/// The findings of one report, in a stable order: missing warnings and support lines
/// (pointing at the topic's first match), stale numbers, and in scan mode every topic.
pub fn findings(report: &DocumentReport, mode: Mode) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = |id: &str| {
        report
            .topics
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.matches.first())
            .map_or((1, 1), |m| (m.line, m.column))
    };
    let label = |id: &str| {
        report
            .topics
            .iter()
            .find(|t| t.id == id)
            .map_or(id.to_string(), |t| t.label.clone())
    };
    for id in &report.missing.warning {
        let (line, column) = at(id);
        out.push(Finding {
            rule: "missing-warning",
            line,
            column,
            message: format!("{id}: no content warning for {}", label(id)),
            failing: true,
        });
    }
    for id in &report.missing.support {
        let (line, column) = at(id);
        out.push(Finding {
            rule: "missing-support",
            line,
            column,
            message: format!("{id}: no support line for {}", label(id)),
            failing: true,
        });
    }
    for s in &report.stale_numbers {
        let instead = s
            .suggestion
            .as_ref()
            .map(|i| format!("; use {i}"))
            .unwrap_or_default();
        out.push(Finding {
            rule: "stale-number",
            line: s.line,
            column: s.column,
            message: format!("{}{instead}", s.reason),
            failing: true,
        });
    }
    for w in &report.safe_messaging {
        out.push(Finding {
            rule: "safe-messaging",
            line: w.line,
            column: w.column,
            message: format!(
                "{}: \"{}\": {}; prefer: {}",
                w.rule, w.text, w.message, w.preferred
            ),
            failing: w.severity == crate::safe_messaging::Severity::Warning,
        });
    }
    if mode == Mode::Scan {
        for t in &report.topics {
            let Some(level) = t.level else { continue };
            let (line, column) = t.matches.first().map_or((1, 1), |m| (m.line, m.column));
            out.push(Finding {
                rule: "topic",
                line,
                column,
                message: format!(
                    "{}: {} ({}, score {})",
                    t.id,
                    t.label,
                    level.as_str(),
                    t.score
                ),
                failing: false,
            });
        }
    }
    out
}

/// A finding's message with the text that would fix it, for formats that show one
/// finding at a time.
pub fn with_suggestion(report: &DocumentReport, f: &Finding) -> String {
    let suggestion = match f.rule {
        "missing-warning" => report.missing.warning_text.as_deref(),
        "missing-support" => report.missing.support_text.as_deref(),
        _ => None,
    };
    match suggestion {
        Some(s) => format!("{}; suggested: {s}", f.message),
        None => f.message.clone(),
    }
}
