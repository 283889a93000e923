//! Layout-independent verdicts (issue 11): an article gets the same verdict whether its
//! body comes as paragraphs, as one paragraph (as CMS exports and wire feeds deliver it),
//! or one sentence a line. Every labelled text in the repository (`eval/holdout/`,
//! `eval/extra/`) and every text fixture is scanned in the three layouts, headline kept;
//! every topic's level must be the same. (`scripts/layout-check.py` runs the same check
//! over the corpora in `../shared/`.)

use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use std::path::Path;

fn engine() -> Engine {
    Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load"))
}

/// The headline and the body's paragraphs of a plain-text article.
fn parts(text: &str) -> (&str, Vec<String>) {
    let text = text.trim_start_matches('\u{FEFF}');
    let (headline, body) = text.split_once('\n').unwrap_or((text, ""));
    let paragraphs = body
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    (headline.trim(), paragraphs)
}

/// `body` cut after every sentence end (`.`, `!` or `?`, then any closing quotes).
fn sentences(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = body.split_whitespace().collect();
    for w in words {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(w);
        let end = w.trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}']);
        if end.ends_with(['.', '!', '?']) {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The article in its three layouts.
fn layouts(text: &str) -> [(&'static str, String); 3] {
    let (headline, paragraphs) = parts(text);
    let joined = paragraphs.join(" ");
    [
        (
            "paragraphs",
            format!("{headline}\n\n{}\n", paragraphs.join("\n\n")),
        ),
        ("one paragraph", format!("{headline}\n\n{joined}\n")),
        (
            "a sentence a line",
            format!("{headline}\n{}\n", sentences(&joined).join("\n")),
        ),
    ]
}

/// Every topic's level in `text`, as a sorted list of `id=level`.
fn verdict(engine: &Engine, text: &str) -> Vec<String> {
    let doc = Document::from_text("article.txt", text.to_string(), InputFormat::Text);
    let report = engine.analyze(&doc, &AnalyzeOptions::default());
    let mut v: Vec<String> = report
        .topics
        .iter()
        .map(|t| format!("{}={}", t.id, t.level.map_or("none", |l| l.as_str())))
        .collect();
    v.sort();
    v
}

#[test]
fn every_labelled_text_gets_one_verdict_in_every_layout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = engine();
    let mut checked = 0;
    let mut changed = Vec::new();
    for dir in ["eval/holdout", "eval/extra", "fixtures/text"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let [(_, base), rest @ ..] = layouts(&text);
            let expected = verdict(&engine, &base);
            for (name, variant) in rest {
                let got = verdict(&engine, &variant);
                if got != expected {
                    changed.push(format!(
                        "{} as {name}: {expected:?} -> {got:?}",
                        path.display()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 90, "only {checked} texts");
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}

#[test]
fn the_layouts_are_what_they_say() {
    let text = "Headline\n\nOne. Two \"three.\"\n\nFour? Five";
    let [(_, a), (_, b), (_, c)] = layouts(text);
    assert_eq!(a, "Headline\n\nOne. Two \"three.\"\n\nFour? Five\n");
    assert_eq!(b, "Headline\n\nOne. Two \"three.\" Four? Five\n");
    assert_eq!(c, "Headline\nOne.\nTwo \"three.\"\nFour?\nFive\n");
}
