//! Stage 4, score: turns a topic's hits into a document-level verdict (`warn`, `mention`
//! or nothing). The counted evidence ([`evidence`]) comes from weights, repetition, position
//! and the nearness of weak cues to strong ones; the decision comes from the topic's fitted
//! model over layout-independent features ([`features`]) when the lexicons carry one, else
//! from the hand-set thresholds of the topic's `[score]` table.
//!
//! Every position is measured in words of the normalised text (where every run of white
//! space is one space), never in blank lines, so that an article gets the same verdict
//! whether its body comes as paragraphs, as one paragraph or as one sentence a line.

mod evidence;
pub mod features;

use crate::lexicon::{DecisionModel, Topic};
use crate::matcher::Hit;
use crate::normalize::NormalizedText;
use features::{Geometry, WordIndex};
use serde::{Deserialize, Serialize};
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
/// Scoring uses only the headline; paragraphs tell where an existing notice may sit.
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
    /// In the lead: the first `lead_words` words after the headline.
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
    /// Index of the written term (or pattern) within its group.
    pub term: usize,
    /// The group's weight.
    pub weight: f64,
    /// The weight after repetition decay, before any position multiplier.
    pub base: f64,
    /// What the match added to the score (weight × position × repetition decay).
    pub contribution: f64,
    /// Where the match sits.
    pub position: Position,
    /// Index of the word it starts in (0 is the document's first word).
    pub word: usize,
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

/// How a fitted model reached a topic's level.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdict {
    /// The model's probability that an editor would warn.
    pub probability: f64,
    /// The probability at or above which the topic is at warn.
    pub threshold: f64,
    /// The feature values, in the order of the lexicons' feature names (the model's
    /// weights, and what each feature added, are in the lexicons' model).
    pub features: Vec<f64>,
}

/// One topic's verdict on one document, with its evidence.
#[derive(Debug, Clone)]
pub struct TopicVerdict {
    /// Index of the topic in the lexicon set.
    pub topic: usize,
    /// `None` when the topic is neither at warn nor over the mention threshold.
    pub level: Option<Level>,
    /// The hand-weighted score.
    pub score: f64,
    /// The warn threshold after length adjustment (the hand-set rule).
    pub warn_threshold: f64,
    /// The mention threshold.
    pub mention_threshold: f64,
    /// Matches that counted.
    pub matches: Vec<CountedMatch>,
    /// Matches cancelled by an exclusion.
    pub excluded: Vec<ExcludedMatch>,
    /// Weak cues that did not count because no strong cue was near.
    pub unsupported_weak: usize,
    /// Set when the level was capped at `mention` because this topic defers to another
    /// (the hand-set rule; a model weighs the deferral as a feature instead).
    pub deferred_to: Option<String>,
    /// Set (to the number of places that had them) when the score reached warn but the
    /// strong cues sat in fewer places than `min_places`, so the level is `mention`.
    pub too_few_places: Option<usize>,
    /// Set when a fitted model decided between warn and the rest.
    pub model: Option<ModelVerdict>,
}

/// One topic's evidence features in one document, before any decision.
#[derive(Debug, Clone)]
pub struct TopicFeatures {
    /// Index of the topic in the lexicon set.
    pub topic: usize,
    /// The features, in the order of the lexicons' feature names (`deferred` at 0).
    pub features: Vec<f64>,
    /// The hand-weighted score.
    pub score: f64,
}

/// Counts the hits of every topic that has any and computes their features, as a whole
/// document (`positional`) scores them, without deciding any level.
pub fn topic_features(
    topics: &[Topic],
    context: &[usize],
    hits: &[Hit],
    text: &NormalizedText,
    layout: &Layout,
) -> Vec<TopicFeatures> {
    let geometry = Geometry::new(text, layout, true);
    counted(topics, context, hits, text, &geometry)
        .into_iter()
        .map(|(v, features)| TopicFeatures {
            topic: v.topic,
            features,
            score: v.score,
        })
        .collect()
}

/// Every topic with hits, counted, with its features; `context` is how often each
/// context group's words occur.
fn counted(
    topics: &[Topic],
    context: &[usize],
    hits: &[Hit],
    text: &NormalizedText,
    geometry: &Geometry,
) -> Vec<(TopicVerdict, Vec<f64>)> {
    let mut by_topic: Vec<Vec<&Hit>> = vec![Vec::new(); topics.len()];
    for h in hits {
        by_topic[h.topic].push(h);
    }
    let context = features::context_features(context, geometry);
    let words = WordIndex::new(text, hits.iter().map(|h| h.range.start));
    let mut counted: Vec<(TopicVerdict, Vec<f64>)> = by_topic
        .iter()
        .enumerate()
        .filter(|(_, hits)| !hits.is_empty())
        .map(|(t, hits)| {
            let verdict = evidence::count(t, &topics[t], hits, text, geometry, &words);
            let features = features::features(&verdict, &topics[t], geometry, &context);
            (verdict, features)
        })
        .collect();
    // How much of the document's strongest evidence each topic holds.
    let evidence: Vec<f64> = counted
        .iter()
        .map(|(_, f)| features::evidence_of(f))
        .collect();
    for (i, (_, f)) in counted.iter_mut().enumerate() {
        let other = evidence
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &e)| e)
            .fold(0.0, f64::max);
        let own = evidence[i];
        f[features::SHARE] = if own > 0.0 { own / (own + other) } else { 0.0 };
    }
    counted
}

/// Scores every topic that has hits. `positional` is true for whole documents: the
/// headline and lead multipliers, `min_places` and the fitted models apply only to them
/// (lexicon test sentences are scored by the hand-set thresholds alone).
pub fn score_topics(
    topics: &[Topic],
    model: &DecisionModel,
    context: &[usize],
    hits: &[Hit],
    text: &NormalizedText,
    layout: &Layout,
    positional: bool,
) -> Vec<TopicVerdict> {
    let geometry = Geometry::new(text, layout, positional);
    let mut scored = counted(topics, context, hits, text, &geometry);
    // A topic is decided once the topics it defers to are; deferral chains are short, and
    // a cycle (which the loader does not forbid) is broken by deciding the rest as they are.
    let mut decided = vec![false; scored.len()];
    while decided.iter().any(|d| !d) {
        let ready: Vec<usize> = (0..scored.len())
            .filter(|&i| !decided[i])
            .filter(|&i| {
                topics[scored[i].0.topic].defer_to.iter().all(|d| {
                    scored
                        .iter()
                        .zip(&decided)
                        .all(|((v, _), done)| *done || topics[v.topic].id != *d)
                })
            })
            .collect();
        let ready = if ready.is_empty() {
            (0..scored.len()).filter(|&i| !decided[i]).collect()
        } else {
            ready
        };
        for i in ready {
            let warned_target = topics[scored[i].0.topic]
                .defer_to
                .iter()
                .find(|d| {
                    scored.iter().zip(&decided).any(|((v, _), done)| {
                        *done && topics[v.topic].id == **d && v.level == Some(Level::Warn)
                    })
                })
                .cloned();
            let (verdict, features) = &mut scored[i];
            let topic = &topics[verdict.topic];
            decide(
                verdict,
                features,
                topic,
                model.topics.get(&topic.id).filter(|_| positional),
                warned_target,
                &geometry,
            );
            decided[i] = true;
        }
    }
    scored.into_iter().map(|(v, _)| v).collect()
}

/// Sets `verdict.level` from the fitted model, when there is one, else from the hand-set
/// thresholds, `min_places` and the deferral cap.
fn decide(
    verdict: &mut TopicVerdict,
    features: &mut [f64],
    topic: &Topic,
    model: Option<&crate::lexicon::TopicModel>,
    deferred_to: Option<String>,
    geometry: &Geometry,
) {
    let cfg = &topic.score;
    let mention = (verdict.score >= cfg.mention).then_some(Level::Mention);
    if let Some(m) = model {
        features[features::DEFERRED] = f64::from(u8::from(deferred_to.is_some()));
        let probability = m.probability(features);
        verdict.level = if probability >= m.threshold && verdict.score > 0.0 {
            Some(Level::Warn)
        } else {
            mention
        };
        verdict.model = Some(ModelVerdict {
            probability,
            threshold: m.threshold,
            features: features.to_vec(),
        });
        return;
    }
    verdict.level = if verdict.score >= verdict.warn_threshold {
        Some(Level::Warn)
    } else {
        mention
    };
    if verdict.level == Some(Level::Warn) && geometry.positional && cfg.min_places > 1 {
        // A short piece (a news brief) cannot spread its cues further than it goes: there,
        // every place it has is enough.
        let needed = cfg.min_places.min(geometry.places(cfg).max(1));
        let places = geometry.places_hit(verdict.matches.iter().filter(|m| !m.weak), cfg);
        if places < needed {
            verdict.level = Some(Level::Mention);
            verdict.too_few_places = Some(places);
        }
    }
    if verdict.level == Some(Level::Warn) && deferred_to.is_some() {
        verdict.level = Some(Level::Mention);
        verdict.deferred_to = deferred_to;
    }
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
        verdict_with(topic, &DecisionModel::default(), text, layout, positional)
    }

    fn verdict_with(
        topic: Topic,
        model: &DecisionModel,
        text: &str,
        layout: &Layout,
        positional: bool,
    ) -> Option<TopicVerdict> {
        let topics = vec![topic];
        let n = NormalizedText::new(text);
        let hits = Matcher::new(&topics).find(&n);
        score_topics(&topics, model, &[], &hits, &n, layout, positional).pop()
    }

    /// A model file with the built-in features only.
    fn model(text: &str) -> DecisionModel {
        let mut m = DecisionModel::parse("m.toml", text).unwrap();
        let names: Vec<String> = crate::lexicon::BASE_FEATURES
            .iter()
            .map(|s| s.to_string())
            .collect();
        m.resolve(&names).unwrap();
        m
    }

    /// The layout of `text` read as plain text: the first line is the headline.
    fn headed(text: &str) -> Layout {
        let end = text.find('\n').unwrap_or(text.len());
        Layout {
            headline: Some(0..end),
            paragraphs: Vec::new(),
        }
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
        let v = verdict(text, &headed(text), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        assert_eq!(v.matches[0].position, Position::Headline);
    }

    #[test]
    fn the_lead_is_counted_in_words() {
        let text = format!(
            "Headline\n{}miscarriage\n\n{}miscarriage",
            "word ".repeat(10),
            "word ".repeat(60)
        );
        let v = verdict(&text, &headed(&text), true).unwrap();
        let positions: Vec<Position> = v.matches.iter().map(|m| m.position).collect();
        assert_eq!(positions, [Position::Lead, Position::Body]);
        assert_eq!(v.matches[0].word, 11);
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
    fn warn_needs_strong_cues_in_enough_places_counted_in_words() {
        let topic = parse_topic(
            "t.toml",
            "id = \"t\"\nlabel = \"T\"\n[score]\nwarn = 6\nmention = 2\nmin_places = 3\n\
             place_words = 20\n[[cues]]\nweight = 3\nterms = [\"miscarriage\"]\n",
        )
        .unwrap();
        let filler = "word ".repeat(25);
        // Three strong cues, well past warn, but all in one place of four: a passing
        // reference, whatever the blank lines say.
        let one = format!("Headline\nmiscarriage miscarriage miscarriage {filler}{filler}");
        for text in [one.clone(), one.replace(' ', "\n\n")] {
            let v = verdict_of(topic.clone(), &text, &headed(&text), true).unwrap();
            assert!(v.score >= v.warn_threshold);
            assert_eq!(v.level, Some(Level::Mention));
            assert_eq!(v.too_few_places, Some(1));
        }
        // The same cues spread through the piece: it is about it.
        let three = format!("Headline\nmiscarriage {filler}miscarriage {filler}miscarriage");
        let v = verdict_of(topic.clone(), &three, &headed(&three), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // The headline counts as a place of its own.
        let h = format!("Miscarriage\nmiscarriage {filler}miscarriage");
        let v = verdict_of(topic.clone(), &h, &headed(&h), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // A brief of a headline and one place needs its cues in both, not three.
        let brief = "Miscarriage\nmiscarriage miscarriage";
        let v = verdict_of(topic.clone(), brief, &headed(brief), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // Test sentences have no places to count: not capped.
        let v = verdict_of(topic, &one, &Layout::default(), false).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        // And the setting must be at least 1.
        let zero = parse_topic(
            "t.toml",
            "id = \"t\"\nlabel = \"T\"\n[score]\nmin_places = 0\n\
             [[cues]]\nweight = 3\nterms = [\"miscarriage\"]\n",
        );
        assert!(zero.is_err());
    }

    #[test]
    fn a_fitted_model_decides_documents_and_explains_itself() {
        let text = "Headline\nThe miscarriage was mentioned once.";
        // Hand thresholds: one strong cue (3) is a mention.
        let v = verdict(text, &headed(text), true).unwrap();
        assert_eq!(v.level, Some(Level::Mention));
        assert!(v.model.is_none());
        // A model that weighs evidence heavily warns on it.
        let model = model("[topics.t]\nbias = -1\nevidence = 2\nthreshold = 0.5\n");
        let v = verdict_with(topic(), &model, text, &headed(text), true).unwrap();
        assert_eq!(v.level, Some(Level::Warn));
        let m = v.model.unwrap();
        assert!((m.features[0] - (1.0f64 + 3.0).ln()).abs() < 1e-9);
        let weights = &model.topics["t"];
        assert!((weights.contributions(&m.features)[0] - 2.0 * m.features[0]).abs() < 1e-9);
        assert!(m.probability > 0.5);
        // Test sentences are scored by the thresholds alone.
        let v = verdict_with(topic(), &model, text, &Layout::default(), false).unwrap();
        assert_eq!(v.level, Some(Level::Mention));
    }

    #[test]
    fn a_deferring_topic_is_capped_by_rule_and_weighed_by_a_model() {
        let lexicon = |deferring: &str| {
            vec![
                parse_topic(
                    "a.toml",
                    "id = \"a\"\nlabel = \"A\"\n[[cues]]\nweight = 7\nterms = [\"stillbirth\"]\n",
                )
                .unwrap(),
                parse_topic("b.toml", deferring).unwrap(),
            ]
        };
        let topics = lexicon(
            "id = \"b\"\nlabel = \"B\"\ndefer_to = [\"a\"]\n[[cues]]\nweight = 7\nterms = [\"grief\"]\n",
        );
        let text = "stillbirth and grief";
        let n = NormalizedText::new(text);
        let hits = Matcher::new(&topics).find(&n);
        let layout = Layout::default();
        let v = score_topics(
            &topics,
            &DecisionModel::default(),
            &[],
            &hits,
            &n,
            &layout,
            true,
        );
        assert_eq!(v[0].level, Some(Level::Warn));
        assert_eq!(v[1].level, Some(Level::Mention));
        assert_eq!(v[1].deferred_to.as_deref(), Some("a"));
        let model = model("[topics.b]\nbias = 0\nevidence = 1\ndeferred = -0.5\n");
        let v = score_topics(&topics, &model, &[], &hits, &n, &layout, true);
        let m = v[1].model.as_ref().unwrap();
        assert_eq!(m.features[features::DEFERRED], 1.0);
        assert_eq!(
            v[1].level,
            Some(Level::Warn),
            "the model decides, not the cap"
        );
    }
}
