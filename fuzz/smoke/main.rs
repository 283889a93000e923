//! A fuzz loop that needs no nightly toolchain and no libFuzzer: runs each target's body
//! (`forewarn_fuzz::*`) on inputs from a simple generator (random bytes, and random
//! sequences of tokens that matter to forewarn: terms, markup, line endings, invisible
//! characters, TOML and CSV syntax) for a fixed time, and prints the execution counts.
//!
//! ```sh
//! cd fuzz && cargo run --release --bin smoke -- [SECONDS_PER_TARGET] [TARGET...]
//! ```
//!
//! A failing input is written to `fuzz/artifacts/smoke/<target>-<n>.bin` and the loop
//! stops with exit status 1; `smoke --replay TARGET FILE` runs it again.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 5] = [
    ("normalize_match", forewarn_fuzz::normalize_match),
    ("input_markup", forewarn_fuzz::input_markup),
    ("lexicon_load", forewarn_fuzz::lexicon_load),
    ("fix", forewarn_fuzz::fix),
    ("fix_markup", forewarn_fuzz::fix_markup),
];

/// Pieces the generator strings together.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    // terms, traps and support numbers
    "miscarriage", "mis\u{200B}carriage", "still\u{00AD}born", "stillbirth", "suicide",
    "self-harm", "self harm", "lost the baby", "a miscarriage of justice", "anorexia",
    "domestic violence", "overdose", "sexually assaulted", "child abuse", "pregnant", "baby",
    "13 11 14", "1300 072 637", "1300 11 HOPE", "Lifeline", "Content warning:", "CW:",
    "This article discusses", "If this article has raised issues for you",
    // text and whitespace
    " ", " ", "\n", "\n\n", "\r\n", "\r", "\t", "\u{00A0}", "\u{FEFF}", "\u{200E}", "\u{200F}",
    "\u{2066}", "\u{2069}", "e\u{0301}", "\u{0301}", "é", "ß", "İ", "ﬁ", "Ａ", "\u{1F494}",
    "\u{05E9}\u{05DC}", "\u{0627}\u{0644}", "’", "“", "—", ".", ",", "'", "\"", "\0",
    // Markdown
    "# ", "## ", "---", "+++", "...", "```", "~~~", "    ", "> ", "- ", "* ", "1. ", "*", "_",
    "[", "]", "(", ")", "](http://x)", "`", "|", "title: ", "region: AU", "content_warnings: [",
    "<!-- forewarn:warning -->", "<!-- forewarn:support -->", "<!-- forewarn-disable -->",
    "<!-- forewarn-enable -->", "<!-- forewarn-ignore suicide -->", "# forewarn-disable",
    // HTML
    "<", ">", "</", "<p>", "</p>", "<h1>", "</h1>", "<title>", "</title>", "<head>", "<body>",
    "<div>", "</div>", "<script>", "</script>", "<style>", "<pre>", "<code>", "<br>", "<!--",
    "-->", "<!DOCTYPE html>", "&amp;", "&lt;", "&#8217;", "&#x2019;", "&", ";", "=",
    "<p class=\"content-warning\">", "<p class=\"support-line\">", "<svg><title>",
    // lexicon TOML and CSV
    "id = \"t\"\n", "label = \"T\"\n", "[[cues]]\n", "weight = 3\n", "weak = true\n",
    "terms = [\"", "patterns = ['", "']\n", "\"]\n", "{a,b,}", "{", "}", "(a+)+$", "\\w{99}",
    "[score]\n", "warn = 1e308\n", "mention = 0\n", "[[exclusions]]\nreason = \"r\"\n",
    "[tests]\n", "region,topics,organisation,phone,hours,url,status,replaced_by,verified,source,note\n",
    "AU,*,X,13 11 14,,,current,,2026-01-01,s,n\n",
];

/// xorshift64*: small, fast, good enough to spread inputs around.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One input: mostly token soup, sometimes raw bytes, sometimes a long repetition.
fn generate(rng: &mut Rng, out: &mut Vec<u8>) {
    out.clear();
    match rng.below(10) {
        0 => {
            for _ in 0..rng.below(256) {
                out.push(rng.next() as u8);
            }
        }
        1 => {
            let token = TOKENS[rng.below(TOKENS.len())];
            for _ in 0..rng.below(2000) {
                out.extend_from_slice(token.as_bytes());
            }
        }
        _ => {
            for _ in 0..rng.below(64) {
                if rng.below(8) == 0 {
                    for _ in 0..rng.below(6) {
                        out.push(b'a' + rng.below(26) as u8);
                    }
                } else {
                    out.extend_from_slice(TOKENS[rng.below(TOKENS.len())].as_bytes());
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, name, path] = &args[..]
        && flag == "--replay"
    {
        // Runs one target on a saved input, with the panic message in full.
        let (_, target) = TARGETS
            .iter()
            .find(|(n, _)| n == name)
            .expect("a target name");
        target(&std::fs::read(path).expect("reading the input"));
        println!("{name}: {path} passes");
        return;
    }
    let mut args = args.into_iter();
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let only: Vec<String> = args.collect();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("seed {seed}, {seconds} s per target");
    forewarn_fuzz::engine();
    // Failures are reported by this loop; keep the default hook's message short.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    for (name, target) in TARGETS {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let mut rng = Rng(seed);
        let mut input = Vec::new();
        let (mut execs, mut bytes, mut slowest) = (0u64, 0u64, Duration::ZERO);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(seconds) {
            generate(&mut rng, &mut input);
            let one = Instant::now();
            if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/smoke");
                std::fs::create_dir_all(&dir).expect("creating artifacts/smoke");
                let path = dir.join(format!("{name}-{execs}.bin"));
                std::fs::write(&path, &input).expect("writing the failing input");
                println!(
                    "{name}: FAILED after {execs} executions; input in {}",
                    path.display()
                );
                std::process::exit(1);
            }
            slowest = slowest.max(one.elapsed());
            execs += 1;
            bytes += input.len() as u64;
        }
        println!(
            "{name}: {execs} executions in {:.0} s ({:.0}/s, {:.1} MB in total, slowest {:.1} ms)",
            started.elapsed().as_secs_f64(),
            execs as f64 / started.elapsed().as_secs_f64(),
            bytes as f64 / 1e6,
            slowest.as_secs_f64() * 1e3
        );
    }
}
