//! Golden tests of the command line: `list`, `explain` and `matrix --format
//! json` print exactly what `tests/golden/` holds. After an intended change,
//! regenerate the files with `BLESS=1 cargo test --release --test cli_golden`
//! and review the diff.

use std::path::PathBuf;

use assert_cmd::Command;

fn golden(name: &str, args: &[&str]) {
    let output = Command::cargo_bin("cablesim")
        .unwrap()
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual = String::from_utf8(output.stdout).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", path.display()));
    assert_eq!(
        actual,
        expected,
        "`cablesim {}` differs from {}",
        args.join(" "),
        path.display()
    );
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn list() {
    golden("list.txt", &["list"]);
}

#[test]
fn explain_an_adversary_a_preset_and_a_field() {
    golden("explain-endpoint.txt", &["explain", "endpoint"]);
    golden("explain-e2e-fs.txt", &["explain", "e2e-fs"]);
    golden("explain-retention_days.txt", &["explain", "retention_days"]);
}

#[test]
fn matrix_json_on_a_small_scenario() {
    golden(
        "matrix-small.json",
        &["matrix", &fixture("matrix-small.toml"), "--format", "json"],
    );
}

#[test]
fn fail_explain_unknown_topic_exits_2() {
    Command::cargo_bin("cablesim")
        .unwrap()
        .args(["explain", "quantum"])
        .assert()
        .code(2);
}
