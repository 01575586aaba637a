//! The command line as a user meets it: exit statuses, messages that name
//! the file and line, both report formats, and JSON logs for a SIEM.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cablesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Writes `text` to a scratch scenario file and returns its path.
fn scratch(name: &str, text: &str) -> String {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const VALID: &str = "[scenario]\nname = \"x\"\nseed = 1\ndays = 5\ncables = 3\n\n[network]\nministries = 2\n";

#[test]
fn run_prints_a_summary_and_json_with_the_report_fields() {
    let out = cablesim(&["run", &fixture("small.toml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("scenario small (seed 5, 10 days)\n"), "{text}");
    assert!(text.contains("adversaries: none"), "{text}");

    let out = cablesim(&[
        "run",
        &fixture("small.toml"),
        "--format",
        "json",
        "--config",
        "hop-tls",
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scenario"], "small");
    assert_eq!(report["seed"], 9);
    assert_eq!(report["config"], "hop-tls");
    assert_eq!(report["security"]["e2e"], "off");
    assert_eq!(report["security"]["transport"], "mtls");
    assert_eq!(report["cables"]["total"], 12);
    let c = &report["cables"];
    assert_eq!(c["sent"].as_u64().unwrap() + c["withheld"].as_u64().unwrap(), 12);
    assert_eq!(c["delivered"], c["sent"]);
    assert_eq!(report["actors"], serde_json::json!([]));
    assert_eq!(report["alarms"], serde_json::json!([]));
}

#[test]
fn json_logs_are_one_object_a_line_with_structured_fields() {
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["--log-format", "json", "run", &fixture("small.toml")])
        .env("RUST_LOG", "cablesim=debug")
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let sends: Vec<&serde_json::Value> = lines.iter().filter(|l| l["message"] == "send").collect();
    let relays = lines.iter().filter(|l| l["message"] == "relay").count();
    let delivers = lines.iter().filter(|l| l["message"] == "deliver").count();
    let report = cablesim(&["run", &fixture("small.toml"), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(sends.len() as u64, report["cables"]["sent"].as_u64().unwrap());
    assert_eq!(relays as u64, report["cables"]["sent"].as_u64().unwrap());
    assert_eq!(delivers as u64, report["cables"]["deliveries"].as_u64().unwrap());
    for field in ["cable", "day", "from", "to", "classification"] {
        assert!(sends[0].get(field).is_some(), "send event lacks {field}: {}", sends[0]);
    }
}

#[test]
fn list_names_the_builtins_and_presets() {
    let out = cablesim(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "coreu-2018",
        "plaintext",
        "hop-tls",
        "e2e-group",
        "e2e-static",
        "e2e-fs",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} missing from:\n{text}"
        );
    }
}

fn assert_bad_input(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(expected), "expected {expected:?} in {err:?}");
}

#[test]
fn fail_malformed_scenarios_exit_2_naming_file_line_and_reason() {
    let cases = [
        ("not-toml.toml", "this is = = not toml\n", ":1:"),
        (
            "unknown-field.toml",
            &format!("{VALID}colour = \"red\"\n"),
            "unknown-field.toml:9:",
        ),
        (
            "unknown-node.toml",
            &format!(
                "{VALID}\n[[cable]]\nid = \"X-1\"\nday = 1\nfrom = \"zz-mfa\"\nto = [\"at-mfa\"]\nclassification = \"limite\"\nsubject = \"s\"\nbody = \"b\"\n"
            ),
            "unknown-node.toml:13:",
        ),
        // The window's error points at `until_day`, line 14.
        (
            "bad-window.toml",
            &format!("{VALID}\n[[adversary]]\nkind = \"endpoint\"\nat = \"at-mfa\"\nfrom_day = 4\nuntil_day = 2\n"),
            "bad-window.toml:14: adversary \"endpoint@at-mfa\": until_day = 2",
        ),
    ];
    for (name, text, expected) in cases {
        let path = scratch(name, text);
        assert_bad_input(&cablesim(&["run", &path]), expected);
    }
}

#[test]
fn fail_bad_arguments_exit_2() {
    assert_bad_input(
        &cablesim(&["run", "no-such-scenario"]),
        "built-in scenarios: coreu-2018",
    );
    assert_bad_input(
        &cablesim(&["run", &fixture("small.toml"), "--config", "rot13"]),
        "rot13",
    );
    assert_bad_input(&cablesim(&["run", &fixture("small.toml"), "--set", "e2e=pgp"]), "pgp");
    assert_bad_input(
        &cablesim(&["run", &fixture("small.toml"), "--set", "colour=red"]),
        "colour",
    );
    let out = cablesim(&["run"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A fresh directory for one test's files.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Asserts `args` exit 2 with exactly `line` on stderr and nothing on stdout.
fn assert_refused(args: &[&str], line: &str) {
    let out = cablesim(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), format!("cablesim: {line}\n"), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}: nothing runs");
}

#[test]
fn fail_bad_numbers_exit_2_with_one_line_naming_the_option_and_the_reason() {
    let small = fixture("small.toml");
    let hub = ["hub", "--scenario", &small, "--certs", "c", "--data", "d"];
    let node = [
        "node",
        "--name",
        "at-mfa",
        "--scenario",
        &small,
        "--certs",
        "c",
        "--data",
        "d",
    ];
    let non_negative = "must be a non-negative integer";
    let positive = "must be a positive integer";
    // Every option that takes a number: negative (which clap would take
    // for a flag), not a number, not whole, too large, and zero where
    // zero is not allowed.
    let cases: Vec<(Vec<&str>, &str, String)> = vec![
        (
            vec!["run", &small, "--seed"],
            "-1",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (
            vec!["run", &small, "--seed"],
            "x",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (
            vec!["run", &small, "--seed"],
            "18446744073709551616",
            "'--seed <SEED>': must be at most 18446744073709551615".to_owned(),
        ),
        (
            vec!["run", &small, "--dwell"],
            "-5",
            format!("'--dwell <DAYS>': {non_negative}"),
        ),
        (
            vec!["run", &small, "--dwell"],
            "1.5",
            format!("'--dwell <DAYS>': {non_negative}"),
        ),
        (
            vec!["run", &small, "--dwell"],
            "4294967296",
            "'--dwell <DAYS>': must be at most 4294967295".to_owned(),
        ),
        (
            vec!["matrix", &small, "--dwell"],
            "-5",
            format!("'--dwell <DAYS>': {non_negative}"),
        ),
        (
            vec!["network", &small, "--seed"],
            "-1",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (
            [&hub[..], &["--max-connections"]].concat(),
            "0",
            format!("'--max-connections <N>': {positive}"),
        ),
        (
            [&hub[..], &["--max-connections"]].concat(),
            "-3",
            format!("'--max-connections <N>': {positive}"),
        ),
        (
            [&hub[..], &["--handshake-timeout"]].concat(),
            "0",
            format!("'--handshake-timeout <SECONDS>': {positive}"),
        ),
        (
            [&hub[..], &["--seed"]].concat(),
            "-1",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (
            [&node[..], &["--seed"]].concat(),
            "-1",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (vec!["tap", "--seed"], "-2", format!("'--seed <SEED>': {non_negative}")),
        (
            vec!["mitm", "--certs", "c", "--seed"],
            "abc",
            format!("'--seed <SEED>': {non_negative}"),
        ),
        (
            vec!["bench", "--recipients"],
            "-1",
            format!("'--recipients <N>': {non_negative}"),
        ),
        (
            vec!["bench", "--size"],
            "big",
            format!("'--size <BYTES>': {non_negative}"),
        ),
        (
            vec!["bench", "--cables"],
            "-0.5",
            format!("'--cables <N>': {non_negative}"),
        ),
    ];
    for (args, value, reason) in cases {
        let args = [&args[..], &[value]].concat();
        assert_refused(&args, &format!("invalid value '{value}' for {reason}"));
    }
}

#[test]
fn fail_other_usage_errors_exit_2_with_one_line() {
    let small = fixture("small.toml");
    assert_refused(&["run"], "missing <SCENARIO>");
    assert_refused(
        &["run", &small, "--format", "xml"],
        "invalid value 'xml' for '--format <FORMAT>' (one of: text, json)",
    );
    assert_refused(
        &["run", &small, "--sed", "3"],
        "unexpected argument '--sed' found (did you mean '--seed'?)",
    );
    assert_refused(&["run", &small, "extra"], "unexpected argument 'extra' found");
    assert_refused(&["frob"], "unrecognized subcommand 'frob'");
}

/// The number of packets in a pcapng file, counted from its blocks.
fn packets_in(path: &std::path::Path) -> usize {
    let mut reader = pcap_file::pcapng::PcapNgReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut packets = 0;
    while let Some(block) = reader.next_block() {
        if matches!(block.unwrap(), pcap_file::pcapng::Block::EnhancedPacket(_)) {
            packets += 1;
        }
    }
    packets
}

#[test]
fn every_output_file_of_run_says_what_it_wrote() {
    let dir = scratch_dir("outputs");
    let (report, pcap, keylog) = (dir.join("r.json"), dir.join("links.pcapng"), dir.join("keys.txt"));
    // Broadcast, nothing withheld: malware on at-mfa reads all 12 cables;
    // the six nodes hold one TLS connection each, five secrets apiece.
    let out = cablesim(&[
        "run",
        &fixture("small.toml"),
        "--set",
        "distribution=broadcast",
        "--set",
        "max_classification=secret",
        "--adversary",
        "endpoint@at-mfa",
        "--report",
        report.to_str().unwrap(),
        "--pcap",
        pcap.to_str().unwrap(),
        "--keylog",
        keylog.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(written["actors"][0]["content"].as_array().unwrap().len(), 12);
    assert_eq!(std::fs::read_to_string(&keylog).unwrap().lines().count(), 30);
    assert_eq!(
        stderr(&out),
        format!(
            "cablesim: wrote {}: the report in JSON, 1 actor, 12 cables read\n\
             cablesim: wrote {}: {} packets in 6 TCP connections, 30 TLS secrets inside\n\
             cablesim: wrote {}: 30 TLS secrets\n",
            report.display(),
            pcap.display(),
            packets_in(&pcap),
            keylog.display()
        )
    );
}

#[test]
fn fail_an_output_file_that_cannot_be_created_exits_2_before_the_run() {
    let dir = scratch_dir("unwritable");
    let missing = dir.join("no-such-dir");
    for (flag, name) in [
        ("--report", "r.html"),
        ("--pcap", "links.pcapng"),
        ("--keylog", "keys.txt"),
    ] {
        let path = missing.join(name);
        assert_refused(
            &["run", &fixture("small.toml"), flag, path.to_str().unwrap()],
            &format!(
                "{flag} {}: cannot create the file: No such file or directory (os error 2)",
                path.display()
            ),
        );
    }
    // A directory is no file either; the report's name is checked first.
    assert_refused(
        &["run", &fixture("small.toml"), "--report", dir.to_str().unwrap()],
        &format!(
            "--report {}: unknown report format (use a file name ending in .html, .md or .json)",
            dir.display()
        ),
    );
    let taken = dir.join("taken.md");
    std::fs::create_dir_all(&taken).unwrap();
    assert_refused(
        &["run", &fixture("small.toml"), "--report", taken.to_str().unwrap()],
        &format!(
            "--report {}: cannot create the file: Is a directory (os error 21)",
            taken.display()
        ),
    );
}

/// forged-instruction: one forged cable a day on days 10 to 13, each to
/// the six ministries, none signed — four forged cables, 24 acceptances.
#[test]
fn forgeries_are_reported_as_cables_and_as_acceptances() {
    let out = cablesim(&["run", "forged-instruction"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l == "  traffic frames 0, forged cables accepted 4 (24 acceptances), alarms caused 0"),
        "{text}"
    );
    let out = cablesim(&["run", "forged-instruction", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["actors"][0]["forged_cables"], 4);
    assert_eq!(report["actors"][0]["forged_accepted"], 24);
    let out = cablesim(&[
        "matrix",
        "forged-instruction",
        "--configs",
        "plaintext",
        "--format",
        "json",
    ]);
    let matrix: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(matrix["cells"][0]["forged_cables"], 4);
    assert_eq!(matrix["cells"][0]["forged_accepted"], 24);
}

#[test]
fn the_every_table_example_runs_with_its_adversary() {
    let out = cablesim(&["run", &fixture("every-table.toml"), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "leak events stay off stderr unless asked for");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["actors"][0]["actor"], "apt");
    assert_eq!(
        report["actors"][0]["adversaries"],
        serde_json::json!(["endpoint@cy-mfa"])
    );
}
