//! Stage 5, compose: writes the warning sentence and the support insert from the templates,
//! and recognises the warning and support lines a document already carries.

use crate::lexicon::{TemplateSet, Topic};
use crate::matcher::{Hit, Role};
use crate::normalize::{NormalizedText, on_word_boundaries};
use crate::support::SupportLine;
use std::ops::Range;

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

/// A notice or support note longer than this many words is not one: it is the story.
pub const NOTE_MAX_WORDS: usize = 60;

/// Number of white-space separated words in `text`.
fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Byte offsets just past each sentence end in `text[range]`, in order and found lazily: a
/// `.`, `!` or `?` (and any closing quotes or brackets after it) followed by white space, a tag or
/// the end of the range.
fn sentence_ends(text: &str, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    let mut i = range.start;
    std::iter::from_fn(move || {
        while i < range.end {
            let found = memchr::memchr3(b'.', b'!', b'?', &b[i..range.end])?;
            let mut j = i + found + 1;
            while j < range.end && matches!(b[j], b'"' | b'\'' | b')' | b']') {
                j += 1;
            }
            // Curly closing quotes are three bytes each.
            while text[j..range.end].starts_with(['\u{201D}', '\u{2019}']) {
                j += 3;
            }
            i = j;
            // A tag after the stop (`.</p>`) ends the sentence as white space does.
            if j >= range.end || b[j].is_ascii_whitespace() || b[j] == b'<' {
                return Some(j);
            }
        }
        None
    })
}

/// The sentences of the paragraph `range`, trimmed, in order and found lazily (the last
/// runs to the end of the paragraph whether or not it ends a sentence).
pub fn sentences(text: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = range.start;
    sentence_ends(text, range.clone())
        .chain([range.end])
        .filter_map(move |end| {
            let piece = &text[start..end];
            let lead = piece.len() - piece.trim_start().len();
            let trail = piece.len() - piece.trim_end().len();
            let sentence = (start + lead < end - trail).then_some(start + lead..end - trail);
            start = end;
            sentence
        })
}

/// True when the sentence `range` is short enough to be a notice or a support note;
/// longer, it is the story, and its text stays evidence.
pub fn is_note_sized(text: &str, range: &Range<usize>) -> bool {
    words(&text[range.clone()]) <= NOTE_MAX_WORDS
}

/// The sentence of the paragraph `range` that holds byte `at` (a support number), when it
/// is short enough to be a support note rather than a sentence of the story.
pub fn support_note_extent(text: &str, range: Range<usize>, at: usize) -> Option<Range<usize>> {
    let mut start = range.start;
    let mut end = range.end;
    for e in sentence_ends(text, range) {
        if e <= at {
            start = e;
        } else {
            end = e;
            break;
        }
    }
    let start = start + text[start..end].len() - text[start..end].trim_start().len();
    (words(&text[start..end]) <= NOTE_MAX_WORDS).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_after_a_full_stop_ends_the_sentence() {
        let text = "Call 13 11 14.</p><p>This article discusses suicide.";
        let got: Vec<&str> = sentences(text, 0..text.len()).map(|r| &text[r]).collect();
        assert_eq!(
            got,
            ["Call 13 11 14.", "</p><p>This article discusses suicide."]
        );
    }

    #[test]
    fn paragraphs_split_into_sentences() {
        let text = " TW: none. The baby was stillborn (at term.) \"Why?\" she asked. CW: a list";
        let got: Vec<&str> = sentences(text, 0..text.len()).map(|r| &text[r]).collect();
        assert_eq!(
            got,
            [
                "TW: none.",
                "The baby was stillborn (at term.)",
                "\"Why?\"",
                "she asked.",
                "CW: a list"
            ]
        );
        let run_on = format!("Trigger warning: {}", "and then ".repeat(40));
        assert!(!is_note_sized(&run_on, &(0..run_on.len())));
    }

    #[test]
    fn a_support_note_is_the_short_sentence_around_the_number() {
        let text = format!(
            "{} If you need support, call 13 11 14. {}",
            "She lost her son in March. ".repeat(10),
            "The inquest continues. ".repeat(10)
        );
        let at = text.find("13 11 14").unwrap();
        let r = support_note_extent(&text, 0..text.len(), at).unwrap();
        assert_eq!(&text[r], "If you need support, call 13 11 14.");
        let long = format!("Call 13 11 14 {}", "word ".repeat(70));
        assert_eq!(support_note_extent(&long, 0..long.len(), 5), None);
    }

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
