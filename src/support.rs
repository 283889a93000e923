//! The helpline directory (`lexicons/support-lines.csv`): which organisation to suggest for
//! a topic in a region, and which directory numbers a document already prints.

use crate::lexicon::LexiconError;
use crate::normalize::NormalizedText;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::ops::Range;

/// Region code of the international fallback rows.
pub const INTERNATIONAL: &str = "INT";

/// Whether a directory number is in service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// In service: may be suggested.
    Current,
    /// No longer in service: only recognised, never suggested.
    Retired,
}

/// One row of the directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SupportLine {
    /// Region code (`AU`, `UK`, … or `INT`).
    pub region: String,
    /// Topic ids served, `;`-separated; `*` marks the region's general crisis line.
    pub topics: String,
    /// Organisation name as it should appear in the insert.
    pub organisation: String,
    /// Phone number exactly as the organisation publishes it (may be empty).
    pub phone: String,
    /// Opening hours in words, or empty.
    pub hours: String,
    /// The organisation's web address.
    pub url: String,
    /// In service or retired.
    pub status: LineStatus,
    /// For a retired number, the number to use instead.
    pub replaced_by: String,
    /// Date the row was last checked (YYYY-MM-DD).
    pub verified: String,
    /// Page the row was checked against.
    pub source: String,
    /// Free-form note.
    pub note: String,
}

impl SupportLine {
    /// True when the row serves `topic` by name.
    pub fn serves(&self, topic: &str) -> bool {
        self.topics.split(';').any(|t| t.trim() == topic)
    }

    /// True when the row is its region's general crisis line.
    pub fn is_general(&self) -> bool {
        self.serves("*")
    }

    /// The phone number as digits, letters turned into keypad digits.
    pub fn phone_digits(&self) -> String {
        phone_key(&self.phone)
    }
}

/// Digits of a phone number as dialled: letters map to keypad digits, the rest is dropped.
pub fn phone_key(phone: &str) -> String {
    phone
        .chars()
        .filter_map(|c| match c.to_ascii_uppercase() {
            d @ '0'..='9' => Some(d),
            'A'..='C' => Some('2'),
            'D'..='F' => Some('3'),
            'G'..='I' => Some('4'),
            'J'..='L' => Some('5'),
            'M'..='O' => Some('6'),
            'P'..='S' => Some('7'),
            'T'..='V' => Some('8'),
            'W'..='Z' => Some('9'),
            _ => None,
        })
        .collect()
}

/// A directory number found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberSighting {
    /// Index of the row in [`SupportDirectory::lines`].
    pub row: usize,
    /// Byte range of the number in the original text.
    pub range: Range<usize>,
}

/// The whole directory, rows in priority order.
#[derive(Debug, Clone, Default)]
pub struct SupportDirectory {
    /// Rows in priority order: the first current row for a topic and region is suggested.
    pub lines: Vec<SupportLine>,
}

const HEADER: [&str; 11] = [
    "region",
    "topics",
    "organisation",
    "phone",
    "hours",
    "url",
    "status",
    "replaced_by",
    "verified",
    "source",
    "note",
];

impl SupportDirectory {
    /// Parses a directory CSV; `source` names it in errors.
    pub fn parse(source: &str, text: &str) -> Result<SupportDirectory, LexiconError> {
        let err = |line: u64, message: String| LexiconError {
            file: source.to_string(),
            line: line as usize,
            message,
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
        if header.iter().collect::<Vec<_>>() != HEADER {
            return Err(err(1, format!("header must be: {}", HEADER.join(","))));
        }
        let mut lines = Vec::new();
        for record in reader.deserialize::<SupportLine>() {
            let row: SupportLine = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(1);
                let msg = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    _ => e.to_string(),
                };
                err(line, msg)
            })?;
            lines.push(row);
        }
        for (i, row) in lines.iter_mut().enumerate() {
            let line = i as u64 + 2;
            row.region = row.region.trim().to_ascii_uppercase();
            if row.region.is_empty() || row.organisation.trim().is_empty() {
                return Err(err(line, "region and organisation are required".into()));
            }
            if row.phone.trim().is_empty() && row.url.trim().is_empty() {
                return Err(err(line, "a row needs a phone or a url".into()));
            }
            if !row.phone.trim().is_empty() && row.phone_digits().len() < 3 {
                return Err(err(
                    line,
                    format!("phone {:?} has fewer than 3 digits", row.phone),
                ));
            }
            if row.topics.trim().is_empty() {
                return Err(err(
                    line,
                    "topics is empty (use * for a general crisis line)".into(),
                ));
            }
            let date_ok = row.verified.len() == 10
                && row.verified.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !date_ok {
                return Err(err(
                    line,
                    format!("verified {:?} must be a date YYYY-MM-DD", row.verified),
                ));
            }
        }
        Ok(SupportDirectory { lines })
    }

    /// Appends `other`'s rows after these.
    pub fn extend(&mut self, other: SupportDirectory) {
        self.lines.extend(other.lines);
    }

    /// Every region code with at least one current row.
    pub fn regions(&self) -> BTreeSet<String> {
        self.lines
            .iter()
            .filter(|l| l.status == LineStatus::Current)
            .map(|l| l.region.clone())
            .collect()
    }

    /// The row to suggest for `topic`: in `region` the first current row serving it, else the
    /// region's general line; with no region, the international fallback.
    pub fn suggest(&self, region: Option<&str>, topic: &str) -> Option<&SupportLine> {
        let current = |l: &&SupportLine| l.status == LineStatus::Current;
        match region {
            Some(r) => self
                .lines
                .iter()
                .filter(current)
                .find(|l| l.region == r && l.serves(topic))
                .or_else(|| {
                    self.lines
                        .iter()
                        .filter(current)
                        .find(|l| l.region == r && l.is_general())
                }),
            None => self
                .lines
                .iter()
                .filter(current)
                .find(|l| l.region == INTERNATIONAL),
        }
    }

    /// Every directory number printed in `original` (any region, current or retired).
    /// Prepares the directory first: to search many documents, keep a [`SupportIndex`].
    pub fn find_in(&self, original: &str, normalized: &NormalizedText) -> Vec<NumberSighting> {
        SupportIndex::new(self).find_in(original, normalized)
    }
}

/// What the directory's rows look like in a document, prepared once for many documents.
#[derive(Debug, Clone)]
pub struct SupportIndex {
    needles: Vec<RowNeedles>,
}

/// How one row's number can appear in a document.
#[derive(Debug, Clone)]
struct RowNeedles {
    row: usize,
    /// Digits as dialled (at least three), or empty.
    digits: String,
    /// The number as published with letters ("1800respect"), normalised.
    lettered: Option<String>,
    /// For rows without a phone: the host of their URL.
    host: Option<String>,
}

impl SupportIndex {
    /// Prepares `directory` for [`SupportIndex::find_in`].
    pub fn new(directory: &SupportDirectory) -> SupportIndex {
        let needles = directory
            .lines
            .iter()
            .enumerate()
            .map(|(row, line)| {
                let digits = line.phone_digits();
                let has_digits = digits.len() >= 3;
                let lettered = (has_digits && line.phone.chars().any(|c| c.is_ascii_alphabetic()))
                    .then(|| crate::normalize::normalize_str(&line.phone));
                let host = (line.phone.trim().is_empty() && !line.url.is_empty())
                    .then(|| url_host(&line.url))
                    .filter(|h| !h.is_empty());
                RowNeedles {
                    row,
                    digits: if has_digits { digits } else { String::new() },
                    lettered,
                    host,
                }
            })
            .filter(|n| !n.digits.is_empty() || n.host.is_some())
            .collect();
        SupportIndex { needles }
    }

    /// Every directory number printed in `original` (any region, current or retired); a
    /// short number needs a contact word before it on its line.
    pub fn find_in(&self, original: &str, normalized: &NormalizedText) -> Vec<NumberSighting> {
        self.find_in_paragraphs(original, normalized, |at| {
            memchr::memrchr2(b'\n', b'\r', &original.as_bytes()[..at]).map_or(0, |i| i + 1)
        })
    }

    /// [`Self::find_in`], where a short number's contact word must be in its paragraph,
    /// which starts at `paragraph_start(offset)`.
    pub fn find_in_paragraphs(
        &self,
        original: &str,
        normalized: &NormalizedText,
        paragraph_start: impl Fn(usize) -> usize,
    ) -> Vec<NumberSighting> {
        let runs = digit_runs(original);
        let haystack = normalized.text.as_bytes();
        let mut found = Vec::new();
        for needle in &self.needles {
            let row = needle.row;
            let key = &needle.digits;
            if !key.is_empty() {
                for groups in &runs {
                    if let Some(range) = find_key_in_groups(original, groups, key)
                        && (key.len() > 6
                            || near_contact_word(
                                original,
                                range.start,
                                paragraph_start(range.start),
                            ))
                    {
                        found.push(NumberSighting { row, range });
                    }
                }
            }
            // Numbers published with letters ("1300 11 HOPE", "1800RESPECT").
            if let Some(literal) = &needle.lettered {
                for at in memchr::memmem::find_iter(haystack, literal) {
                    let r = at..at + literal.len();
                    if crate::normalize::on_word_boundaries(haystack, &r) {
                        found.push(NumberSighting {
                            row,
                            range: normalized.original_range(r),
                        });
                    }
                }
            }
            if let Some(host) = &needle.host {
                for at in memchr::memmem::find_iter(haystack, host) {
                    found.push(NumberSighting {
                        row,
                        range: normalized.original_range(at..at + host.len()),
                    });
                }
            }
        }
        found.sort_by_key(|s| (s.range.start, s.row));
        found
    }
}

/// The lower-case host of a URL without `www.`.
fn url_host(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split('/').next().unwrap_or("");
    host.trim_start_matches("www.").to_ascii_lowercase()
}

/// True when a word like "call" or "phone" comes shortly before `at`, and after
/// `paragraph_start` (so that nothing `fix` inserts, always whole paragraphs, can move a
/// word out of reach): short numbers (988, 1737) only count as support lines in such a
/// context.
fn near_contact_word(original: &str, at: usize, paragraph_start: usize) -> bool {
    let mut from = at.saturating_sub(80).max(paragraph_start);
    while !original.is_char_boundary(from) {
        from += 1;
    }
    let before = original[from..at].to_ascii_lowercase();
    [
        "call", "text", "dial", "phone", "ring", "contact", "line", "helpline", "on ",
    ]
    .iter()
    .any(|w| before.contains(w))
}

/// The byte range of consecutive digit groups of one run whose digits are exactly `key`
/// ("+61 1300 072 637 (24 hours)" holds 1300072637; "13001 072 637" does not).
fn find_key_in_groups(text: &str, groups: &[Range<usize>], key: &str) -> Option<Range<usize>> {
    let key = key.as_bytes();
    for i in 0..groups.len() {
        // Consecutive groups from `i` must spell the key exactly.
        let mut at = 0;
        for (j, g) in groups.iter().enumerate().skip(i) {
            let g = &text.as_bytes()[g.clone()];
            if key.get(at..at + g.len()) != Some(g) {
                break;
            }
            at += g.len();
            if at == key.len() {
                return Some(groups[i].start..groups[j].end);
            }
        }
    }
    None
}

/// Runs of digit groups joined by short separators (space, `-`, `.`, `(`, `)`, `/`), each
/// group as its byte range. A group glued to a letter or digit-like word
/// ("2022a", "x1300") ends the run and is left out.
fn digit_runs(text: &str) -> Vec<Vec<Range<usize>>> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut current: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    let mut last_end = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let glued = (start > 0 && b[start - 1].is_ascii_alphabetic())
            || (i < b.len() && b[i].is_ascii_alphabetic());
        let joined = !current.is_empty()
            && start - last_end <= 2
            && b[last_end..start]
                .iter()
                .all(|c| matches!(c, b' ' | b'-' | b'.' | b'(' | b')' | b'/'));
        if !joined && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
        if glued {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(start..i);
        }
        last_end = i;
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> SupportDirectory {
        SupportDirectory::parse(
            "t.csv",
            "region,topics,organisation,phone,hours,url,status,replaced_by,verified,source,note\n\
             AU,pregnancy-loss,Sands,1300 072 637,24 hours a day,https://sands.org.au,current,,2026-11-23,s,\n\
             AU,pregnancy-loss,Bears of Hope,1300 11 HOPE,,https://bearsofhope.org.au,current,,2026-11-23,s,\n\
             AU,*,Lifeline,13 11 14,,https://lifeline.org.au,current,,2026-11-23,s,\n\
             US,suicide;*,988 Lifeline,988,,https://988lifeline.org,current,,2026-11-23,s,\n\
             INT,*,Find A Helpline,,,https://findahelpline.com,current,,2026-11-23,s,\n",
        )
        .unwrap()
    }

    #[test]
    fn suggests_dedicated_then_general_then_international() {
        let d = directory();
        assert_eq!(
            d.suggest(Some("AU"), "pregnancy-loss")
                .unwrap()
                .organisation,
            "Sands"
        );
        assert_eq!(
            d.suggest(Some("AU"), "suicide").unwrap().organisation,
            "Lifeline"
        );
        assert_eq!(
            d.suggest(None, "suicide").unwrap().organisation,
            "Find A Helpline"
        );
    }

    #[test]
    fn finds_numbers_however_spaced() {
        let d = directory();
        for text in [
            "call 1300 072 637.",
            "call 1300 0 72637",
            "ring (1300) 072-637 now",
            "on +61 1300 072 637",
            "Sands on 1300 072 637 (24 hours a day).",
        ] {
            let n = NormalizedText::new(text);
            assert_eq!(d.find_in(text, &n).len(), 1, "{text}");
        }
        let text = "or 1300 11 HOPE";
        assert_eq!(d.find_in(text, &NormalizedText::new(text))[0].row, 1);
    }

    #[test]
    fn does_not_find_numbers_inside_other_numbers() {
        let d = directory();
        for text in [
            "in 13001 072 637 cases",
            "ID 21300 072 637",
            "988 people came",
            "1988 was a year",
        ] {
            let n = NormalizedText::new(text);
            assert!(d.find_in(text, &n).is_empty(), "{text}");
        }
        let text = "call or text 988 any time";
        assert_eq!(d.find_in(text, &NormalizedText::new(text)).len(), 1);
    }

    #[test]
    fn a_short_number_needs_its_contact_word_on_its_own_line() {
        // Else a line inserted between them (as fix inserts a warning) would change
        // whether the number is a support line.
        let d = directory();
        for (text, found) in [
            ("Call\n13 11 14", 0),
            ("Call 13 11 14", 1),
            ("Help\r\nring 988", 1),
        ] {
            let n = NormalizedText::new(text);
            assert_eq!(d.find_in(text, &n).len(), found, "{text:?}");
        }
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let e = SupportDirectory::parse(
            "t.csv",
            "region,topics,organisation,phone,hours,url,status,replaced_by,verified,source,note\n\
             AU,x,Org,1300 1,,u,current,,2026-11-23,s,\n\
             AU,x,Org,1300 111,,u,sometimes,,2026-11-23,s,\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = SupportDirectory::parse("t.csv", "region,topics\nAU,x\n").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
