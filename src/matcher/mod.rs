//! Stage 3, match: finds every cue and exclusion of every topic in normalised text. Every
//! hit must sit on word boundaries (see [`crate::normalize::is_word_byte`]), so all literal
//! variants and the prefix literals of the regex patterns go into one byte trie that is
//! walked only from positions where a word may start ([`trie`]); overlapping hits are all
//! reported, so a rejected long match never hides a shorter one. A pattern runs anchored
//! at the places its prefix occurs (a lazy DFA each, compiled on first use), and only in a
//! text that holds one of its gates ([`triggers`]); the few patterns without a finite
//! prefix set run over the whole text, gates permitting.

pub mod trie;
pub mod triggers;

/// A list in the embedded trigger table: (first span, count), count `u32::MAX` for none.
type Span = (u32, u32);
/// A pattern of the embedded lexicons with its prefixes and gates.
type TriggerRow = (&'static str, Span, Span);

include!(concat!(env!("OUT_DIR"), "/embedded_triggers.rs"));

use crate::lexicon::{Pattern, Term, Topic};
use crate::normalize::{NormalizedText, on_word_boundaries};
use foldhash::HashMap;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, meta};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use trie::{Key, Trie, TrieBuilder};

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

/// Size limit of one pattern's compiled forms (the NFA, and each lazy DFA's cache).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// A pattern compiled for anchored searches: a lazy DFA, or the meta regex when the DFA
/// cannot be built or gives up on a text.
#[derive(Debug)]
struct AnchoredPattern {
    dfa: Option<DFA>,
    fallback: OnceLock<meta::Regex>,
}

type CachePool = Pool<Vec<Option<Cache>>, fn() -> Vec<Option<Cache>>>;

/// All topics' terms and patterns, compiled for searching.
#[derive(Clone)]
pub struct Matcher {
    trie: Trie,
    literal_targets: Vec<Vec<Target>>,
    patterns: Vec<(Pattern, Target)>,
    /// Per pattern, its anchored form, built on first use.
    anchored: Arc<Vec<OnceLock<AnchoredPattern>>>,
    /// Lazy-DFA caches, one set per thread at a time.
    caches: Arc<CachePool>,
    /// For each trigger literal, what it does when it occurs.
    trigger_actions: Vec<TriggerAction>,
    /// Per pattern: true when it has gates, so runs only in a text holding one.
    gated: Vec<bool>,
    /// Patterns with no usable prefix literal: run over the whole text.
    always_run: Vec<usize>,
    literal_count: usize,
    /// The pseudo-topic whose hits are only counted: its index and number of groups.
    counted: Option<(usize, usize)>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("literals", &self.literal_count)
            .field("patterns", &self.patterns.len())
            .field("trie_nodes", &self.trie.node_count())
            .finish_non_exhaustive()
    }
}

/// A trigger literal of the trie's: a pattern prefix or gate, borrowed from the embedded
/// table or computed for a user's own lexicon.
type Literal = Cow<'static, [u8]>;

/// The prefixes and gates of `written`: precomputed at build time for the embedded
/// lexicons, computed now for a user's own.
fn triggers_of(written: &str) -> (Option<Vec<Literal>>, Option<Vec<Literal>>) {
    static EMBEDDED: OnceLock<HashMap<&'static str, (Span, Span)>> = OnceLock::new();
    let embedded = EMBEDDED.get_or_init(|| {
        EMBEDDED_TRIGGERS
            .iter()
            .map(|&(p, prefixes, gates)| (p, (prefixes, gates)))
            .collect()
    });
    let list = |(first, count): Span| {
        (count != u32::MAX).then(|| {
            EMBEDDED_TRIGGER_SPANS[first as usize..][..count as usize]
                .iter()
                .map(|&(at, len)| {
                    Cow::Borrowed(&EMBEDDED_TRIGGER_BYTES[at as usize..][..len as usize])
                })
                .collect()
        })
    };
    match embedded.get(written) {
        Some(&(prefixes, gates)) => (list(prefixes), list(gates)),
        None => {
            let t = triggers::triggers(written);
            let owned =
                |l: Option<Vec<Vec<u8>>>| l.map(|l| l.into_iter().map(Cow::Owned).collect());
            (owned(t.prefixes), owned(t.gates))
        }
    }
}

fn new_caches() -> Vec<Option<Cache>> {
    Vec::new()
}

impl AnchoredPattern {
    fn new(written: &str) -> AnchoredPattern {
        use regex_automata::{nfa::thompson, util::syntax};
        let dfa = DFA::builder()
            .configure(DFA::config().cache_capacity(PATTERN_SIZE_LIMIT))
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .shrink(false)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(PATTERN_SIZE_LIMIT)),
            )
            .build(written)
            .ok();
        AnchoredPattern {
            dfa,
            fallback: OnceLock::new(),
        }
    }

    /// End of the leftmost-first match starting exactly at `start`.
    fn match_end(
        &self,
        written: &str,
        cache: &mut Option<Cache>,
        haystack: &[u8],
        start: usize,
    ) -> Option<usize> {
        let input = Input::new(haystack).range(start..).anchored(Anchored::Yes);
        if let Some(dfa) = &self.dfa {
            let cache = cache.get_or_insert_with(|| dfa.create_cache());
            if let Ok(found) = dfa.try_search_fwd(cache, &input) {
                return found.map(|m| m.offset());
            }
        }
        let regex = self.fallback.get_or_init(|| {
            meta::Builder::new()
                .syntax(
                    regex_automata::util::syntax::Config::new()
                        .unicode(false)
                        .utf8(false),
                )
                .build(written)
                .unwrap_or_else(|e| panic!("pattern {written:?} compiled before: {e}"))
        });
        regex.search(&input).map(|m| m.end())
    }
}

/// Every cue and exclusion group of `topics`, in order: its topic, role, terms and
/// patterns.
fn groups<'a>(
    topics: &[&'a Topic],
) -> impl Iterator<Item = (usize, Role, &'a [Term], &'a [Pattern])> {
    topics.iter().enumerate().flat_map(|(t, topic)| {
        let cues = topic.cues.iter().enumerate();
        let exclusions = topic.exclusions.iter().enumerate();
        cues.map(move |(g, c)| (t, Role::Cue(g), &c.terms[..], &c.patterns[..]))
            .chain(
                exclusions
                    .map(move |(g, e)| (t, Role::Exclusion(g), &e.terms[..], &e.patterns[..])),
            )
    })
}

/// What a trigger literal does where it occurs in a text.
#[derive(Debug, Clone, Default)]
struct TriggerAction {
    /// Patterns to run anchored at its start (it is one of their prefixes).
    run: Vec<usize>,
    /// Patterns it lets run in this text (it is one of their gates).
    open: Vec<usize>,
}

/// The keys whose first byte has parity `half`, with what their numbers stand for.
struct Half {
    trie: TrieBuilder,
    literal_targets: Vec<Vec<Target>>,
    trigger_actions: Vec<TriggerAction>,
}

/// The prefixes and gates of each pattern.
type PatternTriggers = [(Option<Vec<Literal>>, Option<Vec<Literal>>)];

impl Half {
    fn build(topics: &[&Topic], triggers: &PatternTriggers, half: u8) -> Half {
        let mine = |bytes: &[u8]| bytes.first().is_some_and(|b| b & 1 == half);
        let mut trie = TrieBuilder::default();
        let mut literal_targets: Vec<Vec<Target>> = Vec::new();
        for (topic, role, terms, _) in groups(topics) {
            for (term, t) in terms.iter().enumerate() {
                let target = Target { topic, role, term };
                for v in t.variants.iter().filter(|v| mine(v.as_bytes())) {
                    let fresh = || {
                        literal_targets.push(Vec::new());
                        literal_targets.len() as u32 - 1
                    };
                    if let Some(id) = trie.literal(v.as_bytes(), fresh) {
                        literal_targets[id as usize].push(target);
                    }
                }
            }
        }
        for targets in &mut literal_targets {
            // One literal listed twice in a group (e.g. by two expansions) counts once.
            targets.dedup_by(|a, b| a.topic == b.topic && a.role == b.role && a.term == b.term);
        }
        let mut trigger_actions: Vec<TriggerAction> = Vec::new();
        for (i, (prefixes, gates)) in triggers.iter().enumerate() {
            let lists = [(prefixes, true), (gates, false)];
            for (list, is_prefix) in lists {
                for p in list.iter().flatten().filter(|p| mine(p)) {
                    let fresh = || {
                        trigger_actions.push(TriggerAction::default());
                        trigger_actions.len() as u32 - 1
                    };
                    if let Some(at) = trie.trigger(p, fresh) {
                        let action = &mut trigger_actions[at as usize];
                        let list = if is_prefix {
                            &mut action.run
                        } else {
                            &mut action.open
                        };
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
            }
        }
        Half {
            trie,
            literal_targets,
            trigger_actions,
        }
    }
}

impl Matcher {
    /// Compiles every term and pattern of `topics`.
    pub fn new(topics: &[Topic]) -> Matcher {
        Self::build(&topics.iter().collect::<Vec<_>>())
    }

    /// Compiles `topics` and, after them, `counted`: a pseudo-topic of literal terms only
    /// (the context words), searched in the same pass as the topics, whose hits are only
    /// counted, per cue group (see [`Matcher::find_counted`]).
    pub fn with_counted(topics: &[Topic], counted: &Topic) -> Matcher {
        let all: Vec<&Topic> = topics.iter().chain(std::iter::once(counted)).collect();
        let mut m = Self::build(&all);
        m.counted = Some((topics.len(), counted.cues.len()));
        m
    }

    fn build(topics: &[&Topic]) -> Matcher {
        let mut patterns = Vec::new();
        for (topic, role, terms, list) in groups(topics) {
            for (i, p) in list.iter().enumerate() {
                // Patterns are numbered after their group's terms.
                let term = terms.len() + i;
                patterns.push((p.clone(), Target { topic, role, term }));
            }
        }
        let triggers: Vec<_> = patterns
            .iter()
            .map(|(p, _)| triggers_of(&p.written))
            .collect();
        let always_run = (0..patterns.len())
            .filter(|&i| triggers[i].0.is_none())
            .collect();
        let gated = triggers.iter().map(|(_, gates)| gates.is_some()).collect();
        // Keys are split by their first byte between two builders, one per core.
        let (low, high) = rayon::join(
            || Half::build(topics, &triggers, 0),
            || Half::build(topics, &triggers, 1),
        );
        let literal_count = low.literal_targets.len() + high.literal_targets.len();
        let trie = Trie::join(
            low.trie,
            high.trie,
            low.literal_targets.len() as u32,
            low.trigger_actions.len() as u32,
        );
        let literal_targets = low
            .literal_targets
            .into_iter()
            .chain(high.literal_targets)
            .collect();
        let trigger_actions = low
            .trigger_actions
            .into_iter()
            .chain(high.trigger_actions)
            .collect();
        let anchored = Arc::new(patterns.iter().map(|_| OnceLock::new()).collect());
        Matcher {
            trie,
            literal_targets,
            patterns,
            anchored,
            caches: Arc::new(Pool::new(new_caches as fn() -> Vec<Option<Cache>>)),
            trigger_actions,
            gated,
            always_run,
            literal_count,
            counted: None,
        }
    }

    /// Number of distinct literal variants in the trie.
    pub fn literal_count(&self) -> usize {
        self.literal_count
    }

    /// Number of regex patterns.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Every hit in `text`, sorted by position. Overlapping hits are all reported.
    pub fn find(&self, text: &NormalizedText) -> Vec<Hit> {
        self.find_counted(text).0
    }

    /// Every hit in `text`, sorted by position, and the number of hits of each group of
    /// the counted pseudo-topic (empty without one): those are counted, never stored, so
    /// common context words cost no memory however long the text.
    pub fn find_counted(&self, text: &NormalizedText) -> (Vec<Hit>, Vec<usize>) {
        let haystack = text.text.as_bytes();
        let mut hits = Vec::new();
        let (counted_topic, groups) = self.counted.unwrap_or((usize::MAX, 0));
        let mut counts = vec![0usize; groups];
        // (pattern, start) pairs where a pattern's prefix occurs.
        // Kept as 32-bit pairs: frequent prefixes ("was", "the") can put one entry at every
        // few words of a long document, and normalised text is addressed in 32 bits anyway.
        let mut runs: Vec<(u32, u32)> = Vec::new();
        // Patterns this text lets run: those without gates, and those whose gate occurs.
        let mut open: Vec<bool> = self.gated.iter().map(|g| !g).collect();
        self.trie
            .for_each_match(haystack, |key, start, end| match key {
                Key::Literal(id) => {
                    for target in &self.literal_targets[id as usize] {
                        if target.topic == counted_topic {
                            if let Role::Cue(g) = target.role {
                                counts[g] += 1;
                            }
                            continue;
                        }
                        hits.push(Hit {
                            topic: target.topic,
                            role: target.role,
                            range: start..end,
                            term: target.term,
                        });
                    }
                }
                Key::Trigger(id) => {
                    let action = &self.trigger_actions[id as usize];
                    runs.extend(action.run.iter().map(|&p| (p as u32, start as u32)));
                    for &p in &action.open {
                        open[p] = true;
                    }
                }
            });
        runs.retain(|&(p, _)| open[p as usize]);
        runs.sort_unstable();
        runs.dedup();
        if !runs.is_empty() {
            // Patterns this text needs that are not compiled yet are compiled side by side
            // (a draft checked alone pays for dozens; a batch only for its first documents).
            let mut new: Vec<usize> = runs
                .iter()
                .map(|&(i, _)| i as usize)
                .filter(|&i| self.anchored[i].get().is_none())
                .collect();
            new.dedup();
            // Not from inside a pool's job (a batch's worker): waiting there for other jobs
            // could wait on a job of the same worker.
            if new.len() > 1 && rayon::current_thread_index().is_none() {
                use rayon::prelude::*;
                new.par_iter().for_each(|&i| {
                    self.anchored[i]
                        .get_or_init(|| AnchoredPattern::new(&self.patterns[i].0.written));
                });
            }
            let mut caches = self.caches.get();
            if caches.len() < self.patterns.len() {
                caches.resize_with(self.patterns.len(), || None);
            }
            // Like an iteration over one pattern's matches: each starts after the last.
            let mut last: Option<(usize, usize)> = None;
            for &(i, start) in &runs {
                let (i, start) = (i as usize, start as usize);
                if matches!(last, Some((p, end)) if p == i && start < end) {
                    continue;
                }
                let (pattern, target) = &self.patterns[i];
                let anchored =
                    self.anchored[i].get_or_init(|| AnchoredPattern::new(&pattern.written));
                let Some(end) =
                    anchored.match_end(&pattern.written, &mut caches[i], haystack, start)
                else {
                    continue;
                };
                let range = start..end;
                if !range.is_empty() && on_word_boundaries(haystack, &range) {
                    last = Some((i, end));
                    hits.push(Hit {
                        topic: target.topic,
                        role: target.role,
                        range,
                        term: target.term,
                    });
                }
            }
        }
        for &i in self.always_run.iter().filter(|&&i| open[i]) {
            let (pattern, target) = &self.patterns[i];
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
        (hits, counts)
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
            "'(?:lost|losing) (?:the|a) baby', '(?:a|b)*z baby', '\\b\\w+-cutting'",
        )]);
        assert_eq!(
            m.always_run,
            vec![2],
            "a pattern with too many possible starts runs over the whole text"
        );
        assert_eq!(found(&m, "we lost a baby"), vec!["lost a baby"]);
        assert_eq!(
            found(&m, "abz baby, and z baby"),
            vec!["abz baby", "z baby"]
        );
        assert_eq!(found(&m, "cost-cutting"), vec!["cost-cutting"]);
        assert!(found(&m, "nothing here").is_empty());
        assert!(found(&m, "a lost baby; xabz baby").is_empty());
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

    #[test]
    fn gated_patterns_run_when_their_gate_occurs() {
        let m = Matcher::new(&[topic(
            "\"zzz\"",
            r"'\b(?:was|were) executed by the state\b', '\b[a-z]+-cutting\b'",
        )]);
        assert!(m.gated.iter().all(|&g| g), "both patterns have gates");
        assert_eq!(
            found(&m, "they were executed by the state; cost-cutting"),
            vec!["were executed by the state", "cost-cutting"]
        );
        assert!(found(&m, "they were executed; cost cutting").is_empty());
    }

    proptest::proptest! {
        /// Patterns run only at their prefixes and only in texts holding a gate, yet find
        /// exactly what running each one over the whole text finds.
        #[test]
        fn gated_anchored_runs_find_what_whole_text_runs_find(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "was", "were", "publicly", "executed", "by", "the", "state", "lost", "a",
                    "baby", "cost-cutting", "6-0", "massacre", "x", "-", ",",
                ]),
                0..30,
            )
        ) {
            let patterns = [
                r"\b(?:was|were) (?:publicly )?executed by the state\b",
                r"\b(?:lost|losing) (?:the|a) baby\b",
                r"\b[a-z]+-cutting\b",
                r"\b\d{1,3}-\d{1,3} (?:\w+ ){0,2}massacre\b",
                r"\ba (?:\w+ )?baby\b",
            ];
            let quoted: Vec<String> = patterns.iter().map(|p| format!("'{p}'")).collect();
            let m = Matcher::new(&[topic("\"zzz\"", &quoted.join(", "))]);
            let text = words.join(" ");
            let n = NormalizedText::new(&text);
            let h = n.text.as_bytes();
            let mut expected = Vec::new();
            for p in patterns {
                let re = crate::lexicon::topic::compile_pattern(p).unwrap();
                for found in re.find_iter(h) {
                    let r = found.start()..found.end();
                    if !r.is_empty() && on_word_boundaries(h, &r) {
                        expected.push(n.text[r].to_string());
                    }
                }
            }
            let mut got = found(&m, &text);
            got.sort();
            expected.sort();
            proptest::prop_assert_eq!(got, expected);
        }
    }
}
