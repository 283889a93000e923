//! The data every printer sees: one [`DocumentReport`] per document. Printers never scan;
//! this is the whole contract between analysis and output. The JSON schema is this
//! struct's serde form (see README.md).

use crate::score::{Level, Position};
use serde::{Deserialize, Serialize};

/// Everything forewarn concluded about one document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DocumentReport {
    /// The path as given, `-` for stdin, or the batch file for a record.
    pub path: String,
    /// The record id, for documents from a batch file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The region support lines were chosen for (`null`: international fallback).
    pub region: Option<String>,
    /// Said when no region was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_note: Option<String>,
    /// Topics at `warn` or `mention` (or below, for `explain`), warn first, then in
    /// lexicon order.
    pub topics: Vec<TopicReport>,
    /// The suggested warning sentence covering every `warn` topic, or `null`.
    pub warning: Option<String>,
    /// The suggested support lines, one per organisation.
    pub support: Vec<SupportReport>,
    /// The suggested support insert, or `null`.
    pub support_text: Option<String>,
    /// True when the document already carries a content warning.
    pub has_warning: bool,
    /// True when the document already prints a directory support number.
    pub has_support: bool,
    /// What `check` would fail on: `warn` topics not covered.
    pub missing: Missing,
    /// Directory numbers in the document that are retired or serve another region.
    #[serde(default)]
    pub stale_numbers: Vec<StaleNumber>,
    /// Findings silenced by inline directives (`forewarn-ignore`, `forewarn-disable`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedTopic>,
    /// Wording that safe-messaging guidelines advise against, with the preferred phrasing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safe_messaging: Vec<WordingReport>,
    /// Front-matter `content_warnings` entries that name no topic found in the text (a
    /// note, never a failure).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_not_found: Vec<String>,
}

/// Wording that safe-messaging guidelines advise against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WordingReport {
    /// Rule id (`committed-suicide`, …).
    pub rule: String,
    /// `warning` (fails `check`) or `note`.
    pub severity: crate::safe_messaging::Severity,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The wording as it appears in the file.
    pub text: String,
    /// Why it is advised against.
    pub message: String,
    /// What the guidelines prefer.
    pub preferred: String,
}

/// A topic whose level was lowered or removed by an inline directive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SuppressedTopic {
    /// Topic id.
    pub id: String,
    /// The level it would have had.
    pub level: Level,
    /// The level it has after suppression (`null`: none).
    pub now: Option<Level>,
    /// `forewarn-ignore` or `forewarn-disable`.
    pub directive: String,
}

/// `warn` topics a document does not yet cover.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Missing {
    /// Topic ids with no covering content warning.
    pub warning: Vec<String>,
    /// Topic ids with no support number serving them.
    pub support: Vec<String>,
    /// The warning `fix` would insert (naming only the uncovered topics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_text: Option<String>,
    /// The support insert `fix` would add (for only the unsupported topics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_text: Option<String>,
}

impl Missing {
    /// True when nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.warning.is_empty() && self.support.is_empty()
    }
}

/// One topic's verdict and evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopicReport {
    /// Stable topic id.
    pub id: String,
    /// Human label.
    pub label: String,
    /// `warn`, `mention`, or `null` (below both thresholds; only in `explain`).
    pub level: Option<Level>,
    /// The document score, rounded to two decimals.
    pub score: f64,
    /// The warn threshold after length adjustment.
    pub warn_threshold: f64,
    /// The mention threshold.
    pub mention_threshold: f64,
    /// True when an existing warning in the document names this topic.
    pub warned: bool,
    /// True when the document prints a support number serving this topic.
    pub supported: bool,
    /// Set when the level was capped at mention because the named topic is at warn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<String>,
    /// Set when the score reached warn but its strong cues sat in only this many places
    /// (the headline, or stretches of `place_words` words), fewer than the topic's
    /// `min_places`: capped at mention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_few_places: Option<usize>,
    /// Set when the topic's fitted model decided between warn and the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelReport>,
    /// The matches that counted.
    pub matches: Vec<MatchReport>,
    /// Matches cancelled by exclusions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedReport>,
    /// Weak cues that did not count because no strong cue was near.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unsupported_weak: usize,
}

/// How a fitted model decided a topic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelReport {
    /// The model's probability that an editor would warn, rounded to three decimals.
    pub probability: f64,
    /// The probability at or above which the topic is at warn.
    pub threshold: f64,
    /// What each feature added to the log-odds, the intercept first (`explain` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<FeatureReport>,
}

/// One term of a model's log-odds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeatureReport {
    /// The feature's name (`bias` for the intercept).
    pub name: String,
    /// Its value in this document (1 for the intercept).
    pub value: f64,
    /// Its weight in the model.
    pub weight: f64,
    /// `value × weight`.
    pub contribution: f64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One counted match.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatchReport {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the start in the original file.
    pub start: usize,
    /// Byte offset just past the end in the original file.
    pub end: usize,
    /// The matched text as it appears in the file.
    pub text: String,
    /// The line around the match, shortened.
    pub snippet: String,
    /// The cue's weight.
    pub weight: f64,
    /// What the match added to the score.
    pub contribution: f64,
    /// `headline`, `lead` or `body`.
    pub position: Position,
    /// True for a weak cue.
    pub weak: bool,
}

/// A cue cancelled by an exclusion.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExcludedReport {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The cancelled cue as it appears in the file.
    pub text: String,
    /// The exclusion span that cancelled it.
    pub by: String,
    /// The exclusion's reason from the lexicon.
    pub reason: String,
}

/// One suggested support line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupportReport {
    /// Organisation name.
    pub organisation: String,
    /// Phone as published (may be empty for a web service).
    pub phone: String,
    /// Hours in words (may be empty).
    pub hours: String,
    /// Web address.
    pub url: String,
    /// Region of the row.
    pub region: String,
    /// The `warn` topics this line is suggested for.
    pub topics: Vec<String>,
    /// The line as it reads in the insert.
    pub text: String,
}

/// A directory number in the document that should be replaced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StaleNumber {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The number as printed.
    pub text: String,
    /// Why it is stale.
    pub reason: String,
    /// What to print instead, when known.
    pub suggestion: Option<String>,
}

impl DocumentReport {
    /// The ids of topics at `warn`.
    pub fn warn_ids(&self) -> Vec<&str> {
        self.topics
            .iter()
            .filter(|t| t.level == Some(Level::Warn))
            .map(|t| t.id.as_str())
            .collect()
    }

    /// The ids of topics at `mention`.
    pub fn mention_ids(&self) -> Vec<&str> {
        self.topics
            .iter()
            .filter(|t| t.level == Some(Level::Mention))
            .map(|t| t.id.as_str())
            .collect()
    }

    /// True when `check` fails on this document: something is missing, or a support
    /// number is retired or belongs to another region.
    pub fn fails_check(&self) -> bool {
        !self.missing.is_empty()
            || !self.stale_numbers.is_empty()
            || self
                .safe_messaging
                .iter()
                .any(|w| w.severity == crate::safe_messaging::Severity::Warning)
    }
}
