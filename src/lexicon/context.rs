//! Context words (`lexicons/context.toml`): groups of words that say what kind of piece a
//! text is — a research report, a first-person account, a court report — whatever its
//! topic. Each group is a feature of the fitted decision models (how often its words occur
//! per 1,000 words), so a model can learn, say, that depression named in a drug-trial report
//! is not the subject a warning is for, while the same word in a first-person account is.

use super::{CueGroup, LexiconError, ScoreConfig, Term, Topic, TopicTests, expand::expand_term};
use serde::Deserialize;
use toml::Spanned;

/// One named group of context words.
#[derive(Debug, Clone)]
pub struct ContextGroup {
    /// The feature name (`research`, `first-person`).
    pub name: String,
    /// Its terms, expanded like topic terms.
    pub terms: Vec<Term>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    groups: Vec<GroupFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    name: Spanned<String>,
    terms: Vec<Spanned<String>>,
}

/// Parses a context file; `source` names it in errors.
pub fn parse_context(source: &str, text: &str) -> Result<Vec<ContextGroup>, LexiconError> {
    let err = |offset: usize, message: String| LexiconError {
        file: source.to_string(),
        line: super::line_of(text, offset),
        message,
    };
    let file: ContextFile = toml::from_str(text)
        .map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
    let mut groups: Vec<ContextGroup> = Vec::new();
    for g in file.groups {
        let name = g.name.get_ref();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(err(
                g.name.span().start,
                format!("group name {name:?} must be lower-case letters and '-'"),
            ));
        }
        if super::model::BASE_FEATURES.contains(&name.as_str()) {
            return Err(err(
                g.name.span().start,
                format!("group name {name:?} is the name of a built-in feature"),
            ));
        }
        if groups.iter().any(|o| &o.name == name) {
            return Err(err(
                g.name.span().start,
                format!("duplicate group {name:?}"),
            ));
        }
        let terms = g
            .terms
            .iter()
            .map(|t| {
                Ok(Term {
                    written: t.get_ref().clone(),
                    variants: expand_term(t.get_ref()).map_err(|m| err(t.span().start, m))?,
                })
            })
            .collect::<Result<Vec<_>, LexiconError>>()?;
        groups.push(ContextGroup {
            name: name.clone(),
            terms,
        });
    }
    Ok(groups)
}

/// The context groups as a pseudo-topic the matcher can search with the real ones: one
/// cue group per context group, in order. It is never scored.
pub fn as_topic(groups: &[ContextGroup]) -> Topic {
    Topic {
        id: "(context)".into(),
        label: "context".into(),
        order: i64::MAX,
        aliases: Vec::new(),
        defer_to: Vec::new(),
        score: ScoreConfig::default(),
        cues: groups
            .iter()
            .map(|g| CueGroup {
                weight: 1.0,
                weak: false,
                terms: g.terms.clone(),
                patterns: Vec::new(),
            })
            .collect(),
        exclusions: Vec::new(),
        tests: TopicTests::default(),
        source: "context".into(),
        id_line: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_parse_and_bad_names_are_errors() {
        let g = parse_context(
            "c.toml",
            "[[groups]]\nname = \"court\"\nterms = [\"jur{y,ies}\"]\n",
        )
        .unwrap();
        assert_eq!(g[0].terms[0].variants, ["juries", "jury"]);
        let e =
            parse_context("c.toml", "[[groups]]\nname = \"evidence\"\nterms = []\n").unwrap_err();
        assert!(e.message.contains("built-in"), "{e}");
        let e = parse_context("c.toml", "[[groups]]\nname = \"Court\"\nterms = []\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
