//! Criterion benchmarks of the matching pipeline on text the bench writes itself, so the
//! numbers can be rerun anywhere without a corpus (`cargo bench --bench matcher`).
//!
//! * `lexicon/load+compile`: parse the embedded lexicons and build the matcher.
//! * `normalize`, `match`, `analyze`: ~1 MB of English news prose (with sensitive terms,
//!   curly quotes, non-breaking spaces, a soft hyphen and dashes), reported as bytes/s.
//!
//! `scripts/bench.sh` measures the binary end to end on a real corpus.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use forewarn::engine::{AnalyzeOptions, Engine};
use forewarn::input::{Document, InputFormat};
use forewarn::lexicon::LexiconSet;
use forewarn::normalize::NormalizedText;
use std::hint::black_box;
use std::time::Duration;

/// Size of the generated text.
const TARGET_BYTES: usize = 1 << 20;

/// Paragraphs repeated to build the text: mostly ordinary news prose, some with cues of
/// several topics, an exclusion, curly quotes and apostrophes, non-breaking spaces (U+00A0),
/// an en dash, an em dash and a soft hyphen (U+00AD).
const PARAGRAPHS: &[&str] = &[
    "Council approves new budget for road repairs",
    "The city council voted on Tuesday to approve a \u{201c}modest but necessary\u{201d} \
     increase in spending on roads, after residents complained that potholes on the \
     main street had damaged cars and bicycles over the winter.",
    "Councillor Jane Doe said the plan would be reviewed in March, and that the \
     council\u{2019}s engineers had already surveyed 40\u{a0}km of streets. \u{201c}We \
     can\u{2019}t fix everything at once,\u{201d} she said.",
    "A year after their stillborn daughter, a couple open a bereavement suite at the \
     hospital where she was born. Ms Ellison said: \u{201c}We lost our baby and were sent \
     home through the maternity ward, past the cots.\u{201d}",
    "One in four pregnancies ends in miscarriage, and about one in 135 babies is \
     stillborn \u{2013} figures the charity says have barely moved in a decade.",
    "The inquiry heard that the man had taken his own life in 2019, after years of \
     struggling with depression and alcohol addiction; his family said the coroner\u{2019}s \
     finding of suicide \u{2014} and the missed warning signs \u{2014} still haunt them.",
    "Lawyers for the defendant argued the conviction was a miscarriage of justice, and \
     the appeal court agreed to hear the case in the autumn.",
    "Police said the woman had reported domestic violence and coercive control by her \
     former partner three times before the attack. A self\u{ad}harm support group and a \
     local refuge have offered help to her children.",
    "Shares in the retailer rose 4% after it reported better-than-expected sales over \
     the Christmas period, helped by strong demand for winter clothing and toys.",
    "The striker scored twice in the second half as United came from behind to win \
     3\u{2013}2, their first away victory of the season.",
    "Researchers said the new treatment for anorexia and bulimia cut hospital admissions \
     by a third, though eating disorder charities warned that waiting lists were still \
     too long.",
    "The minister declined to comment on reports that the bill had been delayed, saying \
     only that the government\u{2019}s priority remained \u{201c}growth and \
     jobs\u{201d}.",
];

/// About `TARGET_BYTES` of prose: the paragraphs repeated, blank lines between them.
fn sample_text() -> String {
    let mut text = String::with_capacity(TARGET_BYTES + 4096);
    let mut round = 0usize;
    while text.len() < TARGET_BYTES {
        for p in PARAGRAPHS {
            text.push_str(p);
            text.push_str("\n\n");
        }
        // Vary the text a little so every round is not byte-identical.
        text.push_str(&format!("Update {round}: more to follow.\n\n"));
        round += 1;
    }
    text
}

fn bench_lexicon(c: &mut Criterion) {
    let mut group = c.benchmark_group("lexicon");
    group.sample_size(20);
    group.bench_function("load+compile", |b| {
        b.iter(|| {
            let set = LexiconSet::load(&[]).expect("embedded lexicons load");
            black_box(Engine::new(set))
        })
    });
    group.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let text = sample_text();
    let engine = Engine::new(LexiconSet::load(&[]).expect("embedded lexicons load"));
    let normalized = NormalizedText::new(&text);
    let hits = engine.matcher.find(&normalized);
    assert!(
        !hits.is_empty(),
        "the sample text should hold sensitive terms"
    );
    let doc = Document::from_text("bench.txt", text.clone(), InputFormat::Text);
    let opts = AnalyzeOptions {
        region: Some("AU".to_string()),
        ..Default::default()
    };
    let report = engine.analyze(&doc, &opts);
    assert!(
        !report.topics.is_empty(),
        "the sample text should raise topics"
    );

    let mut group = c.benchmark_group("pipeline-1MB");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("normalize", |b| {
        b.iter(|| black_box(NormalizedText::new(black_box(&text))))
    });
    group.bench_function("match", |b| {
        b.iter(|| black_box(engine.matcher.find(black_box(&normalized))))
    });
    group.bench_function("analyze", |b| {
        b.iter(|| black_box(engine.analyze(black_box(&doc), &opts)))
    });
    group.finish();
}

criterion_group!(benches, bench_lexicon, bench_pipeline);
criterion_main!(benches);
