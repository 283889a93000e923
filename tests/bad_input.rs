//! Issue 6: forewarn never panics, hangs, blows up memory or damages a file, whatever it is
//! given. One test per file of `fixtures/bad/` and `fixtures/lexicons/bad-*/`, each
//! asserting the outcome documented in `fixtures/bad/README.md`, through the real binary.
//!
//! Inputs too large to commit (a 200 MB single line, a million lines) are generated in a
//! temporary directory by the `#[ignore]`d tests at the end. Run them with
//!
//! ```sh
//! cargo test --release --test bad_input -- --ignored
//! ```
//!
//! (`scripts/gen-bad-fixtures.sh DIR` writes the same files for trying by hand.) Tests
//! ignored with a reason starting `bug:` pin behaviour that is wrong today; they pass once
//! it is fixed.

mod common;
use common::{fixture, forewarn};

use forewarn::input::{Document, InputFormat};
use forewarn::report::DocumentReport;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    reports: Vec<DocumentReport>,
    stderr: String,
}

/// `forewarn scan --format jsonl ARGS…`, stdout parsed with the documented schema.
fn scan(args: &[&str]) -> Run {
    let out = forewarn()
        .args(["scan", "--format", "jsonl"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "forewarn panicked: {stderr}"
    );
    Run {
        code: out.status.code(),
        reports: stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSONL line matches the documented schema"))
            .collect(),
        stderr,
    }
}

/// The topic ids of a report at `warn`, and at `mention`.
fn levels(r: &DocumentReport) -> (Vec<&str>, Vec<&str>) {
    (r.warn_ids(), r.mention_ids())
}

/// Scans one fixture that must be processed: exit 0, one report, nothing on stderr.
fn processed(rel: &str) -> DocumentReport {
    let run = scan(&["--region", "AU", &fixture(rel)]);
    assert_eq!(run.code, Some(0), "{rel}: {}", run.stderr);
    assert_eq!(run.stderr, "", "{rel}");
    assert_eq!(run.reports.len(), 1, "{rel}");
    run.reports.into_iter().next().unwrap()
}

/// Scans one fixture that must be skipped: exit 2 (it is the only input), no report, and
/// exactly one line on stderr naming the path and saying `why`.
fn skipped(rel: &str, why: &str) {
    let path = fixture(rel);
    let run = scan(&[&path]);
    assert_eq!(run.code, Some(2), "{rel}: {}", run.stderr);
    assert!(run.reports.is_empty(), "{rel}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{rel}: one line on stderr: {}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("forewarn: {path}: ")),
        "{rel}: names the path: {}",
        lines[0]
    );
    assert!(lines[0].contains(why), "{rel}: says {why:?}: {}", lines[0]);
}

/// The matched texts of `topic` in `r`.
fn matched<'r>(r: &'r DocumentReport, topic: &str) -> Vec<&'r str> {
    r.topics
        .iter()
        .filter(|t| t.id == topic)
        .flat_map(|t| &t.matches)
        .map(|m| m.text.as_str())
        .collect()
}

/// Copies fixtures into a fresh temporary directory; returns it and the copies' paths.
fn scratch(rels: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = rels
        .iter()
        .map(|rel| {
            let to = dir.path().join(Path::new(rel).file_name().unwrap());
            fs::copy(fixture(rel), &to).unwrap();
            to
        })
        .collect();
    (dir, paths)
}

/// Runs `forewarn fix --region AU PATH` and returns the file's new bytes.
fn fix(path: &Path) -> Vec<u8> {
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(path)
        .assert()
        .success();
    fs::read(path).unwrap()
}

// ---------------------------------------------------------------------------------------
// Skipped: not text forewarn can read. One line naming the path; exit 2 as the only input.
// ---------------------------------------------------------------------------------------

#[test]
fn empty_file_is_skipped() {
    skipped("bad/empty.txt", "is empty");
}

#[test]
fn whitespace_only_file_is_skipped() {
    skipped("bad/whitespace-only.txt", "is empty");
}

#[test]
fn bom_only_file_is_skipped_as_empty() {
    assert_eq!(
        fs::read(fixture("bad/bom-only.txt")).unwrap(),
        b"\xEF\xBB\xBF"
    );
    skipped("bad/bom-only.txt", "is empty");
}

#[test]
fn png_image_is_skipped_as_binary() {
    skipped("bad/image.png", "looks like a binary file");
}

#[test]
fn nul_byte_file_is_skipped_as_binary_with_its_offset() {
    skipped("bad/nul-byte.txt", "binary file (NUL byte at offset 37)");
}

#[test]
fn utf16_file_is_skipped_and_named_as_utf16() {
    assert!(
        fs::read(fixture("bad/utf16.txt"))
            .unwrap()
            .starts_with(b"\xFF\xFE")
    );
    skipped("bad/utf16.txt", "is UTF-16 text; convert it to UTF-8 first");
}

#[test]
fn latin1_file_is_skipped_with_line_and_byte() {
    skipped("bad/latin1.txt", "not valid UTF-8 at line 1, byte 3");
}

#[test]
fn invalid_utf8_mid_sentence_is_skipped_with_line_and_byte() {
    skipped(
        "bad/invalid-utf8-mid-sentence.txt",
        "not valid UTF-8 at line 2, byte 24",
    );
}

#[test]
fn every_skipped_file_together_is_exit_2_with_one_line_each() {
    let rels = [
        "bad/empty.txt",
        "bad/whitespace-only.txt",
        "bad/bom-only.txt",
        "bad/image.png",
        "bad/nul-byte.txt",
        "bad/utf16.txt",
        "bad/latin1.txt",
        "bad/invalid-utf8-mid-sentence.txt",
    ];
    let paths: Vec<String> = rels.iter().map(|r| fixture(r)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let run = scan(&args);
    assert_eq!(run.code, Some(2), "nothing could be processed");
    assert!(run.reports.is_empty());
    assert_eq!(run.stderr.lines().count(), rels.len(), "{}", run.stderr);
    for p in &paths {
        assert_eq!(
            run.stderr.matches(&format!("forewarn: {p}: ")).count(),
            1,
            "{p} named once: {}",
            run.stderr
        );
    }
}

#[test]
fn the_whole_bad_directory_is_exit_3_and_readable_files_are_reported() {
    // `.png` is not a document extension, so walking the directory leaves it out.
    let run = scan(&["--region", "AU", &fixture("bad")]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let reported: Vec<&str> = run
        .reports
        .iter()
        .map(|r| r.path.rsplit('/').next().unwrap())
        .collect();
    for name in [
        "all-code-fence.md",
        "crlf.txt",
        "lone-cr.txt",
        "rtl-and-combining.txt",
        "unterminated-comment.html",
        "unterminated-front-matter.md",
        "zero-width-in-term.txt",
    ] {
        assert!(reported.contains(&name), "{name} reported: {reported:?}");
    }
    for name in [
        "empty.txt",
        "whitespace-only.txt",
        "bom-only.txt",
        "nul-byte.txt",
        "utf16.txt",
        "latin1.txt",
        "invalid-utf8-mid-sentence.txt",
    ] {
        let lines = run
            .stderr
            .lines()
            .filter(|l| l.contains(&format!("/{name}: ")))
            .count();
        assert_eq!(lines, 1, "{name} named once on stderr: {}", run.stderr);
    }
    assert!(!run.stderr.contains("image.png"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// Processed: awkward but readable text. Exit 0 and the expected topics.
// ---------------------------------------------------------------------------------------

#[test]
fn crlf_article_is_processed_and_fix_keeps_crlf() {
    let r = processed("bad/crlf.txt");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    assert!(matched(&r, "pregnancy-loss").contains(&"miscarriage"));
    // Line numbers count CRLF lines: the headline is line 1, the first paragraph line 3.
    let lines: Vec<usize> = r.topics[0].matches.iter().map(|m| m.line).collect();
    assert_eq!(lines.first(), Some(&1), "{lines:?}");
    assert!(lines.contains(&3) && !lines.contains(&2), "{lines:?}");

    let (_dir, paths) = scratch(&["bad/crlf.txt"]);
    let fixed = String::from_utf8(fix(&paths[0])).unwrap();
    assert_eq!(
        fixed.matches('\n').count(),
        fixed.matches("\r\n").count(),
        "every inserted line ending is CRLF:\n{fixed:?}"
    );
    assert!(
        fixed.starts_with(
            "A quiet grief: talking about miscarriage\r\n\r\nThis article discusses miscarriage"
        ),
        "{fixed:?}"
    );
}

#[test]
fn lone_cr_article_is_processed() {
    // Classic Mac line endings: no `\n` at all. Every term is still found (CR is white
    // space to the normaliser) and the first line is the headline.
    let r = processed("bad/lone-cr.txt");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    let m = &r.topics[0].matches;
    assert!(m.len() >= 5, "{m:?}");
    assert_eq!(m[0].position, forewarn::score::Position::Headline);
    assert_ne!(m[2].position, forewarn::score::Position::Headline, "{m:?}");
}

#[test]
fn lone_cr_article_reports_cr_lines() {
    let r = processed("bad/lone-cr.txt");
    let lines: Vec<usize> = r.topics[0].matches.iter().map(|m| m.line).collect();
    assert!(lines.contains(&3), "{lines:?}");
}

#[test]
fn lone_cr_article_fix_changes_only_by_insertion() {
    let (_dir, paths) = scratch(&["bad/lone-cr.txt"]);
    let before = fs::read(&paths[0]).unwrap();
    let after = fix(&paths[0]);
    assert!(
        only_inserts(&before, &after),
        "nothing of the original is lost"
    );
    forewarn()
        .args(["check", "--region", "AU"])
        .arg(&paths[0])
        .assert()
        .success();
}

#[test]
fn lone_cr_article_fix_puts_the_warning_under_the_headline() {
    let (_dir, paths) = scratch(&["bad/lone-cr.txt"]);
    let fixed = String::from_utf8(fix(&paths[0])).unwrap();
    assert!(
        fixed.starts_with(
            "A quiet grief: talking about miscarriage\r\rThis article discusses miscarriage"
        ),
        "{fixed:?}"
    );
    assert!(!fixed.contains('\n'), "no LF added to a CR file: {fixed:?}");
}

#[test]
fn rtl_and_combining_text_is_processed() {
    let r = processed("bad/rtl-and-combining.txt");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    let terms = matched(&r, "pregnancy-loss");
    assert!(
        terms.contains(&"stillbirth") && terms.contains(&"stillborn"),
        "{terms:?}"
    );
    // Columns count characters, so a match after Hebrew text is not at a byte column.
    let text = fs::read_to_string(fixture("bad/rtl-and-combining.txt")).unwrap();
    for m in &r.topics[0].matches {
        assert_eq!(&text[m.start..m.end], m.text);
        let line_start = text[..m.start].rfind('\n').map_or(0, |p| p + 1);
        assert_eq!(m.column, text[line_start..m.start].chars().count() + 1);
    }
}

#[test]
fn bidi_marks_around_a_term_do_not_hide_it() {
    let r = processed("bad/bidi-marks-around-term.txt");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    assert_eq!(matched(&r, "pregnancy-loss").len(), 4);
}

#[test]
fn zero_width_characters_inside_terms_do_not_hide_them() {
    let r = processed("bad/zero-width-in-term.txt");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    let terms = matched(&r, "pregnancy-loss");
    for t in [
        "mis\u{200B}carriage",
        "still\u{00AD}birth",
        "preg\u{200C}nancy loss",
        "mis\u{2060}carriage",
        "still\u{200D}birth",
    ] {
        assert!(terms.contains(&t), "{t:?} in {terms:?}");
    }
    assert_eq!(
        terms
            .iter()
            .filter(|t| **t == "mis\u{200B}carriage")
            .count(),
        2,
        "headline and body: {terms:?}"
    );
}

#[test]
fn unterminated_html_comment_hides_what_follows() {
    // An unclosed `<!--` runs to the end of the file, as in a browser: the suicide and
    // self-harm terms inside it are not prose.
    let r = processed("bad/unterminated-comment.html");
    assert_eq!(levels(&r), (vec!["pregnancy-loss"], vec![]));
    let topics: Vec<&str> = r.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(topics, vec!["pregnancy-loss"]);
}

#[test]
fn unterminated_html_comment_fix_only_inserts() {
    let (_dir, paths) = scratch(&["bad/unterminated-comment.html"]);
    let before = String::from_utf8(fs::read(&paths[0]).unwrap()).unwrap();
    let after = String::from_utf8(fix(&paths[0])).unwrap();
    let diff = similar_lines(&before, &after);
    assert!(diff.removed.is_empty(), "{diff:?}");
    assert_eq!(diff.added.len(), 2, "{diff:?}");
}

#[test]
fn unterminated_html_comment_fix_keeps_the_support_line_visible() {
    let (_dir, paths) = scratch(&["bad/unterminated-comment.html"]);
    let fixed = String::from_utf8(fix(&paths[0])).unwrap();
    let doc = Document::from_text("x.html", fixed.clone(), InputFormat::Html);
    let support = fixed.find("<p class=\"support-line\">").expect("inserted");
    let in_prose = doc
        .structure
        .prose
        .iter()
        .any(|r| r.start > support && fixed[r.clone()].contains("Sands Australia"));
    assert!(
        in_prose,
        "the inserted support line is readable text:\n{fixed}"
    );
}

#[test]
fn unterminated_front_matter_is_read_as_body() {
    // No closing `---`: not front matter. Its lines are Markdown (the `---` a thematic
    // break, `title:` a paragraph); the terms in them count, `region: UK` does not apply.
    let r = processed("bad/unterminated-front-matter.md");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    assert_eq!(r.region.as_deref(), Some("AU"));
    assert!(matched(&r, "pregnancy-loss").contains(&"Baby Loss"));
    let no_region = scan(&[&fixture("bad/unterminated-front-matter.md")]);
    assert_eq!(no_region.reports[0].region, None, "region: UK is not read");
}

#[test]
fn unterminated_front_matter_fix_is_idempotent() {
    let (_dir, paths) = scratch(&["bad/unterminated-front-matter.md"]);
    let before = fs::read(&paths[0]).unwrap();
    let once = fix(&paths[0]);
    assert!(
        once.starts_with(b"---\ntitle: Charity"),
        "nothing moved above"
    );
    assert!(once.len() > before.len());
    assert_eq!(fix(&paths[0]), once);
}

#[test]
fn markdown_that_is_all_code_fence_has_no_topics() {
    let r = processed("bad/all-code-fence.md");
    assert!(r.topics.is_empty(), "{:?}", r.topics);
    assert!(r.missing.is_empty());
    let (_dir, paths) = scratch(&["bad/all-code-fence.md"]);
    let before = fs::read(&paths[0]).unwrap();
    forewarn()
        .args(["check", "--region", "AU"])
        .arg(&paths[0])
        .assert()
        .success();
    assert_eq!(fix(&paths[0]), before, "nothing to fix");
}

// ---------------------------------------------------------------------------------------
// Generated at test time (small enough to run with every `cargo test`).
// ---------------------------------------------------------------------------------------

/// Writes `bytes` to `name` in a fresh temporary directory.
fn generated(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

#[test]
fn deeply_nested_html_is_processed() {
    let depth = 100_000;
    let html = format!(
        "<html><body><h1>Stillbirth research</h1>{}<p>Parents whose babies were stillborn \
         ask for stillbirth research.</p>{}</body></html>",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    let (_dir, path) = generated("deeply-nested.html", html.as_bytes());
    let run = scan(&[&path]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.reports[0].warn_ids(), vec!["pregnancy-loss"]);
}

#[test]
fn deeply_nested_markdown_is_processed() {
    let quotes = format!(
        "# Stillbirth research\n\n{}Parents whose babies were stillborn ask for research.\n",
        "> ".repeat(50_000)
    );
    let lists: String = (0..3_000)
        .map(|i| format!("{}- item\n", "  ".repeat(i)))
        .collect();
    let brackets = format!(
        "# Stillbirth research\n\n{}stillborn{}(http://example.com)\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (name, text) in [
        ("quotes.md", quotes),
        ("lists.md", format!("# Stillbirth research\n\n{lists}")),
        ("brackets.md", brackets),
    ] {
        let (_dir, path) = generated(name, text.as_bytes());
        let run = scan(&[&path]);
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        assert_eq!(run.reports.len(), 1, "{name}");
    }
}

#[test]
fn nul_after_the_first_8_kib_is_not_sniffed() {
    // Binary sniffing looks at the first 8 KiB only; a later NUL is text (a NUL is not a
    // word byte, so the terms next to it still match).
    let mut bytes = b"Headline\n\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 9000));
    bytes.extend(b" \0 She had a miscarriage and then a stillbirth.\n");
    let (_dir, path) = generated("late-nul.txt", &bytes);
    let run = scan(&[&path]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.reports[0].warn_ids(), vec!["pregnancy-loss"]);
}

#[test]
fn documents_over_max_bytes_are_skipped_with_the_limit() {
    let (_dir, path) = generated("big.txt", "She had a miscarriage.\n".repeat(100).as_bytes());
    let run = scan(&["--max-bytes", "1000", &path]);
    assert_eq!(run.code, Some(2));
    let line = run.stderr.lines().next().unwrap();
    assert!(line.starts_with(&format!("forewarn: {path}: ")), "{line}");
    assert!(line.contains("1000-byte limit (2300 bytes)"), "{line}");
    // Stdin is capped the same way, without reading more than the limit plus one byte.
    let out = forewarn()
        .args(["scan", "--max-bytes", "1000", "-"])
        .write_stdin("x".repeat(5000))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("forewarn: -: is larger than"));
}

// ---------------------------------------------------------------------------------------
// Lexicons: `lexicons validate DIR` and `scan --lexicons DIR -` both fail with exit 2 and
// one line naming the file and line.
// ---------------------------------------------------------------------------------------

/// Asserts both commands fail on `dir` with one line holding `FILE:LINE:` (`file_line`
/// may stop after the file name) and `says`.
fn bad_lexicon(dir: &str, file_line: &str, says: &str) {
    let dir = fixture(dir);
    for args in [
        vec!["lexicons", "validate", &dir],
        vec!["scan", "--lexicons", &dir, "-"],
    ] {
        let out = forewarn()
            .args(&args)
            .write_stdin("A headline\n\nShe had a miscarriage.\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line: {err}");
        assert!(lines[0].starts_with("forewarn: "), "{err}");
        assert!(
            lines[0].contains(&format!("{dir}/{file_line}:")),
            "{args:?}: names {file_line}: {err}"
        );
        assert!(lines[0].contains(says), "{args:?}: says {says:?}: {err}");
    }
}

#[test]
fn lexicon_with_bad_toml_names_file_and_line() {
    bad_lexicon(
        "lexicons/bad-toml",
        "broken-syntax.toml:3",
        "invalid basic string",
    );
}

#[test]
fn lexicon_with_unknown_key_names_it_and_the_valid_keys() {
    bad_lexicon(
        "lexicons/bad-unknown-key",
        "misspelt.toml:6",
        "unknown field `wieght`, expected one of `weight`, `weak`, `terms`, `patterns`",
    );
}

#[test]
fn lexicon_with_invalid_regex_names_file_and_line() {
    bad_lexicon(
        "lexicons/bad-invalid-regex",
        "unclosed-group.toml:10",
        "invalid pattern \"still(born\"",
    );
}

#[test]
fn lexicon_with_oversized_regex_hits_the_size_limit() {
    bad_lexicon(
        "lexicons/bad-oversized-regex",
        "huge-repetition.toml:10",
        "exceeds size limit",
    );
}

#[test]
fn lexicon_with_deeply_nested_regex_hits_the_nesting_limit() {
    bad_lexicon(
        "lexicons/bad-nested-regex",
        "deep-nesting.toml:9",
        "nested parentheses",
    );
}

#[test]
fn lexicon_with_duplicate_ids_names_both_files() {
    bad_lexicon(
        "lexicons/bad-duplicate-ids",
        "second.toml",
        "duplicate topic id \"gambling-harm\" (also in ",
    );
    let out = forewarn()
        .args([
            "lexicons",
            "validate",
            &fixture("lexicons/bad-duplicate-ids"),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("first.toml)"));
}

#[test]
fn lexicon_with_duplicate_ids_names_the_id_line() {
    bad_lexicon(
        "lexicons/bad-duplicate-ids",
        "second.toml:2",
        "duplicate topic id",
    );
}

#[test]
fn support_directory_with_malformed_row_names_its_line() {
    bad_lexicon(
        "lexicons/bad-support-row",
        "support-lines.csv:3",
        "found record with 4 fields, but the previous record has 11 fields",
    );
}

#[test]
fn lexicon_files_that_are_empty_or_not_utf8_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    let latin1 = dir.path().join("latin1");
    fs::create_dir_all(&empty).unwrap();
    fs::create_dir_all(&latin1).unwrap();
    fs::write(empty.join("topic.toml"), "").unwrap();
    fs::write(
        latin1.join("topic.toml"),
        b"id = \"caf\xE9\"\nlabel = \"x\"\n",
    )
    .unwrap();
    for (d, says) in [(&empty, "missing field `id`"), (&latin1, "not valid UTF-8")] {
        let out = forewarn()
            .args(["lexicons", "validate"])
            .arg(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("topic.toml:1: ") && err.contains(says),
            "{err}"
        );
    }
}

#[test]
fn catastrophic_looking_regex_loads_and_stays_linear() {
    // Rust's regex crate runs finite automata and never backtracks, so '(a+)+$' (and
    // '(x+x+)+y') take time linear in the text. The file is valid, and a long run of
    // `a` is scanned quickly; the match proves the pattern is live.
    let dir = fixture("lexicons/bad-catastrophic-regex");
    forewarn()
        .args(["lexicons", "validate", &dir])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 topic(s) valid"));
    let n = 300_000;
    for (input, expect) in [
        (format!("{}!", "a".repeat(n)), false),
        (format!("{} x", "x".repeat(n)), false),
        ("a".repeat(n), true),
    ] {
        let started = Instant::now();
        let out = forewarn()
            .args(["scan", "--format", "jsonl", "--lexicons", &dir, "-"])
            .write_stdin(input)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(started.elapsed() < Duration::from_secs(60));
        let r: DocumentReport = serde_json::from_slice(&out.stdout).unwrap();
        let found = r.topics.iter().any(|t| t.id == "nested-quantifier");
        assert_eq!(found, expect, "{:?}", r.topics);
    }
}

// ---------------------------------------------------------------------------------------
// Large inputs, generated at test time and never committed. Slow in a debug build:
//     cargo test --release --test bad_input -- --ignored
// ---------------------------------------------------------------------------------------

/// How a long run of the binary ended.
#[derive(Debug)]
struct Measured {
    code: Option<i32>,
    seconds: f64,
    /// Peak resident memory in MiB (Linux only; 0 elsewhere).
    peak_mib: u64,
    stdout: PathBuf,
    stderr: String,
}

/// Peak resident set size of a live process, in KiB (Linux).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary with `args`, stdout to a file in `dir`, killing it after `limit`.
fn measure(dir: &Path, args: &[&str], limit: Duration) -> Measured {
    let stdout = dir.join("stdout");
    let stderr = dir.join("stderr");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("forewarn"))
        .args(args)
        .env_remove("FOREWARN_REGION")
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    let stderr = fs::read_to_string(&stderr).unwrap_or_default();
    let Some(status) = status else {
        panic!("forewarn {args:?} did not finish in {limit:?}; stderr: {stderr}");
    };
    let m = Measured {
        code: status.code(),
        seconds,
        peak_mib: peak / 1024,
        stdout,
        stderr,
    };
    eprintln!("forewarn {args:?}: {m:?}");
    m
}

/// Writes `total` bytes of `unit` repeated (whole units) to `path`.
fn write_repeated(path: &Path, head: &str, unit: &str, total: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    f.write_all(head.as_bytes()).unwrap();
    let mut written = head.len();
    while written + unit.len() <= total {
        f.write_all(unit.as_bytes()).unwrap();
        written += unit.len();
    }
    f.flush().unwrap();
}

/// A sentence with no term of any topic, for filler.
const FILLER: &str = "The council said the report on the new library would be ready in spring. ";

#[test]
#[ignore = "large: generates a 200 MB file; cargo test --release --test bad_input -- --ignored"]
fn huge_single_line_is_refused_over_the_default_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-single-line.txt");
    write_repeated(&path, "", FILLER, 200_000_000);
    let path = path.to_string_lossy().into_owned();
    let m = measure(dir.path(), &["scan", &path], Duration::from_secs(30));
    assert_eq!(m.code, Some(2));
    assert!(
        m.stderr.contains(&format!(
            "forewarn: {path}: is larger than the 67108864-byte limit"
        )),
        "{}",
        m.stderr
    );
    assert!(m.peak_mib < 100, "refused without reading it: {m:?}");
    assert!(m.seconds < 10.0, "refused at once: {m:?}");
}

#[test]
#[ignore = "large: generates a 200 MB file; cargo test --release --test bad_input -- --ignored"]
fn huge_single_line_is_processed_when_the_limit_is_raised() {
    // One 200 MB line of prose with a stillbirth sentence every ~1 MB: bounded time, and
    // memory a small multiple of the input (text, normalised copy, offset maps).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-single-line.txt");
    let unit = format!(
        "{}The family said their baby was stillborn. ",
        FILLER.repeat(14_000)
    );
    write_repeated(&path, "", &unit, 200_000_000);
    let path = path.to_string_lossy().into_owned();
    let m = measure(
        dir.path(),
        &[
            "scan",
            "--format",
            "jsonl",
            "--max-bytes",
            "300000000",
            &path,
        ],
        Duration::from_secs(600),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    let r: DocumentReport = serde_json::from_slice(&fs::read(&m.stdout).unwrap()).unwrap();
    assert_eq!(
        r.mention_ids().len() + r.warn_ids().len(),
        1,
        "{:?}",
        r.topics
    );
    assert!(m.peak_mib < 4 * 1024, "{m:?}");
}

/// Peak memory a run may use besides its documents: the lexicons, the matcher and the
/// threads' buffers.
const BASE_MIB: u64 = 100;

#[test]
#[ignore = "large: generates 140 MB of files; cargo test --release --test bad_input -- --ignored"]
fn memory_follows_the_largest_document_not_the_number_of_documents() {
    // Issue 13, item 7: peak memory at most 4x the largest document plus a fixed base,
    // however many documents a run has (a byte budget bounds those in flight). Two sizes:
    // documents larger than the budget run alone; those just under half of it in pairs.
    for (count, size) in [(6, 16_000_000), (10, 8_000_000)] {
        let dir = tempfile::tempdir().unwrap();
        let unit = format!(
            "{}The family said their baby was stillborn.\n\n",
            FILLER.repeat(200)
        );
        for i in 0..count {
            write_repeated(&dir.path().join(format!("doc-{i:02}.txt")), "", &unit, size);
        }
        let root = dir.path().to_string_lossy().into_owned();
        let m = measure(
            dir.path(),
            &[
                "scan",
                "--format",
                "jsonl",
                "--max-bytes",
                "20000000",
                "--threads",
                "4",
                &root,
            ],
            Duration::from_secs(600),
        );
        assert_eq!(m.code, Some(0), "{}", m.stderr);
        let reports = fs::read_to_string(&m.stdout).unwrap();
        assert_eq!(reports.lines().count(), count);
        let largest_mib = (size as u64).div_ceil(1 << 20);
        assert!(m.peak_mib < 4 * largest_mib + BASE_MIB, "{size}: {m:?}");
    }
}

#[test]
fn long_line_with_many_matches_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dense-single-line.txt");
    write_repeated(
        &path,
        "",
        "She had a miscarriage and later a stillbirth in the ward. ",
        4_000_000,
    );
    let path = path.to_string_lossy().into_owned();
    let m = measure(
        dir.path(),
        &["scan", "--format", "jsonl", &path],
        Duration::from_secs(60),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
}

#[test]
#[ignore = "large: generates a million lines; cargo test --release --test bad_input -- --ignored"]
fn million_tiny_lines_are_processed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million-lines.txt");
    let mut text = String::from("Headline about a library\n");
    for i in 0..1_000_000 {
        text.push_str(if i % 100_000 == 50_000 {
            "a stillbirth\n"
        } else {
            "ok\n"
        });
    }
    fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    let m = measure(
        dir.path(),
        &["scan", "--format", "jsonl", &path],
        Duration::from_secs(120),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    let r: DocumentReport = serde_json::from_slice(&fs::read(&m.stdout).unwrap()).unwrap();
    let topic = r.topics.iter().find(|t| t.id == "pregnancy-loss").unwrap();
    assert_eq!(topic.matches.len(), 10);
    assert_eq!(topic.matches[0].line, 50_002);
    assert!(m.peak_mib < 1024, "{m:?}");
}

#[test]
#[ignore = "large: a million matching lines; cargo test --release --test bad_input -- --ignored"]
fn million_lines_each_with_a_term_are_linear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million-matching-lines.txt");
    write_repeated(&path, "Headline\n", "She had a miscarriage.\n", 23_000_000);
    let path = path.to_string_lossy().into_owned();
    let m = measure(
        dir.path(),
        &["scan", "--format", "jsonl", &path],
        Duration::from_secs(120),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
}

#[test]
#[ignore = "large: generates a 1 million record JSON Lines batch; cargo test --release --test bad_input -- --ignored"]
fn million_record_batch_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million-records.jsonl");
    let mut text = String::new();
    for i in 0..1_000_000 {
        let body = if i % 1000 == 0 {
            "She had a miscarriage."
        } else {
            "ok"
        };
        text.push_str(&format!("{{\"id\":\"r{i}\",\"text\":\"{body}\"}}\n"));
    }
    fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    let m = measure(
        dir.path(),
        &["scan", "--format", "jsonl", "--quiet", "--input", &path],
        Duration::from_secs(300),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    let lines = fs::read_to_string(&m.stdout).unwrap().lines().count();
    assert_eq!(lines, 1_000_000);
    assert!(m.peak_mib < 1024, "streams: {m:?}");
}

// ---------------------------------------------------------------------------------------

/// True when `after` is `before` with bytes inserted (and none removed or changed).
fn only_inserts(before: &[u8], after: &[u8]) -> bool {
    let mut rest = after.iter();
    before.iter().all(|b| rest.any(|a| a == b))
}

/// Lines removed from and added to `before` to get `after`.
#[derive(Debug)]
struct LineDiff {
    removed: Vec<String>,
    added: Vec<String>,
}

fn similar_lines(before: &str, after: &str) -> LineDiff {
    let mut diff = LineDiff {
        removed: Vec::new(),
        added: Vec::new(),
    };
    for change in similar::TextDiff::from_lines(before, after).iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => diff.removed.push(change.value().to_string()),
            similar::ChangeTag::Insert => diff.added.push(change.value().to_string()),
            similar::ChangeTag::Equal => {}
        }
    }
    diff
}

// ---------------------------------------------------------------------------------------
// Found by the `fix` fuzz target (see fuzz/README.md).
// ---------------------------------------------------------------------------------------

#[test]
fn lone_cr_markdown_is_processed() {
    let r = processed("bad/lone-cr.md");
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"]);
    assert!(matched(&r, "pregnancy-loss").contains(&"stillbirth"));
}

#[test]
fn lone_cr_markdown_fix_puts_the_warning_under_the_heading_once() {
    let (_dir, paths) = scratch(&["bad/lone-cr.md"]);
    let once = String::from_utf8(fix(&paths[0])).unwrap();
    assert!(
        once.starts_with("# A quiet grief\r\r<!-- forewarn:warning -->\rThis article discusses"),
        "{once:?}"
    );
    forewarn()
        .args(["check", "--region", "AU"])
        .arg(&paths[0])
        .assert()
        .success();
    assert_eq!(
        fix(&paths[0]),
        once.as_bytes(),
        "a second fix changes nothing"
    );
    // The marker comment is a block of its own: the story after it is still read (the
    // Markdown parser ends HTML blocks at LF only, so lone-CR files are read with LF).
    let fixed = Document::from_text("x.md", once.clone(), InputFormat::Markdown);
    assert!(
        fixed.structure.own_blocks.len() == 2,
        "{:?}",
        fixed.structure.own_blocks
    );
    let story = once.find("She had a miscarriage").unwrap();
    assert!(
        fixed.structure.prose.iter().any(|p| p.contains(&story)),
        "the story after the warning is prose"
    );
}
