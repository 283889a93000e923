//! Stage 5, compose: writes the warning sentence and the support insert from the templates,
//! and recognises the warning and support lines a document already carries.

use crate::lexicon::{TemplateSet, Topic};
use crate::matcher::{Hit, Role};
use crate::normalize::{NormalizedText, on_word_boundaries};
use crate::support::SupportLine;

/// Fills `{name}` placeholders of `template` from `vars`; unknown placeholders stay as written.
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if vars.iter().any(|(k, _)| *k == name) => {
                out.push_str(
                    vars.iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| *v)
                        .unwrap_or(""),
                );
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Joins items naturally: "a", "a and b", "a, b and c". When any item itself contains
/// " and ", a serial comma keeps the list readable ("a and b, and c").
pub fn join_naturally(items: &[&str], conjunction: &str) -> String {
    let serial = items
        .iter()
        .any(|i| i.contains(&format!(" {conjunction} ")));
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [a, b] if !serial => format!("{a} {conjunction} {b}"),
        [init @ .., last] => {
            let sep = if serial { "," } else { "" };
            format!("{}{sep} {conjunction} {last}", init.join(", "))
        }
    }
}

/// The warning sentence naming `labels` (already in display order).
pub fn warning_sentence(templates: &TemplateSet, labels: &[&str]) -> String {
    render(
        &templates.warning,
        &[("topics", &join_naturally(labels, "and"))],
    )
}

/// The text of one support line ("Sands Australia on 1300 072 637 (24 hours a day)").
pub fn support_line_text(templates: &TemplateSet, row: &SupportLine) -> String {
    let template = if row.phone.trim().is_empty() {
        &templates.line_web
    } else if row.hours.trim().is_empty() {
        &templates.line_no_hours
    } else {
        &templates.line
    };
    render(
        template,
        &[
            ("organisation", &row.organisation),
            ("phone", &row.phone),
            ("hours", &row.hours),
            ("url", &row.url),
        ],
    )
}

/// The support insert naming every row of `rows`.
pub fn support_insert(templates: &TemplateSet, rows: &[&SupportLine]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|r| support_line_text(templates, r))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    render(
        &templates.support,
        &[("lines", &join_naturally(&refs, "or"))],
    )
}

/// True when normalised paragraph text reads as a content warning by one of `patterns`.
/// Leading markup (`>`, `*`, `_`, `#`, brackets) is ignored.
pub fn is_notice(normalized: &str, patterns: &[crate::lexicon::Pattern]) -> bool {
    let start = normalized
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(normalized.len());
    let text = &normalized.as_bytes()[start..];
    patterns.iter().any(|p| p.regex().is_match(text))
}

/// True when a notice (normalised text `notice`, with its matcher `hits`) names `topic`:
/// a counted strong cue of the topic, its label, or one of its aliases.
pub fn notice_covers(
    topic_index: usize,
    topic: &Topic,
    notice: &NormalizedText,
    hits: &[Hit],
) -> bool {
    let excluded = |h: &Hit| {
        hits.iter().any(|e| {
            e.topic == topic_index
                && matches!(e.role, Role::Exclusion(_))
                && e.range.start < h.range.end
                && h.range.start < e.range.end
        })
    };
    let cue = hits.iter().any(|h| {
        h.topic == topic_index
            && matches!(h.role, Role::Cue(g) if !topic.cues[g].weak)
            && !excluded(h)
    });
    cue || std::iter::once(crate::normalize::normalize_str(&topic.label))
        .chain(topic.aliases.iter().cloned())
        .any(|name| {
            notice
                .text
                .match_indices(&name)
                .any(|(at, _)| on_word_boundaries(notice.text.as_bytes(), &(at..at + name.len())))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_naturally_with_serial_comma_when_needed() {
        assert_eq!(join_naturally(&["a"], "and"), "a");
        assert_eq!(join_naturally(&["a", "b"], "and"), "a and b");
        assert_eq!(join_naturally(&["a", "b", "c"], "and"), "a, b and c");
        assert_eq!(
            join_naturally(&["miscarriage and pregnancy loss", "infertility"], "and"),
            "miscarriage and pregnancy loss, and infertility"
        );
    }

    #[test]
    fn renders_known_placeholders_only() {
        assert_eq!(
            render("{a} and {b} {c", &[("a", "x"), ("b", "y")]),
            "x and y {c"
        );
        assert_eq!(render("{unknown}", &[]), "{unknown}");
    }
}
