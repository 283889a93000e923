//! The bodies of forewarn's fuzz targets, shared by the cargo-fuzz targets in
//! `fuzz_targets/` and by the stable-toolchain smoke loop in `smoke/`. Each takes arbitrary
//! bytes and panics only when an invariant of forewarn is broken.

use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use forewarn::matcher::Matcher;
use forewarn::normalize::{NormalizedText, normalize_str};
use forewarn::rewrite::fixed_text;
use std::ops::Range;
use std::sync::OnceLock;

/// The engine on the embedded lexicons, built once.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load")))
}

/// Every input format.
pub const FORMATS: [InputFormat; 3] = [InputFormat::Text, InputFormat::Markdown, InputFormat::Html];

fn on_boundaries(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

/// `normalize_match`: normalising arbitrary UTF-8 and matching every lexicon term in it
/// never panics, and every byte and every hit maps back to a char-boundary range of the
/// original.
pub fn normalize_match(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let n = NormalizedText::new(s);
    for i in 0..n.text.len() {
        let r = n.original_range(i..i + 1);
        assert!(on_boundaries(s, &r), "byte {i} maps to {r:?}");
        assert!(n.original_offset(i) <= s.len());
    }
    for h in engine().matcher.find(&n) {
        assert!(
            h.range.start < h.range.end && h.range.end <= n.text.len(),
            "{h:?}"
        );
        let r = n.original_range(h.range.clone());
        assert!(on_boundaries(s, &r), "hit {h:?} maps to {r:?}");
    }
    let short = normalize_str(s);
    assert!(short.len() <= n.text.len() + 1);
    let _ = n.word_count();
}

/// `input_markup`: reading arbitrary bytes as each format never panics, and what the
/// reader finds (prose, headline, paragraphs, insertion points, disabled ranges) are
/// char-boundary ranges of the text; analysing the document never panics either.
pub fn input_markup(data: &[u8]) {
    for format in FORMATS {
        let Ok(doc) = Document::from_bytes("fuzz", data.to_vec(), format) else {
            continue;
        };
        let text = &doc.text;
        let s = &doc.structure;
        for r in s
            .prose
            .iter()
            .chain(&s.layout.paragraphs)
            .chain(&s.layout.headline)
            .chain(&s.disabled)
        {
            assert!(
                on_boundaries(text, r),
                "{format:?}: range {r:?} of {} bytes",
                text.len()
            );
        }
        for w in s.prose.windows(2) {
            assert!(
                w[0].end <= w[1].start,
                "{format:?}: prose out of order {w:?}"
            );
        }
        for at in [s.warning_at, s.support_at] {
            assert!(
                at <= text.len() && text.is_char_boundary(at),
                "{format:?}: {at}"
            );
        }
        if let Some(fm) = &s.front_matter {
            assert!(on_boundaries(text, &fm.range), "{format:?}: {fm:?}");
        }
        let report = engine().analyze(&doc, &AnalyzeOptions::default());
        for m in report.topics.iter().flat_map(|t| &t.matches) {
            assert!(on_boundaries(text, &(m.start..m.end)));
            assert_eq!(text[m.start..m.end], m.text);
        }
    }
}

/// `lexicon_load`: parsing arbitrary text as a topic file (and as a support directory)
/// never panics, and a topic that loads compiles into a matcher that runs.
pub fn lexicon_load(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match forewarn::lexicon::topic::parse_topic("fuzz.toml", s) {
        Ok(topic) => {
            let matcher = Matcher::new(std::slice::from_ref(&topic));
            let sample =
                NormalizedText::new("She had a miscarriage; the plan miscarried. aaaa bbbb");
            let _ = matcher.find(&sample);
        }
        Err(e) => {
            let lines = s.matches('\n').count() + 1;
            assert!(
                e.line >= 1 && e.line <= lines,
                "line {} of {lines}: {e}",
                e.line
            );
        }
    }
    let _ = forewarn::support::SupportDirectory::parse("support-lines.csv", s);
}

/// True when `after` is `before` with bytes inserted (none removed or changed).
pub fn only_inserts(before: &str, after: &str) -> bool {
    let mut rest = after.bytes();
    before.bytes().all(|b| rest.any(|a| a == b))
}

/// `fix`: on arbitrary text in every format, `fixed_text` keeps every byte of the text
/// outside forewarn's own blocks, in order, and is idempotent (see [`check_fix`]).
pub fn fix(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        check_fix(s, &FORMATS);
    }
}

/// Pieces a Markdown or HTML draft is made of in `fix_markup`: forewarn's marker text where
/// it must stay the draft's own (code, comments, attributes, quotes, lists), forewarn's
/// real blocks, and story sentences that need a warning or none.
#[rustfmt::skip]
pub const MARKUP_PIECES: &[&str] = &[
    "# A stillbirth story\n\n", "<h1>A stillbirth story</h1>\n", "Their daughter was stillborn.\n\n",
    "He died by suicide, his family said.\n\n", "It was a miscarriage of justice.\n\n",
    "<p>She had a miscarriage at 12 weeks.</p>\n", "The council met on Tuesday.\n\n",
    "<!-- forewarn:warning -->", "<!-- forewarn:support -->", "<!-- forewarn:warning -->\n",
    "```\n", "~~~\n", "    ", "`", "> ", "- ", "1. ", "<!-- ", " -->", "-->", "<!--",
    "<p class=\"content-warning\">", "<p class=\"support-line\">", "</p>", "<p>", "<pre>",
    "</pre>", "<code>", "</code>", "<script>", "</script>", "<textarea>", "</textarea>",
    "<div title='", "'>", "\">", "<div data-x=\"", "</div>\n", "<b>", "</b>",
    "This article discusses miscarriage and pregnancy loss.",
    "Sands Australia on 1300 072 637", "\n", "\n\n", "\r\n", "\r", " ", "</body>", "<body>",
];

/// Builds a draft from `data`: each byte picks a piece of [`MARKUP_PIECES`] (so the fuzzer
/// explores arrangements of markers, code, comments and attributes, not raw bytes).
pub fn markup_draft(data: &[u8]) -> String {
    data.iter()
        .map(|&b| MARKUP_PIECES[usize::from(b) % MARKUP_PIECES.len()])
        .collect()
}

/// `fix_markup`: `fix` on Markdown and HTML drafts full of forewarn's marker text in code
/// blocks, comments and attributes (see [`check_fix`]).
pub fn fix_markup(data: &[u8]) {
    check_fix(
        &markup_draft(data),
        &[InputFormat::Markdown, InputFormat::Html],
    );
}

/// Fixes `s` as each of `formats` and checks that every byte of the draft outside the
/// blocks forewarn itself wrote survives, in order; that the fixed draft holds no more of
/// forewarn's own warning or support blocks than one (or than it had); and that a second
/// fix changes nothing.
pub fn check_fix(s: &str, formats: &[InputFormat]) {
    let opts = AnalyzeOptions {
        region: Some("AU".into()),
        ..AnalyzeOptions::default()
    };
    for &format in formats {
        let doc = Document::from_text("fuzz", s.to_string(), format);
        let report = engine().analyze(&doc, &opts);
        let Some(fixed) = fixed_text(&doc, &report) else {
            continue;
        };
        // What fix may replace: the content of its own blocks; everything else must stay.
        let mut kept = String::new();
        let mut at = 0;
        let mut own: Vec<_> = doc
            .structure
            .own_blocks
            .iter()
            .map(|b| b.content.clone())
            .collect();
        own.sort_by_key(|r| r.start);
        for r in own {
            if r.start >= at {
                kept.push_str(&s[at..r.start]);
                at = r.end;
            }
        }
        kept.push_str(&s[at..]);
        assert!(
            only_inserts(&kept, &fixed),
            "{format:?}: fix removed or changed the draft's text:\n{s:?}\n→ {fixed:?}"
        );
        let again = Document::from_text("fuzz", fixed.clone(), format);
        for kind in [
            forewarn::input::OwnBlockKind::Warning,
            forewarn::input::OwnBlockKind::Support,
        ] {
            let n = again
                .structure
                .own_blocks
                .iter()
                .filter(|b| b.kind == kind)
                .count();
            let before = doc
                .structure
                .own_blocks
                .iter()
                .filter(|b| b.kind == kind)
                .count();
            assert!(
                n <= before.max(1),
                "{format:?}: {n} {kind:?} blocks after fix:\n{s:?}\n→ {fixed:?}"
            );
        }
        let report = engine().analyze(&again, &opts);
        if let Some(twice) = fixed_text(&again, &report) {
            panic!("{format:?}: fix is not idempotent:\n{s:?}\n→ {fixed:?}\n→ {twice:?}");
        }
    }
}
