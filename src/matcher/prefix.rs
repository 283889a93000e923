//! Prefix literals of a lexicon pattern: the trigger strings that let it run only where one
//! of them occurs. Shared with `build.rs`, which precomputes them for the embedded lexicons.

/// Longest prefix literal kept as a trigger: a shorter prefix still gates correctly (it only
/// lets a pattern run a little more often) and keeps the trie small.
pub const TRIGGER_MAX_LEN: usize = 16;

/// Most prefix literals extracted from one pattern.
pub const TRIGGER_LIMIT: usize = 256;

/// The literals every match of `pattern` starts with (cut to [`TRIGGER_MAX_LEN`] bytes), or
/// `None` when the pattern has no finite set of non-empty ones (it then runs on every text).
pub fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(TRIGGER_LIMIT)
        .extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    let mut cut: Vec<Vec<u8>> = literals
        .iter()
        .map(|l| l.as_bytes()[..l.as_bytes().len().min(TRIGGER_MAX_LEN)].to_vec())
        .collect();
    cut.sort();
    cut.dedup();
    Some(cut)
}
