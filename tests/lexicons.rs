//! Checks the embedded lexicon data itself: every topic's own test cases hold, every topic
//! is complete, and the support directory covers every topic in every region.

use forewarn::engine::Engine;
use forewarn::lexicon::{LexiconSet, cases::run_cases};
use forewarn::support::LineStatus;
use std::collections::HashSet;

const REGIONS: [&str; 6] = ["AU", "NZ", "UK", "IE", "US", "CA"];

fn engine() -> Engine {
    Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load"))
}

#[test]
fn every_topic_passes_its_own_test_cases() {
    let engine = engine();
    let mut report = Vec::new();
    for t in &engine.lexicons.topics {
        let r = run_cases(&engine, &t.id);
        assert!(r.run > 0, "{} has no test cases", t.id);
        for f in r.failures {
            report.push(format!("{} [{}] {:?}: {}", f.topic, f.kind, f.text, f.got));
        }
    }
    assert!(
        report.is_empty(),
        "lexicon test cases failed:\n{}",
        report.join("\n")
    );
}

#[test]
fn every_topic_is_complete() {
    let engine = engine();
    for t in &engine.lexicons.topics {
        assert!(!t.label.is_empty(), "{}: label", t.id);
        assert!(
            t.tests.must_match.len() >= 10,
            "{}: needs at least 10 `match` cases",
            t.id
        );
        assert!(
            t.tests.no_match.len() >= 10,
            "{}: needs at least 10 `no_match` cases",
            t.id
        );
        let mut seen = HashSet::new();
        for g in &t.cues {
            for term in &g.terms {
                assert!(
                    seen.insert(term.written.clone()),
                    "{}: term {:?} listed twice",
                    t.id,
                    term.written
                );
            }
        }
    }
}

#[test]
fn every_topic_has_support_in_every_region() {
    let set = LexiconSet::load(&[]).unwrap();
    for t in &set.topics {
        for region in REGIONS {
            let line = set.support.suggest(Some(region), &t.id);
            assert!(
                line.is_some(),
                "{} in {region}: no dedicated or general support line",
                t.id
            );
        }
        assert!(
            set.support.suggest(None, &t.id).is_some(),
            "{}: no international fallback",
            t.id
        );
    }
}

#[test]
fn support_directory_rows_are_unique_and_sourced() {
    let set = LexiconSet::load(&[]).unwrap();
    let mut seen = HashSet::new();
    for l in &set.support.lines {
        assert!(
            seen.insert((l.region.clone(), l.organisation.clone(), l.phone.clone())),
            "duplicate row {l:?}"
        );
        assert!(
            !l.source.is_empty(),
            "{} {}: no source",
            l.region,
            l.organisation
        );
        if l.status == LineStatus::Retired {
            assert!(
                !l.replaced_by.is_empty(),
                "{}: retired rows name their replacement",
                l.organisation
            );
        }
        for topic in l.topics.split(';').map(str::trim) {
            assert!(
                topic == "*" || set.topic(topic).is_some(),
                "{}: unknown topic {topic:?}",
                l.organisation
            );
        }
    }
}

#[test]
fn templates_have_their_placeholders() {
    let set = LexiconSet::load(&[]).unwrap();
    for region in std::iter::once(None).chain(REGIONS.iter().map(|r| Some(*r))) {
        let t = set.templates_for(region);
        assert!(
            t.warning.contains("{topics}"),
            "{region:?}: warning template"
        );
        assert!(
            t.support.contains("{lines}"),
            "{region:?}: support template"
        );
        assert!(
            t.line.contains("{phone}") && t.line_web.contains("{url}"),
            "{region:?}: line templates"
        );
    }
}
