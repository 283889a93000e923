//! Plain text: the whole text is prose, the first non-empty line is the headline when it is
//! short enough to be one (a body delivered as one long line has none), and paragraphs are
//! separated by blank lines (or are single lines when a text has none).
//! Lines `# forewarn-ignore TOPIC…`, `# forewarn-disable` and `# forewarn-enable` are
//! directives, not prose.

use super::Structure;
use std::ops::Range;

/// An inline directive found in a comment or a directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `forewarn-ignore TOPIC…`: the topics are ignored for the whole document.
    Ignore(Vec<String>),
    /// `forewarn-disable`: matches are not counted from here…
    Disable,
    /// `forewarn-enable`: …to here.
    Enable,
}

/// Parses the body of a comment (`forewarn-ignore suicide`, `forewarn-disable`, …).
pub fn parse_directive(comment: &str) -> Option<Directive> {
    let mut words = comment.split_whitespace();
    match words.next()? {
        "forewarn-ignore" => Some(Directive::Ignore(
            words.map(|w| w.trim_end_matches(',').to_string()).collect(),
        )),
        "forewarn-disable" => Some(Directive::Disable),
        "forewarn-enable" => Some(Directive::Enable),
        _ => None,
    }
}

/// Applies a directive found at `range` to `structure`; `open` tracks an unclosed disable.
pub fn apply_directive(
    structure: &mut Structure,
    directive: Directive,
    range: Range<usize>,
    open: &mut Option<usize>,
) {
    match directive {
        Directive::Ignore(topics) => structure.ignored_topics.extend(topics),
        Directive::Disable => {
            open.get_or_insert(range.end);
        }
        Directive::Enable => {
            if let Some(start) = open.take() {
                structure.disabled.push(start..range.start);
            }
        }
    }
}

/// A first line longer than this is the body, not a headline.
pub const HEADLINE_MAX_WORDS: usize = 40;

/// Prose ranges and layout of a plain-text document.
pub fn structure(text: &str) -> Structure {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let lines = line_ranges(text, start);
    let mut s = Structure {
        support_at: text.len(),
        ..Structure::default()
    };
    let mut open = None;
    let mut prose_start = start;
    let mut content_lines = Vec::with_capacity(lines.len());
    for r in &lines {
        let line = text[r.clone()].trim();
        let directive = line
            .strip_prefix('#')
            .and_then(|rest| parse_directive(rest.trim()));
        match directive {
            Some(d) => {
                if prose_start < r.start {
                    s.prose.push(prose_start..r.start);
                }
                prose_start = r.end;
                apply_directive(&mut s, d, r.clone(), &mut open);
                content_lines.push(start..start); // a directive line reads as blank
            }
            None => content_lines.push(r.clone()),
        }
    }
    if prose_start < text.len() {
        s.prose.push(prose_start..text.len());
    }
    if let Some(from) = open {
        s.disabled.push(from..text.len());
    }
    let Some(first) = content_lines
        .iter()
        .position(|r| !is_blank(&text[r.clone()]))
    else {
        return s;
    };
    let first_line = trim_range(text, content_lines[first].clone());
    let rest = if text[first_line.clone()].split_whitespace().count() <= HEADLINE_MAX_WORDS {
        s.warning_at = after_line(text, first_line.end);
        s.layout.headline = Some(first_line);
        &content_lines[first + 1..]
    } else {
        // No headline: a warning goes on top of the body.
        s.warning_at = first_line.start;
        &content_lines[first..]
    };
    let has_blank_lines = rest.iter().any(|r| is_blank(&text[r.clone()]));
    s.lines_are_paragraphs = !has_blank_lines;
    let mut current: Option<Range<usize>> = None;
    for r in rest {
        if is_blank(&text[r.clone()]) {
            s.layout.paragraphs.extend(current.take());
            continue;
        }
        let line = trim_range(text, r.clone());
        match (&mut current, has_blank_lines) {
            (Some(p), true) => p.end = line.end,
            _ => {
                s.layout.paragraphs.extend(current.take());
                current = Some(line);
            }
        }
    }
    s.layout.paragraphs.extend(current);
    s
}

/// The line break of `text`, one definition for every line number, line and paragraph
/// forewarn reports: a line ends at `\n` (with any `\r` before it). Only a text with no
/// `\n` at all and a `\r` in it (a classic Mac file) has its lines end at `\r`; a stray
/// `\r` in a text that has `\n` line breaks is not one, as git and code-hosting sites count.
pub fn line_break(text: &str) -> u8 {
    let b = text.as_bytes();
    if memchr::memchr(b'\n', b).is_none() && memchr::memchr(b'\r', b).is_some() {
        b'\r'
    } else {
        b'\n'
    }
}

/// Byte ranges of each line of `text` from `start`, without the line terminator (see
/// [`line_break`]).
pub fn line_ranges(text: &str, start: usize) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let brk = line_break(text);
    let mut out = Vec::new();
    let mut line_start = start;
    for i in memchr::memchr_iter(brk, &b[start.min(b.len())..]).map(|i| start + i) {
        let end = if brk == b'\n' && i > line_start && b[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        out.push(line_start..end);
        line_start = i + 1;
    }
    if line_start < b.len() || out.is_empty() {
        out.push(line_start..b.len());
    }
    out
}

/// The offset just past the line break that ends the line holding byte `at` (see
/// [`line_break`]).
pub fn after_line(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let at = at.min(b.len());
    memchr::memchr(line_break(text), &b[at..]).map_or(b.len(), |i| at + i + 1)
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// `r` without leading and trailing white space.
pub fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return r.start..r.start;
    }
    r.start + lead..r.end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_then_paragraphs() {
        let text = "\n  Title here \n\nPara one\nstill one\n\n\nPara two\n";
        let s = structure(text);
        assert_eq!(&text[s.layout.headline.unwrap()], "Title here");
        let paras: Vec<&str> = s
            .layout
            .paragraphs
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(paras, vec!["Para one\nstill one", "Para two"]);
        assert_eq!(&text[..s.warning_at], "\n  Title here \n");
        assert_eq!(s.support_at, text.len());
    }

    #[test]
    fn a_long_first_line_is_body_not_headline() {
        let body = "A sentence of the story. ".repeat(20);
        let text = format!("\n{body}\n");
        let s = structure(&text);
        assert_eq!(s.layout.headline, None);
        assert_eq!(s.layout.paragraphs.len(), 1);
        assert_eq!(s.warning_at, 1);
    }

    #[test]
    fn lines_are_paragraphs_without_blank_lines() {
        let text = "Title\r\nOne\r\nTwo";
        let s = structure(text);
        let paras: Vec<&str> = s
            .layout
            .paragraphs
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(paras, vec!["One", "Two"]);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let text = "Title\rOne\r\rTwo\r";
        let s = structure(text);
        assert_eq!(&text[s.layout.headline.clone().unwrap()], "Title");
        assert_eq!(s.warning_at, 6);
        assert_eq!(s.layout.paragraphs.len(), 2);
    }

    #[test]
    fn directive_lines_are_not_prose() {
        let text = "Title\n# forewarn-ignore suicide, violence\nA\n# forewarn-disable\nB\n# forewarn-enable\nC\n# forewarn-disable\nD\n";
        let s = structure(text);
        assert_eq!(s.ignored_topics, vec!["suicide", "violence"]);
        let disabled: Vec<&str> = s.disabled.iter().map(|r| text[r.clone()].trim()).collect();
        assert_eq!(disabled, vec!["B", "D"]);
        let prose: String = s.prose.iter().map(|r| &text[r.clone()]).collect();
        assert!(!prose.contains("forewarn"));
    }
}
