//! The configuration file (`forewarn.toml` or `.forewarn.toml`, found by walking up from the
//! working directory, or given with `--config`): region, topics on and off, thresholds,
//! house-style templates, extra lexicons, excluded paths and the level `check` fails at.
//! Every field is optional; files merge field by field (defaults < discovered file <
//! `--config` < command-line flags).

use crate::lexicon::{LexiconError, LexiconSet, TemplateConfig, line_of};
use crate::score::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names the configuration file may have, in the order they are looked for.
pub const FILE_NAMES: [&str; 2] = ["forewarn.toml", ".forewarn.toml"];

/// Per-topic threshold overrides.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ThresholdOverride {
    /// Replaces the topic's `warn` score.
    pub warn: Option<f64>,
    /// Replaces the topic's `mention` score.
    pub mention: Option<f64>,
}

/// The configuration, as read from files and merged.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Region for support lines.
    pub region: Option<String>,
    /// Extra lexicon directories (relative to the configuration file).
    pub lexicons: Option<Vec<PathBuf>>,
    /// Glob patterns of paths never scanned, even when named on the command line.
    pub exclude: Option<Vec<String>>,
    /// The lowest level `check` requires a warning and support line for (`warn`).
    pub fail_level: Option<Level>,
    /// Topics turned on (`true`) or off (`false`) by id.
    pub topics: Option<BTreeMap<String, bool>>,
    /// Threshold overrides by topic id.
    pub thresholds: Option<BTreeMap<String, ThresholdOverride>>,
    /// House-style templates.
    pub templates: Option<TemplateConfig>,
    /// Severity of every safe-messaging rule: `warning`, `note` or `off`.
    pub safe_messaging: Option<crate::safe_messaging::Severity>,
    /// The files this configuration was read from (not a key of the file).
    #[serde(skip_deserializing, default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<PathBuf>,
}

impl Config {
    /// Reads one configuration file; relative lexicon paths become relative to it.
    pub fn read(path: &Path) -> Result<Config, LexiconError> {
        let text = std::fs::read_to_string(path).map_err(|e| LexiconError {
            file: path.display().to_string(),
            line: 1,
            message: format!("cannot read: {e}"),
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| LexiconError {
            file: path.display().to_string(),
            line: line_of(&text, e.span().map_or(0, |s| s.start)),
            message: e.message().to_string(),
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        if let Some(l) = &mut config.lexicons {
            for p in l.iter_mut() {
                if p.is_relative() {
                    *p = dir.join(&*p);
                }
            }
        }
        config.sources = vec![path.to_path_buf()];
        Ok(config)
    }

    /// The configuration file found by walking up from `start`, if any.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
            dir = d.parent();
        }
        None
    }

    /// `self` with every unset field taken from `lower`.
    pub fn or(self, lower: Config) -> Config {
        let mut sources = lower.sources;
        sources.extend(self.sources);
        Config {
            region: self.region.or(lower.region),
            lexicons: self.lexicons.or(lower.lexicons),
            exclude: self.exclude.or(lower.exclude),
            fail_level: self.fail_level.or(lower.fail_level),
            safe_messaging: self.safe_messaging.or(lower.safe_messaging),
            topics: merge_maps(self.topics, lower.topics),
            thresholds: merge_maps(self.thresholds, lower.thresholds),
            templates: match (self.templates, lower.templates) {
                (Some(a), Some(b)) => Some(TemplateConfig {
                    warning: a.warning.or(b.warning),
                    support: a.support.or(b.support),
                    line: a.line.or(b.line),
                    line_no_hours: a.line_no_hours.or(b.line_no_hours),
                    line_web: a.line_web.or(b.line_web),
                    fallback_note: a.fallback_note.or(b.fallback_note),
                    regions: {
                        let mut r = b.regions;
                        for (k, v) in a.regions {
                            let lower = r.remove(&k).unwrap_or_default();
                            r.insert(k, v.or(&lower));
                        }
                        r
                    },
                }),
                (a, b) => a.or(b),
            },
            sources,
        }
    }

    /// Applies topics on/off, thresholds and templates to loaded lexicons.
    pub fn apply(&self, set: &mut LexiconSet) -> Result<(), String> {
        let known = |id: &str, set: &LexiconSet| -> Result<(), String> {
            if set.topic(id).is_some() {
                return Ok(());
            }
            let ids: Vec<&str> = set.topics.iter().map(|t| t.id.as_str()).collect();
            Err(format!(
                "configuration names unknown topic {id:?}; topics: {}",
                ids.join(", ")
            ))
        };
        if let Some(thresholds) = &self.thresholds {
            for (id, t) in thresholds {
                known(id, set)?;
                let topic = set
                    .topics
                    .iter_mut()
                    .find(|x| x.id == *id)
                    .expect("checked above");
                if let Some(w) = t.warn {
                    topic.score.warn = w;
                    // A threshold set by hand means the hand rule decides this topic.
                    set.model.remove(id);
                }
                if let Some(m) = t.mention {
                    topic.score.mention = m;
                }
                if !(topic.score.mention > 0.0 && topic.score.warn >= topic.score.mention) {
                    return Err(format!("thresholds for {id}: need 0 < mention <= warn"));
                }
            }
        }
        if let Some(topics) = &self.topics {
            for (id, on) in topics {
                known(id, set)?;
                if !on {
                    set.topics.retain(|t| t.id != *id);
                    for t in &mut set.topics {
                        t.defer_to.retain(|d| d != id);
                    }
                }
            }
        }
        if let Some(t) = &self.templates {
            t.apply_to(&mut set.templates, &mut set.region_templates);
        }
        Ok(())
    }
}

fn merge_maps<V>(
    upper: Option<BTreeMap<String, V>>,
    lower: Option<BTreeMap<String, V>>,
) -> Option<BTreeMap<String, V>> {
    match (upper, lower) {
        (Some(u), Some(mut l)) => {
            l.extend(u);
            Some(l)
        }
        (u, l) => u.or(l),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_key_names_the_line_and_valid_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("forewarn.toml");
        std::fs::write(&p, "region = \"AU\"\nregoin = \"UK\"\n").unwrap();
        let e = Config::read(&p).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("region"), "{e}");
    }

    #[test]
    fn discovery_walks_up_and_files_merge_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".forewarn.toml"),
            "region = \"NZ\"\nfail_level = \"mention\"\n",
        )
        .unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        let found = Config::discover(&deep).unwrap();
        let lower = Config::read(&found).unwrap();
        let upper = Config {
            region: Some("AU".into()),
            ..Config::default()
        };
        let merged = upper.or(lower);
        assert_eq!(merged.region.as_deref(), Some("AU"));
        assert_eq!(merged.fail_level, Some(Level::Mention));
    }

    #[test]
    fn apply_turns_topics_off_and_overrides() {
        let mut set = LexiconSet::load(&[]).unwrap();
        let config: Config = toml::from_str(
            "[topics]\ninfertility = false\n[thresholds.pregnancy-loss]\nwarn = 9\n[templates]\nwarning = \"Content note: {topics}.\"\n",
        )
        .unwrap();
        config.apply(&mut set).unwrap();
        assert!(set.topic("infertility").is_none());
        assert_eq!(set.topic("pregnancy-loss").unwrap().score.warn, 9.0);
        assert_eq!(set.templates_for(None).warning, "Content note: {topics}.");
        let bad: Config = toml::from_str("[topics]\nnope = false\n").unwrap();
        assert!(bad.apply(&mut set).unwrap_err().contains("unknown topic"));
    }
}
