//! The evidence features a fitted model weighs: how much a topic's counted cues add up to,
//! how varied they are, whether they open the piece, how far through it they run, and how
//! long it is. Every feature is measured in words of the normalised text, so blank lines
//! change none of them.

use super::{CountedMatch, Layout, Position, TopicVerdict};
use crate::lexicon::{BASE_FEATURES, ScoreConfig, Topic};
use crate::normalize::NormalizedText;
use std::collections::BTreeSet;

/// Index of the `share` feature, set once every topic is counted.
pub const SHARE: usize = 9;

/// Index of the `deferred` feature, which is set when the topics this one defers to are
/// decided (1 when one of them is at warn).
pub const DEFERRED: usize = 10;

/// Fewer words than this count as this many for `density` and `length`: a short brief is
/// not treated as infinitely dense.
const MIN_WORDS: f64 = 100.0;

/// Word indexes of a set of byte offsets in the normalised text, found in one pass.
pub struct WordIndex {
    offsets: Vec<usize>,
    words: Vec<usize>,
}

impl WordIndex {
    /// Indexes `offsets` (any order, repeats allowed) of `text`.
    pub fn new(text: &NormalizedText, offsets: impl Iterator<Item = usize>) -> WordIndex {
        let mut offsets: Vec<usize> = offsets.collect();
        offsets.sort_unstable();
        offsets.dedup();
        let b = text.text.as_bytes();
        let mut words = Vec::with_capacity(offsets.len());
        let (mut at, mut starts) = (0, 0);
        for &o in &offsets {
            let end = (o + 1).min(b.len());
            if end > at {
                starts += word_starts(b, at, end);
                at = end;
            }
            words.push(starts.saturating_sub(1));
        }
        WordIndex { offsets, words }
    }

    /// The index of the word holding byte `offset` (one of the indexed offsets).
    pub fn word_at(&self, offset: usize) -> usize {
        let i = self.offsets.partition_point(|&o| o < offset);
        self.words.get(i).copied().unwrap_or(0)
    }
}

/// Number of word starts (a non-space byte after a space or the start) in `b[from..to]`.
fn word_starts(b: &[u8], from: usize, to: usize) -> usize {
    let first = usize::from(b[from] != b' ' && (from == 0 || b[from - 1] == b' '));
    first
        + b[from..to]
            .iter()
            .zip(&b[from + 1..to])
            .map(|(&before, &c)| usize::from((before == b' ') & (c != b' ')))
            .sum::<usize>()
}

/// The shape of a document in words: where the body starts and how long it is.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// False for isolated test sentences: no headline, lead or places.
    pub positional: bool,
    /// Word index where the body starts (the headline's word count; 0 without one).
    pub body_start: usize,
    /// Words in the whole document.
    pub words: usize,
}

impl Geometry {
    /// The geometry of `text` laid out as `layout`.
    pub fn new(text: &NormalizedText, layout: &Layout, positional: bool) -> Geometry {
        let body_start = match &layout.headline {
            Some(h) if positional => {
                let end = text.normalized_range(h.clone()).end;
                if end == 0 {
                    0
                } else {
                    word_starts(text.text.as_bytes(), 0, end)
                }
            }
            _ => 0,
        };
        Geometry {
            positional,
            body_start,
            words: text.word_count(),
        }
    }

    /// The word count used for rates: at least [`MIN_WORDS`], so a short brief is not
    /// taken as endlessly dense.
    pub fn scaled_words(&self) -> f64 {
        (self.words as f64).max(MIN_WORDS)
    }

    /// Where word `word` sits: headline, the first `lead_words` of the body, or the rest.
    pub fn position(&self, word: usize, lead_words: usize) -> Position {
        if !self.positional {
            Position::Body
        } else if word < self.body_start {
            Position::Headline
        } else if word < self.body_start + lead_words {
            Position::Lead
        } else {
            Position::Body
        }
    }

    /// The place of word `word`: 0 for the headline, then one per `place_words` of body.
    fn place_of(&self, word: usize, cfg: &ScoreConfig) -> usize {
        if word < self.body_start {
            0
        } else {
            1 + (word - self.body_start) / cfg.place_words
        }
    }

    /// How many places the document has (the headline, if any, and the body's stretches).
    pub fn places(&self, cfg: &ScoreConfig) -> usize {
        let body = self.words.saturating_sub(self.body_start);
        usize::from(self.body_start > 0) + body.div_ceil(cfg.place_words).max(1)
    }

    /// In how many places `matches` sit.
    pub fn places_hit<'a>(
        &self,
        matches: impl Iterator<Item = &'a CountedMatch>,
        cfg: &ScoreConfig,
    ) -> usize {
        matches
            .map(|m| self.place_of(m.word, cfg))
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// The features of one topic's counted evidence, in the order of
/// [`crate::lexicon::BASE_FEATURES`] (`share` and `deferred` left at 0), then `context`:
///
/// * `evidence`: ln(1 + the strong cues' weights after repetition decay);
/// * `support`: ln(1 + the weak cues near them, capped like the score's);
/// * `terms`: ln(1 + distinct strong terms);
/// * `headline`, `lead`: ln(1 + the strong weight in the headline, in the first
///   `lead_words` words of the body);
/// * `places`: ln(1 + places with a strong cue); `coverage`: the share of all places;
/// * `density`: ln(1 + strong weight per 1,000 words);
/// * `length`: ln(words / 800);
/// * `share`: this topic's strong weight over itself plus the largest other topic's;
/// * `deferred`: 1 when a topic it defers to is at warn;
/// * each context group: ln(1 + its words per 1,000 words).
pub fn features(
    verdict: &TopicVerdict,
    topic: &Topic,
    geometry: &Geometry,
    context: &[f64],
) -> Vec<f64> {
    let cfg = &topic.score;
    let strong = || verdict.matches.iter().filter(|m| !m.weak);
    let sum = |ms: &mut dyn Iterator<Item = &CountedMatch>| ms.map(|m| m.base).sum::<f64>();
    let evidence = sum(&mut strong());
    let weak = sum(&mut verdict.matches.iter().filter(|m| m.weak)).min(evidence * cfg.weak_cap);
    let terms = strong()
        .map(|m| (m.group, m.term))
        .collect::<BTreeSet<_>>()
        .len();
    let at = |p: Position| sum(&mut strong().filter(|m| m.position == p));
    let places_hit = geometry.places_hit(strong(), cfg);
    let words = geometry.scaled_words();
    let base = [
        evidence.ln_1p(),
        weak.ln_1p(),
        (terms as f64).ln_1p(),
        at(Position::Headline).ln_1p(),
        at(Position::Lead).ln_1p(),
        (places_hit as f64).ln_1p(),
        places_hit as f64 / geometry.places(cfg) as f64,
        (1000.0 * evidence / words).ln_1p(),
        (words / 800.0).ln(),
        0.0,
        0.0,
    ];
    debug_assert_eq!(base.len(), BASE_FEATURES.len());
    base.iter().chain(context).copied().collect()
}

/// The strong evidence (sum of decayed weights) behind a feature vector.
pub fn evidence_of(features: &[f64]) -> f64 {
    features[0].exp_m1()
}

/// The context features of a document: ln(1 + matches per 1,000 words) for each group.
pub fn context_features(counts: &[usize], geometry: &Geometry) -> Vec<f64> {
    let words = geometry.scaled_words();
    counts
        .iter()
        .map(|&n| (1000.0 * n as f64 / words).ln_1p())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_index_counts_words_before_each_offset() {
        let text = NormalizedText::new("Alpha  beta\n\n(gamma) delta");
        assert_eq!(text.text, "alpha beta (gamma) delta");
        let idx = WordIndex::new(&text, [19, 0, 12, 6, 8].into_iter());
        let got: Vec<usize> = [0, 6, 8, 12, 19].iter().map(|&o| idx.word_at(o)).collect();
        assert_eq!(got, [0, 1, 1, 2, 3]);
    }
}
