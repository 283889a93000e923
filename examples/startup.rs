//! Prints how long loading the lexicons and compiling the matcher take.
use forewarn::{engine::Engine, lexicon::LexiconSet};
use std::time::Instant;
fn main() {
    let t = Instant::now();
    let set = LexiconSet::load(&[]).unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let engine = Engine::new(set);
    let build = t.elapsed();
    println!(
        "load {:?} compile {:?} ({} literals, {} patterns)",
        load,
        build,
        engine.matcher.literal_count(),
        engine.matcher.pattern_count()
    );
}
