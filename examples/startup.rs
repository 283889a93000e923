//! Prints how long each start-up step takes: reading the lexicon files and building the
//! matcher; and, for comparison, compiling every regex at once (done lazily in real runs).
//! `cargo run --release --example startup`
use forewarn::{engine::Engine, lexicon::LexiconSet};
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let set = LexiconSet::load(&[]).expect("embedded lexicons load");
    let load = t.elapsed();
    let t = Instant::now();
    let patterns: Vec<String> = set
        .topics
        .iter()
        .flat_map(|t| {
            t.cues
                .iter()
                .flat_map(|c| &c.patterns)
                .chain(t.exclusions.iter().flat_map(|e| &e.patterns))
        })
        .map(|p| p.written.clone())
        .collect();
    for p in &patterns {
        forewarn::lexicon::topic::compile_pattern(p).expect("compiles");
    }
    let regex_only = t.elapsed();
    let t = Instant::now();
    let engine = Engine::new(set);
    let build = t.elapsed();
    println!(
        "load {load:?}, matcher {build:?} ({} literals); regexes {regex_only:?} if all {} \
         were compiled at once (they compile on first use)",
        engine.matcher.literal_count(),
        patterns.len(),
    );
}
