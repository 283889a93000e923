//! SARIF 2.1.0 output for code-scanning tools: one run, one result per finding.

use super::{Mode, Printer, Summary, findings, with_suggestion};
use crate::report::DocumentReport;
use serde_json::{Value, json};
use std::io::{self, Write};

/// The rules forewarn reports, with their descriptions.
pub const RULES: [(&str, &str); 5] = [
    (
        "missing-warning",
        "A topic that needs a content warning has none.",
    ),
    (
        "missing-support",
        "A topic that needs a support line has none.",
    ),
    (
        "stale-number",
        "A support number is retired or belongs to another region.",
    ),
    ("topic", "A sensitive topic found in the document."),
    (
        "safe-messaging",
        "Wording that safe-messaging guidelines on suicide advise against.",
    ),
];

/// A path as an RFC 3986 URI reference: `/` separators, other bytes outside the unreserved
/// set percent-encoded.
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Collects results and prints one SARIF log at the end.
pub struct SarifPrinter {
    mode: Mode,
    results: Vec<Value>,
}

impl SarifPrinter {
    /// A printer for `mode` (scan adds a note per topic).
    pub fn new(mode: Mode) -> Self {
        SarifPrinter {
            mode,
            results: Vec::new(),
        }
    }
}

impl Printer for SarifPrinter {
    fn document(&mut self, _out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        for f in findings(r, self.mode) {
            let rule_index = RULES.iter().position(|(id, _)| *id == f.rule).unwrap_or(0);
            self.results.push(json!({
                "ruleId": f.rule,
                "ruleIndex": rule_index,
                "level": if f.failing { "warning" } else { "note" },
                "message": { "text": with_suggestion(r, &f) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&r.path) },
                        "region": { "startLine": f.line, "startColumn": f.column }
                    }
                }]
            }));
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        let rules: Vec<Value> = RULES
            .iter()
            .map(|(id, text)| json!({ "id": id, "shortDescription": { "text": text } }))
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "forewarn",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/forewarn/forewarn",
                    "rules": rules
                }},
                "columnKind": "unicodeCodePoints",
                "results": std::mem::take(&mut self.results)
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            super::uri_reference("drafts\\still birth #1 café 100%.md"),
            "drafts/still%20birth%20%231%20caf%C3%A9%20100%25.md"
        );
    }
}
