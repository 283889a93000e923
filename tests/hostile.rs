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
