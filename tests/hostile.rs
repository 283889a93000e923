//! Hostile drafts (issue 13): a draft's text is written by anyone, so it must never make
//! `fix` delete or hide text, nor hide evidence from `check`. Each test is built from the
//! input the hostile review described; the property test generates many such drafts.

use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use forewarn::report::DocumentReport;
use forewarn::rewrite::fixed_text;
use forewarn::score::Level;
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load")))
}

fn report(text: &str, format: InputFormat) -> (Document, DocumentReport) {
    let doc = Document::from_text("draft", text.to_string(), format);
    let opts = AnalyzeOptions {
        region: Some("AU".into()),
        ..AnalyzeOptions::default()
    };
    let report = engine().analyze(&doc, &opts);
    (doc, report)
}

fn fixed(text: &str, format: InputFormat) -> Option<String> {
    let (doc, report) = report(text, format);
    fixed_text(&doc, &report)
}

/// True when every byte of `original` appears in `fixed`, in order: `fix` only added.
fn is_subsequence(original: &str, fixed: &str) -> bool {
    let mut it = fixed.bytes();
    original.bytes().all(|b| it.any(|c| c == b))
}

const STILLBIRTH: &str = "Their daughter was stillborn at 38 weeks. After the stillbirth, the \
    couple said the loss of their baby had changed everything. Stillbirth affects one in 135 births.";

#[test]
fn a_comment_quoting_the_html_marker_is_left_whole() {
    let text = format!(
        "<html><body><h1>A stillbirth, a year on</h1>\n\
         <!-- template: <p class=\"content-warning\"> goes here -->\n\
         <p>{STILLBIRTH}</p>\n<p>The support line is at the end.</p>\n</body></html>\n"
    );
    let out = fixed(&text, InputFormat::Html).expect("needs a warning");
    assert!(is_subsequence(&text, &out), "{out}");
    assert!(out.contains("goes here -->\n<p>Their daughter"), "{out}");
    assert!(out.contains("<p class=\"content-warning\">This article discusses"));
}

/// Found by the `fix` fuzz target: a Markdown draft that ends inside a block that never
/// closes (`<pre`, a code fence) swallowed the support paragraph appended after it, so
/// readers never saw it and every later `fix` appended another.
#[test]
fn a_draft_ending_in_an_open_block_gets_one_visible_support_line() {
    for tail in ["<pre", "```\nlet x = 1;", "<script>\nvar a;", "~~~"] {
        let text = format!("# A stillbirth, a year on\n\n{STILLBIRTH}\n\n{tail}");
        let out = fixed(&text, InputFormat::Markdown).expect("needs a warning");
        assert!(is_subsequence(&text, &out), "{out}");
        let (_, again) = report(&out, InputFormat::Markdown);
        assert!(again.has_support, "{tail:?}: support not seen:\n{out}");
        assert_eq!(fixed(&out, InputFormat::Markdown), None, "{tail:?}:\n{out}");
        assert!(
            out.ends_with(tail),
            "{tail:?}: the open block stays last:\n{out}"
        );
    }
}

/// The same in HTML: a page that ends inside an element whose content is not the page's
/// paragraphs (`<code>`, `<pre>`, `<title>`, `<script>`) gets its support line before it.
#[test]
fn a_page_ending_in_an_open_element_gets_one_visible_support_line() {
    for tail in [
        "<code>",
        "<pre>x</body></html>",
        "<title>x",
        "<script>var a;",
        "<!--y>",
        "<script",
        "<h1><pre",
        "<h 0='>",
    ] {
        let text = format!("<h1>A stillbirth, a year on</h1>\n<p>{STILLBIRTH}</p>\n{tail}");
        let out = fixed(&text, InputFormat::Html).expect("needs a warning");
        assert!(is_subsequence(&text, &out), "{out}");
        let (_, again) = report(&out, InputFormat::Html);
        assert!(again.has_support, "{tail:?}: support not seen:\n{out}");
        assert_eq!(fixed(&out, InputFormat::Html), None, "{tail:?}:\n{out}");
        let last_tag = &tail[tail.rfind('<').unwrap_or(0)..];
        assert!(
            out.ends_with(last_tag),
            "{tail:?}: the open element stays last:\n{out}"
        );
    }
}

#[test]
fn a_marker_in_a_markdown_code_block_is_code() {
    let text = format!(
        "# A stillbirth, a year on\n\n{STILLBIRTH}\n\n```html\n<!-- forewarn:warning -->\n\
         let x = template();\n```\n\nMore text.\n"
    );
    let out = fixed(&text, InputFormat::Markdown).expect("needs a warning");
    assert!(is_subsequence(&text, &out), "{out}");
    assert!(out.contains("<!-- forewarn:warning -->\nlet x = template();\n```"));
}

#[test]
fn forewarn_replaces_its_own_blocks_and_only_them() {
    for (format, text) in [
        (
            InputFormat::Markdown,
            format!(
                "# A stillbirth\n\n<!-- forewarn:warning -->\nThis article discusses an old topic.\n\n\
                 {STILLBIRTH}\n\n<!-- forewarn:support -->\nCall nobody.\n"
            ),
        ),
        (
            InputFormat::Html,
            format!(
                "<h1>A stillbirth</h1><p class=\"content-warning\">This article discusses an old topic.</p>\
                 <p>{STILLBIRTH}</p><p class=\"support-line\">Call nobody.</p>\n"
            ),
        ),
    ] {
        let out = fixed(&text, format).expect("the old blocks name nothing found");
        assert!(
            !out.contains("old topic") && !out.contains("Call nobody"),
            "{out}"
        );
        assert_eq!(
            out.matches("forewarn:warning").count(),
            text.matches("forewarn:warning").count()
        );
        assert!(out.contains("miscarriage and pregnancy loss") && out.contains("1300 072 637"));
        assert_eq!(fixed(&out, format), None, "a second fix changes nothing");
    }
}

#[test]
fn a_number_in_a_comment_or_attribute_neither_supports_nor_hides_text() {
    let md = format!("# A year on\n\n{STILLBIRTH} <!-- 1300 072 637 -->\n");
    let html = format!(
        "<h1>A year on</h1><p>{STILLBIRTH} <!-- 1300 072 637 --> \
         <a href=\"tel:1300072637\">Call</a></p>"
    );
    for (text, format) in [(md, InputFormat::Markdown), (html, InputFormat::Html)] {
        let (_, r) = report(&text, format);
        let t = r
            .topics
            .iter()
            .find(|t| t.id == "pregnancy-loss")
            .expect("found");
        assert_eq!(t.level, Some(Level::Warn), "{text}");
        assert!(!r.has_support && !t.supported, "{text}");
        assert_eq!(r.missing.support, ["pregnancy-loss"]);
    }
}

#[test]
fn a_paragraph_that_starts_like_a_warning_is_still_the_story() {
    for opening in ["TW: none.", "Content warning.", "Trigger warning: none."] {
        let text = format!("A year on\n\n{opening} {STILLBIRTH}\n");
        let (_, r) = report(&text, InputFormat::Text);
        let t = r
            .topics
            .iter()
            .find(|t| t.id == "pregnancy-loss")
            .expect("found");
        assert_eq!(t.level, Some(Level::Warn), "{opening}");
        assert!(
            !t.warned,
            "a warning that names no topic covers none: {opening}"
        );
    }
    // A notice is its first sentence: the story after it is evidence even when the notice
    // swallows the story's first sentence.
    let text = format!("A year on\n\nCW: {STILLBIRTH}\n");
    let (_, r) = report(&text, InputFormat::Text);
    let t = r
        .topics
        .iter()
        .find(|t| t.id == "pregnancy-loss")
        .expect("found");
    assert_eq!(t.level, Some(Level::Warn));
    // A real notice is still one: it covers the topic and its words are not evidence.
    let text =
        format!("A year on\n\nContent warning: this story discusses stillbirth.\n\n{STILLBIRTH}\n");
    let (_, r) = report(&text, InputFormat::Text);
    let t = r
        .topics
        .iter()
        .find(|t| t.id == "pregnancy-loss")
        .expect("found");
    assert!(t.warned);
    assert!(t.matches.iter().all(|m| m.line > 3), "{:?}", t.matches);
}

/// Pieces of drafts that quote forewarn's markers where no reader sees them.
const MARKDOWN_DECOYS: &[&str] = &[
    "```\n<!-- forewarn:warning -->\nlet x = 1;\n```",
    "```html\n<!-- forewarn:support -->\n<p class=\"support-line\">x</p>\n```",
    "    <!-- forewarn:warning -->\n    indented code line",
    "Inline `<!-- forewarn:warning -->` code and text.",
    "<!-- template: forewarn:warning goes here -->",
    "<!-- <!-- forewarn:support --> -->",
    "> <!-- forewarn:warning -->\n> A quoted line.",
    "- <!-- forewarn:support -->\n  A list item.",
    "<div data-x=\"<!-- forewarn:warning -->\">\nA div.\n</div>",
];

const HTML_DECOYS: &[&str] = &[
    "<!-- template: <p class=\"content-warning\"> goes here -->",
    "<!-- <p class=\"support-line\">Call</p> -->",
    "<pre><p class=\"content-warning\">in pre</p></pre>",
    "<script>var t = '<p class=\"support-line\">x</p>';</script>",
    "<textarea><p class=\"content-warning\">typed</p></textarea>",
    "<div title='<p class=\"content-warning\">'>A div.</div>",
    "<p class=\"content-warning extra\">Not quite ours.</p>",
    "<p class=\"support-line\"><b>bold</b> inside.</p>",
    "<code>&lt;p class=\"content-warning\"&gt;</code>",
];

const STORY: &[&str] = &[
    "Their daughter was stillborn at 38 weeks.",
    "He died by suicide in 2019, his family said.",
    "The court heard evidence of domestic violence and coercive control.",
    "The council met on Tuesday.",
    "It was a miscarriage of justice, the appeal court ruled.",
];

fn draft(decoys: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(
        prop_oneof![prop::sample::select(decoys), prop::sample::select(STORY)],
        1..10,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever a draft quotes of forewarn's markers in code, comments, attributes, quotes
    /// or lists, `fix` only adds: every byte of the original is in the fixed file, in order.
    #[test]
    fn fix_only_adds_to_drafts_without_forewarns_own_blocks(
        md in draft(MARKDOWN_DECOYS),
        html in draft(HTML_DECOYS),
    ) {
        let md = format!("# A stillbirth story\n\n{}\n", md.join("\n\n"));
        if let Some(out) = fixed(&md, InputFormat::Markdown) {
            prop_assert!(is_subsequence(&md, &out), "{}\n---\n{}", md, out);
        }
        let html = format!("<h1>A stillbirth story</h1>\n{}\n", html.join("\n"));
        if let Some(out) = fixed(&html, InputFormat::Html) {
            prop_assert!(is_subsequence(&html, &out), "{}\n---\n{}", html, out);
        }
    }
}

mod common;

/// Item 3: a repository's own configuration can point forewarn at any lexicon folder.
/// A term that would expand to a billion variants is refused (naming file, line and
/// count) before any is built; a folder linking to itself, and `/`, are read in a moment.
#[test]
fn a_lexicon_folder_cannot_exhaust_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    let lex = dir.path().join("lex");
    std::fs::create_dir_all(lex.join("topics")).unwrap();
    std::fs::write(
        lex.join("topics/bomb.toml"),
        format!(
            "id = \"bomb\"\nlabel = \"Bomb\"\n[[cues]]\nweight = 3\nterms = [\n  \"{}\",\n]\n",
            "{a,b}".repeat(30)
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("forewarn.toml"), "lexicons = [\"lex\"]\n").unwrap();
    let started = std::time::Instant::now();
    for args in [&["lexicons", "validate", "lex"][..], &["scan", "-"][..]] {
        let out = common::forewarn()
            .current_dir(dir.path())
            .args(args)
            .write_stdin("A text.")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("bomb.toml:6:") && stderr.contains("1073741824 variants"),
            "{stderr}"
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    #[cfg(unix)]
    {
        std::fs::remove_file(lex.join("topics/bomb.toml")).unwrap();
        // A folder that links to itself, deeper and deeper: not walked.
        std::os::unix::fs::symlink(&lex, lex.join("topics/loop")).unwrap();
        std::os::unix::fs::symlink(&lex, lex.join("again")).unwrap();
        let out = common::forewarn()
            .current_dir(dir.path())
            .args(["scan", "-"])
            .write_stdin("A text.")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A link to a file is refused with its name, not followed.
        std::os::unix::fs::symlink("/etc/hostname", lex.join("topics/elsewhere.toml")).unwrap();
        let out = common::forewarn()
            .current_dir(dir.path())
            .args(["scan", "-"])
            .write_stdin("A text.")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr.contains("elsewhere.toml:1: is a symbolic link"),
            "{stderr}"
        );
    }
    // The whole disk as a lexicon folder: the top folder and its `topics/` only.
    let started = std::time::Instant::now();
    let out = common::forewarn()
        .args(["scan", "--no-config", "--lexicons", "/", "-"])
        .write_stdin("A text.")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Item 4: ESC, OSC 8 and OSC 52 sequences, BEL, backspace, CR and U+202E in a document or
/// a file name never reach the terminal raw, in any human-readable output.
#[test]
fn control_and_bidi_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let hostile =
        "\u{1b}]52;c;ZWNobyBoaQ==\u{7}\u{1b}]8;;https://x.test\u{1b}\\\u{1b}[2J\u{8}\r\u{202e}";
    let body = format!(
        "A stillbirth\n\nTheir daughter was stillborn{hostile} at 38 weeks. After the \
         stillbirth{hostile}, the couple said the loss of their baby changed everything.\n"
    );
    let mut names = vec!["plain.txt".to_string()];
    if cfg!(unix) {
        names.push("name\u{1b}[31m\nforged.txt:1:1: missing-warning x.txt".to_string());
    }
    for name in &names {
        let path = dir.path().join(name);
        std::fs::write(&path, &body).unwrap();
        for args in [
            &["scan", "--color", "never"][..],
            &["check", "--color", "never"][..],
            &["check", "--format", "github"][..],
            &["explain"][..],
        ] {
            let out = common::forewarn().args(args).arg(&path).output().unwrap();
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                for bad in ['\u{1b}', '\u{7}', '\u{8}', '\r', '\u{202e}'] {
                    assert!(
                        !text.contains(bad),
                        "{args:?} {stream} has {bad:?}: {text:?}"
                    );
                }
                // A file name cannot start a line of its own.
                assert!(!text.contains("\nforged.txt"), "{args:?} {stream}: {text}");
            }
        }
    }
}

/// Item 5: ids and paths a spreadsheet would run as formulas are written with a `'`.
#[test]
fn csv_cells_never_start_a_formula() {
    let input = "id,text\n\"=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",Their daughter was stillborn.\n@cmd,A text.\n";
    let out = common::forewarn()
        .args([
            "scan",
            "--format",
            "csv",
            "--input",
            "-",
            "--input-format",
            "csv",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    let mut rows = csv::Reader::from_reader(&out.stdout[..]);
    let ids: Vec<String> = rows
        .records()
        .map(|r| r.unwrap().get(1).unwrap().to_string())
        .collect();
    assert_eq!(ids, ["'=HYPERLINK(\"http://evil.test\",\"x\")", "'@cmd"]);
}

const ARTICLE: &str = "A stillbirth\n\nTheir daughter was stillborn at 38 weeks. After the \
    stillbirth the couple said the loss of their baby changed everything.\n";

/// `forewarn ARGS` run in `dir`: (exit code, stdout, stderr).
fn run_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::forewarn()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Item 6: a link out of the tree is never rewritten unless asked, whether named or met
/// in a walk, and says so in one line.
#[cfg(unix)]
#[test]
fn fix_does_not_write_through_a_symlink_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("outside.txt"), ARTICLE).unwrap();
    std::os::unix::fs::symlink("../outside.txt", dir.path().join("content/link.txt")).unwrap();
    for target in ["content/link.txt", "content"] {
        let (code, _, stderr) = run_in(dir.path(), &["fix", "--region", "AU", target]);
        assert_eq!(code, Some(2), "{target}: {stderr}");
        assert!(
            stderr.contains("content/link.txt: is a symbolic link; not rewritten"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("outside.txt")).unwrap(),
            ARTICLE
        );
    }
    let (code, _, stderr) = run_in(
        dir.path(),
        &["fix", "--region", "AU", "--follow-symlinks", "content"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        std::fs::read_to_string(dir.path().join("outside.txt"))
            .unwrap()
            .contains("This article discusses")
    );
    assert!(
        dir.path().join("content/link.txt").is_symlink(),
        "the link itself is kept"
    );
}

/// Item 7: a record over the limit is rejected while it streams by, with its line, and
/// the run goes on; many large documents in one run are read a budget's worth at a time.
#[test]
fn oversized_records_are_skipped_unread_and_the_run_goes_on() {
    let big = "x".repeat(3_000_000);
    let jsonl = format!(
        "{{\"id\":\"a\",\"text\":\"Their daughter was stillborn.\"}}\n{{\"id\":\"b\",\"text\":\"{big}\"}}\n{{\"id\":\"c\",\"text\":\"A text.\"}}\n"
    );
    let csv = format!("id,text\na,Their daughter was stillborn.\nb,\"{big}\n{big}\"\nc,A text.\n");
    for (format, input, line) in [("jsonl", jsonl, 2), ("csv", csv, 3)] {
        let out = common::forewarn()
            .args([
                "scan",
                "--format",
                "jsonl",
                "--max-bytes",
                "100000",
                "--input",
                "-",
            ])
            .args(["--input-format", format])
            .write_stdin(input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains(&format!(
                ":{line}: record is larger than the 100000-byte limit"
            )),
            "{format}: {stderr}"
        );
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids, ["\"a\"", "\"c\""], "{format}");
    }
}

/// Item 8: `--output` naming one of the inputs is refused before anything is written;
/// any other `--output` is written whole or not at all.
#[test]
fn output_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("self.md"), ARTICLE).unwrap();
    for args in [
        &["scan", "self.md", "--output", "self.md"][..],
        &["scan", ".", "-o", "./self.md"][..],
    ] {
        let (code, _, stderr) = run_in(dir.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is also an input"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("self.md")).unwrap(),
            ARTICLE
        );
    }
    let (code, _, stderr) = run_in(
        dir.path(),
        &["scan", "self.md", "-f", "jsonl", "-o", "report.jsonl"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let report = std::fs::read_to_string(dir.path().join("report.jsonl")).unwrap();
    assert!(report.contains("pregnancy-loss"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}

/// Item 9: another user's file in a folder anyone may write is not taken over: the write
/// is refused when the system says the user may not write the file, and the owner is kept
/// when they may. (Needs root to set up; skipped otherwise.)
#[cfg(unix)]
#[test]
fn fix_never_takes_over_another_users_file() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    if !root || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = dir.path().join("theirs.txt");
    std::fs::write(&file, ARTICLE).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new("/usr/bin/setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("forewarn"))
        .args(["fix", "--region", "AU", "--no-config"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ARTICLE);
    assert_eq!(std::fs::metadata(&file).unwrap().uid(), 0);
    // Root may write it: the file stays its owner's.
    std::os::unix::fs::chown(&file, Some(4321), Some(4321)).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["fix", "--region", "AU", "theirs.txt"]);
    assert_eq!(code, Some(0), "{stderr}");
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
}

/// Item 10: a FIFO is not rewritten (and `fix` does not hang on it); a temporary file a
/// killed run left is cleaned up by the next run in that folder.
#[cfg(unix)]
#[test]
fn fix_takes_regular_files_only_and_clears_stale_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, ARTICLE).unwrap())
    };
    let started = std::time::Instant::now();
    let (code, _, stderr) = run_in(dir.path(), &["fix", "--region", "AU", "pipe.txt"]);
    writer.join().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("pipe.txt: is not a regular file; not rewritten"),
        "{stderr}"
    );

    let stale = dir.path().join(".forewarn-killed.tmp");
    let fresh = dir.path().join(".forewarn-busy.tmp");
    let other = dir.path().join(".other.tmp");
    for f in [&stale, &fresh, &other] {
        std::fs::write(f, "partial").unwrap();
    }
    assert!(
        std::process::Command::new("touch")
            .args(["-d", "2 hours ago"])
            .arg(&stale)
            .arg(&other)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(dir.path().join("a.txt"), ARTICLE).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["fix", "--region", "AU", "a.txt"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stale.exists(), "a stale temporary file of ours is removed");
    assert!(
        fresh.exists() && other.exists(),
        "a recent one, and others' files, are kept"
    );
}

/// Item 11: an unreadable folder is named and counted (exit 3), and a file name that is not
/// UTF-8 is read as the path it is. (The unreadable folder needs a user that permissions
/// bind: root gets setpriv.)
#[cfg(unix)]
#[test]
fn walk_errors_are_reported_and_names_need_not_be_utf8() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(dir.path().join(name), ARTICLE).unwrap();
    let (code, stdout, stderr) = run_in(dir.path(), &["scan", "-f", "jsonl", "."]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("pregnancy-loss"), "{stdout}");

    std::fs::create_dir(dir.path().join("locked")).unwrap();
    std::fs::write(dir.path().join("locked/b.txt"), ARTICLE).unwrap();
    std::fs::set_permissions(
        dir.path().join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let out = if root {
        if !std::path::Path::new("/usr/bin/setpriv").exists() {
            return;
        }
        std::fs::set_permissions(
            dir.path().join(name),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        std::process::Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("forewarn"))
            .args(["scan", "--no-config", "-f", "jsonl", "."])
            .current_dir(dir.path())
            .output()
            .unwrap()
    } else {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("forewarn"))
            .args(["scan", "-f", "jsonl", "."])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("locked") && stderr.contains("Permission denied"),
        "{stderr}"
    );
    std::fs::set_permissions(
        dir.path().join("locked"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

/// Item 12: a folder whose every file is hidden or ignored is "no documents found", exit 2.
#[test]
fn a_walk_that_finds_nothing_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/.ignore"), "*.md\n").unwrap();
    std::fs::write(dir.path().join("content/story.md"), ARTICLE).unwrap();
    std::fs::write(dir.path().join("content/.hidden.txt"), ARTICLE).unwrap();
    let (code, stdout, stderr) = run_in(dir.path(), &["check", "content"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("no documents found in content"), "{stderr}");
}

/// Item 13: a stray CR in a file with LF line breaks is not a line break: line numbers
/// match what git and code-hosting sites show.
#[test]
fn a_stray_carriage_return_does_not_shift_line_numbers() {
    let text = "A stillbirth\n\nThe report\r came out.\n\nShe was stillborn at 38 weeks, and the stillbirth was reported.\n";
    let (_, r) = report(text, InputFormat::Text);
    let lines: Vec<usize> = r.topics[0].matches.iter().map(|m| m.line).collect();
    assert!(lines.iter().all(|&l| l == 1 || l == 5), "{lines:?}");
    assert!(lines.contains(&5), "{lines:?}");
}

/// Item 14: `--threads` is capped at a few per core, with a note.
#[test]
fn a_huge_thread_count_is_capped() {
    let out = common::forewarn()
        .args(["scan", "--threads", "100000", "-"])
        .write_stdin(ARTICLE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("--threads 100000 is more than 4 per core; using"),
        "{stderr}"
    );
}

/// Found by the `fix` fuzz target: a text whose body has a line per paragraph but starts
/// with a blank line got its inserts as blank-line blocks, which turned its lines into one
/// paragraph, changed the verdict and made the next fix insert again. The inserts follow
/// the layout the reader saw.
#[test]
fn fix_keeps_a_line_per_paragraph_text_as_it_is_read() {
    let text =
        format!("\n\nA stillbirth, a year on\n{STILLBIRTH}\nThe couple now run a support group.");
    let out = fixed(&text, InputFormat::Text).expect("needs a warning");
    assert!(is_subsequence(&text, &out), "{out}");
    assert!(
        !out.trim_start().contains("\n\n"),
        "no blank line added:\n{out}"
    );
    assert_eq!(fixed(&out, InputFormat::Text), None, "{out}");
}

/// Found by the `fix` fuzz target: a support number outside any paragraph (before
/// `<body>`) made the rest of its source line a support note, markup and all, so the
/// story after the tag was no evidence until `fix` split the line.
#[test]
fn a_support_number_never_hides_text_past_a_tag() {
    let text = "Call 13 11 14<body><b>Stillbirth</b> took their daughter at 38 weeks, and \
        the stillborn baby was buried beside the couple's miscarried first child</body>";
    let (_, r) = report(text, InputFormat::Html);
    assert_eq!(r.warn_ids(), vec!["pregnancy-loss"], "{:?}", r.topics);
}

/// Found by the `fix` fuzz target: a number typed into forewarn's own warning block
/// counted as the support line, until `fix` rewrote the block and dropped it.
#[test]
fn a_number_in_forewarns_own_warning_block_is_no_support_line() {
    let text = format!(
        "<h1>A stillbirth</h1>\n<p class=\"content-warning\">Call 1300 072 637</p>\n<p>{STILLBIRTH}</p>\n"
    );
    let (_, r) = report(&text, InputFormat::Html);
    assert!(!r.has_support, "{r:?}");
    let out = fixed(&text, InputFormat::Html).expect("needs a support line");
    assert!(out.contains("<p class=\"support-line\">"), "{out}");
    assert_eq!(fixed(&out, InputFormat::Html), None, "{out}");
}

/// Found by the `fix` fuzz target: a short number's contact word was looked for across
/// tags and lines, so a warning `fix` inserted between them changed whether the number was
/// a support line. The word must be in the number's paragraph, markup inside it allowed.
#[test]
fn a_short_number_needs_its_contact_word_in_its_paragraph() {
    for (text, supported) in [
        ("<p>Call <strong>13 11 14</strong> any time.</p>", true),
        ("<p>Our helpline</p>\n<p>13 11 14</p>", false),
        ("Our helpline<body>13 11 14", false),
    ] {
        let (_, r) = report(text, InputFormat::Html);
        assert_eq!(r.has_support, supported, "{text}");
    }
}

/// Found by the `fix` fuzz target: a page whose only `<h1>` is empty and left open took its
/// headline from the `<title>`, and the warning went inside the title, where no reader
/// sees it; it goes after the `<h1>` start tag.
#[test]
fn the_warning_never_goes_into_the_title() {
    let text = format!("<title>{STILLBIRTH}</title><h1>");
    let out = fixed(&text, InputFormat::Html).expect("needs a warning");
    assert!(
        out.contains("</title><h1>\n<p class=\"content-warning\">"),
        "{out}"
    );
    assert_eq!(fixed(&out, InputFormat::Html), None, "{out}");
}

/// Found by the `fix` fuzz target: words typed into forewarn's own support block counted
/// as evidence until `fix` rewrote the block, and then the verdict changed. What stands in
/// forewarn's own blocks is set aside, like a notice.
#[test]
fn forewarns_own_blocks_are_never_evidence() {
    let text = "<p>The council met on Tuesday.</p>\n<p class=\"support-line\">Their baby was \
        stillborn; the stillbirth followed a miscarriage.</p>\n";
    let (_, r) = report(text, InputFormat::Html);
    assert!(r.topics.is_empty(), "{:?}", r.topics);
    let md = "The council met on Tuesday.\n\n<!-- forewarn:warning -->\nA stillbirth after a miscarriage.\n";
    let (_, r) = report(md, InputFormat::Markdown);
    assert!(r.topics.is_empty(), "{:?}", r.topics);
}

/// Found by the `fix` fuzz target: notices are looked for among the first sentences, and
/// the warning `fix` inserted counted as one of them, pushing the draft's own content
/// warning out of reach (its words became evidence, and the next fix changed its mind).
#[test]
fn an_inserted_warning_never_pushes_a_notice_out_of_reach() {
    let mut lines = vec!["A stillbirth, a year on".to_string()];
    lines.extend((0..10).map(|i| format!("Line {i}: their daughter was stillborn at term.")));
    lines.push("Content warning: suicide.".into());
    let text = lines.join("\n");
    let notices = |text: &str| {
        let doc = Document::from_text("d.txt", text.to_string(), InputFormat::Text);
        let prose = forewarn::normalize::NormalizedText::from_ranges(
            &doc.text,
            doc.structure.prose.iter().cloned(),
        );
        engine().find_notices(&doc, &prose).len()
    };
    assert_eq!(notices(&text), 1);
    let out = fixed(&text, InputFormat::Text).expect("needs a warning");
    assert_eq!(notices(&out), 2, "{out}");
}

/// Found by the `fix` fuzz target: a stray CR at the end of an LF file was taken for a line
/// end, so the support line was glued onto the last line (a CR is a line break only in a
/// file with no LF, item 13).
#[test]
fn a_stray_carriage_return_does_not_glue_an_insert_to_a_line() {
    let text = format!("A stillbirth, a year on\n{STILLBIRTH}\r");
    let out = fixed(&text, InputFormat::Text).expect("needs a warning");
    assert!(out.contains("births.\r\nIf this article"), "{out:?}");
    assert_eq!(fixed(&out, InputFormat::Text), None, "{out:?}");
}

/// Found by the `fix` fuzz target: warning-like words typed into forewarn's own support
/// block counted as the draft's content warning, until `fix` rewrote the block.
#[test]
fn forewarns_own_support_block_holds_no_content_warning() {
    let text = format!(
        "<h1>A stillbirth</h1>\n<p>{STILLBIRTH}</p>\n<p class=\"support-line\">This article \
         discusses stillbirth.</p>\n"
    );
    let (_, r) = report(&text, InputFormat::Html);
    assert!(!r.has_warning, "{r:?}");
    let out = fixed(&text, InputFormat::Html).expect("needs a warning");
    assert_eq!(fixed(&out, InputFormat::Html), None, "{out}");
}

/// Found by the `fix_markup` fuzz target: a draft whose only heading is at its end has its
/// warning there, past the sentences notices are looked for in, so the next fix did not
/// see it; and in a file of mixed line endings the parser hands a marker's CRLF over as an
/// event of its own, which lost the marker. Both fixes now hold after one run.
#[test]
fn fix_finds_its_own_warning_wherever_it_wrote_it() {
    let story = "He died by suicide, his family said.\n\nTheir daughter was stillborn.\n\n";
    for text in [
        format!("{}\n# A stillbirth story\n\n", story.repeat(7)),
        format!(
            "{}\r\nThe end.\n\n# A stillbirth story\n\n",
            story.repeat(7)
        ),
    ] {
        let out = fixed(&text, InputFormat::Markdown).expect("needs a warning");
        assert_eq!(
            out.matches("<!-- forewarn:warning -->").count(),
            1,
            "{out:?}"
        );
        assert_eq!(fixed(&out, InputFormat::Markdown), None, "{out:?}");
    }
}
