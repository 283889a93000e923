//! The topic file format (`lexicons/topics/<id>.toml`) and its validation into a [`Topic`].

use super::{LexiconError, expand::expand_term, line_of};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

/// Compiled size limit for one lexicon regex: keeps hostile patterns cheap.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// How a topic turns matches into a verdict. Every field has a default in the file format.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// Score at or above which the topic is a subject of the piece.
    pub warn: f64,
    /// Score at or above which the topic is a passing reference.
    pub mention: f64,
    /// Multiplier for a match in the headline.
    pub headline: f64,
    /// Multiplier for a match in the lead.
    pub lead: f64,
    /// How many words after the headline count as the lead.
    pub lead_words: usize,
    /// The n-th match of the same term counts `weight * repeat_decay^(n-1)`.
    pub repeat_decay: f64,
    /// A weak cue counts only within this many bytes of a counted strong cue.
    pub weak_window: usize,
    /// Documents longer than this many words need `sqrt(words / length_reference)` times
    /// the warn score.
    pub length_reference: usize,
    /// Weak cues add at most this many times what the strong cues add.
    pub weak_cap: f64,
    /// Under the hand-set rule, a document reaches warn only if its counted strong cues
    /// sit in at least this many places (the headline, and each `place_words` words of the
    /// body): a topic the piece is about runs through it, a passing reference does not.
    /// Below that it stays at mention. A document with fewer places needs its cues in all
    /// of them.
    pub min_places: usize,
    /// How many words of body make one place.
    pub place_words: usize,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            warn: 6.0,
            mention: 2.0,
            headline: 2.0,
            lead: 1.5,
            lead_words: 60,
            repeat_decay: 0.8,
            weak_window: 300,
            length_reference: 800,
            weak_cap: 1.0,
            min_places: 1,
            place_words: 150,
        }
    }
}

/// A literal term as written in the file, with the variants it expands to.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as written (`miscarr{y,ied}`).
    pub written: String,
    /// Normalised literal variants searched for.
    pub variants: Vec<String>,
}

/// A regular expression from a lexicon file, compiled on first use (user files are
/// compiled when loaded, so their errors surface with file and line; the embedded defaults
/// are checked by `cargo test`, so start-up does not pay for patterns a document never
/// needs).
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub written: String,
    compiled: std::sync::Arc<std::sync::OnceLock<Regex>>,
}

impl Pattern {
    /// A pattern compiled now; errors name what is wrong.
    pub fn compile(written: &str) -> Result<Pattern, String> {
        let regex = compile_pattern(written)?;
        let compiled = std::sync::OnceLock::new();
        let _ = compiled.set(regex);
        Ok(Pattern {
            written: written.to_string(),
            compiled: std::sync::Arc::new(compiled),
        })
    }

    /// A pattern compiled when first used.
    pub fn deferred(written: &str) -> Pattern {
        Pattern {
            written: written.to_string(),
            compiled: Default::default(),
        }
    }

    /// The compiled regex.
    ///
    /// # Panics
    /// When a deferred pattern does not compile: only embedded defaults are deferred, and
    /// `cargo test` compiles every one of them.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile_pattern(&self.written).unwrap_or_else(|e| panic!("embedded lexicon: {e}"))
        })
    }
}

/// A group of cues sharing a weight.
#[derive(Debug, Clone)]
pub struct CueGroup {
    /// What one match of this group adds to the score.
    pub weight: f64,
    /// Weak cues count only near a strong cue of the same topic.
    pub weak: bool,
    /// Literal terms.
    pub terms: Vec<Term>,
    /// Regular expressions.
    pub patterns: Vec<Pattern>,
}

/// Terms and patterns whose spans cancel any overlapping cue match of the topic.
#[derive(Debug, Clone)]
pub struct ExclusionGroup {
    /// Why these spans are not the topic (shown by `explain`).
    pub reason: String,
    /// Literal terms.
    pub terms: Vec<Term>,
    /// Regular expressions.
    pub patterns: Vec<Pattern>,
}

/// Sentences a topic file says must and must not match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopicTests {
    /// Each must reach at least `mention`.
    #[serde(rename = "match")]
    pub must_match: Vec<String>,
    /// Each must have no counted match.
    pub no_match: Vec<String>,
    /// Each must reach `warn`.
    pub warn: Vec<String>,
    /// Each must not reach `warn`.
    pub no_warn: Vec<String>,
}

/// One sensitive topic, validated and ready to compile into the matcher.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Stable id (`pregnancy-loss`).
    pub id: String,
    /// Human label used in warnings ("miscarriage and pregnancy loss").
    pub label: String,
    /// Position in a combined warning sentence (then id).
    pub order: i64,
    /// Normalised words that show an existing warning covers this topic.
    pub aliases: Vec<String>,
    /// Topics that, at `warn`, cap this one at `mention`.
    pub defer_to: Vec<String>,
    /// Thresholds and multipliers.
    pub score: ScoreConfig,
    /// Cue groups.
    pub cues: Vec<CueGroup>,
    /// Exclusion groups.
    pub exclusions: Vec<ExclusionGroup>,
    /// Test cases from the file.
    pub tests: TopicTests,
    /// Where the topic was loaded from (`embedded:topics/x.toml` or a path).
    pub source: String,
    /// The line of its `id` key, for messages.
    pub id_line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicFile {
    id: Spanned<String>,
    label: Spanned<String>,
    #[serde(default)]
    order: i64,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    defer_to: Vec<String>,
    #[serde(default)]
    score: Option<Spanned<ScoreConfig>>,
    #[serde(default)]
    cues: Vec<CueFile>,
    #[serde(default)]
    exclusions: Vec<ExclusionFile>,
    #[serde(default)]
    tests: TopicTests,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CueFile {
    weight: Spanned<f64>,
    #[serde(default)]
    weak: bool,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionFile {
    reason: String,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
}

/// Compiles a lexicon regex with the project's limits.
pub fn compile_pattern(written: &str) -> Result<Regex, String> {
    RegexBuilder::new(written)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(4 * REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let text = e.to_string();
            let last = text.lines().last().unwrap_or("invalid regex").trim();
            format!("invalid pattern {written:?}: {last}")
        })
}

/// Parses and validates one topic file, compiling its patterns. `source` names it in errors.
pub fn parse_topic(source: &str, text: &str) -> Result<Topic, LexiconError> {
    parse_topic_with(source, text, true)
}

/// Parses and validates one topic file; `eager` compiles patterns now (else on first use).
pub fn parse_topic_with(source: &str, text: &str, eager: bool) -> Result<Topic, LexiconError> {
    let err = |offset: usize, message: String| LexiconError {
        file: source.to_string(),
        line: line_of(text, offset),
        message,
    };
    let file: TopicFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        err(offset, e.message().to_string())
    })?;
    let id = file.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(err(
            file.id.span().start,
            format!("id {id:?} must be lower-case letters, digits and '-'"),
        ));
    }
    if file.label.get_ref().trim().is_empty() {
        return Err(err(file.label.span().start, "label is empty".into()));
    }
    let score_span = file.score.as_ref().map_or(0, |s| s.span().start);
    let score = file
        .score
        .as_ref()
        .map(|s| s.get_ref().clone())
        .unwrap_or_default();
    let score_ok = score.warn.is_finite()
        && score.mention.is_finite()
        && score.mention > 0.0
        && score.warn >= score.mention
        && score.headline > 0.0
        && score.lead > 0.0
        && score.repeat_decay > 0.0
        && score.repeat_decay <= 1.0
        && score.length_reference > 0
        && score.weak_cap >= 0.0
        && score.min_places >= 1
        && score.place_words >= 1;
    if !score_ok {
        return Err(err(
            score_span,
            "score: need 0 < mention <= warn, headline and lead > 0, 0 < repeat_decay <= 1, length_reference > 0, min_places >= 1, place_words >= 1".into(),
        ));
    }
    let terms = |list: &[Spanned<String>]| -> Result<Vec<Term>, LexiconError> {
        list.iter()
            .map(|t| {
                let variants = expand_term(t.get_ref()).map_err(|m| err(t.span().start, m))?;
                Ok(Term {
                    written: t.get_ref().clone(),
                    variants,
                })
            })
            .collect()
    };
    let patterns = |list: &[Spanned<String>]| -> Result<Vec<Pattern>, LexiconError> {
        list.iter()
            .map(|p| {
                if p.get_ref().is_empty() {
                    return Err(err(p.span().start, "empty pattern".into()));
                }
                if eager {
                    Pattern::compile(p.get_ref()).map_err(|m| err(p.span().start, m))
                } else {
                    Ok(Pattern::deferred(p.get_ref()))
                }
            })
            .collect()
    };
    let mut cues = Vec::new();
    for cue in &file.cues {
        let weight = *cue.weight.get_ref();
        if !(weight.is_finite() && weight > 0.0) {
            return Err(err(
                cue.weight.span().start,
                format!("weight {weight} must be a positive number"),
            ));
        }
        if cue.terms.is_empty() && cue.patterns.is_empty() {
            return Err(err(
                cue.weight.span().start,
                "a cue group needs terms or patterns".into(),
            ));
        }
        cues.push(CueGroup {
            weight,
            weak: cue.weak,
            terms: terms(&cue.terms)?,
            patterns: patterns(&cue.patterns)?,
        });
    }
    if !cues.iter().any(|c| !c.weak) {
        return Err(err(
            0,
            format!("topic {id:?} has no strong (non-weak) cues"),
        ));
    }
    let mut exclusions = Vec::new();
    for ex in &file.exclusions {
        exclusions.push(ExclusionGroup {
            reason: ex.reason.clone(),
            terms: terms(&ex.terms)?,
            patterns: patterns(&ex.patterns)?,
        });
    }
    Ok(Topic {
        id: id.clone(),
        label: file.label.get_ref().trim().to_string(),
        order: file.order,
        aliases: file
            .aliases
            .iter()
            .map(|a| crate::normalize::normalize_str(a))
            .filter(|a| !a.is_empty())
            .collect(),
        defer_to: file.defer_to,
        score,
        cues,
        exclusions,
        tests: file.tests,
        source: source.to_string(),
        id_line: line_of(text, file.id.span().start),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "id = \"t\"\nlabel = \"T\"\n[[cues]]\nweight = 3\nterms = [\"alpha{,s}\"]\n";

    #[test]
    fn minimal_topic_loads_with_defaults() {
        let t = parse_topic("t.toml", MINIMAL).unwrap();
        assert_eq!(t.cues[0].terms[0].variants, vec!["alpha", "alphas"]);
        assert_eq!(t.score.warn, 6.0);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = format!("{MINIMAL}wieght = 2\n");
        let e = parse_topic("t.toml", &text).unwrap_err();
        assert_eq!(e.line, 6);
        assert!(e.to_string().starts_with("t.toml:6: "), "{e}");
    }

    #[test]
    fn bad_regex_names_its_line() {
        let text = "id = \"t\"\nlabel = \"T\"\n[[cues]]\nweight = 3\npatterns = [\n  'ok',\n  'bad(',\n]\n";
        let e = parse_topic("t.toml", text).unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("invalid pattern"));
    }

    #[test]
    fn oversized_regex_is_rejected() {
        let text =
            "id = \"t\"\nlabel = \"T\"\n[[cues]]\nweight = 3\npatterns = ['(?:a{1000}){1000}']\n";
        assert!(parse_topic("t.toml", text).is_err());
    }

    #[test]
    fn bad_id_and_weights_are_rejected() {
        assert!(parse_topic("t", &MINIMAL.replace("\"t\"", "\"Bad Id\"")).is_err());
        assert!(parse_topic("t", &MINIMAL.replace("weight = 3", "weight = -1")).is_err());
        assert!(
            parse_topic(
                "t",
                &MINIMAL.replace("weight = 3", "weight = 3\nweak = true")
            )
            .is_err()
        );
    }
}
