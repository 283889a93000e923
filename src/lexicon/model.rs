//! The fitted decision model (`lexicons/model.toml`): for each topic, the weights of a
//! logistic model over the evidence features of a document (see [`crate::score::features`]).
//! The file is written by `forewarn train` from hand-labelled articles; a topic without an
//! entry is decided by its hand-set thresholds instead.

use super::{LexiconError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The evidence features a model weighs, in the order of [`TopicModel::weights`].
pub const FEATURES: [&str; 10] = [
    "evidence", "support", "terms", "headline", "lead", "places", "coverage", "density", "length",
    "deferred",
];

/// Number of features.
pub const FEATURE_COUNT: usize = FEATURES.len();

/// One topic's fitted logistic model: `P(warn) = 1 / (1 + e^-(bias + Σ weight·feature))`.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicModel {
    /// The intercept.
    pub bias: f64,
    /// One weight per entry of [`FEATURES`].
    pub weights: [f64; FEATURE_COUNT],
    /// The probability at or above which the topic is at `warn`.
    pub threshold: f64,
}

impl TopicModel {
    /// What each feature adds to the log-odds, in the order of [`FEATURES`].
    pub fn contributions(&self, features: &[f64; FEATURE_COUNT]) -> [f64; FEATURE_COUNT] {
        std::array::from_fn(|i| self.weights[i] * features[i])
    }

    /// The probability that a careful editor would warn, given `features`.
    pub fn probability(&self, features: &[f64; FEATURE_COUNT]) -> f64 {
        let z = self.bias + self.contributions(features).iter().sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Fitted models by topic id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionModel {
    /// Models by topic id.
    pub topics: BTreeMap<String, TopicModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    #[serde(default = "default_threshold")]
    threshold: Spanned<f64>,
    #[serde(default)]
    topics: BTreeMap<String, Spanned<BTreeMap<String, Spanned<f64>>>>,
}

fn default_threshold() -> Spanned<f64> {
    Spanned::new(0..0, 0.5)
}

impl DecisionModel {
    /// Parses a model file; `source` names it in errors.
    pub fn parse(source: &str, text: &str) -> Result<DecisionModel, LexiconError> {
        let err = |offset: usize, message: String| LexiconError {
            file: source.to_string(),
            line: line_of(text, offset),
            message,
        };
        let file: ModelFile = toml::from_str(text)
            .map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
        let probability = |v: &Spanned<f64>| {
            let p = *v.get_ref();
            if p > 0.0 && p < 1.0 {
                Ok(p)
            } else {
                Err(err(
                    v.span().start,
                    format!("threshold {p} must be between 0 and 1"),
                ))
            }
        };
        let threshold = probability(&file.threshold)?;
        let mut topics = BTreeMap::new();
        for (id, table) in file.topics {
            let mut model = TopicModel {
                bias: 0.0,
                weights: [0.0; FEATURE_COUNT],
                threshold,
            };
            for (name, value) in table.get_ref() {
                let v = *value.get_ref();
                if !v.is_finite() {
                    return Err(err(value.span().start, format!("{name} must be a number")));
                }
                match name.as_str() {
                    "bias" => model.bias = v,
                    "threshold" => model.threshold = probability(value)?,
                    _ => match FEATURES.iter().position(|f| f == name) {
                        Some(i) => model.weights[i] = v,
                        None => {
                            return Err(err(
                                value.span().start,
                                format!(
                                    "unknown key {name:?} in [topics.{id}]; expected bias, threshold or a feature: {}",
                                    FEATURES.join(", ")
                                ),
                            ));
                        }
                    },
                }
            }
            topics.insert(id, model);
        }
        Ok(DecisionModel { topics })
    }

    /// Writes the model in the file format (weights rounded to four decimals), after
    /// `header` lines that become comments.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
        for (id, m) in &self.topics {
            out.push_str(&format!("\n[topics.{id}]\nbias = {}\n", round4(m.bias)));
            out.push_str(&format!("threshold = {}\n", round4(m.threshold)));
            for (name, w) in FEATURES.iter().zip(m.weights) {
                out.push_str(&format!("{name} = {}\n", round4(w)));
            }
        }
        out
    }
}

fn round4(x: f64) -> f64 {
    let r = (x * 10_000.0).round() / 10_000.0;
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_weights_and_names_unknown_keys() {
        let text = "threshold = 0.6\n[topics.t]\nbias = -2\nevidence = 1.5\n";
        let m = DecisionModel::parse("m.toml", text).unwrap();
        let t = &m.topics["t"];
        assert_eq!((t.bias, t.weights[0], t.threshold), (-2.0, 1.5, 0.6));
        let mut f = [0.0; FEATURE_COUNT];
        f[0] = 2.0;
        assert!((t.probability(&f) - 0.7310585786).abs() < 1e-9);
        let e = DecisionModel::parse("m.toml", "[topics.t]\nbias = 1\nevidance = 2\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("evidence"), "{e}");
        assert!(DecisionModel::parse("m.toml", "threshold = 1.5\n").is_err());
    }

    #[test]
    fn written_model_reads_back() {
        let mut m = DecisionModel::default();
        m.topics.insert(
            "t".into(),
            TopicModel {
                bias: -1.23456,
                weights: std::array::from_fn(|i| i as f64 / 3.0),
                threshold: 0.45,
            },
        );
        let text = m.to_toml("fitted for a test\n\nsecond line");
        assert!(
            text.starts_with("# fitted for a test\n#\n# second line\n"),
            "{text}"
        );
        let back = DecisionModel::parse("m.toml", &text).unwrap();
        assert_eq!(back.topics["t"].bias, -1.2346);
        assert_eq!(back.topics["t"].threshold, 0.45);
        assert_eq!(back.topics["t"].weights[3], 1.0);
    }
}
