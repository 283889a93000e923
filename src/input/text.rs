//! Plain text: the whole text is prose, the first non-empty line is the headline, and
//! paragraphs are separated by blank lines (or are single lines when a text has none).

use crate::score::Layout;
use std::ops::Range;

/// Prose ranges and layout of a plain-text document.
pub fn structure(text: &str) -> (Vec<Range<usize>>, Layout) {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let lines = line_ranges(text, start);
    let mut layout = Layout::default();
    let Some(first) = lines.iter().position(|r| !is_blank(&text[r.clone()])) else {
        return (std::iter::once(start..text.len()).collect(), layout);
    };
    layout.headline = Some(trim_range(text, lines[first].clone()));
    let rest = &lines[first + 1..];
    let has_blank_lines = rest.iter().any(|r| is_blank(&text[r.clone()]));
    let mut current: Option<Range<usize>> = None;
    for r in rest {
        if is_blank(&text[r.clone()]) {
            layout.paragraphs.extend(current.take());
            continue;
        }
        let line = trim_range(text, r.clone());
        match (&mut current, has_blank_lines) {
            (Some(p), true) => p.end = line.end,
            _ => {
                layout.paragraphs.extend(current.take());
                current = Some(line);
            }
        }
    }
    layout.paragraphs.extend(current);
    (std::iter::once(start..text.len()).collect(), layout)
}

/// Byte ranges of each line of `text` from `start`, without the line terminator.
pub fn line_ranges(text: &str, start: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = start;
    for piece in text[start..].split_inclusive('\n') {
        let body = piece.trim_end_matches('\n').trim_end_matches('\r');
        out.push(at..at + body.len());
        at += piece.len();
    }
    out
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    r.start + lead..r.end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_then_paragraphs() {
        let text = "\n  Title here \n\nPara one\nstill one\n\n\nPara two\n";
        let (_, l) = structure(text);
        assert_eq!(&text[l.headline.unwrap()], "Title here");
        let paras: Vec<&str> = l.paragraphs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(paras, vec!["Para one\nstill one", "Para two"]);
    }

    #[test]
    fn lines_are_paragraphs_without_blank_lines() {
        let text = "Title\r\nOne\r\nTwo";
        let (_, l) = structure(text);
        let paras: Vec<&str> = l.paragraphs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(paras, vec!["One", "Two"]);
    }
}
