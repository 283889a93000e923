//! Drives the real binary on the fixtures: every command, format, exit code and bad input.

mod common;
use common::{fixture, forewarn, scratch_copy};

use forewarn::report::DocumentReport;
use predicates::prelude::*;
use std::fs;

fn scan_jsonl(args: &[&str]) -> Vec<DocumentReport> {
    let out = forewarn()
        .arg("scan")
        .args(["--format", "jsonl"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSONL line matches the documented schema"))
        .collect()
}

/// Copies a fixture into a fresh temporary directory and returns (dir guard, path).

#[test]
fn scan_finds_stillbirth_and_suggests_sands_in_au() {
    let reports = scan_jsonl(&["--region", "AU", &fixture("text/stillbirth-story.txt")]);
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    // The topic it is about comes first (a fitted model may add the grief it tells).
    assert_eq!(r.warn_ids()[0], "pregnancy-loss");
    assert!(
        r.warning
            .as_deref()
            .unwrap()
            .starts_with("This article discusses miscarriage and pregnancy loss"),
        "{:?}",
        r.warning
    );
    assert!(
        r.support
            .iter()
            .any(|s| s.organisation == "Sands Australia" && s.phone == "1300 072 637")
    );
    assert!(!r.has_warning && !r.has_support);
    let m = &r.topics[0].matches[0];
    let text = fs::read_to_string(fixture("text/stillbirth-story.txt")).unwrap();
    assert_eq!(
        &text[m.start..m.end],
        m.text,
        "offsets point into the original file"
    );
}

#[test]
fn trap_sentences_produce_no_topic() {
    let r = &scan_jsonl(&[
        "--region",
        "AU",
        &fixture("text/miscarriage-of-justice.txt"),
    ])[0];
    assert!(r.topics.is_empty(), "{:?}", r.topics);
    assert_eq!(r.warning, None);
    let r = &scan_jsonl(&[&fixture("text/no-topics.txt")])[0];
    assert!(r.topics.is_empty());
}

#[test]
fn no_region_falls_back_to_international_and_says_so() {
    let r = &scan_jsonl(&[&fixture("text/stillbirth-story.txt")])[0];
    assert_eq!(r.region, None);
    assert!(r.region_note.as_deref().unwrap_or("").contains("region"));
    assert!(
        r.support.iter().all(|s| s.region == "INT"),
        "{:?}",
        r.support
    );
    forewarn()
        .args(["scan", &fixture("text/stillbirth-story.txt")])
        .assert()
        .success()
        .stderr(predicate::str::contains("no region set"));
}

#[test]
fn unknown_region_is_an_error() {
    forewarn()
        .args([
            "scan",
            "--region",
            "XX",
            &fixture("text/stillbirth-story.txt"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown region").and(predicate::str::contains("AU")));
}

#[test]
fn stdin_is_read_for_dash_and_for_no_path() {
    let story = fs::read_to_string(fixture("text/stillbirth-story.txt")).unwrap();
    for args in [
        vec!["scan", "--format", "jsonl", "-"],
        vec!["scan", "--format", "jsonl"],
    ] {
        let out = forewarn()
            .args(&args)
            .write_stdin(story.clone())
            .output()
            .unwrap();
        assert!(out.status.success());
        let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r.path, "-");
        assert_eq!(r.warn_ids()[0], "pregnancy-loss");
    }
}

#[test]
fn check_exit_codes() {
    let au = ["check", "--region", "AU"];
    forewarn()
        .args(au)
        .arg(fixture("text/stillbirth-story-warned.txt"))
        .assert()
        .code(0);
    forewarn()
        .args(au)
        .arg(fixture("text/stillbirth-story.txt"))
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("missing-warning")
                .and(predicate::str::contains("missing-support")),
        );
    forewarn()
        .args(au)
        .arg(fixture("text/no-topics.txt"))
        .assert()
        .code(0);
    forewarn()
        .args(au)
        .arg(fixture("does/not/exist.txt"))
        .assert()
        .code(2);
    // One readable document and one missing: processed, the error reported, exit 3.
    forewarn()
        .args(au)
        .args([
            fixture("text/stillbirth-story-warned.txt"),
            fixture("does/not/exist.txt"),
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("does/not/exist.txt"));
}

#[test]
fn fix_inserts_once_and_then_check_passes() {
    let (_dir, path) = scratch_copy("text/stillbirth-story.txt");
    let original = fs::read_to_string(&path).unwrap();
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .success();
    let fixed = fs::read_to_string(&path).unwrap();
    let headline_end = original.find('\n').unwrap() + 1;
    assert_eq!(&fixed[..headline_end], &original[..headline_end]);
    assert!(
        fixed[headline_end..]
            .starts_with("\nThis article discusses miscarriage and pregnancy loss")
    );
    assert!(
        fixed
            .trim_end()
            .ends_with("Sands Australia on 1300 072 637 (24 hours a day).")
    );
    // Every original byte is still there, in order: only insertions.
    let diff = similar::TextDiff::from_chars(original.as_str(), fixed.as_str());
    assert!(
        diff.iter_all_changes()
            .all(|c| c.tag() != similar::ChangeTag::Delete)
    );
    forewarn()
        .args(["check", "--region", "AU"])
        .arg(&path)
        .assert()
        .code(0);
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        fixed,
        "a second fix changes nothing"
    );
}

#[test]
fn fix_keeps_crlf_and_bom() {
    for rel in ["text/crlf-line-endings.txt", "text/bom-at-start.txt"] {
        let (_dir, path) = scratch_copy(rel);
        let before = fs::read(&path).unwrap();
        forewarn()
            .args(["fix", "--region", "UK"])
            .arg(&path)
            .assert()
            .success();
        let after = fs::read(&path).unwrap();
        assert_ne!(before, after, "{rel} needed a fix");
        let text = String::from_utf8(after.clone()).unwrap();
        if rel.contains("crlf") {
            assert_eq!(
                text.matches('\n').count(),
                text.matches("\r\n").count(),
                "only CRLF line endings"
            );
        } else {
            assert!(after.starts_with(b"\xef\xbb\xbf"));
        }
        forewarn()
            .args(["check", "--region", "UK"])
            .arg(&path)
            .assert()
            .code(0);
    }
}

#[test]
fn fix_diff_previews_without_writing() {
    let (_dir, path) = scratch_copy("text/stillbirth-story.txt");
    let before = fs::read(&path).unwrap();
    forewarn()
        .args(["fix", "--diff", "--region", "AU"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "+This article discusses miscarriage and pregnancy loss",
        ));
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn fix_refuses_read_only_file_and_leaves_it_intact() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = scratch_copy("text/stillbirth-story.txt");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&path).unwrap();
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("read-only"));
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn fix_on_stdin_prints_the_fixed_text() {
    let story = fs::read_to_string(fixture("text/stillbirth-story.txt")).unwrap();
    let out = forewarn()
        .args(["fix", "--region", "AU", "-"])
        .write_stdin(story)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("This article discusses")
    );
}

#[test]
fn bad_inputs_get_one_line_errors_and_exit_2() {
    for (rel, says) in [
        ("bad/empty.txt", "is empty"),
        ("bad/whitespace-only.txt", "is empty"),
        ("bad/image.png", "binary"),
        ("bad/latin1.txt", "not valid UTF-8 at line 1"),
        (
            "bad/invalid-utf8-mid-sentence.txt",
            "not valid UTF-8 at line 2",
        ),
    ] {
        let out = forewarn().args(["scan", &fixture(rel)]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{rel}");
        let err = String::from_utf8(out.stderr).unwrap();
        let line = err
            .lines()
            .find(|l| l.contains(rel))
            .unwrap_or_else(|| panic!("{rel}: {err}"));
        assert!(line.contains(says), "{rel}: {line}");
    }
}

#[test]
fn explicit_directory_is_walked_and_bad_files_do_not_stop_the_run() {
    let out = forewarn()
        .args([
            "scan",
            "--format",
            "jsonl",
            &fixture("bad"),
            &fixture("text"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "some processed, some failed");
    let paths: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<DocumentReport>(l).unwrap().path)
        .collect();
    assert!(paths.iter().any(|p| p.ends_with("stillbirth-story.txt")));
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "output in a stable order");
    let explain_dir = forewarn()
        .args(["explain", &fixture("text")])
        .output()
        .unwrap();
    assert_eq!(explain_dir.status.code(), Some(2));
    assert!(
        String::from_utf8(explain_dir.stderr)
            .unwrap()
            .contains("is a directory")
    );
}

#[test]
fn every_format_is_well_formed() {
    let story = fixture("text/stillbirth-story.txt");
    let json = forewarn()
        .args(["scan", "--format", "json", "--region", "AU", &story])
        .output()
        .unwrap();
    let reports: Vec<DocumentReport> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(reports[0].warn_ids()[0], "pregnancy-loss");

    let csv_out = forewarn()
        .args(["scan", "--format", "csv", "--region", "AU", &story])
        .output()
        .unwrap();
    let mut rows = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        forewarn::output::csv::HEADER
    );
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[2], reports[0].warn_ids().join(";"));
    assert!(row[6].contains("1300 072 637"));

    let gh = forewarn()
        .args(["check", "--format", "github", "--region", "AU", &story])
        .output()
        .unwrap();
    assert_eq!(gh.status.code(), Some(1));
    let text = String::from_utf8(gh.stdout).unwrap();
    assert!(
        text.lines()
            .all(|l| l.starts_with("::warning file=") && l.contains(",line=")),
        "{text}"
    );

    let sarif = forewarn()
        .args(["check", "--format", "sarif", "--region", "AU", &story])
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "missing-warning");
    assert!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[test]
fn color_follows_flag_and_no_color() {
    let story = fixture("text/stillbirth-story.txt");
    let colored = forewarn()
        .args(["scan", "--color", "always", &story])
        .output()
        .unwrap();
    assert!(colored.stdout.contains(&0x1b));
    let plain = forewarn()
        .args(["scan", "--color", "auto", &story])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!plain.stdout.contains(&0x1b));
    let never = forewarn()
        .args(["scan", "--color", "never", &story])
        .output()
        .unwrap();
    assert!(!never.stdout.contains(&0x1b));
}

#[test]
fn user_lexicons_add_a_topic_without_rust() {
    let extra = fixture("lexicons/extra");
    let r = &scan_jsonl(&[
        "--lexicons",
        &extra,
        "--region",
        "AU",
        &fixture("text/gambling-story.txt"),
    ])[0];
    assert_eq!(r.warn_ids(), vec!["gambling"]);
    assert_eq!(r.support[0].organisation, "Gambling Help Online");
    forewarn()
        .args(["lexicons", "test", &extra])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    forewarn()
        .args(["lexicons", "validate", &extra])
        .assert()
        .success();
}

#[test]
fn malformed_lexicon_names_file_and_line() {
    let dir = fixture("lexicons/malformed");
    for args in [
        vec!["lexicons", "validate", &dir],
        vec!["scan", "--lexicons", &dir, "-"],
    ] {
        forewarn()
            .args(&args)
            .write_stdin("text")
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("broken.toml:9:")
                    .and(predicate::str::contains("invalid pattern")),
            );
    }
}

#[test]
fn lexicons_list_show_and_explain() {
    forewarn()
        .args(["lexicons", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("pregnancy-loss").and(predicate::str::contains("infertility")),
        );
    forewarn()
        .args(["lexicons", "show", "pregnancy-loss"])
        .assert()
        .success()
        .stdout(predicate::str::contains("legal sense"));
    forewarn()
        .args(["lexicons", "show", "no-such-topic"])
        .assert()
        .code(2);
    forewarn()
        .args(["explain", &fixture("text/miscarriage-of-justice.txt")])
        .assert()
        .success()
        .stdout(predicate::str::contains("excluded").and(predicate::str::contains("legal sense")));
}

#[test]
fn eval_scores_warnings_against_labels_and_can_skip_listed_rows() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "stillbirth-story.txt",
        "miscarriage-of-justice.txt",
        "no-topics.txt",
    ] {
        fs::copy(fixture(&format!("text/{name}")), dir.path().join(name)).unwrap();
    }
    // One true warning, one missed label (the justice story is labelled wrongly on
    // purpose), one true negative. The stillbirth story's labels are what the tool says
    // for its other topics, so that only pregnancy-loss is scored here.
    let story = fs::read_to_string(dir.path().join("stillbirth-story.txt")).unwrap();
    let doc = forewarn::input::Document::from_text("s", story, forewarn::input::InputFormat::Text);
    let engine = forewarn::engine::Engine::new(forewarn::lexicon::LexiconSet::load(&[]).unwrap());
    let report = engine.analyze(&doc, &Default::default());
    let labels = dir.path().join("labels.csv");
    fs::write(
        &labels,
        format!(
            "path,topics\nstillbirth-story.txt,{}\nmiscarriage-of-justice.txt,pregnancy-loss\nno-topics.txt,\n",
            report.warn_ids().join(";")
        ),
    )
    .unwrap();
    let eval = |extra: &[&str]| {
        let out = forewarn()
            .args(["eval", labels.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = eval(&["--errors"]);
    assert!(text.starts_with("3 documents from"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["pregnancy-loss", "1", "0", "1", "1.000", "0.500", "0.667"]),
        "{text}"
    );
    assert!(text.contains("FN pregnancy-loss"), "{text}");
    // Skipping the wrongly labelled row, as a borderline list would.
    let skip = dir.path().join("borderline.txt");
    fs::write(
        &skip,
        "# path | label | reason\nmiscarriage-of-justice.txt | pregnancy-loss | a test\n",
    )
    .unwrap();
    let text = eval(&["--skip", skip.to_str().unwrap()]);
    assert!(text.starts_with("2 documents from"), "{text}");
    assert!(text.contains("(1 listed in"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("overall") && l.split_whitespace().nth(5) == Some("1.000")),
        "{text}"
    );
}

#[test]
fn lexicons_list_counts_only_current_lines_as_covering_a_region() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("support-lines.csv"),
        "region,topics,organisation,phone,hours,url,status,replaced_by,verified,source,note\n\
         NZ,infertility,Old Fertility Line,0800 111 222,,https://example.org,retired,,2026-01-01,https://example.org,\n\
         IE,infertility,New Fertility Line,1800 111 222,,https://example.org,current,,2026-01-01,https://example.org,\n",
    )
    .unwrap();
    let out = forewarn()
        .args([
            "lexicons",
            "list",
            "--lexicons",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("infertility "))
        .expect("infertility is listed");
    let regions: Vec<&str> = row.rsplit("  ").next().unwrap().split(' ').collect();
    assert!(regions.contains(&"IE"), "{row}");
    assert!(
        !regions.contains(&"NZ"),
        "a retired number covers nothing: {row}"
    );
}
