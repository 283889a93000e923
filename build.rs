//! Embeds every file under `lexicons/` in the binary, so that adding a topic file needs
//! no Rust: the list of embedded files is generated here from the directory contents. Also
//! precomputes the prefixes and gates of every embedded pattern (`src/matcher/triggers.rs`),
//! so start-up does not parse hundreds of regexes.
use std::{env, fs, path::Path};

#[path = "src/matcher/triggers.rs"]
mod triggers;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries = Vec::new();
    collect(&root, &root, &mut entries);
    entries.sort();
    let mut out = String::from(
        "/// Every default lexicon file, as (path relative to `lexicons/`, contents).\n\
         pub static EMBEDDED_FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in &entries {
        out.push_str(&format!("    ({rel:?}, include_str!({abs:?})),\n"));
    }
    out.push_str("];\n");
    let out_dir = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out_dir).join("embedded_lexicons.rs"), out).unwrap();

    let mut patterns = Vec::new();
    for (rel, abs) in &entries {
        if rel.ends_with(".toml") {
            // A malformed file is reported by the lexicon loader at run time, with its line.
            if let Ok(table) = fs::read_to_string(abs).unwrap().parse::<toml::Table>() {
                collect_patterns(&toml::Value::Table(table), &mut patterns);
            }
        }
    }
    patterns.sort();
    patterns.dedup();
    // Literals go into one byte string addressed by offsets, so the table needs no
    // relocations when the binary is loaded.
    let mut bytes: Vec<u8> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut list = |literals: Option<Vec<Vec<u8>>>| match literals {
        Some(literals) => {
            let first = spans.len();
            for l in &literals {
                spans.push((bytes.len(), l.len()));
                bytes.extend_from_slice(l);
            }
            format!("({first}, {})", literals.len())
        }
        None => "(0, u32::MAX)".to_string(),
    };
    let mut rows = String::new();
    for p in &patterns {
        let t = triggers::triggers(p);
        let prefixes = list(t.prefixes);
        let gates = list(t.gates);
        rows.push_str(&format!("    ({p:?}, {prefixes}, {gates}),\n"));
    }
    let mut out = String::from(
        "// Prefixes and gates of the embedded lexicons' patterns (see `triggers::triggers`).\n",
    );
    out.push_str(&format!(
        "static EMBEDDED_TRIGGER_BYTES: &[u8] = b\"{}\";\n",
        bytes.escape_ascii()
    ));
    out.push_str("static EMBEDDED_TRIGGER_SPANS: &[(u32, u32)] = &[\n");
    for (offset, len) in &spans {
        out.push_str(&format!("    ({offset}, {len}),\n"));
    }
    out.push_str("];\n");
    out.push_str(
        "/// (pattern, prefixes, gates); a list is (first span, count), count u32::MAX for none.\n",
    );
    out.push_str("static EMBEDDED_TRIGGERS: &[TriggerRow] = &[\n");
    out.push_str(&rows);
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("embedded_triggers.rs"), out).unwrap();
}

/// Every string in an array under a `patterns` key, anywhere in `value`.
fn collect_patterns(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, v) in table {
                if let ("patterns", toml::Value::Array(items)) = (key.as_str(), v) {
                    out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)));
                } else {
                    collect_patterns(v, out);
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|i| collect_patterns(i, out)),
        _ => {}
    }
}

fn collect(root: &Path, dir: &Path, entries: &mut Vec<(String, String)>) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, entries);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "csv")
        ) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            entries.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
