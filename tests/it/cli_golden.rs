//! Golden tests of the command line: `list`, `explain` and `matrix --format
//! json` print exactly what `tests/golden/` holds. After an intended change,
//! regenerate the files with `BLESS=1 cargo test --locked --test it cli_golden::`
//! and review the diff.
//!
//! A golden file is the program's own output, so the matrix's figures are
//! also checked, cell by cell, against the independent rules of
//! `support/rules.rs`, before the file is compared or blessed: a wrong
//! figure can neither be blessed nor survive in the file.

use crate::support::rules;

use std::path::PathBuf;

use assert_cmd::Command;
use cablesim::model::{E2eMode, PostQuantum, Transport};
use cablesim::scenario::Scenario;
use serde_json::Value;

/// What `cablesim ARGS` prints on standard output; it must succeed.
fn stdout_of(args: &[&str]) -> String {
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
    String::from_utf8(output.stdout).unwrap()
}

/// `cablesim ARGS` prints exactly `tests/golden/NAME` (or, with `BLESS`,
/// writes it there).
fn golden(name: &str, args: &[&str]) {
    golden_output(name, args, stdout_of(args))
}

/// `actual`, the output of `cablesim ARGS`, is exactly `tests/golden/NAME`
/// (or, with `BLESS`, is written there).
fn golden_output(name: &str, args: &[&str], actual: String) {
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
    let args = ["matrix", &fixture("matrix-small.toml"), "--format", "json"];
    let actual = stdout_of(&args);
    matrix_cells_follow_the_rules(&actual);
    golden_output("matrix-small.json", &args, actual);
}

/// The fixture under the preset `name`, built here from the preset's
/// definition (README.md, on `--config`) rather than by the library: `plaintext`
/// and `hop-tls` have no signatures and leave pinning as the scenario has
/// it; the end-to-end presets add mTLS, signatures and pinning.
fn under_preset(scenario: &Scenario, name: &str) -> Scenario {
    let (transport, e2e, post_quantum) = match name {
        "plaintext" => (Transport::Plain, E2eMode::Off, PostQuantum::Off),
        "hop-tls" => (Transport::Mtls, E2eMode::Off, PostQuantum::Off),
        "e2e-group" => (Transport::Mtls, E2eMode::Group, PostQuantum::Off),
        "e2e-static" => (Transport::Mtls, E2eMode::Static, PostQuantum::Off),
        "e2e-fs" => (Transport::Mtls, E2eMode::ForwardSecret, PostQuantum::Off),
        "e2e-pq" => (Transport::Mtls, E2eMode::ForwardSecret, PostQuantum::Both),
        other => panic!("no definition of preset {other} in this test"),
    };
    let mut variant = scenario.clone();
    variant.security.transport = transport;
    variant.security.e2e = e2e;
    variant.security.post_quantum = post_quantum;
    variant.security.signatures = e2e != E2eMode::Off;
    if e2e != E2eMode::Off {
        variant.security.key_pinning = true;
    }
    variant
}

/// Every cell of `matrix --format json` output has the figures the rules
/// give its actor under its preset: content, routing, accepted forgeries
/// and alarms exactly, and encrypted traffic exactly where the rules say
/// the actor saw some (their number of records is the transport's, not
/// the rules').
fn matrix_cells_follow_the_rules(json: &str) {
    let path = fixture("matrix-small.toml");
    let scenario = Scenario::from_toml_str(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    let matrix: Value = serde_json::from_str(json).unwrap();
    let configs: Vec<&str> = matrix["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        configs,
        ["plaintext", "hop-tls", "e2e-group", "e2e-static", "e2e-fs", "e2e-pq"]
    );
    let cells = matrix["cells"].as_array().unwrap();
    let actors = ["phishers", "wiretappers", "backbone", "forgers"];
    assert_eq!(cells.len(), configs.len() * actors.len());
    for (i, cell) in cells.iter().enumerate() {
        let (config, actor) = (configs[i / actors.len()], actors[i % actors.len()]);
        let label = format!("{config} / {actor}");
        assert_eq!(cell["config"], config, "{label}: rows in preset order");
        assert_eq!(cell["actor"], actor, "{label}: columns in the scenario's actor order");
        let variant = under_preset(&scenario, config);
        let cables = rules::all_cables(&variant).unwrap();
        let want = &rules::expected_exposure(&variant, &cables)[actor];
        let alarms = rules::expected_alarms(&variant, &cables)[actor];
        let figure = |field: &str| cell[field].as_u64().unwrap_or_else(|| panic!("{label}: no {field}"));
        assert_eq!(figure("content"), want.content.len() as u64, "{label}: content");
        assert_eq!(figure("routing"), want.routing.len() as u64, "{label}: routing");
        assert_eq!(
            figure("forged_accepted"),
            want.forged_accepted,
            "{label}: forged_accepted"
        );
        assert_eq!(figure("forged_cables"), want.forged_cables, "{label}: forged_cables");
        assert_eq!(figure("alarms"), alarms, "{label}: alarms");
        assert_eq!(figure("traffic_frames") > 0, want.traffic, "{label}: traffic");
    }
}

#[test]
fn fail_explain_unknown_topic_exits_2() {
    Command::cargo_bin("cablesim")
        .unwrap()
        .args(["explain", "kyber"])
        .assert()
        .code(2);
}
