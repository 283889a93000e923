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
    /// Where each byte of `text` comes from, in runs (see [`Run`]): a few entries per
    /// paragraph and per non-ASCII character, not two offsets per byte, so that the map
    /// costs little next to the text however long the document.
    runs: Vec<Run>,
}

/// A run of normalised bytes with one rule for their original offsets. In a *copied* run
/// (ASCII copied as it is, lower-cased), byte `k` of the run comes from original byte
/// `origin + k` and ends just past it (a space ends where it starts). In a *folded* run
/// (what one original character, or one dropped run of white space, became), every byte
/// comes from `origin` and ends at `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// Offset in the normalised text where the run starts.
    at: u32,
    /// Original offset of its first byte.
    origin: u32,
    /// For a folded run, the original offset its bytes end at; `u32::MAX` for a copied run.
    end: u32,
}

/// [`Run::end`] of a copied run.
const COPIED: u32 = u32::MAX;

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
            runs: Vec::new(),
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
        // One byte that maps as a copy would (a letter to itself, a space to a point) joins
        // or starts a copied run; anything else is a folded run of its own.
        let copied = s.len() == 1 && end == start + usize::from(s != " ");
        if copied {
            self.push_copied(s, start);
        } else {
            self.runs.push(Run {
                at: self.text.len() as u32,
                origin: start as u32,
                end: end as u32,
            });
            self.text.push_str(s);
        }
    }

    /// Appends `s`, copied from original offset `start`, extending the last run when it is
    /// a copied run that ends just there.
    fn push_copied(&mut self, s: &str, start: usize) {
        let at = self.text.len() as u32;
        let continues = self
            .runs
            .last()
            .is_some_and(|r| r.end == COPIED && r.origin as usize + (at - r.at) as usize == start);
        if !continues {
            self.runs.push(Run {
                at,
                origin: start as u32,
                end: COPIED,
            });
        }
        self.text.push_str(s);
    }

    /// The run holding normalised byte `i` (which must be in the text).
    fn run_of(&self, i: usize) -> &Run {
        let k = self.runs.partition_point(|r| r.at as usize <= i);
        &self.runs[k.saturating_sub(1)]
    }

    /// Original offset of the character behind normalised byte `i`.
    fn origin(&self, i: usize) -> usize {
        let r = self.run_of(i);
        match r.end {
            COPIED => r.origin as usize + (i - r.at as usize),
            _ => r.origin as usize,
        }
    }

    /// Original offset just past the character behind normalised byte `i`.
    fn origin_end(&self, i: usize) -> usize {
        let r = self.run_of(i);
        match r.end {
            COPIED => {
                r.origin as usize
                    + (i - r.at as usize)
                    + usize::from(self.text.as_bytes()[i] != b' ')
            }
            end => end as usize,
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
                self.push_copied(&slice[i..run], base + i);
                self.text[from..].make_ascii_lowercase();
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
        if range.is_empty() || range.start >= self.text.len() {
            let at = self.original_offset(range.start);
            return at..at;
        }
        let end = range.end.min(self.text.len());
        self.origin(range.start)..self.origin_end(end - 1)
    }

    /// The normalised bytes that come from `original` (a byte range of the original text).
    pub fn normalized_range(&self, original: Range<usize>) -> Range<usize> {
        let start = self.first_from(original.start);
        let end = self.first_from(original.end);
        start..end.max(start)
    }

    /// The first normalised byte whose original offset is at least `offset` (origins never
    /// decrease along the text).
    fn first_from(&self, offset: usize) -> usize {
        let k = self.runs.partition_point(|r| (r.origin as usize) < offset);
        // The answer lies in the run before `k` (a copied run reaching `offset`) or at the
        // start of run `k`.
        let limit = self.runs.get(k).map_or(self.text.len(), |r| r.at as usize);
        match k.checked_sub(1).map(|j| self.runs[j]) {
            Some(r) if r.end == COPIED => (r.at as usize + (offset - r.origin as usize)).min(limit),
            _ => limit,
        }
    }

    /// Original byte offset of the character behind normalised byte `at` (0 past the end).
    pub fn original_offset(&self, at: usize) -> usize {
        if at < self.text.len() {
            self.origin(at)
        } else {
            0
        }
    }

    /// Every byte's (origin, end) offsets, as the map stands for them (for tests).
    #[cfg(test)]
    fn offsets(&self) -> Vec<(usize, usize)> {
        (0..self.text.len())
            .map(|i| (self.origin(i), self.origin_end(i)))
            .collect()
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
            let mut slow = NormalizedText::default();
            let mut i = 0;
            while i < s.len() {
                i += slow.push_char(&s[i..], i);
            }
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(fast.offsets(), slow.offsets());
        }

        /// `normalized_range` finds the first byte from each offset, as a scan of every
        /// byte's origin would.
        #[test]
        fn normalized_range_agrees_with_a_scan(
            s in "[aB1 .\n\u{301}\u{e9}\u{2019}\u{200b}\u{fb01}]{0,24}",
            a in 0usize..40,
            b in 0usize..40,
        ) {
            let n = NormalizedText::new(&s);
            let (a, b) = (a.min(b), a.max(b));
            let offsets = n.offsets();
            let first = |x: usize| offsets.iter().position(|&(o, _)| o >= x).unwrap_or(offsets.len());
            proptest::prop_assert_eq!(n.normalized_range(a..b), first(a)..first(b).max(first(a)));
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
