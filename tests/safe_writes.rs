//! `fix` never damages a file: it keeps permissions, a failure at any point leaves the
//! original byte for byte, an interrupted run leaves the old file or the new one (never a
//! mix), and a second run changes nothing. All on copies in temporary directories.
//!
//! Tests ignored with a reason starting `bug:` pin behaviour that is wrong today.

mod common;
use common::forewarn;

use std::fs;
use std::path::{Path, PathBuf};

/// An article that needs a warning and a support line, with filler paragraphs to make it
/// `paragraphs` long.
fn article(paragraphs: usize) -> String {
    let mut s = String::from(
        "A stillborn daughter and a hospital review\n\nThe couple said their daughter was \
         stillborn at 38 weeks after a stillbirth that doctors say could have been prevented.\n",
    );
    for i in 0..paragraphs {
        s.push_str(&format!(
            "\nParagraph {i}: the council said the report on the new library would be \
             ready in spring.\n"
        ));
    }
    s
}

/// An article that needs a warning and a support line, padded to about `bytes` with one
/// long rule line (a single word, so the padding does not dilute the topic's score).
fn big_article(bytes: usize) -> String {
    format!("{}\n{}\n", article(2), "=".repeat(bytes))
}

const MARKDOWN: &str = "---\ntitle: Ward reopens\n---\n\n\
# A stillborn daughter and a hospital review\n\n\
The couple said their daughter was stillborn at 38 weeks after a *stillbirth* that doctors say \
could have been prevented.\n\n```\ncode: suicide\n```\n\nThe hospital has apologised.\n";

const HTML: &str = "<!DOCTYPE html>\n<html><head><title>Hospital review</title></head>\n<body>\n\
<h1>A stillborn daughter and a hospital review</h1>\n<p>The couple said their daughter was \
stillborn at 38 weeks after a stillbirth that doctors say could have been prevented.</p>\n\
<p>The hospital has apologised.</p>\n</body>\n</html>\n";

/// Writes `text` to `name` in a fresh temporary directory.
fn scratch(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    (dir, path)
}

/// Names in `dir` that look like forewarn's temporary files.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".forewarn-"))
        .collect()
}

#[test]
fn fix_twice_is_idempotent_on_text_markdown_and_html() {
    for (name, text) in [
        ("story.txt", article(3)),
        ("story.md", MARKDOWN.to_string()),
        ("story.html", HTML.to_string()),
    ] {
        let (dir, path) = scratch(name, &text);
        forewarn()
            .args(["fix", "--region", "AU"])
            .arg(&path)
            .assert()
            .success();
        let once = fs::read(&path).unwrap();
        assert_ne!(once, text.as_bytes(), "{name} needed a fix");
        forewarn()
            .args(["check", "--region", "AU"])
            .arg(&path)
            .assert()
            .success();
        forewarn()
            .args(["fix", "--region", "AU"])
            .arg(&path)
            .assert()
            .success()
            .stderr(predicates::str::contains("nothing to fix"));
        assert_eq!(
            fs::read(&path).unwrap(),
            once,
            "{name}: second fix changed it"
        );
        // `--diff` on the fixed file has nothing to show either.
        forewarn()
            .args(["fix", "--diff", "--region", "AU"])
            .arg(&path)
            .assert()
            .success()
            .stdout("");
        assert!(leftovers(dir.path()).is_empty(), "{name}");
    }
}

#[test]
fn fix_on_stdin_twice_is_idempotent() {
    for text in [article(2), MARKDOWN.to_string(), HTML.to_string()] {
        let once = forewarn()
            .args(["fix", "--region", "AU", "-"])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(once.status.success());
        assert_ne!(once.stdout, text.as_bytes());
        // Stdin is read as text, so this checks the plain-text reading of each format.
        let twice = forewarn()
            .args(["fix", "--region", "AU", "-"])
            .write_stdin(once.stdout.clone())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(twice.stdout).unwrap(),
            String::from_utf8(once.stdout).unwrap()
        );
    }
}

#[cfg(unix)]
#[test]
fn fix_keeps_unix_permissions() {
    use std::os::unix::fs::PermissionsExt;
    for mode in [0o640, 0o600, 0o755, 0o664] {
        let (_dir, path) = scratch("story.txt", &article(2));
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        forewarn()
            .args(["fix", "--region", "AU"])
            .arg(&path)
            .assert()
            .success();
        let after = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(after, mode, "mode {mode:o} became {after:o}");
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("Sands Australia")
        );
    }
}

/// True when this process is not held back by file permissions (root, or a filesystem
/// that ignores modes): then a read-only directory cannot make `fix` fail.
#[cfg(unix)]
fn permissions_are_bypassed(dir: &Path) -> bool {
    let probe = dir.join("probe");
    let bypassed = fs::write(&probe, "x").is_ok();
    let _ = fs::remove_file(&probe);
    bypassed
}

#[cfg(unix)]
#[test]
fn fix_in_a_read_only_directory_fails_and_leaves_the_file_intact() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = scratch("story.txt", &article(2));
    let before = fs::read(&path).unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    if permissions_are_bypassed(dir.path()) {
        // Running as root: the directory's mode does not stop the temp file, so this
        // simulation is moot; `failed_write_leaves_the_file_intact` covers the failure.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: permissions are not enforced for this user");
        return;
    }
    let out = forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .output()
        .unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(leftovers(dir.path()).is_empty());
}

/// Runs `forewarn fix` on `path` through `sh` with the file-size limit at 16 blocks (8 or
/// 16 KiB, whichever unit the shell uses) and SIGXFSZ ignored, so writing the temp file
/// fails with EFBIG — deterministically, and even as root.
#[cfg(unix)]
fn fix_with_small_file_size_limit(path: &Path) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 16 && exec \"$0\" fix --region AU \"$1\"")
        .arg(assert_cmd::cargo::cargo_bin("forewarn"))
        .arg(path)
        .env_remove("FOREWARN_REGION")
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn failed_write_leaves_the_file_intact() {
    let (dir, path) = scratch("story.txt", &big_article(100_000));
    let before = fs::read(&path).unwrap();
    assert!(before.len() > 64 * 1024, "bigger than the size limit");
    let out = fix_with_small_file_size_limit(&path);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with(&format!("forewarn: {}: ", path.display())))
        .unwrap_or_else(|| panic!("names the file: {err}"));
    assert!(line.contains("File too large"), "{line}");
    assert_eq!(fs::read(&path).unwrap(), before, "byte-identical");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[cfg(unix)]
#[test]
fn failed_write_does_not_say_nothing_to_fix() {
    let (_dir, path) = scratch("story.txt", &big_article(100_000));
    let out = fix_with_small_file_size_limit(&path);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("nothing to fix"), "{err}");
}

#[cfg(unix)]
#[test]
fn killed_fix_leaves_the_old_file_or_the_new_one() {
    // Kill `fix` at points spread over its run. Whatever the moment, the file holds the
    // old text or the complete new text. A SIGKILL during the write can leave a hidden
    // `.forewarn-*.tmp` beside it (nothing can clean up after SIGKILL); it never
    // replaces or truncates the file.
    use std::time::{Duration, Instant};
    let text = big_article(4_000_000);
    let (dir, path) = scratch("story.txt", &text);
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .success();
    let new = fs::read(&path).unwrap();
    assert_ne!(new, text.as_bytes(), "the article needs a fix");
    let started = Instant::now();
    fs::write(&path, &text).unwrap();
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .success();
    let full = started.elapsed();
    let (mut old_seen, mut new_seen, mut temp_left) = (0, 0, 0);
    for step in 0..10u32 {
        fs::write(&path, &text).unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("forewarn"))
            .args(["fix", "--quiet", "--region", "AU"])
            .arg(&path)
            .env_remove("FOREWARN_REGION")
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(step) / 10.0) + Duration::from_millis(1));
        let _ = child.kill();
        child.wait().unwrap();
        let now = fs::read(&path).unwrap();
        if now == text.as_bytes() {
            old_seen += 1;
        } else if now == new {
            new_seen += 1;
        } else {
            panic!(
                "killed at step {step}: the file is neither old nor new ({} bytes)",
                now.len()
            );
        }
        for name in leftovers(dir.path()) {
            assert!(name.ends_with(".tmp"), "{name}");
            temp_left += 1;
            fs::remove_file(dir.path().join(name)).unwrap();
        }
    }
    eprintln!(
        "killed runs: {old_seen} left the old file, {new_seen} the new one, \
         {temp_left} a temp file"
    );
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_read_only_file_even_as_root() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = scratch("story.txt", &article(2));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&path).unwrap();
    let out = forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(leftovers(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_failure_on_one_file_does_not_stop_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("a-locked.txt");
    let open = dir.path().join("b-open.txt");
    fs::write(&locked, article(2)).unwrap();
    fs::write(&open, article(2)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&locked).unwrap();
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&locked)
        .arg(&open)
        .assert()
        .code(3);
    assert_eq!(fs::read(&locked).unwrap(), before);
    assert!(
        fs::read_to_string(&open)
            .unwrap()
            .contains("Sands Australia")
    );
}

#[cfg(unix)]
#[test]
fn fix_follow_symlinks_fixes_the_target_and_keeps_the_link() {
    let (dir, target) = scratch("real.txt", &article(2));
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    // Without the flag a link is not written through (issue 13; tests/hostile.rs).
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&link)
        .assert()
        .code(2);
    forewarn()
        .args(["fix", "--region", "AU", "--follow-symlinks"])
        .arg(&link)
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "still a link"
    );
    assert!(
        fs::read_to_string(&target)
            .unwrap()
            .contains("Sands Australia")
    );
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_file_with_hard_links_and_leaves_both_names_alone() {
    let (dir, path) = scratch("story.txt", &article(2));
    let other = dir.path().join("other-name.txt");
    fs::hard_link(&path, &other).unwrap();
    let before = fs::read(&path).unwrap();
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("hard links"));
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(fs::read(&other).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn fix_keeps_the_owner() {
    use std::os::unix::fs::MetadataExt;
    let (dir, path) = scratch("story.txt", &article(2));
    if std::os::unix::fs::chown(&path, Some(1234), Some(2345)).is_err() {
        eprintln!("skipped: cannot chown (not root)");
        return;
    }
    let _ = dir;
    forewarn()
        .args(["fix", "--region", "AU"])
        .arg(&path)
        .assert()
        .success();
    let meta = fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (1234, 2345));
}
