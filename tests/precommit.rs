//! The pre-commit hook, as a user runs it: a scratch git repository using this repository's
//! `.pre-commit-hooks.yaml` blocks the commit of an unwarned draft and accepts it after
//! `forewarn fix`. Needs `pre-commit` (installed by `.ci/run`); skipped elsewhere.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env(
            "PRE_COMMIT_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-home"),
        )
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"))
}

#[test]
fn pre_commit_blocks_an_unwarned_draft_and_accepts_it_after_fix() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let has_pre_commit = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pre_commit {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pre-commit (see .ci/run)"
        );
        eprintln!("skipped: pre-commit is not installed");
        return;
    }
    let head = run(repo, "git", &["rev-parse", "HEAD"]);
    if !head.status.success() {
        eprintln!("skipped: not a git checkout");
        return;
    }
    let rev = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["init", "-q"][..],
        &["config", "user.email", "editor@example.org"],
        &["config", "user.name", "Editor"],
        &["config", "commit.gpgsign", "false"],
    ] {
        assert!(run(d, "git", args).status.success());
    }
    std::fs::write(
        d.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: forewarn-check\n        args: [--region, AU]\n",
            repo.display()
        ),
    )
    .unwrap();
    let install = run(d, "pre-commit", &["install"]);
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let story = std::fs::read_to_string(repo.join("fixtures/text/stillbirth-story.txt")).unwrap();
    std::fs::write(d.join("draft.md"), format!("# {story}")).unwrap();
    run(d, "git", &["add", "."]);
    let blocked = run(d, "git", &["commit", "-q", "-m", "draft"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&blocked.stdout),
        String::from_utf8_lossy(&blocked.stderr)
    );
    assert!(
        !blocked.status.success(),
        "the unwarned draft must be blocked:\n{said}"
    );
    assert!(said.contains("missing-warning"), "{said}");

    let fixed = Command::new(env!("CARGO_BIN_EXE_forewarn"))
        .args(["fix", "--region", "AU", "draft.md"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(fixed.status.success());
    run(d, "git", &["add", "draft.md"]);
    let accepted = run(d, "git", &["commit", "-q", "-m", "draft with warning"]);
    assert!(
        accepted.status.success(),
        "{}{}",
        String::from_utf8_lossy(&accepted.stdout),
        String::from_utf8_lossy(&accepted.stderr)
    );
}
