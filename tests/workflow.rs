//! The editor's workflow: Markdown and HTML drafts, front matter, inline directives,
//! configuration discovery, stale numbers, and fix on markup.

mod common;
use common::{fixture, forewarn, scratch_copy as scratch};

use forewarn::report::DocumentReport;
use predicates::prelude::*;
use std::fs;

fn report(args: &[&str]) -> DocumentReport {
    let out = forewarn()
        .arg("scan")
        .args(["--format", "jsonl", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn all_match_texts(r: &DocumentReport) -> Vec<String> {
    r.topics
        .iter()
        .flat_map(|t| t.matches.iter().map(|m| m.text.to_lowercase()))
        .collect()
}

#[test]
fn markdown_code_links_comments_and_front_matter_are_not_matched() {
    let r = report(&[
        "--region",
        "AU",
        &fixture("markdown/code-and-links-hide-terms.md"),
    ]);
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    assert!(r.topics.iter().all(|t| t.id != "suicide"), "{:?}", r.topics);
    let text = fs::read_to_string(fixture("markdown/code-and-links-hide-terms.md")).unwrap();
    for m in r.topics.iter().flat_map(|t| &t.matches) {
        assert_eq!(&text[m.start..m.end], m.text);
        let line = text.lines().nth(m.line - 1).unwrap();
        assert!(line.contains(&m.text), "line {} holds {:?}", m.line, m.text);
    }
    assert!(all_match_texts(&r).iter().any(|t| t == "miscarriage"));
}

#[test]
fn html_script_style_pre_and_attributes_are_not_matched() {
    let r = report(&[
        "--region",
        "UK",
        &fixture("html/script-and-pre-hide-terms.html"),
    ]);
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    let ids: Vec<&str> = r.topics.iter().map(|t| t.id.as_str()).collect();
    assert!(
        !ids.contains(&"suicide") && !ids.contains(&"self-harm") && !ids.contains(&"substance-use"),
        "{ids:?}"
    );
    let headline_match = &r.topics[0].matches[0];
    assert_eq!(headline_match.position, forewarn::score::Position::Headline);
}

#[test]
fn fix_on_markdown_and_html_inserts_marked_blocks_once() {
    for (rel, marker) in [
        (
            "markdown/code-and-links-hide-terms.md",
            "<!-- forewarn:warning -->",
        ),
        (
            "html/script-and-pre-hide-terms.html",
            "<p class=\"content-warning\">",
        ),
        ("markdown/crlf-and-bom.md", "<!-- forewarn:warning -->"),
    ] {
        let (_dir, path) = scratch(rel);
        let before = fs::read_to_string(&path).unwrap();
        forewarn()
            .args(["fix", "--no-config", "--region", "AU"])
            .arg(&path)
            .assert()
            .success();
        let after = fs::read_to_string(&path).unwrap();
        assert_eq!(after.matches(marker).count(), 1, "{rel}:\n{after}");
        let diff = similar::TextDiff::from_chars(before.as_str(), after.as_str());
        assert!(
            diff.iter_all_changes()
                .all(|c| c.tag() != similar::ChangeTag::Delete),
            "{rel}: only insertions"
        );
        forewarn()
            .args(["check", "--no-config", "--region", "AU"])
            .arg(&path)
            .assert()
            .code(0);
        forewarn()
            .args(["fix", "--no-config", "--region", "AU"])
            .arg(&path)
            .assert()
            .success();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            after,
            "{rel}: second fix changes nothing"
        );
        if rel.ends_with(".html") {
            let warning = after.find(marker).unwrap();
            assert!(
                warning > after.find("</h1>").unwrap(),
                "warning after the h1"
            );
            assert!(
                after.find("<p class=\"support-line\">").unwrap() < after.find("</body>").unwrap()
            );
        }
        if rel.contains("crlf") {
            assert!(after.starts_with('\u{FEFF}'));
            assert_eq!(after.matches('\n').count(), after.matches("\r\n").count());
        }
    }
}

#[test]
fn front_matter_declares_warnings_and_notes_over_warning() {
    forewarn()
        .args(["check", "--no-config"])
        .arg(fixture("markdown/declared-in-front-matter.md"))
        .assert()
        .code(0);
    let r = report(&[&fixture("markdown/declared-in-front-matter.md")]);
    assert_eq!(
        r.region.as_deref(),
        Some("AU"),
        "front-matter region applies"
    );
    assert!(r.missing.warning.is_empty());
    let r = report(&[&fixture("markdown/over-declared.md")]);
    assert_eq!(r.declared_not_found, vec!["suicide"]);
    forewarn()
        .args(["check", "--no-config"])
        .arg(fixture("markdown/over-declared.md"))
        .assert()
        .code(0);
}

#[test]
fn fix_front_matter_writes_topic_ids() {
    let (_dir, path) = scratch("markdown/code-and-links-hide-terms.md");
    forewarn()
        .args(["fix", "--no-config", "--front-matter"])
        .arg(&path)
        .assert()
        .success();
    let after = fs::read_to_string(&path).unwrap();
    assert!(
        after.contains("content_warnings: [\"pregnancy-loss\"]\n---\n"),
        "{after}"
    );
    assert!(!after.contains("forewarn:warning"));
    forewarn()
        .args(["check", "--no-config"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn inline_ignore_is_reported_as_suppressed() {
    let r = report(&[&fixture("markdown/ignore-directive.md")]);
    assert!(r.topics.iter().all(|t| t.id != "violence"));
    assert_eq!(r.suppressed.len(), 1);
    assert_eq!(r.suppressed[0].id, "violence");
    assert_eq!(r.suppressed[0].directive, "forewarn-ignore");
}

#[test]
fn retired_and_foreign_numbers_are_flagged_with_the_line_to_use() {
    let out = forewarn()
        .args([
            "check",
            "--no-config",
            "--region",
            "US",
            &fixture("text/retired-number.txt"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("stale-number") && stdout.contains("988"),
        "{stdout}"
    );
    let r = report(&["--region", "AU", &fixture("text/retired-number.txt")]);
    assert!(
        r.stale_numbers.iter().any(|s| s
            .suggestion
            .as_deref()
            .is_some_and(|x| x.contains("13 11 14"))),
        "{:?}",
        r.stale_numbers
    );
}

#[test]
fn config_is_found_by_walking_up_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("forewarn.toml"),
        "region = \"UK\"\nexclude = [\"drafts/private/**\"]\n[templates]\nwarning = \"Content note: {topics}.\"\n",
    )
    .unwrap();
    let sub = dir.path().join("drafts/a");
    fs::create_dir_all(&sub).unwrap();
    fs::create_dir_all(dir.path().join("drafts/private")).unwrap();
    fs::copy(fixture("text/stillbirth-story.txt"), sub.join("story.txt")).unwrap();
    fs::copy(
        fixture("text/stillbirth-story.txt"),
        dir.path().join("drafts/private/secret.txt"),
    )
    .unwrap();
    let out = forewarn()
        .current_dir(&sub)
        .args(["scan", "--format", "jsonl", "story.txt"])
        .output()
        .unwrap();
    let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.region.as_deref(), Some("UK"));
    assert!(
        r.warning
            .as_deref()
            .unwrap()
            .starts_with("Content note: miscarriage and pregnancy loss"),
        "{:?}",
        r.warning
    );
    let out = forewarn()
        .current_dir(&sub)
        .args(["scan", "--format", "jsonl", "--region", "NZ", "story.txt"])
        .output()
        .unwrap();
    let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.region.as_deref(), Some("NZ"), "flags override the file");
    // Excludes apply to paths named on the command line too.
    let out = forewarn()
        .current_dir(dir.path())
        .args([
            "scan",
            "--format",
            "jsonl",
            "drafts/private/secret.txt",
            "drafts/a/story.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    forewarn()
        .current_dir(&sub)
        .arg("config")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("region = \"UK\"")
                .and(predicate::str::contains("forewarn.toml")),
        );
    fs::write(dir.path().join("forewarn.toml"), "regoin = \"UK\"\n").unwrap();
    forewarn()
        .current_dir(&sub)
        .args(["scan", "story.txt"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("forewarn.toml:1").and(predicate::str::contains("region")),
        );
}

#[test]
fn safe_messaging_wording_is_reported_and_configurable() {
    let draft = "A family speaks\n\nContent warning: this story discusses suicide.\n\n\
                 Their son committed suicide last year, after a failed suicide attempt.\n\n\
                 You can call Samaritans on 116 123.\n";
    let out = forewarn()
        .args(["check", "--no-config", "--region", "UK", "-"])
        .write_stdin(draft)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("committed-suicide") && stdout.contains("died by suicide"),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("house.toml");
    fs::write(&config, "safe_messaging = \"note\"\n").unwrap();
    let out = forewarn()
        .args(["scan", "--no-config", "--format", "jsonl", "--config"])
        .arg(&config)
        .arg("-")
        .write_stdin(draft)
        .output()
        .unwrap();
    let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.safe_messaging.len(), 2);
    assert!(
        r.safe_messaging
            .iter()
            .all(|w| w.severity == forewarn::safe_messaging::Severity::Note)
    );
    assert!(!r.fails_check(), "notes never fail check: {r:?}");
    forewarn()
        .args(["check", "--no-config", "--config"])
        .arg(&config)
        .arg("-")
        .write_stdin(draft)
        .assert()
        .code(0);
}

#[test]
fn three_topics_make_one_warning_and_deduplicated_support_lines() {
    let draft = "After the overdose, a family's grief\n\n\
        Their daughter had struggled with anorexia and bulimia since she was fourteen, and \
        with self-harm for years; she was in treatment for an eating disorder when she died.\n\n\
        Her mother found the scars from cutting herself only after the inquest. She had been \
        self-harming in secret, the coroner heard, while the eating disorder service had a \
        waiting list of a year.\n\n\
        She died of a heroin overdose at 22. Her addiction began after a friend offered her \
        heroin at a party, and the drug overdose was the third in the town that month.\n";
    let out = forewarn()
        .args([
            "scan",
            "--no-config",
            "--format",
            "jsonl",
            "--region",
            "AU",
            "-",
        ])
        .write_stdin(draft)
        .output()
        .unwrap();
    let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
    let warned = r.warn_ids();
    for id in ["self-harm", "eating-disorders", "substance-use"] {
        assert!(warned.contains(&id), "{id} at warn: {warned:?}");
    }
    let warning = r.warning.clone().unwrap();
    assert_eq!(warning.matches("This article discusses").count(), 1);
    for label in ["self-harm", "eating disorders", "substance use"] {
        assert!(warning.contains(label), "{warning}");
    }
    let mut orgs: Vec<&str> = r.support.iter().map(|s| s.organisation.as_str()).collect();
    let n = orgs.len();
    orgs.dedup();
    assert_eq!(orgs.len(), n, "no organisation twice: {orgs:?}");
    let covered: Vec<&str> = r
        .support
        .iter()
        .flat_map(|s| s.topics.iter().map(String::as_str))
        .collect();
    for id in &warned {
        assert!(
            covered.contains(id),
            "{id} has a support line: {:?}",
            r.support
        );
    }
}
