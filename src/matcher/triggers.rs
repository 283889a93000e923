//! Where a lexicon pattern needs to run. Its *prefixes* are the literals every match starts
//! with: the pattern runs anchored only where one occurs. Its *gates* are literals that
//! every match holds from a word start on (from its end, cut to start at a word, or else
//! one part of it that always begins a word): the pattern runs at all only in a text that
//! holds one. Both are found by the matcher's one walk over the text. Shared with
//! `build.rs`, which precomputes them for the embedded lexicons.

use regex_syntax::hir::Hir;
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};

/// Longest literal kept as a prefix or gate: a shorter one still gates correctly (it only
/// lets a pattern run a little more often) and keeps the trie small.
pub const TRIGGER_MAX_LEN: usize = 10;

/// Most literals extracted from one pattern.
pub const TRIGGER_LIMIT: usize = 256;

/// Most first bytes a pattern may start with and still be triggered by them alone.
pub const FIRST_BYTE_LIMIT: usize = 16;

/// Shortest gate worth looking for.
pub const GATE_MIN_LEN: usize = 3;

/// A pattern's prefixes and gates; `None` where it has no usable set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triggers {
    /// The literals every match starts with (`None`: the pattern may start anywhere and
    /// runs over the whole text).
    pub prefixes: Option<Vec<Vec<u8>>>,
    /// Literals one of which every match holds from a word start onwards (`None`: the
    /// pattern is never skipped).
    pub gates: Option<Vec<Vec<u8>>>,
}

/// The prefixes and gates of `pattern` (both `None` when it does not parse).
pub fn triggers(pattern: &str) -> Triggers {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Triggers::default();
    };
    Triggers {
        prefixes: prefixes(&hir),
        gates: gates(&hir).or_else(|| part_gates(&hir)),
    }
}

/// `normalize::is_word_byte`, restated: build.rs includes this file on its own.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn literals(seq: &Seq) -> Option<Vec<&[u8]>> {
    let list: Vec<&[u8]> = seq.literals()?.iter().map(|l| l.as_bytes()).collect();
    (!list.is_empty() && list.iter().all(|l| !l.is_empty())).then_some(list)
}

fn cut_sorted(list: impl Iterator<Item = Vec<u8>>) -> Vec<Vec<u8>> {
    let mut cut: Vec<Vec<u8>> = list
        .map(|mut l| {
            l.truncate(TRIGGER_MAX_LEN);
            l
        })
        .collect();
    cut.sort();
    cut.dedup();
    cut
}

/// The prefix literals; when there are too many, the few bytes every match starts with
/// (`\d…` starts with a digit).
fn prefixes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(TRIGGER_LIMIT)
        .extract(hir);
    let first_bytes = || {
        Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_literal_len(1)
            .limit_class(FIRST_BYTE_LIMIT)
            .limit_total(FIRST_BYTE_LIMIT)
            .extract(hir)
    };
    let list = match literals(&seq) {
        Some(list) => list.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>(),
        None => literals(&first_bytes())?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect(),
    };
    Some(cut_sorted(list.into_iter()))
}

/// The suffix literals, each cut to begin at its first place where a word byte follows a
/// non-word byte, so that a gate begins where a walk over the text begins. `None` when some
/// suffix has no such place or is too short.
fn gates(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new()
        .kind(ExtractKind::Suffix)
        .limit_total(TRIGGER_LIMIT)
        .extract(hir);
    let mut out = Vec::new();
    for l in literals(&seq)? {
        let start = (1..l.len()).find(|&i| !word_byte(l[i - 1]) && word_byte(l[i]))?;
        let gate = &l[start..];
        if gate.len() < GATE_MIN_LEN {
            return None;
        }
        out.push(gate.to_vec());
    }
    Some(cut_sorted(out.into_iter()))
}

/// The literals of one part of a pattern that begins at a word start in every match: a
/// part that cannot match empty, after parts that always end with a non-word byte
/// (`… (?:wife|husband) (?:beat|hit) (?:her|him)`). Of such parts, the one whose shortest
/// literal is longest (the rarest, as a rule), the later on a tie. `None` when there is
/// none.
fn part_gates(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let HirKind::Concat(items) = hir.kind() else {
        return None;
    };
    let mut best: Option<(usize, Vec<Vec<u8>>)> = None;
    for i in 1..items.len() {
        if matches!(items[i].kind(), HirKind::Look(_)) {
            continue;
        }
        let starts = Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_total(TRIGGER_LIMIT)
            .extract(&items[i]);
        let Some(list) = literals(&starts) else {
            continue;
        };
        if !list
            .iter()
            .all(|l| l.len() >= GATE_MIN_LEN && word_byte(l[0]))
        {
            continue;
        }
        let shortest = list.iter().map(|l| l.len()).min().unwrap_or(0);
        if best.as_ref().is_some_and(|(b, _)| *b > shortest) {
            continue;
        }
        // Every way the parts before can end is with a non-word byte (an empty literal
        // would mean they may end anywhere).
        let ends = Extractor::new()
            .kind(ExtractKind::Suffix)
            .limit_total(TRIGGER_LIMIT)
            .extract(&Hir::concat(items[..i].to_vec()));
        if literals(&ends).is_some_and(|e| e.iter().all(|l| !word_byte(l[l.len() - 1]))) {
            best = Some((shortest, list.into_iter().map(<[u8]>::to_vec).collect()));
        }
    }
    best.map(|(_, list)| cut_sorted(list.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: Option<Vec<Vec<u8>>>) -> Option<Vec<String>> {
        list.map(|l| {
            l.into_iter()
                .map(|b| String::from_utf8(b).unwrap())
                .collect()
        })
    }

    #[test]
    fn prefixes_and_gates_of_a_typical_exclusion() {
        let t = triggers(r"\b(?:was|were) (?:publicly )?executed (?:by|for) \w+");
        // Cut to TRIGGER_MAX_LEN bytes.
        let expected = ["was execut", "was public", "were execu", "were publi"];
        assert_eq!(
            strings(t.prefixes),
            Some(expected.map(String::from).to_vec())
        );
        // The suffix is unbounded (\w+), so the gate is the literal part that always
        // begins a word.
        assert_eq!(strings(t.gates), Some(vec!["executed ".into()]));
        let t = triggers(r"\b(?:growth|sales) (?:\w+ ){0,3}anorexic\b");
        assert_eq!(strings(t.gates), Some(vec!["anorexic".into()]));
    }

    #[test]
    fn patterns_without_a_literal_start_fall_back_to_first_bytes_or_nothing() {
        let t = triggers(r"\b\d{1,3}-\d{1,3} (?:\w+ ){0,2}(?:massacre|thrashing)\b");
        assert_eq!(t.prefixes.map(|p| p.len()), Some(10));
        assert_eq!(
            strings(t.gates),
            Some(vec!["massacre".into(), "thrashing".into()])
        );
        let t = triggers(r"\b[a-z]+-cutting\b");
        assert_eq!(t.prefixes, None);
        assert_eq!(strings(t.gates), Some(vec!["cutting".into()]));
        // A gate must begin at a word start inside the literal: "ing" could be mid-word.
        assert_eq!(triggers(r"\w+ing").gates, None);
        // A part of a pattern is a gate when a non-word byte always comes before it,
        // even when the whole pattern has too many suffixes to list.
        let nouns: Vec<String> = (0..40).map(|i| format!("gunman{i}")).collect();
        let det: Vec<String> = (0..20).map(|i| format!("a{i} ")).collect();
        let long = format!(
            r"\b(?:was|is) (?:\w+ )?shot (?:by|with) (?:{})?(?:\w+ )?(?:{})\b",
            det.join("|"),
            nouns.join("|")
        );
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&long)
            .unwrap();
        assert_eq!(gates(&hir), None);
        let mut expected: Vec<String> = nouns
            .iter()
            .map(|n| n[..n.len().min(TRIGGER_MAX_LEN)].to_string())
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(strings(triggers(&long).gates), Some(expected));
        assert_eq!(triggers(r"\b(?:was|is) \w*(?:gunman|rifle)\b").gates, None);
        assert_eq!(
            triggers(r"\b(?:was|is) (?:\w+ )?(?:a|gunman)\b").gates,
            None
        );
        assert_eq!(triggers("(unclosed").prefixes, None);
    }
}
