//! Stage 0, lexicons: loads the data that drives every later stage (topics, the support
//! directory, templates, notice rules) from the embedded defaults and from user
//! directories, validating everything and naming file and line on error.

pub mod cases;
pub mod context;
pub mod expand;
pub mod model;
pub mod templates;
pub mod topic;

use crate::support::SupportDirectory;
pub use context::ContextGroup;
pub use model::{BASE_FEATURES, DecisionModel, TopicModel};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use templates::{TemplateConfig, TemplateFields, TemplateSet};
pub use topic::{CueGroup, ExclusionGroup, Pattern, ScoreConfig, Term, Topic, TopicTests};

include!(concat!(env!("OUT_DIR"), "/embedded_lexicons.rs"));

/// A lexicon file that could not be used: where, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    /// The file (a path, or `embedded:<name>` for a default).
    pub file: String,
    /// 1-based line number (1 when the problem is the whole file).
    pub line: usize,
    /// What is wrong, in words a lexicon author can act on.
    pub message: String,
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Rules that recognise an existing content warning (`notices.toml`).
#[derive(Debug, Clone, Default)]
pub struct NoticeRules {
    /// Anchored patterns run on each normalised paragraph near the top of a document.
    pub patterns: Vec<Pattern>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    patterns: Vec<toml::Spanned<String>>,
}

/// Every piece of data the pipeline runs on.
#[derive(Debug, Clone)]
pub struct LexiconSet {
    /// Topics, sorted by (`order`, `id`).
    pub topics: Vec<Topic>,
    /// The helpline directory.
    pub support: SupportDirectory,
    /// Wording templates, by field, with region overrides.
    pub templates: TemplateFields,
    /// Region overrides of `templates`.
    pub region_templates: BTreeMap<String, TemplateFields>,
    /// How existing warnings are recognised.
    pub notices: NoticeRules,
    /// Safe-messaging wording rules.
    pub safe_messaging: Vec<crate::safe_messaging::Rule>,
    /// Fitted decision models by topic id (topics without one use their thresholds).
    pub model: DecisionModel,
    /// Context word groups, features of the models.
    pub context: Vec<ContextGroup>,
}

/// One lexicon file's contents with its name for messages.
struct SourceFile {
    name: String,
    kind: FileKind,
    text: String,
}

#[derive(PartialEq)]
enum FileKind {
    Topic,
    Support,
    Templates,
    Notices,
    SafeMessaging,
    Model,
    Context,
}

fn kind_of(rel: &str) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name {
        "support-lines.csv" => Some(FileKind::Support),
        "templates.toml" => Some(FileKind::Templates),
        "notices.toml" => Some(FileKind::Notices),
        "safe-messaging.toml" => Some(FileKind::SafeMessaging),
        "model.toml" => Some(FileKind::Model),
        "context.toml" => Some(FileKind::Context),
        "config.toml" | "forewarn.toml" | ".forewarn.toml" => None,
        n if n.ends_with(".toml") => Some(FileKind::Topic),
        _ => None,
    }
}

/// One lexicon file, parsed.
enum Parsed {
    Topic(Box<Topic>),
    Support(SupportDirectory),
    Templates(TemplateConfig),
    SafeMessaging(Vec<crate::safe_messaging::Rule>),
    Notices(Vec<Pattern>),
    Model(DecisionModel),
    Context(Vec<ContextGroup>),
}

fn parse_file(f: &SourceFile, is_default: bool) -> Result<Parsed, LexiconError> {
    Ok(match f.kind {
        // Embedded defaults compile their patterns on first use (cargo test compiles them
        // all); user files are compiled now to report errors.
        FileKind::Topic => Parsed::Topic(Box::new(topic::parse_topic_with(
            &f.name,
            &f.text,
            !is_default,
        )?)),
        FileKind::Support => Parsed::Support(SupportDirectory::parse(&f.name, &f.text)?),
        FileKind::Templates => {
            Parsed::Templates(toml::from_str(&f.text).map_err(|e| toml_error(&f.name, &f.text, e))?)
        }
        FileKind::SafeMessaging => {
            Parsed::SafeMessaging(crate::safe_messaging::parse_rules(&f.name, &f.text)?)
        }
        FileKind::Model => Parsed::Model(DecisionModel::parse(&f.name, &f.text)?),
        FileKind::Context => Parsed::Context(context::parse_context(&f.name, &f.text)?),
        FileKind::Notices => {
            let n: NoticeFile =
                toml::from_str(&f.text).map_err(|e| toml_error(&f.name, &f.text, e))?;
            let patterns = n
                .patterns
                .iter()
                .map(|p| {
                    Pattern::compile(p.get_ref()).map_err(|m| LexiconError {
                        file: f.name.clone(),
                        line: line_of(&f.text, p.span().start),
                        message: m,
                    })
                })
                .collect::<Result<_, _>>()?;
            Parsed::Notices(patterns)
        }
    })
}

impl LexiconSet {
    /// Loads the embedded defaults, then each of `extra` (a directory of lexicon files or
    /// one topic file) on top: a topic with the same id replaces the default, support rows
    /// go before the defaults (so they win), templates override field by field, notice
    /// patterns are added.
    pub fn load(extra: &[PathBuf]) -> Result<LexiconSet, LexiconError> {
        let mut files: Vec<SourceFile> = EMBEDDED_FILES
            .iter()
            .filter_map(|(rel, text)| {
                kind_of(rel).map(|kind| SourceFile {
                    name: format!("embedded:lexicons/{rel}"),
                    kind,
                    text: text.to_string(),
                })
            })
            .collect();
        let defaults = files.len();
        for path in extra {
            files.extend(read_user_files(path)?);
        }
        Self::from_files(files, defaults)
    }

    /// Loads only the files under `path` (no defaults), for `lexicons validate`.
    pub fn load_only(path: &Path) -> Result<Vec<Topic>, LexiconError> {
        let files = read_user_files(path)?;
        let mut topics = Vec::new();
        for f in files.iter().filter(|f| f.kind == FileKind::Topic) {
            topics.push(topic::parse_topic(&f.name, &f.text)?);
        }
        for f in files.iter().filter(|f| f.kind == FileKind::Support) {
            SupportDirectory::parse(&f.name, &f.text)?;
        }
        check_unique_ids(&topics)?;
        Ok(topics)
    }

    fn from_files(files: Vec<SourceFile>, defaults: usize) -> Result<LexiconSet, LexiconError> {
        let mut default_topics: Vec<Topic> = Vec::new();
        let mut user_topics: Vec<Topic> = Vec::new();
        let mut support_default = SupportDirectory::default();
        let mut support_user = SupportDirectory::default();
        let mut templates = TemplateFields::default();
        let mut region_templates: BTreeMap<String, TemplateFields> = BTreeMap::new();
        let mut notices = NoticeRules::default();
        let mut safe_messaging: Vec<crate::safe_messaging::Rule> = Vec::new();
        let mut model_default = DecisionModel::default();
        let mut model_user = DecisionModel::default();
        let mut context: Vec<ContextGroup> = Vec::new();
        // Files are parsed in parallel, then merged in order (so the first error reported
        // is the first in file order, as if parsed one by one).
        use rayon::prelude::*;
        let parsed: Vec<Result<Parsed, LexiconError>> = files
            .par_iter()
            .enumerate()
            .map(|(i, f)| parse_file(f, i < defaults))
            .collect();
        for (i, p) in parsed.into_iter().enumerate() {
            let is_default = i < defaults;
            match p? {
                Parsed::Topic(t) => {
                    if is_default {
                        default_topics.push(*t)
                    } else {
                        user_topics.push(*t)
                    }
                }
                Parsed::Support(d) => {
                    if is_default {
                        support_default.extend(d)
                    } else {
                        support_user.extend(d)
                    }
                }
                Parsed::Templates(t) => t.apply_to(&mut templates, &mut region_templates),
                Parsed::SafeMessaging(rules) => {
                    for rule in rules {
                        safe_messaging.retain(|r| r.id != rule.id);
                        safe_messaging.push(rule);
                    }
                }
                Parsed::Notices(patterns) => notices.patterns.extend(patterns),
                Parsed::Model(m) => {
                    let into = if is_default {
                        &mut model_default
                    } else {
                        &mut model_user
                    };
                    into.extend(m);
                }
                Parsed::Context(groups) => {
                    for g in groups {
                        match context.iter_mut().find(|c| c.name == g.name) {
                            Some(c) => *c = g,
                            None => context.push(g),
                        }
                    }
                }
            }
        }
        check_unique_ids(&default_topics)?;
        check_unique_ids(&user_topics)?;
        let mut topics = default_topics;
        for t in user_topics {
            topics.retain(|d| d.id != t.id);
            // A default model was fitted on the default cues: a replaced topic keeps it
            // only if the user's files fit one of their own.
            model_default.remove(&t.id);
            topics.push(t);
        }
        let mut model = model_default;
        model.extend(model_user);
        model.retain(|id| topics.iter().any(|t| t.id == id));
        let names: Vec<String> = BASE_FEATURES
            .iter()
            .map(|s| s.to_string())
            .chain(context.iter().map(|c| c.name.clone()))
            .collect();
        model.resolve(&names)?;
        topics.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        for t in &topics {
            for d in &t.defer_to {
                if !topics.iter().any(|o| &o.id == d) {
                    return Err(LexiconError {
                        file: t.source.clone(),
                        line: 1,
                        message: format!("defer_to names unknown topic {d:?}"),
                    });
                }
            }
        }
        support_user.extend(support_default);
        Ok(LexiconSet {
            topics,
            support: support_user,
            templates,
            region_templates,
            notices,
            safe_messaging,
            model,
            context,
        })
    }

    /// The templates for `region` (or the base ones), every field resolved.
    pub fn templates_for(&self, region: Option<&str>) -> TemplateSet {
        let fields = match region.and_then(|r| self.region_templates.get(r)) {
            Some(r) => r.clone().or(&self.templates),
            None => self.templates.clone(),
        };
        TemplateSet {
            warning: fields
                .warning
                .unwrap_or_else(|| "This article discusses {topics}.".into()),
            support: fields.support.unwrap_or_else(|| {
                "If this article has raised issues for you, you can contact {lines}.".into()
            }),
            line: fields
                .line
                .unwrap_or_else(|| "{organisation} on {phone} ({hours})".into()),
            line_no_hours: fields
                .line_no_hours
                .unwrap_or_else(|| "{organisation} on {phone}".into()),
            line_web: fields
                .line_web
                .unwrap_or_else(|| "{organisation} at {url}".into()),
            fallback_note: fields
                .fallback_note
                .unwrap_or_else(|| "no --region given: suggesting international services".into()),
        }
    }

    /// The names of the features the models weigh: the built-in ones, then the context
    /// groups.
    pub fn feature_names(&self) -> Vec<String> {
        BASE_FEATURES
            .iter()
            .map(|s| s.to_string())
            .chain(self.context.iter().map(|c| c.name.clone()))
            .collect()
    }

    /// The topic with this id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }
}

fn toml_error(name: &str, text: &str, e: toml::de::Error) -> LexiconError {
    LexiconError {
        file: name.to_string(),
        line: line_of(text, e.span().map(|s| s.start).unwrap_or(0)),
        message: e.message().to_string(),
    }
}

fn check_unique_ids(topics: &[Topic]) -> Result<(), LexiconError> {
    for (i, t) in topics.iter().enumerate() {
        if let Some(first) = topics[..i].iter().find(|o| o.id == t.id) {
            return Err(LexiconError {
                file: t.source.clone(),
                line: t.id_line,
                message: format!("duplicate topic id {:?} (also in {})", t.id, first.source),
            });
        }
    }
    Ok(())
}

/// The largest lexicon file read: a repository's own configuration may point anywhere.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The lexicon files of `path`: the file itself, or the known data files and topic
/// `.toml` files directly in the directory and directly in its `topics/` folder. Nothing
/// deeper is read and no symbolic link inside the directory is followed, so a folder that
/// links to itself, or `/`, costs a few directory reads.
fn read_user_files(path: &Path) -> Result<Vec<SourceFile>, LexiconError> {
    let io_err = |p: &Path, e: std::io::Error| LexiconError {
        file: p.display().to_string(),
        line: 1,
        message: format!("cannot read: {e}"),
    };
    let mut paths = Vec::new();
    if path.is_file() {
        paths.push(path.to_path_buf());
    } else {
        for dir in [path.to_path_buf(), path.join("topics")] {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if dir != path && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(&dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| io_err(&dir, e))?;
                let p = entry.path();
                let kind = entry.file_type().map_err(|e| io_err(&p, e))?;
                let known = kind_of(&p.to_string_lossy().replace('\\', "/")).is_some();
                if kind.is_symlink() && known {
                    return Err(LexiconError {
                        file: p.display().to_string(),
                        line: 1,
                        message: "is a symbolic link; links inside lexicon folders are not followed (copy the file instead)".into(),
                    });
                }
                if kind.is_file() && known {
                    paths.push(p);
                }
            }
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        let name = p.to_string_lossy().replace('\\', "/");
        let Some(kind) = kind_of(&name) else { continue };
        let size = std::fs::metadata(&p).map_err(|e| io_err(&p, e))?.len();
        if size > MAX_FILE_BYTES {
            return Err(LexiconError {
                file: p.display().to_string(),
                line: 1,
                message: format!(
                    "is {size} bytes; lexicon files may be at most {MAX_FILE_BYTES} bytes"
                ),
            });
        }
        let bytes = std::fs::read(&p).map_err(|e| io_err(&p, e))?;
        let text = String::from_utf8(bytes).map_err(|e| LexiconError {
            file: p.display().to_string(),
            line: line_of(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            ),
            message: "not valid UTF-8".into(),
        })?;
        files.push(SourceFile {
            name: p.display().to_string(),
            kind,
            text,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_load() {
        let set = LexiconSet::load(&[]).expect("embedded lexicons must be valid");
        assert!(set.topic("pregnancy-loss").is_some());
        assert!(!set.support.lines.is_empty());
        assert!(!set.notices.patterns.is_empty());
    }

    #[test]
    fn every_embedded_pattern_compiles() {
        let set = LexiconSet::load(&[]).unwrap();
        for t in &set.topics {
            for p in t
                .cues
                .iter()
                .flat_map(|c| &c.patterns)
                .chain(t.exclusions.iter().flat_map(|e| &e.patterns))
            {
                topic::compile_pattern(&p.written).unwrap_or_else(|e| panic!("{}: {e}", t.source));
            }
        }
    }

    #[test]
    fn line_of_counts_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
