//! The fitted decision model (`lexicons/model.toml`): for each topic, the weights of a
//! logistic model over the evidence features of a document (see [`crate::score::features`])
//! and the context groups of `context.toml`. The file is written by `forewarn train` from
//! hand-labelled documents; a topic without an entry is decided by its hand-set thresholds.

use super::{LexiconError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The built-in evidence features, first in every feature vector; the context groups
/// follow, in the order of `context.toml`.
pub const BASE_FEATURES: [&str; 11] = [
    "evidence", "support", "terms", "headline", "lead", "places", "coverage", "density", "length",
    "share", "deferred",
];

/// One topic's fitted logistic model: `P(warn) = 1 / (1 + e^-(bias + Σ weight·feature))`.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicModel {
    /// The intercept.
    pub bias: f64,
    /// One weight per feature (built-in features, then context groups).
    pub weights: Vec<f64>,
    /// The probability at or above which the topic is at `warn`.
    pub threshold: f64,
}

impl TopicModel {
    /// What each feature adds to the log-odds.
    pub fn contributions(&self, features: &[f64]) -> Vec<f64> {
        self.weights
            .iter()
            .zip(features)
            .map(|(w, x)| w * x)
            .collect()
    }

    /// The probability that a careful editor would warn, given `features`.
    pub fn probability(&self, features: &[f64]) -> f64 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(features)
                .map(|(w, x)| w * x)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// A topic's entry as read, before its feature names are checked against the lexicons.
#[derive(Debug, Clone, PartialEq)]
struct RawTopicModel {
    bias: f64,
    threshold: f64,
    /// (feature name, weight, line) in file order.
    weights: Vec<(String, f64, usize)>,
}

/// Fitted models by topic id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionModel {
    /// Models by topic id, weights in feature order.
    pub topics: BTreeMap<String, TopicModel>,
    /// As read, until [`DecisionModel::resolve`] knows the feature names.
    raw: BTreeMap<String, (String, RawTopicModel)>,
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
    /// Parses a model file; `source` names it in errors. Feature names are checked by
    /// [`DecisionModel::resolve`].
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
        let mut raw = BTreeMap::new();
        for (id, table) in file.topics {
            let mut model = RawTopicModel {
                bias: 0.0,
                threshold,
                weights: Vec::new(),
            };
            for (name, value) in table.get_ref() {
                let v = *value.get_ref();
                if !v.is_finite() {
                    return Err(err(value.span().start, format!("{name} must be a number")));
                }
                match name.as_str() {
                    "bias" => model.bias = v,
                    "threshold" => model.threshold = probability(value)?,
                    _ => model
                        .weights
                        .push((name.clone(), v, line_of(text, value.span().start))),
                }
            }
            raw.insert(id, (source.to_string(), model));
        }
        Ok(DecisionModel {
            topics: BTreeMap::new(),
            raw,
        })
    }

    /// Adds `other`'s entries, replacing same-id ones.
    pub fn extend(&mut self, other: DecisionModel) {
        self.raw.extend(other.raw);
        self.topics.extend(other.topics);
    }

    /// Drops the entry of topic `id`.
    pub fn remove(&mut self, id: &str) {
        self.raw.remove(id);
        self.topics.remove(id);
    }

    /// Keeps only the entries `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.raw.retain(|id, _| keep(id));
        self.topics.retain(|id, _| keep(id));
    }

    /// Orders every entry's weights by `names` (the lexicons' feature names); a weight for
    /// a name not among them is an error naming the file and line.
    pub fn resolve(&mut self, names: &[String]) -> Result<(), LexiconError> {
        for (id, (source, raw)) in std::mem::take(&mut self.raw) {
            let mut weights = vec![0.0; names.len()];
            for (name, w, line) in &raw.weights {
                match names.iter().position(|n| n == name) {
                    Some(i) => weights[i] = *w,
                    None => {
                        return Err(LexiconError {
                            file: source,
                            line: *line,
                            message: format!(
                                "unknown key {name:?} in [topics.{id}]; expected bias, threshold or a feature: {}",
                                names.join(", ")
                            ),
                        });
                    }
                }
            }
            self.topics.insert(
                id,
                TopicModel {
                    bias: raw.bias,
                    weights,
                    threshold: raw.threshold,
                },
            );
        }
        Ok(())
    }

    /// Writes the model in the file format (numbers rounded to four decimals), after
    /// `header` lines that become comments; `names` are the features in weight order.
    pub fn to_toml(&self, header: &str, names: &[String]) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
        for (id, m) in &self.topics {
            out.push_str(&format!("\n[topics.{id}]\nbias = {}\n", round4(m.bias)));
            out.push_str(&format!("threshold = {}\n", round4(m.threshold)));
            for (name, w) in names.iter().zip(&m.weights) {
                out.push_str(&format!("{name} = {}\n", round4(*w)));
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

    fn names() -> Vec<String> {
        BASE_FEATURES.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_weights_and_names_unknown_keys() {
        let text = "threshold = 0.6\n[topics.t]\nbias = -2\nevidence = 1.5\n";
        let mut m = DecisionModel::parse("m.toml", text).unwrap();
        m.resolve(&names()).unwrap();
        let t = &m.topics["t"];
        assert_eq!((t.bias, t.weights[0], t.threshold), (-2.0, 1.5, 0.6));
        let mut f = vec![0.0; BASE_FEATURES.len()];
        f[0] = 2.0;
        assert!((t.probability(&f) - 0.7310585786).abs() < 1e-9);
        let mut bad =
            DecisionModel::parse("m.toml", "[topics.t]\nbias = 1\nevidance = 2\n").unwrap();
        let e = bad.resolve(&names()).unwrap_err();
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
                weights: (0..BASE_FEATURES.len()).map(|i| i as f64 / 3.0).collect(),
                threshold: 0.45,
            },
        );
        let text = m.to_toml("fitted for a test\n\nsecond line", &names());
        assert!(
            text.starts_with("# fitted for a test\n#\n# second line\n"),
            "{text}"
        );
        let mut back = DecisionModel::parse("m.toml", &text).unwrap();
        back.resolve(&names()).unwrap();
        assert_eq!(back.topics["t"].bias, -1.2346);
        assert_eq!(back.topics["t"].threshold, 0.45);
        assert_eq!(back.topics["t"].weights[3], 1.0);
    }
}
