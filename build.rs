//! Embeds every file under `lexicons/` in the binary, so that adding a topic file needs
//! no Rust: the list of embedded files is generated here from the directory contents.
use std::{env, fs, path::Path};

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
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_lexicons.rs");
    fs::write(dest, out).unwrap();
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
