//! Stage 4, score: turns a topic's hits into a document-level verdict (`warn`, `mention`
//! or nothing) from weights, repetition, position (headline and lead count more), the
//! nearness of weak cues to strong ones and the document's length. Every number comes
//! from the topic's `[score]` table.

use crate::lexicon::Topic;
use crate::matcher::{Hit, Role};
use crate::normalize::NormalizedText;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

/// A topic's document-level verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A passing reference.
    Mention,
    /// A subject of the piece: readers should be told before reading.
    Warn,
}

impl Level {
    /// The level as written in reports (`warn`, `mention`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warn => "warn",
            Level::Mention => "mention",
        }
    }
}

/// Where the headline and the paragraphs of a document are, in original byte offsets.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The headline, if the document has one.
    pub headline: Option<Range<usize>>,
    /// Body paragraphs in order (the headline excluded).
    pub paragraphs: Vec<Range<usize>>,
}

/// Where in the document a match sits, for its multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// In the headline.
    Headline,
    /// In the lead paragraphs.
    Lead,
    /// Anywhere else.
    Body,
}

/// A match that counted towards a topic's score.
#[derive(Debug, Clone)]
pub struct CountedMatch {
    /// Byte range in the normalised text.
    pub normalized: Range<usize>,
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// Cue group index.
    pub group: usize,
    /// The group's weight.
    pub weight: f64,
    /// What the match added to the score (weight × position × repetition decay).
    pub contribution: f64,
    /// Where the match sits.
    pub position: Position,
    /// Whether the cue is weak.
    pub weak: bool,
}

/// A match cancelled by an exclusion.
#[derive(Debug, Clone)]
pub struct ExcludedMatch {
    /// Byte range in the original text of the cancelled cue.
    pub range: Range<usize>,
    /// Byte range in the original text of the exclusion that cancelled it.
    pub by: Range<usize>,
    /// Exclusion group index (for its reason).
    pub group: usize,
}

/// One topic's verdict on one document, with its evidence.
#[derive(Debug, Clone)]
pub struct TopicVerdict {
    /// Index of the topic in the lexicon set.
    pub topic: usize,
    /// `None` when the score is under the mention threshold.
    pub level: Option<Level>,
    /// The document score.
    pub score: f64,
    /// The warn threshold after length adjustment.
    pub warn_threshold: f64,
    /// The mention threshold.
    pub mention_threshold: f64,
    /// Matches that counted.
    pub matches: Vec<CountedMatch>,
    /// Matches cancelled by an exclusion.
    pub excluded: Vec<ExcludedMatch>,
    /// Weak cues that did not count because no strong cue was near.
    pub unsupported_weak: usize,
    /// Set when the level was capped at `mention` because this topic defers to another.
    pub deferred_to: Option<String>,
    /// Set (to the number of places that had them) when the score reached warn but the
    /// strong cues sat in fewer places than `min_paragraphs`, so the level is `mention`.
    pub too_few_paragraphs: Option<usize>,
}

/// Scores every topic that has hits. `positional` turns the headline and lead
/// multipliers on (off when scoring isolated test sentences).
pub fn score_topics(
    topics: &[Topic],
    hits: &[Hit],
    text: &NormalizedText,
    layout: &Layout,
    positional: bool,
) -> Vec<TopicVerdict> {
    let words = text.word_count();
    let mut by_topic: HashMap<usize, Vec<&Hit>> = HashMap::new();
    for h in hits {
        by_topic.entry(h.topic).or_default().push(h);
    }
    let mut verdicts: Vec<TopicVerdict> = by_topic
        .into_iter()
        .map(|(t, hits)| score_topic(t, &topics[t], &hits, text, layout, positional, words))
        .collect();
    verdicts.sort_by_key(|v| v.topic);
    // A topic that defers to another one at warn is capped at mention.
    let warned: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.level == Some(Level::Warn))
        .map(|v| topics[v.topic].id.as_str())
        .collect::<Vec<_>>();
    let warned: Vec<String> = warned.into_iter().map(String::from).collect();
    for v in &mut verdicts {
        if v.level == Some(Level::Warn)
            && let Some(d) = topics[v.topic].defer_to.iter().find(|d| warned.contains(d))
        {
            v.level = Some(Level::Mention);
            v.deferred_to = Some(d.clone());
        }
    }
    verdicts
}

fn score_topic(
    t: usize,
    topic: &Topic,
    hits: &[&Hit],
    text: &NormalizedText,
    layout: &Layout,
    positional: bool,
    words: usize,
) -> TopicVerdict {
    let cfg = &topic.score;
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
    for h in hits {
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
    let mut kept_spans: std::collections::BTreeMap<usize, usize> =
        std::collections::BTreeMap::new();
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
    dedup_excluded(&mut excluded);

    let lead_end = layout
        .paragraphs
        .get(
            cfg.lead_paragraphs
                .saturating_sub(1)
                .min(layout.paragraphs.len().saturating_sub(1)),
        )
        .filter(|_| cfg.lead_paragraphs > 0)
        .map(|p| p.end)
        .unwrap_or(0);
    let strong_at: Vec<usize> = kept
        .iter()
        .filter(|(_, g)| !topic.cues[*g].weak)
        .map(|(h, _)| h.range.start)
        .collect();
    let mut seen: HashMap<(usize, usize), i32> = HashMap::new();
    let mut weak_total = 0.0;
    let mut matches = Vec::new();
    let mut unsupported_weak = 0;
    let mut score = 0.0;
    for (h, g) in kept {
        let group = &topic.cues[g];
        let near_strong = |at: usize| {
            let i = strong_at.partition_point(|&s| s < at);
            [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter_map(|i| strong_at.get(i))
                .any(|&s| s.abs_diff(at) <= cfg.weak_window)
        };
        if group.weak && !near_strong(h.range.start) {
            unsupported_weak += 1;
            continue;
        }
        let range = text.original_range(h.range.clone());
        let position = match &layout.headline {
            Some(hl) if positional && hl.contains(&range.start) => Position::Headline,
            _ if positional && range.start < lead_end => Position::Lead,
            _ => Position::Body,
        };
        // Position only strengthens strong cues: a weak word in a headline is still weak.
        let multiplier = match position {
            _ if group.weak => 1.0,
            Position::Headline => cfg.headline,
            Position::Lead => cfg.lead,
            Position::Body => 1.0,
        };
        // Every word form of one written term shares its repetition count.
        let n = seen.entry((g, h.term)).or_insert(0);
        let contribution = group.weight * multiplier * cfg.repeat_decay.powi(*n);
        *n += 1;
        if group.weak {
            weak_total += contribution;
        } else {
            score += contribution;
        }
        matches.push(CountedMatch {
            normalized: h.range.clone(),
            range,
            group: g,
            weight: group.weight,
            contribution,
            position,
            weak: group.weak,
        });
    }
    // Weak cues support strong ones; they never add more than `weak_cap` times as much.
    score += weak_total.min(score * cfg.weak_cap);
    let length_factor = (words as f64 / cfg.length_reference as f64).sqrt().max(1.0);
    let warn_threshold = cfg.warn * length_factor;
    let mut level = if score >= warn_threshold {
        Some(Level::Warn)
    } else if score >= cfg.mention {
        Some(Level::Mention)
    } else {
        None
    };
    // Only whole documents have paragraphs to count (not test sentences).
    let mut too_few_paragraphs = None;
    if level == Some(Level::Warn) && positional && cfg.min_paragraphs > 1 {
        // A short piece (a news brief of one paragraph) cannot spread its cues further
        // than it goes: there, every place it has is enough.
        let available = usize::from(layout.headline.is_some()) + layout.paragraphs.len();
        let needed = cfg.min_paragraphs.min(available.max(1));
        let places = places_of(matches.iter().filter(|m| !m.weak), layout);
        if places < needed {
            level = Some(Level::Mention);
            too_few_paragraphs = Some(places);
        }
    }
    TopicVerdict {
        topic: t,
        level,
        score,
        warn_threshold,
        mention_threshold: cfg.mention,
        matches,
        excluded,
        unsupported_weak,
        deferred_to: None,
        too_few_paragraphs,
    }
}

/// In how many places `matches` sit: the headline is one, each paragraph another; a match
/// outside all of them (text between paragraphs) is a place of its own.
fn places_of<'a>(matches: impl Iterator<Item = &'a CountedMatch>, layout: &Layout) -> usize {
    let mut places: Vec<usize> = matches
        .map(|m| {
            if layout
                .headline
                .as_ref()
                .is_some_and(|h| h.contains(&m.range.start))
            {
                return usize::MAX;
            }
            let i = layout
                .paragraphs
                .partition_point(|p| p.end <= m.range.start);
            match layout.paragraphs.get(i) {
                Some(p) if p.contains(&m.range.start) => i,
                // Not inside a paragraph: keyed by its own position, past every index.
                _ => layout.paragraphs.len() + m.range.start,
            }
        })
        .collect();
    places.sort_unstable();
    places.dedup();
    places.len()
}

/// One cue cancelled by two overlapping exclusions is reported once.
fn dedup_excluded(excluded: &mut Vec<ExcludedMatch>) {
    excluded.sort_by_key(|e| (e.range.start, e.range.end));
    excluded.dedup_by(|a, b| a.range == b.range);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::topic::parse_topic;
    use crate::matcher::Matcher;

    fn topic() -> Topic {
        parse_topic(
            "t.toml",
            "id = \"t\"\nlabel = \"T\"\n[score]\nwarn = 6\nmention = 2\nweak_window = 20\n\
             [[cues]]\nweight = 3\nterms = [\"miscarriage\", \"lost the baby\"]\n\
             [[cues]]\nweight = 1\nweak = true\nterms = [\"baby\", \"pregnant\"]\n\
             [[exclusions]]\nreason = \"legal\"\nterms = [\"miscarriage of justice\"]\n",
        )
        .unwrap()
    }

    fn verdict(text: &str, layout: &Layout, positional: bool) -> Option<TopicVerdict> {
        verdict_of(topic(), text, layout, positional)
    }

    fn verdict_of(
        topic: Topic,
        text: &str,
        layout: &Layout,
        positional: bool,
    ) -> Option<TopicVerdict> {
        let topics = vec![topic];
        let n = NormalizedText::new(text);
        let hits = Matcher::new(&topics).find(&n);
        score_topics(&topics, &hits, &n, layout, positional).pop()
    }

    #[test]
    fn exclusions_cancel_overlapping_cues() {
        let v = verdict("A miscarriage of justice.", &Layout::default(), false).unwrap();
        assert_eq!(v.level, None);
        assert_eq!(v.excluded.len(), 1);
        assert!(v.matches.is_empty());
    }

    #[test]
    fn longest_cue_wins_and_weak_cues_need_a_strong_one_nearby() {
        let v = verdict("They lost the baby.", &Layout::default(), false).unwrap();
        assert_eq!(
            v.matches.len(),
            1,
            "'baby' inside 'lost the baby' does not count again"
        );
        assert_eq!(v.level, Some(Level::Mention));
        let far = format!("pregnant {} miscarriage", "word ".repeat(20));
        let v = verdict(&far, &Layout::default(), false).unwrap();
        assert_eq!(v.unsupported_weak, 1);
        assert_eq!(v.score, 3.0);
    }

    #[test]
    fn repetition_decays_and_headline_counts_more() {
        let v = verdict("miscarriage miscarriage", &Layout::default(), false).unwrap();
        assert!((v.score - (3.0 + 3.0 * 0.8)).abs() < 1e-9);
        let text = "Miscarriage\n\nbody text";
        let layout = Layout {
            headline: Some(0..11),
            paragraphs: std::iter::once(13..22).collect(),
        };
        let v = verdict(text, &layout, true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        assert_eq!(v.matches[0].position, Position::Headline);
    }

    #[test]
    fn long_documents_need_more_to_warn() {
        let text = format!(
            "miscarriage miscarriage miscarriage {}",
            "filler ".repeat(3200)
        );
        let v = verdict(&text, &Layout::default(), false).unwrap();
        assert!(v.warn_threshold > 6.0 * 1.9);
        assert_eq!(v.level, Some(Level::Mention));
    }

    #[test]
    fn warn_needs_strong_cues_in_enough_paragraphs() {
        let topic = parse_topic(
            "t.toml",
            "id = \"t\"\nlabel = \"T\"\n[score]\nwarn = 6\nmention = 2\nmin_paragraphs = 3\n\
             [[cues]]\nweight = 3\nterms = [\"miscarriage\"]\n",
        )
        .unwrap();
        // Paragraphs as byte ranges of the text: (start, end) of each blank-line block.
        let layout_of = |text: &str| {
            let mut paragraphs = Vec::new();
            let mut at = 0;
            for block in text.split("\n\n") {
                paragraphs.push(at..at + block.len());
                at += block.len() + 2;
            }
            Layout {
                headline: None,
                paragraphs,
            }
        };
        // Three strong cues, well past warn, but all in one paragraph: a passing reference.
        let one = "miscarriage miscarriage miscarriage\n\nfiller\n\nfiller";
        let v = verdict_of(topic.clone(), one, &layout_of(one), true).unwrap();
        assert!(v.score >= v.warn_threshold);
        assert_eq!(v.level, Some(Level::Mention));
        assert_eq!(v.too_few_paragraphs, Some(1));
        // The same cues through three paragraphs: the piece is about it.
        let three = "miscarriage\n\nmiscarriage\n\nmiscarriage";
        let v = verdict_of(topic.clone(), three, &layout_of(three), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        assert_eq!(v.too_few_paragraphs, None);
        // A headline counts as a place of its own.
        let headed = "Miscarriage\n\nmiscarriage miscarriage\n\nfiller miscarriage";
        let layout = Layout {
            headline: Some(0..11),
            paragraphs: vec![13..36, 38..56],
        };
        let v = verdict_of(topic.clone(), headed, &layout, true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // A brief of a headline and one paragraph needs its cues in both, not three.
        let brief = "Miscarriage\n\nmiscarriage miscarriage";
        let layout = Layout {
            headline: Some(0..11),
            paragraphs: std::iter::once(13..36).collect(),
        };
        let v = verdict_of(topic.clone(), brief, &layout, true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        let three_places = Layout {
            headline: Some(0..11),
            paragraphs: vec![13..36, 38..44],
        };
        let v = verdict_of(
            topic.clone(),
            "Filler bits\n\nmiscarriage miscarriage\n\nfiller",
            &three_places,
            true,
        )
        .unwrap();
        assert_eq!(v.level, Some(Level::Mention), "one place of three");
        // Test sentences have no paragraphs to count: not capped.
        let v = verdict_of(topic, one, &Layout::default(), false).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // And the setting must be at least 1.
        let zero = parse_topic(
            "t.toml",
            "id = \"t\"\nlabel = \"T\"\n[score]\nmin_paragraphs = 0\n\
             [[cues]]\nweight = 3\nterms = [\"miscarriage\"]\n",
        );
        assert!(zero.is_err());
    }
}
