//! Stage 2, normalise: turns prose into the form every matcher searches (NFKC, lower case,
//! straight quotes, single spaces, no invisible characters) and keeps, for every byte of
//! that form, the offset of the original character it came from.

use std::ops::Range;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Normalised text with a map back to byte offsets of the original.
#[derive(Debug, Clone, Default)]
pub struct NormalizedText {
    /// The normalised text that matchers search.
    pub text: String,
    /// For each byte of `text`, the original byte offset of the character it came from.
    origin: Vec<u32>,
    /// For each byte of `text`, the original byte offset just past that character.
    origin_end: Vec<u32>,
}

/// What a single original character becomes in the normalised text.
enum Mapped {
    Drop,
    Space,
    Char(char),
    Other,
}

fn classify(c: char) -> Mapped {
    match c {
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        | '\u{180E}' => Mapped::Drop,
        // Direction marks sit between runs of different scripts: they separate words.
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Mapped::Space
        }
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}'
        | '\u{02BC}' => Mapped::Char('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Mapped::Char('"'),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => Mapped::Char('-'),
        c if c.is_whitespace() => Mapped::Space,
        _ => Mapped::Other,
    }
}

/// Length of the run of printable ASCII (0x21 to 0x7F) that `bytes` starts with, found
/// eight bytes at a time: a byte below 0x21 or with its high bit set ends it.
fn printable_ascii_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut n = 0;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // High bit of each byte that is below 0x21 (borrow) or at least 0x80. Only the
        // lowest flagged byte is used: no borrow reaches it from the bytes before it.
        let stop = ((x.wrapping_sub(0x21 * ONES) & !x) | x) & (0x80 * ONES);
        if stop != 0 {
            return n + stop.trailing_zeros() as usize / 8;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .position(|b| !(0x21..0x80).contains(b))
        .unwrap_or(bytes.len() - n)
}

impl NormalizedText {
    /// Normalises the whole of `original`.
    pub fn new(original: &str) -> Self {
        Self::from_ranges(original, std::iter::once(0..original.len()))
    }

    /// Normalises only the given byte ranges of `original` (prose, skipping markup), joined
    /// by a single space so that no term matches across two ranges.
    pub fn from_ranges(original: &str, ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut out = NormalizedText {
            text: String::with_capacity(original.len()),
            origin: Vec::with_capacity(original.len()),
            origin_end: Vec::with_capacity(original.len()),
        };
        for range in ranges {
            if !out.text.is_empty() {
                out.push_space(range.start);
            }
            out.push_range(original, range);
        }
        out
    }

    fn push_space(&mut self, at: usize) {
        if !self.text.ends_with(' ') {
            self.push_str(" ", at, at);
        }
    }

    fn push_str(&mut self, s: &str, start: usize, end: usize) {
        self.text.push_str(s);
        for _ in 0..s.len() {
            self.origin.push(start as u32);
            self.origin_end.push(end as u32);
        }
    }

    fn push_range(&mut self, original: &str, range: Range<usize>) {
        let base = range.start;
        let slice = &original[range];
        let bytes = slice.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Fast path: printable ASCII words with single spaces between them (and not
            // followed by a combining mark, which is never ASCII) are copied at once, in
            // lower case.
            let mut run = i + printable_ascii_run(&bytes[i..]);
            if run > i {
                while bytes.get(run) == Some(&b' ')
                    && bytes.get(run + 1).is_some_and(|b| (0x21..0x80).contains(b))
                {
                    run += 1 + printable_ascii_run(&bytes[run + 1..]);
                }
                if bytes.get(run).is_some_and(|b| !b.is_ascii()) {
                    run -= 1;
                }
            }
            if run > i {
                let from = self.text.len();
                self.text.push_str(&slice[i..run]);
                self.text[from..].make_ascii_lowercase();
                let at = (base + i) as u32;
                let copied = &bytes[i..run];
                self.origin.extend(at..at + copied.len() as u32);
                // A space ends where it starts (see `push_space`); a character after itself.
                self.origin_end.extend(
                    copied
                        .iter()
                        .zip(at..)
                        .map(|(&b, o)| o + u32::from(b != b' ')),
                );
                i = run;
                continue;
            }
            if bytes[i].is_ascii_whitespace() && bytes.get(i + 1).is_none_or(u8::is_ascii) {
                self.push_space(base + i);
                i += 1;
                continue;
            }
            i += self.push_char(&slice[i..], base + i);
        }
    }

    /// Normalises the first character of `rest` (at original offset `start`) with the
    /// combining marks after it; returns how many bytes it took.
    fn push_char(&mut self, rest: &str, start: usize) -> usize {
        let mut chars = rest.char_indices().peekable();
        let Some((_, c)) = chars.next() else {
            return rest.len().max(1);
        };
        let mut end = start + c.len_utf8();
        let combining_follows = chars
            .peek()
            .is_some_and(|&(_, n)| !n.is_ascii() && is_combining_mark(n));
        if c.is_ascii() && !combining_follows {
            if c.is_ascii_whitespace() {
                self.push_space(start);
            } else {
                self.push_str(c.to_ascii_lowercase().encode_utf8(&mut [0; 4]), start, end);
            }
            return end - start;
        }
        match if c.is_ascii() {
            Mapped::Other
        } else {
            classify(c)
        } {
            Mapped::Drop => {}
            Mapped::Space => self.push_space(start),
            Mapped::Char(m) => self.push_str(m.encode_utf8(&mut [0; 4]), start, end),
            Mapped::Other => {
                // A base character with its combining marks is normalised as one unit.
                let mut buf = String::new();
                buf.push(c);
                while let Some(&(j, next)) = chars.peek() {
                    if !is_combining_mark(next) {
                        break;
                    }
                    buf.push(next);
                    end = start + j + next.len_utf8();
                    chars.next();
                }
                let folded: String = buf.nfkc().flat_map(char::to_lowercase).collect();
                if folded.chars().all(char::is_whitespace) {
                    self.push_space(start);
                } else {
                    self.push_str(&folded, start, end);
                }
            }
        }
        end - start
    }

    /// Maps a byte range of the normalised text back to the original text.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() || range.start >= self.origin.len() {
            let at = self.origin.get(range.start).copied().unwrap_or(0) as usize;
            return at..at;
        }
        let end = range.end.min(self.origin.len());
        self.origin[range.start] as usize..self.origin_end[end - 1] as usize
    }

    /// The normalised bytes that come from `original` (a byte range of the original text).
    pub fn normalized_range(&self, original: Range<usize>) -> Range<usize> {
        let start = self
            .origin
            .partition_point(|&o| (o as usize) < original.start);
        let end = self
            .origin
            .partition_point(|&o| (o as usize) < original.end);
        start..end.max(start)
    }

    /// Original byte offset of the character behind normalised byte `at`.
    pub fn original_offset(&self, at: usize) -> usize {
        self.origin.get(at).copied().unwrap_or(0) as usize
    }

    /// Number of words (runs of non-space text) in the normalised text.
    pub fn word_count(&self) -> usize {
        // A word starts at each non-space byte that follows a space (or the text start).
        let b = self.text.as_bytes();
        usize::from(b.first().is_some_and(|&c| c != b' '))
            + b.iter()
                .zip(&b[1.min(b.len())..])
                .map(|(&before, &c)| usize::from((before == b' ') & (c != b' ')))
                .sum::<usize>()
    }
}

/// Normalises a short string (a term, a label) the same way as a document, without a map.
pub fn normalize_str(s: &str) -> String {
    if !s.is_ascii() {
        return NormalizedText::new(s).text.trim().to_string();
    }
    // The ASCII case of `NormalizedText::new`, without the offset map: lower case, one
    // space for each run of white space.
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if !b.is_ascii_whitespace() {
            out.push(b.to_ascii_lowercase() as char);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    match out.trim() {
        trimmed if trimmed.len() == out.len() => out,
        trimmed => trimmed.to_string(),
    }
}

/// True for bytes that are part of a word: ASCII letters and digits, `_`, and any non-ASCII
/// byte. A term only matches where the bytes either side of it are not word bytes.
pub const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// True when `text[range]` starts and ends on word boundaries.
pub fn on_word_boundaries(text: &[u8], range: &Range<usize>) -> bool {
    let before = range.start == 0 || !is_word_byte(text[range.start - 1]);
    let after = range.end >= text.len() || !is_word_byte(text[range.end]);
    before && after
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII shortcut of `normalize_str` agrees with the full normaliser.
        #[test]
        fn normalize_str_agrees_with_normalized_text(s in "[ -~\t\n\r\x0b\x0c]{0,40}") {
            let full = NormalizedText::new(&s);
            proptest::prop_assert_eq!(normalize_str(&s), full.text.trim());
        }

        /// The eight-at-a-time run length agrees with a byte-by-byte search.
        #[test]
        fn printable_runs_are_found_eight_at_a_time(
            bytes in proptest::collection::vec(proptest::prop_oneof![0x1fu8..0x23, 0x7du8..0x82, proptest::num::u8::ANY], 0..40),
        ) {
            let expected = bytes.iter().position(|b| !(0x21..0x80).contains(b)).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(printable_ascii_run(&bytes), expected);
        }

        /// Words are counted as the runs of non-space text.
        #[test]
        fn word_count_counts_runs_of_non_space(s in "[ ab\n\u{e9}]{0,30}") {
            let n = NormalizedText::new(&s);
            let runs = n.text.split(' ').filter(|w| !w.is_empty()).count();
            proptest::prop_assert_eq!(n.word_count(), runs);
        }

        /// Copying runs of ASCII at once gives what normalising one character at a time
        /// gives, offsets included, next to combining marks and other non-ASCII text.
        #[test]
        fn ascii_runs_agree_with_one_character_at_a_time(
            s in "[aB1 .\n\u{301}\u{e9}\u{2019}\u{200b}\u{fb01}]{0,24}",
        ) {
            let fast = NormalizedText::new(&s);
            let mut slow = NormalizedText {
                text: String::new(),
                origin: Vec::new(),
                origin_end: Vec::new(),
            };
            let mut i = 0;
            while i < s.len() {
                i += slow.push_char(&s[i..], i);
            }
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(&fast.origin, &slow.origin);
            proptest::prop_assert_eq!(&fast.origin_end, &slow.origin_end);
        }
    }

    #[test]
    fn folds_case_quotes_and_spaces() {
        let n = NormalizedText::new("Lost  the\u{00A0}Baby\nat “home” — it’s");
        assert_eq!(n.text, "lost the baby at \"home\" - it's");
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        let original = "a mis\u{200B}car\u{00AD}riage";
        let n = NormalizedText::new(original);
        assert_eq!(n.text, "a miscarriage");
        let r = n.original_range(2..n.text.len());
        assert_eq!(&original[r], "mis\u{200B}car\u{00AD}riage");
    }

    #[test]
    fn offsets_map_back_through_multibyte_text() {
        let original = "Ça va. ＳＴＩＬＬＢＯＲＮ baby";
        let n = NormalizedText::new(original);
        let at = n.text.find("stillborn").unwrap();
        let r = n.original_range(at..at + "stillborn".len());
        assert_eq!(&original[r], "ＳＴＩＬＬＢＯＲＮ");
    }

    #[test]
    fn combining_marks_compose() {
        let n = NormalizedText::new("cafe\u{0301} noir");
        assert_eq!(n.text, "café noir");
        let r = n.original_range(0..n.text.find(' ').unwrap());
        assert_eq!(r, 0..6);
    }

    #[test]
    fn ranges_are_joined_by_a_space() {
        let n = NormalizedText::from_ranges("stillXXborn", [0..5, 7..11]);
        assert_eq!(n.text, "still born");
    }

    #[test]
    fn boundary_rule() {
        let t = b"a miscarriages b";
        assert!(on_word_boundaries(t, &(2..14)));
        assert!(!on_word_boundaries(t, &(2..13)));
    }
}
