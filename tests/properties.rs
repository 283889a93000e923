//! Property tests (proptest) of the invariants every later stage relies on:
//!
//! * offsets: every reported match is a char-boundary byte range of the original whose
//!   prose, normalised, is exactly the normalised text the matcher matched;
//! * locality: appending text never loses a match far from the end of what came before;
//! * fix: after `fixed_text`, nothing is missing, and fixing again changes nothing.
//!
//! Documents are composed from a pool of sentences (some sensitive, some traps, some
//! neutral) with Unicode noise and markup mixed in. Case counts are kept small so that
//! `cargo test` stays fast; raise them with `PROPTEST_CASES=10000 cargo test --release
//! --test properties`.

use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use forewarn::normalize::{NormalizedText, normalize_str};
use forewarn::report::DocumentReport;
use forewarn::rewrite::fixed_text;
use proptest::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load")))
}

/// Sentences that name a sensitive topic (or look as if they do: traps).
const SENSITIVE: &[&str] = &[
    "She had a miscarriage at eleven weeks.",
    "Their daughter was stillborn at 38 weeks.",
    "The couple lost the baby in March.",
    "He died by suicide in 2019, his family said.",
    "Her brother took his own life last year.",
    "The survey found self-harm was rising among teenagers.",
    "She was treated for anorexia as a teenager.",
    "The court heard evidence of domestic violence and coercive control.",
    "He was sexually assaulted as a child.",
    "He overdosed on heroin in a hostel.",
    "After the stillbirth, the couple set up a charity.",
    "A man was stabbed to death in the street.",
    "Her mother died of cancer in the spring.",
    "The clinic offers IVF to couples with infertility.",
];

/// Sentences that look sensitive but are not (exclusions), and weak cues alone.
const TRAPS: &[&str] = &[
    "It was a miscarriage of justice, the appeal court ruled.",
    "The plan miscarried after the vote.",
    "Leaving the euro would be political suicide.",
    "Pregnant women can attend the clinic on Fridays.",
    "The baby was born healthy.",
    "The suicide squeeze won the game in the ninth.",
];

/// Sentences with no topic.
const NEUTRAL: &[&str] = &[
    "The council met on Tuesday.",
    "Rain is expected later this week.",
    "The library reopens in spring with longer hours.",
    "Tickets cost $12 (or €10) at the door.",
    "The mayor said the budget would be published on 3 May.",
    "Café owners welcomed the decision.",
    "Residents can call 1300 000 000 for information.",
];

/// Ways to disturb a sentence without changing what it says to a reader.
#[derive(Debug, Clone, Copy)]
enum Noise {
    None,
    Upper,
    CurlyQuotes,
    NoBreakSpaces,
    ZeroWidthInWords,
    SoftHyphens,
    CombiningAccents,
    Crlf,
    Hebrew,
    Emoji,
    DoubleSpaces,
}

fn noise() -> impl Strategy<Value = Noise> {
    prop_oneof![
        4 => Just(Noise::None),
        1 => Just(Noise::Upper),
        1 => Just(Noise::CurlyQuotes),
        1 => Just(Noise::NoBreakSpaces),
        1 => Just(Noise::ZeroWidthInWords),
        1 => Just(Noise::SoftHyphens),
        1 => Just(Noise::CombiningAccents),
        1 => Just(Noise::Crlf),
        1 => Just(Noise::Hebrew),
        1 => Just(Noise::Emoji),
        1 => Just(Noise::DoubleSpaces),
    ]
}

fn disturb(s: &str, n: Noise) -> String {
    match n {
        Noise::None => s.to_string(),
        Noise::Upper => s.to_uppercase(),
        Noise::CurlyQuotes => s
            .replace('\'', "\u{2019}")
            .replace(" a ", " \u{201C}a\u{201D} "),
        Noise::NoBreakSpaces => s.replace(' ', "\u{00A0}"),
        Noise::ZeroWidthInWords => s.replacen("ri", "r\u{200B}i", 2),
        Noise::SoftHyphens => s.replacen("ar", "a\u{00AD}r", 2),
        Noise::CombiningAccents => s.replace('e', "e\u{0301}"),
        Noise::Crlf => s.replace(", ", ",\r\n"),
        Noise::Hebrew => format!("\u{05E9}\u{05DC}\u{05D5}\u{05DD} {s}"),
        Noise::Emoji => s.replacen(' ', " \u{1F494} ", 1),
        Noise::DoubleSpaces => s.replace(' ', "  \t"),
    }
}

/// One sentence from the pools, disturbed.
fn sentence() -> impl Strategy<Value = String> {
    let pick = prop_oneof![
        3 => prop::sample::select(SENSITIVE),
        1 => prop::sample::select(TRAPS),
        3 => prop::sample::select(NEUTRAL),
    ];
    (pick, noise()).prop_map(|(s, n)| disturb(s, n))
}

/// An article: headline and paragraphs of sentences.
#[derive(Debug, Clone)]
struct Article {
    headline: String,
    paragraphs: Vec<Vec<String>>,
}

fn article() -> impl Strategy<Value = Article> {
    (
        sentence(),
        prop::collection::vec(prop::collection::vec(sentence(), 1..4), 0..6),
    )
        .prop_map(|(headline, paragraphs)| Article {
            headline: headline.trim_end_matches('.').to_string(),
            paragraphs,
        })
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The article as a document of `format`, with some markup inside the prose.
fn render(a: &Article, format: InputFormat, crlf: bool) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let paras: Vec<String> = a.paragraphs.iter().map(|p| p.join(" ")).collect();
    let text = match format {
        InputFormat::Text => {
            let mut s = a.headline.clone();
            for p in &paras {
                s.push_str("\n\n");
                s.push_str(p);
            }
            s.push('\n');
            s
        }
        InputFormat::Markdown => {
            let mut s = format!("# {}\n", a.headline);
            for (i, p) in paras.iter().enumerate() {
                s.push('\n');
                match i % 4 {
                    1 => s.push_str(&format!("> {p}\n")),
                    2 => s.push_str(&format!("- {}\n", p.replacen(' ', " *", 1) + "*")),
                    3 => s.push_str(&format!("```\n{p}\n```\n")),
                    _ => s.push_str(&format!("{p}\n")),
                }
            }
            s
        }
        InputFormat::Html => {
            let mut s = format!(
                "<!DOCTYPE html>\n<html><head><title>{0}</title></head>\n<body>\n<h1>{0}</h1>\n",
                esc(&a.headline)
            );
            for (i, p) in paras.iter().enumerate() {
                match i % 4 {
                    1 => s.push_str(&format!("<p><em>{}</em></p>\n", esc(p))),
                    2 => s.push_str(&format!("<div><p>{}<br>more</p></div>\n", esc(p))),
                    3 => s.push_str(&format!("<!-- {} -->\n", esc(p))),
                    _ => s.push_str(&format!("<p>{}</p>\n", esc(p))),
                }
            }
            s.push_str("</body>\n</html>\n");
            s
        }
    };
    if crlf { text.replace('\n', eol) } else { text }
}

fn format() -> impl Strategy<Value = InputFormat> {
    prop_oneof![
        Just(InputFormat::Text),
        Just(InputFormat::Markdown),
        Just(InputFormat::Html)
    ]
}

fn analyze(doc: &Document, region: Option<&str>, all: bool) -> DocumentReport {
    engine().analyze(
        doc,
        &AnalyzeOptions {
            region: region.map(str::to_string),
            include_below_threshold: all,
            ..AnalyzeOptions::default()
        },
    )
}

/// The normalised form of the prose inside `range` of `doc` (markup left out).
fn normalized_prose(doc: &Document, range: Range<usize>) -> String {
    let parts = doc.structure.prose.iter().filter_map(|p| {
        let r = p.start.max(range.start)..p.end.min(range.end);
        (r.start < r.end).then_some(r)
    });
    NormalizedText::from_ranges(&doc.text, parts)
        .text
        .trim()
        .to_string()
}

/// Checks property (a) on one document.
fn offsets_map_back(doc: &Document) -> Result<(), TestCaseError> {
    let report = analyze(doc, None, true);
    let normalized = NormalizedText::from_ranges(&doc.text, doc.structure.prose.iter().cloned());
    let hits = engine().matcher.find(&normalized);
    let topics = &engine().lexicons.topics;
    for t in &report.topics {
        for m in &t.matches {
            prop_assert!(m.start <= m.end && m.end <= doc.text.len(), "{m:?}");
            prop_assert!(
                doc.text.is_char_boundary(m.start) && doc.text.is_char_boundary(m.end),
                "{m:?} in {:?}",
                doc.text
            );
            let slice = &doc.text[m.start..m.end];
            prop_assert_eq!(slice, m.text.as_str());
            let found = hits.iter().find(|h| {
                topics.get(h.topic).is_some_and(|x| x.id == t.id)
                    && normalized.original_range(h.range.clone()) == (m.start..m.end)
            });
            let Some(h) = found else {
                return Err(TestCaseError::fail(format!(
                    "{}: no hit maps to {m:?}",
                    t.id
                )));
            };
            let matched = normalized.text[h.range.clone()].trim();
            prop_assert_eq!(
                normalized_prose(doc, m.start..m.end),
                matched,
                "{}: {:?} in {:?}",
                t.id,
                slice,
                doc.text
            );
            if doc.format == InputFormat::Text {
                // Plain text is all prose: the slice normalises on its own to the match.
                prop_assert_eq!(normalize_str(slice), matched);
            }
        }
    }
    Ok(())
}

/// Matches per (topic, matched text) of `r` that end at or before `limit`.
fn counts(r: &DocumentReport, limit: usize) -> HashMap<(String, String), usize> {
    let mut out = HashMap::new();
    for t in &r.topics {
        for m in t.matches.iter().filter(|m| m.end <= limit) {
            *out.entry((t.id.clone(), m.text.clone())).or_default() += 1;
        }
    }
    out
}

/// True when `after` is `before` with text inserted (nothing removed or changed).
fn only_inserts(before: &str, after: &str) -> bool {
    let mut rest = after.bytes();
    before.bytes().all(|b| rest.any(|a| a == b))
}

/// 64 cases, or `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// One round of `fix` on `text`: the fixed text (if anything was missing) and the report
/// it was made from.
fn fix_round(text: &str, f: InputFormat, region: Option<&str>) -> (Option<String>, DocumentReport) {
    let doc = Document::from_text("doc", text.to_string(), f);
    let report = analyze(&doc, region, false);
    (fixed_text(&doc, &report), report)
}

fn region() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![None, Some("AU"), Some("UK"), Some("US")])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Failing cases are kept as named tests below, not in a regressions file.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (a) Every match maps back onto the original, on char boundaries, and its prose
    /// normalises to exactly what the matcher matched.
    #[test]
    fn match_offsets_map_back_to_the_original(
        a in article(), f in format(), crlf in any::<bool>()
    ) {
        let doc = Document::from_text("doc", render(&a, f, crlf), f);
        offsets_map_back(&doc)?;
    }

    /// (a) The same on arbitrary text around sentences of the pool, so that noise lands
    /// right next to and inside terms.
    #[test]
    fn match_offsets_map_back_in_arbitrary_text(
        before in "\\PC{0,12}", s in sentence(), after in "\\PC{0,12}", f in format()
    ) {
        let doc = Document::from_text("doc", format!("{before}{s}{after}"), f);
        offsets_map_back(&doc)?;
    }

    /// (b) Appending a paragraph never loses a match that lies more than 100 bytes before
    /// the end of the first part.
    #[test]
    fn appending_text_keeps_earlier_matches(a in article(), b in article()) {
        let a = render(&a, InputFormat::Text, false);
        let b = render(&b, InputFormat::Text, false);
        let alone = analyze(&Document::from_text("a", a.clone(), InputFormat::Text), None, true);
        let joined = format!("{a}\n\n{b}");
        let both = analyze(&Document::from_text("ab", joined, InputFormat::Text), None, true);
        let limit = a.len().saturating_sub(100);
        let before = counts(&alone, limit);
        let after = counts(&both, a.len());
        for (key, n) in &before {
            let m = after.get(key).copied().unwrap_or(0);
            prop_assert!(m >= *n, "{key:?}: {n} matches in a, {m} in a + b\na = {a:?}\nb = {b:?}");
        }
    }

    /// (c), as far as it holds today: `fix` only inserts, keeps CRLF, covers every topic
    /// that was missing a warning or support line, and reaches a fixed point within
    /// three rounds. See `fix_then_check_passes_and_fix_is_idempotent` for the full
    /// property.
    #[test]
    fn fix_covers_what_was_missing_and_converges(
        a in article(), f in format(), crlf in any::<bool>(), region in region(),
    ) {
        let text = render(&a, f, crlf);
        let (fixed, report) = fix_round(&text, f, region);
        let Some(fixed) = fixed else {
            prop_assert!(report.missing.is_empty(), "{:?}", report.missing);
            return Ok(());
        };
        prop_assert!(only_inserts(&text, &fixed), "fix changed the original:\n{fixed}");
        if crlf {
            prop_assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
        }
        let (_, after) = fix_round(&fixed, f, region);
        for id in &report.missing.warning {
            prop_assert!(!after.missing.warning.contains(id), "{id} still unwarned:\n{fixed}");
        }
        for id in &report.missing.support {
            prop_assert!(!after.missing.support.contains(id), "{id} still unsupported:\n{fixed}");
        }
        let mut current = fixed;
        for round in 2..=4 {
            match fix_round(&current, f, region).0 {
                None => return Ok(()),
                Some(next) => {
                    prop_assert!(round < 4, "no fixed point after 3 rounds:\n{next}");
                    current = next;
                }
            }
        }
    }

    /// (c) `fix` then `check` passes, and `fix` again changes nothing.
    #[test]
    fn fix_then_check_passes_and_fix_is_idempotent(
        a in article(), f in format(), crlf in any::<bool>(), region in region(),
    ) {
        let text = render(&a, f, crlf);
        let (fixed, report) = fix_round(&text, f, region);
        let Some(fixed) = fixed else {
            prop_assert!(report.missing.is_empty(), "{:?}", report.missing);
            return Ok(());
        };
        let (again, report2) = fix_round(&fixed, f, region);
        prop_assert!(
            report2.missing.is_empty(),
            "still missing {:?} after fix:\n{}",
            report2.missing,
            fixed
        );
        prop_assert_eq!(again, None);
    }
}

/// The smallest cases `fix_then_check_passes_and_fix_is_idempotent` found, kept as
/// examples of the bug.
#[test]
fn fix_is_a_fixed_point_on_found_cases() {
    for (text, region) in [
        ("He was sexually assaulted as a child\n", None),
        (
            "She was treated for anorexia as a teenager\n\nA man was stabbed to death in the \
             street. The court heard evidence of domestic violence and coercive control.\n",
            Some("AU"),
        ),
    ] {
        let (fixed, _) = fix_round(text, InputFormat::Text, region);
        let fixed = fixed.expect("needs a fix");
        let (again, report) = fix_round(&fixed, InputFormat::Text, region);
        assert!(report.missing.is_empty(), "{:?}\n{fixed}", report.missing);
        assert_eq!(again, None);
    }
}

/// Plain text with one paragraph per line (no blank lines), as many archives store it.
fn render_lines(a: &Article) -> String {
    let mut s = a.headline.clone();
    for p in &a.paragraphs {
        s.push('\n');
        s.push_str(&p.join(" "));
    }
    s.push('\n');
    s
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (c) on plain text with one paragraph per line: `fix` then `check` passes, and
    /// `fix` again changes nothing.
    #[test]
    fn fix_is_idempotent_on_line_per_paragraph_text(a in article(), region in region()) {
        let text = render_lines(&a);
        let (fixed, _) = fix_round(&text, InputFormat::Text, region);
        let Some(fixed) = fixed else { return Ok(()) };
        let (again, report) = fix_round(&fixed, InputFormat::Text, region);
        prop_assert!(report.missing.is_empty(), "still missing {:?}:\n{}", report.missing, fixed);
        prop_assert_eq!(again, None);
    }
}

/// Found by the `fix` fuzz target: a plain-text article with single line breaks between
/// paragraphs. Before `fix` each line is a paragraph and only the first overdose is in the
/// lead; `fix` inserts the warning with blank lines around it, the body becomes one
/// paragraph, both overdoses count as lead, and substance-use reaches warn: `check` fails
/// right after `fix`, and a second `fix` inserts another warning. (The lead is now counted
/// in words, so blank lines cannot move it; the round trip must still hold.)
#[test]
fn fix_keeps_the_layout_of_line_per_paragraph_text() {
    let text = "Teenagers and self-harm\n\
                A report found self-harm among teenagers is rising.\n\
                Schools want more counsellors.\n\
                The report also found that some had taken an overdose.\n\
                Others said an overdose had followed a bad week.\n\
                The minister will respond next month.\n";
    let (fixed, report) = fix_round(text, InputFormat::Text, Some("AU"));
    assert!(report.missing.warning.contains(&"self-harm".to_string()));
    let fixed = fixed.expect("needs a fix");
    let (again, report) = fix_round(&fixed, InputFormat::Text, Some("AU"));
    assert!(report.missing.is_empty(), "{:?}\n{fixed}", report.missing);
    assert_eq!(again, None);
}
