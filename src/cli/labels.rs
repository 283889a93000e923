//! Hand-label files shared by `eval` and `train`: CSV rows of `path,topics` (topics
//! `;`-separated, empty for none), paths relative to a root directory, with an optional
//! `split` column that `--split` selects on.

use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One labelled document.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The document's path (root joined with the label's path).
    pub path: String,
    /// The topics a careful editor would warn about.
    pub topics: BTreeSet<String>,
}

/// A labels file and the directory its paths are relative to.
#[derive(Debug, Clone)]
pub struct LabelSet {
    /// The CSV file.
    pub file: PathBuf,
    /// The directory its paths are relative to.
    pub root: PathBuf,
}

impl LabelSet {
    /// `FILE` or `FILE=ROOT`; without a root, paths are relative to the file's directory.
    pub fn parse(arg: &str) -> LabelSet {
        let (file, root) = match arg.split_once('=') {
            Some((f, r)) => (PathBuf::from(f), Some(PathBuf::from(r))),
            None => (PathBuf::from(arg), None),
        };
        let root = root.unwrap_or_else(|| file.parent().unwrap_or(Path::new(".")).to_path_buf());
        LabelSet { file, root }
    }

    /// The rows of the file, without those whose label path is in `skip` and, with
    /// `split`, without those whose `split` column says otherwise. Returns the rows and
    /// the number left out by `skip`.
    pub fn read(
        &self,
        split: Option<&str>,
        skip: &BTreeSet<String>,
    ) -> Result<(Vec<Labelled>, usize)> {
        let mut reader = csv::Reader::from_path(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?;
        let split_column = reader
            .headers()
            .with_context(|| format!("reading {}", self.file.display()))?
            .iter()
            .position(|h| h == "split");
        let mut rows = Vec::new();
        let mut skipped = 0;
        for (i, row) in reader.records().enumerate() {
            let row = row.with_context(|| format!("{}: row {}", self.file.display(), i + 2))?;
            let path = row.get(0).unwrap_or_default().trim();
            if skip.contains(path) {
                skipped += 1;
                continue;
            }
            if let (Some(want), Some(col)) = (split, split_column)
                && row.get(col).unwrap_or_default().trim() != want
            {
                continue;
            }
            rows.push(Labelled {
                path: self.root.join(path).to_string_lossy().into_owned(),
                topics: row
                    .get(1)
                    .unwrap_or_default()
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect(),
            });
        }
        Ok((rows, skipped))
    }
}

/// The paths listed in a skip file, one per line; `#` lines and anything after ` | ` are
/// ignored (so `eval/bbc-borderline.txt` can be passed as it is).
pub fn read_skip_list(file: Option<&Path>) -> Result<BTreeSet<String>> {
    let Some(file) = file else {
        return Ok(BTreeSet::new());
    };
    Ok(std::fs::read_to_string(file)
        .with_context(|| format!("reading {}", file.display()))?
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| l.split(" | ").next().unwrap_or("").trim().to_string())
        .filter(|p| !p.is_empty())
        .collect())
}
