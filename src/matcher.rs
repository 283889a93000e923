//! Stage 3, match: finds every cue and exclusion of every topic in normalised text. All
//! literal variants go into one Aho-Corasick automaton searched with overlapping matches
//! (so a rejected long match never hides a shorter one); the few regex patterns run on
//! their own. Every hit must sit on word boundaries (see [`crate::normalize::is_word_byte`]).

use crate::lexicon::{Pattern, Term, Topic};
use crate::normalize::{NormalizedText, on_word_boundaries};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::ops::Range;

/// What a hit stands for within its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A cue of cue group `n`.
    Cue(usize),
    /// An exclusion of exclusion group `n`.
    Exclusion(usize),
}

/// One place a topic's term or pattern matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the topic in the lexicon set.
    pub topic: usize,
    /// Cue or exclusion, and which group.
    pub role: Role,
    /// Byte range in the normalised text.
    pub range: Range<usize>,
    /// Which term of the group matched (patterns are numbered after the terms): every word
    /// form of one written term shares the number.
    pub term: usize,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    topic: usize,
    role: Role,
    term: usize,
}

/// All topics' terms and patterns, compiled for searching.
#[derive(Debug, Clone)]
pub struct Matcher {
    literals: Option<AhoCorasick>,
    literal_targets: Vec<Vec<Target>>,
    patterns: Vec<(Pattern, Target)>,
    /// Prefix literals of the patterns: a pattern runs only on texts holding one of its
    /// prefixes (one automaton pass instead of one pass per pattern).
    triggers: Option<AhoCorasick>,
    /// For each trigger literal, the patterns it enables.
    trigger_patterns: Vec<Vec<usize>>,
    /// Patterns with no usable prefix literal: always run.
    always_run: Vec<usize>,
    literal_count: usize,
}

/// The prefix literals every match of `pattern` starts with, or `None` when the pattern
/// has no finite, non-empty set of them.
fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(24)
        .extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().len() < 2) {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

impl Matcher {
    /// Compiles every term and pattern of `topics`.
    pub fn new(topics: &[Topic]) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        let mut literal_targets: Vec<Vec<Target>> = Vec::new();
        let mut patterns = Vec::new();
        let mut add_terms = |terms: &[Term], target: Target, literals: &mut Vec<String>| {
            for (i, term) in terms.iter().enumerate() {
                let target = Target { term: i, ..target };
                for v in &term.variants {
                    let id = *index.entry(v.clone()).or_insert_with(|| {
                        literals.push(v.clone());
                        literal_targets.push(Vec::new());
                        literals.len() - 1
                    });
                    literal_targets[id].push(target);
                }
            }
        };
        // Patterns are numbered after the group's terms.
        let mut add_patterns = |list: &[Pattern], first: usize, target: Target| {
            for (i, p) in list.iter().enumerate() {
                patterns.push((
                    p.clone(),
                    Target {
                        term: first + i,
                        ..target
                    },
                ));
            }
        };
        for (t, topic) in topics.iter().enumerate() {
            for (g, group) in topic.cues.iter().enumerate() {
                let target = Target {
                    topic: t,
                    role: Role::Cue(g),
                    term: 0,
                };
                add_terms(&group.terms, target, &mut literals);
                add_patterns(&group.patterns, group.terms.len(), target);
            }
            for (g, group) in topic.exclusions.iter().enumerate() {
                let target = Target {
                    topic: t,
                    role: Role::Exclusion(g),
                    term: 0,
                };
                add_terms(&group.terms, target, &mut literals);
                add_patterns(&group.patterns, group.terms.len(), target);
            }
        }
        for targets in &mut literal_targets {
            // One literal listed twice in a group (e.g. by two expansions) counts once.
            targets.dedup_by(|a, b| a.topic == b.topic && a.role == b.role && a.term == b.term);
        }
        let literal_count = literals.len();
        let automaton = (!literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&literals)
                .or_else(|_| {
                    AhoCorasick::builder()
                        .match_kind(MatchKind::Standard)
                        .build(&literals)
                })
                .expect("literal patterns always compile")
        });
        let mut trigger_literals: Vec<Vec<u8>> = Vec::new();
        let mut trigger_patterns: Vec<Vec<usize>> = Vec::new();
        let mut trigger_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut always_run = Vec::new();
        for (i, (pattern, _)) in patterns.iter().enumerate() {
            match prefix_literals(&pattern.written) {
                Some(prefixes) => {
                    for p in prefixes {
                        let at = *trigger_index.entry(p.clone()).or_insert_with(|| {
                            trigger_literals.push(p);
                            trigger_patterns.push(Vec::new());
                            trigger_literals.len() - 1
                        });
                        trigger_patterns[at].push(i);
                    }
                }
                None => always_run.push(i),
            }
        }
        let triggers = (!trigger_literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&trigger_literals)
                .expect("literal patterns always compile")
        });
        Matcher {
            literals: automaton,
            literal_targets,
            patterns,
            triggers,
            trigger_patterns,
            always_run,
            literal_count,
        }
    }

    /// Number of distinct literal variants in the automaton.
    pub fn literal_count(&self) -> usize {
        self.literal_count
    }

    /// Number of regex patterns.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Every hit in `text`, sorted by position. Overlapping hits are all reported.
    pub fn find(&self, text: &NormalizedText) -> Vec<Hit> {
        let haystack = text.text.as_bytes();
        let mut hits = Vec::new();
        if let Some(ac) = &self.literals {
            for m in ac.find_overlapping_iter(haystack) {
                let range = m.start()..m.end();
                if !on_word_boundaries(haystack, &range) {
                    continue;
                }
                for target in &self.literal_targets[m.pattern().as_usize()] {
                    hits.push(Hit {
                        topic: target.topic,
                        role: target.role,
                        range: range.clone(),
                        term: target.term,
                    });
                }
            }
        }
        let mut enabled = vec![false; self.patterns.len()];
        for &i in &self.always_run {
            enabled[i] = true;
        }
        if let Some(triggers) = &self.triggers {
            for m in triggers.find_overlapping_iter(haystack) {
                for &i in &self.trigger_patterns[m.pattern().as_usize()] {
                    enabled[i] = true;
                }
            }
        }
        for ((pattern, target), _) in self.patterns.iter().zip(&enabled).filter(|(_, on)| **on) {
            for m in pattern.regex().find_iter(haystack) {
                let range = m.start()..m.end();
                if !range.is_empty() && on_word_boundaries(haystack, &range) {
                    hits.push(Hit {
                        topic: target.topic,
                        role: target.role,
                        range,
                        term: target.term,
                    });
                }
            }
        }
        hits.sort_by_key(|h| (h.range.start, h.range.end, h.topic));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::topic::parse_topic;

    fn topic(terms: &str, patterns: &str) -> Topic {
        let text = format!(
            "id = \"t\"\nlabel = \"T\"\n[[cues]]\nweight = 3\nterms = [{terms}]\npatterns = [{patterns}]\n"
        );
        parse_topic("t.toml", &text).unwrap()
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let n = NormalizedText::new(text);
        m.find(&n)
            .iter()
            .map(|h| n.text[h.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn rejected_long_match_does_not_hide_short_one() {
        // The trap from leftmost-longest search: "hit man" fails the boundary check in
        // "Hit many times", and "hit" must still be found.
        let m = Matcher::new(&[topic("\"hit\", \"hit man\"", "")]);
        assert_eq!(found(&m, "Hit many times"), vec!["hit"]);
        assert_eq!(found(&m, "a hit man"), vec!["hit", "hit man"]);
    }

    #[test]
    fn word_boundaries_apply_to_literals_and_patterns() {
        let m = Matcher::new(&[topic("\"ivf\"", "'lost (?:the|a) baby'")]);
        assert!(found(&m, "IVFs and divf").is_empty());
        assert_eq!(found(&m, "They lost the baby."), vec!["lost the baby"]);
        assert!(found(&m, "they lost the babyish look").is_empty());
    }

    #[test]
    fn patterns_run_only_when_their_prefix_is_present_and_still_match() {
        let m = Matcher::new(&[topic(
            "\"x\"",
            "'(?:lost|losing) (?:the|a) baby', '(?:a|b)*z baby'",
        )]);
        assert_eq!(
            m.always_run,
            vec![1],
            "a pattern that may start anywhere always runs"
        );
        assert_eq!(found(&m, "we lost a baby"), vec!["lost a baby"]);
        assert_eq!(found(&m, "abz baby"), vec!["abz baby"]);
        assert!(found(&m, "nothing here").is_empty());
    }

    #[test]
    fn literal_and_regex_engines_agree() {
        let terms = ["miscarriage", "still born", "ivf", "lost the baby", "d&c"];
        let texts = [
            "A miscarriage; STILL-BORN? ivf/IVF, lost the baby, a d&c, it’s over.",
            "miscarriages stillborn divf lost the babies d&co its",
            "Mis\u{200B}carriage — still\u{00A0}born — IVF.",
        ];
        let quoted: Vec<String> = terms.iter().map(|t| format!("{t:?}")).collect();
        let literal = Matcher::new(&[topic(&quoted.join(","), "")]);
        let escaped: Vec<String> = terms
            .iter()
            .map(|t| format!("'{}'", regex::escape(t).replace(' ', "[ -]")))
            .collect();
        let regex = Matcher::new(&[parse_topic(
            "t",
            &format!(
                "id = \"t\"\nlabel = \"T\"\n[[cues]]\nweight = 3\npatterns = [{}]\n",
                escaped.join(",")
            ),
        )
        .unwrap()]);
        for text in texts {
            let mut a = found(&literal, text);
            let mut b = found(&regex, text);
            a.sort();
            b.sort();
            assert_eq!(a, b, "engines disagree on {text:?}");
        }
        assert!(!found(&literal, texts[0]).is_empty() && !found(&literal, texts[2]).is_empty());
    }
}
