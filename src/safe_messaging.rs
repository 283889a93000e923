//! Safe-messaging wording (`lexicons/safe-messaging.toml`): phrasing about suicide that
//! media guidelines advise against, found on the normalised text and reported with the
//! preferred phrasing. Never rewritten.

use crate::lexicon::topic::compile_pattern;
use crate::lexicon::{LexiconError, line_of};
use crate::normalize::{NormalizedText, on_word_boundaries};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How a safe-messaging finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not reported.
    Off,
    /// Reported; `check` still passes.
    Note,
    /// Reported; `check` fails.
    Warning,
}

/// Example sentences of a rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleTests {
    /// Each must be flagged.
    #[serde(rename = "match")]
    pub must_match: Vec<String>,
    /// Each must not be flagged.
    pub no_match: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    severity: Severity,
    message: String,
    preferred: String,
    patterns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    tests: RuleTests,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rules: Vec<RuleFile>,
}

/// One wording rule, compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// Why the wording is advised against.
    pub message: String,
    /// What the guidelines prefer.
    pub preferred: String,
    /// Compiled patterns.
    pub patterns: Vec<regex::bytes::Regex>,
    /// Example sentences.
    pub tests: RuleTests,
}

/// A place where a rule's wording occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the rule.
    pub rule: usize,
    /// Byte range in the original text.
    pub range: Range<usize>,
}

/// Parses a rules file; `source` names it in errors.
pub fn parse_rules(source: &str, text: &str) -> Result<Vec<Rule>, LexiconError> {
    let err = |offset: usize, message: String| LexiconError {
        file: source.to_string(),
        line: line_of(text, offset),
        message,
    };
    let file: RulesFile = toml::from_str(text)
        .map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
    file.rules
        .into_iter()
        .map(|r| {
            let patterns = r
                .patterns
                .iter()
                .map(|p| compile_pattern(p.get_ref()).map_err(|m| err(p.span().start, m)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Rule {
                id: r.id,
                severity: r.severity,
                message: r.message,
                preferred: r.preferred,
                patterns,
                tests: r.tests,
            })
        })
        .collect()
}

/// One regex that matches a text whenever any pattern of `rules` does (the alternation of
/// them all): a text it does not match holds no finding. `None` if it cannot be compiled.
pub fn gate(rules: &[Rule]) -> Option<regex::bytes::Regex> {
    let alternatives: Vec<String> = rules
        .iter()
        .flat_map(|r| &r.patterns)
        .map(|p| format!("(?:{})", p.as_str()))
        .collect();
    if alternatives.is_empty() {
        return None;
    }
    compile_pattern(&alternatives.join("|")).ok()
}

/// Every place in `text` where a rule's wording occurs, in order.
pub fn find(rules: &[Rule], text: &NormalizedText) -> Vec<Finding> {
    let haystack = text.text.as_bytes();
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        for p in &rule.patterns {
            for m in p.find_iter(haystack) {
                let r = m.start()..m.end();
                if !r.is_empty() && on_word_boundaries(haystack, &r) {
                    out.push(Finding {
                        rule: i,
                        range: text.original_range(r),
                    });
                }
            }
        }
    }
    out.sort_by_key(|f| (f.range.start, f.rule));
    out.dedup_by(|a, b| {
        a.rule == b.rule && a.range.start < b.range.end && b.range.start < a.range.end
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded_rules() -> Vec<Rule> {
        let (_, text) = crate::lexicon::EMBEDDED_FILES
            .iter()
            .find(|(n, _)| *n == "safe-messaging.toml")
            .unwrap();
        parse_rules("safe-messaging.toml", text).unwrap()
    }

    #[test]
    fn the_gate_lets_through_every_text_with_a_finding_and_stops_others() {
        let rules = embedded_rules();
        let gate = gate(&rules).expect("the embedded rules make one regex");
        for rule in &rules {
            for s in &rule.tests.must_match {
                assert!(
                    gate.is_match(NormalizedText::new(s).text.as_bytes()),
                    "{s:?}"
                );
            }
        }
        for s in [
            "The council met on Tuesday.",
            "she survived a suicide attempt",
        ] {
            let n = NormalizedText::new(s);
            assert!(find(&rules, &n).is_empty());
            assert!(!gate.is_match(n.text.as_bytes()), "{s:?}");
        }
        assert!(super::gate(&[]).is_none());
    }

    #[test]
    fn every_rule_passes_its_examples() {
        let rules = embedded_rules();
        assert!(rules.len() >= 6);
        for (i, rule) in rules.iter().enumerate() {
            for s in &rule.tests.must_match {
                let hits = find(&rules, &NormalizedText::new(s));
                assert!(
                    hits.iter().any(|f| f.rule == i),
                    "{}: {s:?} should be flagged",
                    rule.id
                );
            }
            for s in &rule.tests.no_match {
                let hits = find(&rules, &NormalizedText::new(s));
                assert!(
                    !hits.iter().any(|f| f.rule == i),
                    "{}: {s:?} should not be flagged",
                    rule.id
                );
            }
        }
    }
}
