//! Prefix literals of a lexicon pattern: the trigger strings that let it run only where one
//! of them occurs. Shared with `build.rs`, which precomputes them for the embedded lexicons.

/// Longest prefix literal kept as a trigger: a shorter prefix still gates correctly (it only
/// lets a pattern run a little more often) and keeps the trie small.
pub const TRIGGER_MAX_LEN: usize = 10;

/// Most prefix literals extracted from one pattern.
pub const TRIGGER_LIMIT: usize = 256;

/// Most first bytes a pattern may start with and still be triggered by them alone.
pub const FIRST_BYTE_LIMIT: usize = 16;

/// The literals every match of `pattern` starts with (cut to [`TRIGGER_MAX_LEN`] bytes); when
/// there are too many, the few bytes every match starts with (`\d…` starts with a digit);
/// `None` when neither is a finite set of non-empty strings (the pattern then runs over the
/// whole text).
pub fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let usable = |seq: &Seq| {
        seq.literals()
            .is_some_and(|l| !l.is_empty() && l.iter().all(|l| !l.as_bytes().is_empty()))
    };
    let mut seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(TRIGGER_LIMIT)
        .extract(&hir);
    if !usable(&seq) {
        seq = Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_literal_len(1)
            .limit_class(FIRST_BYTE_LIMIT)
            .limit_total(FIRST_BYTE_LIMIT)
            .extract(&hir);
    }
    if !usable(&seq) {
        return None;
    }
    let mut cut: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|l| l.as_bytes()[..l.as_bytes().len().min(TRIGGER_MAX_LEN)].to_vec())
        .collect();
    cut.sort();
    cut.dedup();
    Some(cut)
}
