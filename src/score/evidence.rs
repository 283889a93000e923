//! The counted evidence of one topic in one document: hits cancelled by exclusions are set
//! aside, overlapping cues keep the longest, weak cues count only near strong ones, repeats
//! decay, and each counted match gets its position (headline, lead, body) and word index.

use super::features::{Geometry, WordIndex};
use super::{CountedMatch, ExcludedMatch, Position, TopicVerdict};
use crate::lexicon::Topic;
use crate::matcher::{Hit, Role};
use crate::normalize::NormalizedText;
use std::collections::{BTreeMap, HashMap};

/// Counts `hits` (all of topic `t`) into a verdict with its score and thresholds; the level
/// is decided later, once the topics this one defers to are decided.
pub(super) fn count(
    t: usize,
    topic: &Topic,
    hits: &[&Hit],
    text: &NormalizedText,
    geometry: &Geometry,
    words: &WordIndex,
) -> TopicVerdict {
    let cfg = &topic.score;
    let (kept, mut excluded) = surviving_cues(topic, hits, text);
    dedup_excluded(&mut excluded);
    let strong_at: Vec<usize> = kept
        .iter()
        .filter(|(_, g)| !topic.cues[*g].weak)
        .map(|(h, _)| h.range.start)
        .collect();
    let near_strong = |at: usize| {
        let i = strong_at.partition_point(|&s| s < at);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|i| strong_at.get(i))
            .any(|&s| s.abs_diff(at) <= cfg.weak_window)
    };
    let mut seen: HashMap<(usize, usize), i32> = HashMap::new();
    let mut weak_total = 0.0;
    let mut matches = Vec::new();
    let mut unsupported_weak = 0;
    let mut score = 0.0;
    for (h, g) in kept {
        let group = &topic.cues[g];
        if group.weak && !near_strong(h.range.start) {
            unsupported_weak += 1;
            continue;
        }
        let range = text.original_range(h.range.clone());
        let word = words.word_at(h.range.start);
        let position = geometry.position(word, cfg.lead_words);
        // Position only strengthens strong cues: a weak word in a headline is still weak.
        let multiplier = match position {
            _ if group.weak => 1.0,
            Position::Headline => cfg.headline,
            Position::Lead => cfg.lead,
            Position::Body => 1.0,
        };
        // Every word form of one written term shares its repetition count.
        let n = seen.entry((g, h.term)).or_insert(0);
        let base = group.weight * cfg.repeat_decay.powi(*n);
        *n += 1;
        let contribution = base * multiplier;
        if group.weak {
            weak_total += contribution;
        } else {
            score += contribution;
        }
        matches.push(CountedMatch {
            normalized: h.range.clone(),
            range,
            group: g,
            term: h.term,
            weight: group.weight,
            base,
            contribution,
            position,
            word,
            weak: group.weak,
        });
    }
    // Weak cues support strong ones; they never add more than `weak_cap` times as much.
    score += weak_total.min(score * cfg.weak_cap);
    let length_factor = (geometry.words as f64 / cfg.length_reference as f64)
        .sqrt()
        .max(1.0);
    TopicVerdict {
        topic: t,
        level: None,
        score,
        warn_threshold: cfg.warn * length_factor,
        mention_threshold: cfg.mention,
        matches,
        excluded,
        unsupported_weak,
        deferred_to: None,
        too_few_places: None,
        model: None,
    }
}

/// The cue hits no exclusion cancels, with overlaps resolved (longest span, then heavier
/// group), in text order; and the cancelled ones.
fn surviving_cues<'h>(
    topic: &Topic,
    hits: &[&'h Hit],
    text: &NormalizedText,
) -> (Vec<(&'h Hit, usize)>, Vec<ExcludedMatch>) {
    // Exclusions sorted by start, with the running maximum of their ends, so the one a cue
    // overlaps is found by binary search (hits can number in the hundreds of thousands).
    let mut exclusions: Vec<&Hit> = hits
        .iter()
        .copied()
        .filter(|h| matches!(h.role, Role::Exclusion(_)))
        .collect();
    exclusions.sort_by_key(|e| e.range.start);
    let max_end: Vec<usize> = exclusions
        .iter()
        .scan(0, |m, e| {
            *m = (*m).max(e.range.end);
            Some(*m)
        })
        .collect();
    let overlapping_exclusion = |h: &Hit| -> Option<&Hit> {
        let before = exclusions.partition_point(|e| e.range.start < h.range.end);
        if before == 0 || max_end[before - 1] <= h.range.start {
            return None;
        }
        exclusions[..before]
            .iter()
            .rev()
            .find(|e| e.range.end > h.range.start)
            .copied()
    };
    let mut excluded = Vec::new();
    let mut cues: Vec<(&Hit, usize)> = Vec::new();
    for &h in hits {
        let Role::Cue(g) = h.role else { continue };
        match overlapping_exclusion(h) {
            Some(e) => {
                let Role::Exclusion(eg) = e.role else {
                    unreachable!()
                };
                excluded.push(ExcludedMatch {
                    range: text.original_range(h.range.clone()),
                    by: text.original_range(e.range.clone()),
                    group: eg,
                });
            }
            None => cues.push((h, g)),
        }
    }
    // Overlapping cues of one topic: the longest span wins (then the heavier group). Kept
    // spans never overlap, so the one starting last before a candidate's end is the only
    // one that can overlap it.
    cues.sort_by(|a, b| {
        let len = |h: &Hit| h.range.end - h.range.start;
        len(b.0)
            .cmp(&len(a.0))
            .then(topic.cues[b.1].weight.total_cmp(&topic.cues[a.1].weight))
            .then(a.0.range.start.cmp(&b.0.range.start))
    });
    let mut kept_spans: BTreeMap<usize, usize> = BTreeMap::new();
    let mut kept: Vec<(&Hit, usize)> = Vec::new();
    for c in cues {
        let r = &c.0.range;
        let overlaps = kept_spans
            .range(..r.end)
            .next_back()
            .is_some_and(|(_, &end)| end > r.start);
        if !overlaps {
            kept_spans.insert(r.start, r.end);
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.0.range.start);
    (kept, excluded)
}

/// One cue cancelled by two overlapping exclusions is reported once.
fn dedup_excluded(excluded: &mut Vec<ExcludedMatch>) {
    excluded.sort_by_key(|e| (e.range.start, e.range.end));
    excluded.dedup_by(|a, b| a.range == b.range);
}
