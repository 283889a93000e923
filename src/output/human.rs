//! Readable output for a terminal: per document its topics with evidence and the
//! suggestions (`scan`), or only what is missing (`check`).

use super::{Mode, Printer, Summary, findings, terminal_safe as safe};
use crate::report::DocumentReport;
use crate::score::Level;
use std::io::{self, Write};

/// How many matches of a topic are listed before "… and N more".
const MATCHES_SHOWN: usize = 5;

/// ANSI styles, empty when colour is off.
struct Palette {
    bold: &'static str,
    red: &'static str,
    yellow: &'static str,
    dim: &'static str,
    green: &'static str,
    reset: &'static str,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if color {
            Palette {
                bold: "\x1b[1m",
                red: "\x1b[31m",
                yellow: "\x1b[33m",
                dim: "\x1b[2m",
                green: "\x1b[32m",
                reset: "\x1b[0m",
            }
        } else {
            Palette {
                bold: "",
                red: "",
                yellow: "",
                dim: "",
                green: "",
                reset: "",
            }
        }
    }
}

/// Prints reports for people.
pub struct HumanPrinter {
    mode: Mode,
    p: Palette,
}

impl HumanPrinter {
    /// A printer for `mode`, with or without colour.
    pub fn new(mode: Mode, color: bool) -> Self {
        HumanPrinter {
            mode,
            p: Palette::new(color),
        }
    }

    fn scan(&self, out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        let p = &self.p;
        let name = match &r.id {
            Some(id) => format!("{} [{}]", safe(&r.path), safe(id)),
            None => safe(&r.path).into_owned(),
        };
        writeln!(out, "{}{name}{}", p.bold, p.reset)?;
        if r.topics.is_empty() {
            writeln!(out, "  {}no sensitive topics found{}", p.dim, p.reset)?;
        }
        for t in &r.topics {
            let (color, level) = match t.level {
                Some(Level::Warn) => (p.red, "warn"),
                Some(Level::Mention) => (p.yellow, "mention"),
                None => (p.dim, "below"),
            };
            let deferred = t
                .deferred_to
                .as_ref()
                .map(|d| format!(", capped: {} is at warn", safe(d)))
                .or_else(|| {
                    t.too_few_places
                        .map(|n| format!(", capped: strong cues in only {n} place(s)"))
                })
                .unwrap_or_default();
            let rule = match &t.model {
                Some(m) => format!(
                    "p {:.2}, warn at p {:.2}; mention at {}",
                    m.probability, m.threshold, t.mention_threshold
                ),
                None => format!(
                    "warn at {}, mention at {}",
                    t.warn_threshold, t.mention_threshold
                ),
            };
            writeln!(
                out,
                "  {color}{level:<8}{} {}{}{} ({})  score {} ({rule}{deferred})",
                p.reset,
                p.bold,
                safe(&t.label),
                p.reset,
                safe(&t.id),
                t.score,
            )?;
            // Strong cues first: they are the evidence an editor wants to see.
            let mut shown: Vec<_> = t.matches.iter().collect();
            shown.sort_by_key(|m| m.weak);
            for m in shown.into_iter().take(MATCHES_SHOWN) {
                writeln!(
                    out,
                    "           {}{}:{}{}  {}  {}{}{}",
                    p.dim,
                    m.line,
                    m.column,
                    p.reset,
                    safe(&m.text),
                    p.dim,
                    safe(&m.snippet),
                    p.reset
                )?;
            }
            if t.matches.len() > MATCHES_SHOWN {
                writeln!(
                    out,
                    "           {}… and {} more{}",
                    p.dim,
                    t.matches.len() - MATCHES_SHOWN,
                    p.reset
                )?;
            }
        }
        if let Some(w) = &r.warning {
            let state = if r.missing.warning.is_empty() {
                "present"
            } else {
                "missing"
            };
            writeln!(
                out,
                "  {}warning{}  {}  {}[{state}]{}",
                p.bold,
                p.reset,
                safe(w),
                p.dim,
                p.reset
            )?;
        }
        if let Some(s) = &r.support_text {
            let state = if r.missing.support.is_empty() {
                "present"
            } else {
                "missing"
            };
            writeln!(
                out,
                "  {}support{}  {}  {}[{state}]{}",
                p.bold,
                p.reset,
                safe(s),
                p.dim,
                p.reset
            )?;
        }
        for w in &r.safe_messaging {
            writeln!(
                out,
                "  {}wording{}  {}:{} \"{}\": {} (prefer: {}) [{}]",
                p.yellow,
                p.reset,
                w.line,
                w.column,
                safe(&w.text),
                safe(&w.message),
                safe(&w.preferred),
                safe(&w.rule)
            )?;
        }
        for s in &r.stale_numbers {
            let instead = s
                .suggestion
                .as_ref()
                .map(|i| format!("; use {}", safe(i)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}stale{}    {}:{} {}{instead}",
                p.red,
                p.reset,
                s.line,
                s.column,
                safe(&s.reason)
            )?;
        }
        if let Some(note) = &r.region_note
            && !r.support.is_empty()
        {
            writeln!(out, "  {}note{}     {}", p.dim, p.reset, safe(note))?;
        }
        writeln!(out)
    }

    fn check(&self, out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        let p = &self.p;
        for f in findings(r, Mode::Check) {
            writeln!(
                out,
                "{}{}:{}:{}{}: {}{}{} {}",
                p.bold,
                safe(&r.path),
                f.line,
                f.column,
                p.reset,
                p.red,
                f.rule,
                p.reset,
                safe(&f.message)
            )?;
        }
        if let Some(w) = &r.missing.warning_text {
            writeln!(
                out,
                "  {}add after the headline:{} {}",
                p.dim,
                p.reset,
                safe(w)
            )?;
        }
        if let Some(s) = &r.missing.support_text {
            writeln!(out, "  {}add at the end:{} {}", p.dim, p.reset, safe(s))?;
        }
        Ok(())
    }
}

impl Printer for HumanPrinter {
    fn document(&mut self, out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        match self.mode {
            Mode::Scan => self.scan(out, r),
            Mode::Check => self.check(out, r),
        }
    }

    fn finish(&mut self, out: &mut dyn Write, s: &Summary) -> io::Result<()> {
        if self.mode == Mode::Check && s.documents > 0 && s.failing == 0 {
            let p = &self.p;
            writeln!(
                out,
                "{}ok{}: {} document(s) checked, warnings and support lines in place",
                p.green, p.reset, s.documents
            )?;
        }
        Ok(())
    }
}
