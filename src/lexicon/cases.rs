//! Runs the test cases written in topic files (`[tests]`): the data checks itself.

use crate::engine::Engine;
use crate::score::Level;

/// A test case from a topic file that did not hold.
#[derive(Debug, Clone)]
pub struct CaseFailure {
    /// Topic id.
    pub topic: String,
    /// Where the topic came from.
    pub source: String,
    /// `match`, `no_match`, `warn` or `no_warn`.
    pub kind: &'static str,
    /// The sentence.
    pub text: String,
    /// What happened instead.
    pub got: String,
}

/// Number of cases and failures of one topic.
#[derive(Debug, Clone, Default)]
pub struct CaseResults {
    /// Cases run.
    pub run: usize,
    /// Cases that did not hold.
    pub failures: Vec<CaseFailure>,
}

/// Runs every test case of the topic with id `topic_id` against `engine` (all topics
/// loaded, so cross-topic interactions are exercised too).
pub fn run_cases(engine: &Engine, topic_id: &str) -> CaseResults {
    let Some((index, topic)) = engine
        .lexicons
        .topics
        .iter()
        .enumerate()
        .find(|(_, t)| t.id == topic_id)
    else {
        return CaseResults::default();
    };
    let mut results = CaseResults::default();
    let t = &topic.tests;
    let groups: [(&'static str, &Vec<String>); 4] = [
        ("match", &t.must_match),
        ("no_match", &t.no_match),
        ("warn", &t.warn),
        ("no_warn", &t.no_warn),
    ];
    for (kind, cases) in groups {
        for text in cases {
            results.run += 1;
            let verdict = engine
                .score_plain(text)
                .into_iter()
                .find(|v| v.topic == index);
            let level = verdict.as_ref().and_then(|v| v.level);
            let counted = verdict.as_ref().map_or(0, |v| v.matches.len());
            let ok = match kind {
                "match" => level.is_some(),
                "no_match" => counted == 0,
                "warn" => level == Some(Level::Warn),
                _ => level != Some(Level::Warn),
            };
            if !ok {
                let got = match &verdict {
                    None => "no match".to_string(),
                    Some(v) => format!(
                        "level {}, score {:.2}, {} counted match(es){}",
                        v.level.map_or("none", Level::as_str),
                        v.score,
                        v.matches.len(),
                        if v.excluded.is_empty() {
                            String::new()
                        } else {
                            format!(", {} excluded", v.excluded.len())
                        }
                    ),
                };
                results.failures.push(CaseFailure {
                    topic: topic.id.clone(),
                    source: topic.source.clone(),
                    kind,
                    text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                    got,
                });
            }
        }
    }
    results
}
