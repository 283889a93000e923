//! Helpers shared by the integration tests: fixture paths and the binary under test.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Absolute path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// The forewarn binary, with the environment variables that change its output cleared.
pub fn forewarn() -> Command {
    let mut cmd = Command::cargo_bin("forewarn").unwrap();
    cmd.env_remove("NO_COLOR").env_remove("FOREWARN_REGION");
    cmd
}

/// A copy of a fixture in a fresh temporary directory (kept alive by the returned guard).
pub fn scratch_copy(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Path::new(rel).file_name().unwrap());
    std::fs::copy(fixture(rel), &path).unwrap();
    (dir, path)
}
