//! GitHub Actions workflow commands: `::warning file=…,line=…::message`, one per finding.

use super::{Mode, Printer, findings, terminal_safe, with_suggestion};
use crate::report::DocumentReport;
use std::io::{self, Write};

/// Prints GitHub annotations.
pub struct GithubPrinter {
    mode: Mode,
}

impl GithubPrinter {
    /// A printer for `mode` (scan adds a notice per topic).
    pub fn new(mode: Mode) -> Self {
        GithubPrinter { mode }
    }
}

/// Escapes a workflow-command message (logs show it as a terminal would, so control
/// characters are escaped first).
fn escape_data(s: &str) -> String {
    terminal_safe(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Printer for GithubPrinter {
    fn document(&mut self, out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        for mut f in findings(r, self.mode) {
            f.message = with_suggestion(r, &f);
            let kind = if f.failing { "warning" } else { "notice" };
            writeln!(
                out,
                "::{kind} file={},line={},col={},title=forewarn {}::{}",
                escape_property(&r.path),
                f.line,
                f.column,
                f.rule,
                escape_data(&f.message)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_properties_and_data() {
        assert_eq!(escape_property("a,b:c%"), "a%2Cb%3Ac%25");
        assert_eq!(escape_data("x\ny"), "x\\u{a}y");
        assert_eq!(escape_data("\u{1b}]8;;x\u{7}"), "\\u{1b}]8;;x\\u{7}");
    }
}
