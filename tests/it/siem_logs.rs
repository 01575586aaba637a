//! `--log-format json` as a SIEM reads it (README.md, "Logs for a SIEM"): one
//! JSON object a line; every send, relay and delivery with `cable`, `day`,
//! `from`, `to` and `classification`; every leak a WARN under `cablesim::leak`
//! with `actor`, `cable`, `classification`, `exposure`, `via` and `attack`;
//! every alarm an ERROR under `cablesim::alarm` with `day`, `node`, `kind`,
//! `detail` and the ATT&CK `attack` of its kind.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

/// Three nodes under static e2e on plain links, with signatures and key
/// pinning on. Two cables: C1 (day 1, hq → at-mfa) and C2 (day 3, at-mfa →
/// be-mfa). The adversaries, and what the rules (ARCHITECTURE.md) make of them:
///
/// * `operator`, the hub on day 1: headers of C1; its ghost key in
///   at-mfa's directory entry is refused by hq — one key-pinning alarm;
/// * `forgers`, a forger in hq's name on day 2: its unsigned cable is
///   rejected by at-mfa and be-mfa — two signature alarms;
/// * `wiretap`, a tap on at-mfa's link: the headers of C1 and C2, which
///   it cannot open;
/// * `phishers`, malware in be-mfa from day 3: C2 read in its inbox.
const SCENARIO: &str = r#"
[scenario]
name = "siem"
seed = 3
days = 4

[[node]]
name = "hq"
role = "hq"
[[node]]
name = "at-mfa"
role = "ministry"
[[node]]
name = "be-mfa"
role = "ministry"

[[cable]]
id = "C1"
day = 1
from = "hq"
to = ["at-mfa"]
classification = "restricted"
subject = "Instructions"
body = "Hold the line on the sanctions text."

[[cable]]
id = "C2"
day = 3
from = "at-mfa"
to = ["be-mfa"]
classification = "limite"
subject = "Reply"
body = "Agreed; we hold too."

[security]
transport = "plain"
e2e = "static"
signatures = true
key_pinning = true

[[adversary]]
kind = "hub"
from_day = 1
until_day = 2
actor = "operator"

[[adversary]]
kind = "forger"
impersonate = "hq"
from_day = 2
until_day = 3
actor = "forgers"

[[adversary]]
kind = "tap"
at = "at-mfa"
actor = "wiretap"

[[adversary]]
kind = "endpoint"
at = "be-mfa"
from_day = 3
actor = "phishers"
"#;

/// Runs the scenario with JSON logs at the level the README suggests for
/// a SIEM, once for all the tests here; returns the report (stdout) and
/// the log lines (stderr).
fn run_with_json_logs() -> &'static (Value, Vec<Value>) {
    static RUN: OnceLock<(Value, Vec<Value>)> = OnceLock::new();
    RUN.get_or_init(run_once)
}

fn run_once() -> (Value, Vec<Value>) {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("siem.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args([
            "--log-format",
            "json",
            "run",
            path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("RUST_LOG", "cablesim=debug,cablesim::leak=warn,cablesim::alarm=error")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let lines = stderr
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}")))
        .collect();
    (serde_json::from_slice(&out.stdout).unwrap(), lines)
}

/// The events with this message, reduced to `fields` and sorted, so that
/// thread timing does not matter.
fn events(lines: &[Value], message: &str, fields: &[&str]) -> Vec<Value> {
    let mut found: Vec<Value> = lines
        .iter()
        .filter(|line| line["message"] == message)
        .map(|line| {
            let mut kept = serde_json::Map::new();
            for field in fields {
                let value = line
                    .get(*field)
                    .unwrap_or_else(|| panic!("{message} event lacks {field}: {line}"));
                kept.insert((*field).to_owned(), value.clone());
            }
            Value::Object(kept)
        })
        .collect();
    found.sort_by_key(|v| v.to_string());
    found
}

fn sorted(mut values: Vec<Value>) -> Vec<Value> {
    values.sort_by_key(|v| v.to_string());
    values
}

const CABLE_FIELDS: [&str; 5] = ["cable", "day", "from", "to", "classification"];

#[test]
fn every_line_is_one_json_object_with_level_target_and_message() {
    let (_, lines) = run_with_json_logs();
    assert!(!lines.is_empty());
    for line in lines {
        for field in ["timestamp", "level", "target", "message"] {
            assert!(line[field].is_string(), "no {field}: {line}");
        }
    }
}

#[test]
fn sends_relays_and_deliveries_carry_the_cable_fields() {
    let (_, lines) = run_with_json_logs();
    let c1 = json!({"cable": "C1", "day": 1, "from": "hq", "to": "at-mfa", "classification": "restricted"});
    let c2 = json!({"cable": "C2", "day": 3, "from": "at-mfa", "to": "be-mfa", "classification": "limite"});
    assert_eq!(
        events(lines, "send", &CABLE_FIELDS),
        sorted(vec![c1.clone(), c2.clone()])
    );
    // The forgery is injected at the hub: relayed, never sent by a node,
    // and delivered nowhere (both recipients reject it).
    let forged = json!({"cable": "FORGED-forger-00002", "day": 2, "from": "hq", "to": "at-mfa,be-mfa",
                        "classification": "restricted"});
    assert_eq!(
        events(lines, "relay", &CABLE_FIELDS),
        sorted(vec![c1.clone(), c2.clone(), forged])
    );
    assert_eq!(events(lines, "deliver", &CABLE_FIELDS), sorted(vec![c1, c2]));
    assert_eq!(
        events(lines, "deliver", &["cable", "node"]),
        sorted(vec![
            json!({"cable": "C1", "node": "at-mfa"}),
            json!({"cable": "C2", "node": "be-mfa"})
        ])
    );
}

#[test]
fn leaks_are_warnings_with_actor_exposure_via_and_attack() {
    let (report, lines) = run_with_json_logs();
    for leak in lines.iter().filter(|l| l["message"] == "leak") {
        assert_eq!(leak["level"], "WARN", "{leak}");
        assert_eq!(leak["target"], "cablesim::leak", "{leak}");
    }
    let fields = ["actor", "cable", "classification", "exposure", "via", "attack"];
    assert_eq!(
        events(lines, "leak", &fields),
        sorted(vec![
            json!({"actor": "operator", "cable": "C1", "classification": "restricted", "exposure": "routing",
                   "via": "hub, relayed day 1", "attack": "T1213,T1557"}),
            json!({"actor": "wiretap", "cable": "C1", "classification": "restricted", "exposure": "routing",
                   "via": "tap hub->at-mfa, plain", "attack": "T1040"}),
            json!({"actor": "wiretap", "cable": "C2", "classification": "limite", "exposure": "routing",
                   "via": "tap at-mfa->hub, plain", "attack": "T1040"}),
            json!({"actor": "phishers", "cable": "C2", "classification": "limite", "exposure": "content",
                   "via": "endpoint be-mfa inbox, arrived day 3", "attack": "T1005"}),
        ])
    );
    // One leak event per cable an actor holds: the report's routing lists.
    let routing: usize = report["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["routing"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines.iter().filter(|l| l["message"] == "leak").count(), routing);
}

#[test]
fn alarms_are_errors_with_the_attack_technique_of_their_kind() {
    let (report, lines) = run_with_json_logs();
    for alarm in lines.iter().filter(|l| l["message"] == "alarm") {
        assert_eq!(alarm["level"], "ERROR", "{alarm}");
        assert_eq!(alarm["target"], "cablesim::alarm", "{alarm}");
    }
    // The same alarms as the report, field for field (the key-pinning
    // detail names a key id, which is random per run: same run, same id).
    let logged = events(lines, "alarm", &["day", "node", "kind", "detail"]);
    let reported: Vec<Value> = report["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!({"day": a["day"], "node": a["node"], "kind": a["kind"], "detail": a["detail"]}))
        .collect();
    assert_eq!(logged, sorted(reported));
    assert_eq!(
        events(lines, "alarm", &["day", "node", "kind", "attack"]),
        sorted(vec![
            json!({"day": 1, "node": "hq", "kind": "key-pinning", "attack": "T1557"}),
            json!({"day": 2, "node": "at-mfa", "kind": "signature", "attack": "T1565.002"}),
            json!({"day": 2, "node": "be-mfa", "kind": "signature", "attack": "T1565.002"}),
        ])
    );
    let forged = "cable FORGED-forger-00002 from hq: cable FORGED-forger-00002 is not signed";
    assert_eq!(logged.iter().filter(|a| a["detail"] == forged).count(), 2, "{logged:?}");
}

// ------------------------------------------- what is on without RUST_LOG

/// The scenario above as a file, written once for every test here.
fn scenario_file() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("siem-defaults.toml");
        std::fs::write(&path, SCENARIO).unwrap();
        path.display().to_string()
    })
}

/// Runs cablesim with `args`, `RUST_LOG` set to `rust_log` or unset;
/// returns stdout and stderr (a pipe, as for a SIEM collector).
fn cablesim(args: &[&str], rust_log: Option<&str>) -> (Vec<u8>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cablesim"));
    command.args(args);
    match rust_log {
        Some(filter) => command.env("RUST_LOG", filter),
        None => command.env_remove("RUST_LOG"),
    };
    let out = command.output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (out.stdout, stderr)
}

fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}")))
        .collect()
}

fn with_target<'a>(lines: &'a [Value], target: &str) -> Vec<&'a Value> {
    lines.iter().filter(|line| line["target"] == target).collect()
}

/// Σ over the report's actors of the length of `list` ("content" or
/// "routing").
fn report_total(actors: &Value, list: &str) -> usize {
    actors
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[list].as_array().unwrap().len())
        .sum()
}

#[test]
fn json_logs_show_every_leak_and_alarm_without_rust_log() {
    let (stdout, stderr) = cablesim(
        &["--log-format", "json", "run", scenario_file(), "--format", "json"],
        None,
    );
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    let lines = json_lines(&stderr);
    let leaks = with_target(&lines, "cablesim::leak");
    // By the rules (see SCENARIO): C1's header to the operator and to the
    // wiretap, C2's to the wiretap, C2 read by the phishers.
    assert_eq!(leaks.len(), 4, "{stderr}");
    assert_eq!(leaks.len(), report_total(&report["actors"], "routing"));
    let content = leaks.iter().filter(|l| l["exposure"] == "content").count();
    assert_eq!(content, 1);
    assert_eq!(content, report_total(&report["actors"], "content"));
    // One key-pinning alarm and two signature alarms.
    let alarms = with_target(&lines, "cablesim::alarm");
    assert_eq!(alarms.len(), 3, "{stderr}");
    assert_eq!(alarms.len(), report["alarms"].as_array().unwrap().len());
    // `run` without --config names no configuration.
    assert!(
        leaks.iter().chain(&alarms).all(|l| l.get("config").is_none()),
        "{stderr}"
    );
    // The default is warnings and worse: no debug event comes along.
    for line in &lines {
        assert!(line["level"] == "WARN" || line["level"] == "ERROR", "{line}");
    }
}

#[test]
fn rust_log_still_decides_what_json_logs_show() {
    let (_, stderr) = cablesim(&["--log-format", "json", "run", scenario_file()], Some("error"));
    let lines = json_lines(&stderr);
    assert_eq!(lines.len(), 3, "only the three alarms: {stderr}");
    assert!(lines.iter().all(|l| l["target"] == "cablesim::alarm"), "{stderr}");
}

#[test]
fn logs_into_a_pipe_carry_no_colour_codes() {
    let (_, stderr) = cablesim(&["run", scenario_file()], Some("cablesim=debug"));
    assert!(stderr.contains("cablesim::leak"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
    let (_, stderr) = cablesim(&["--log-format", "json", "run", scenario_file()], None);
    assert!(!stderr.is_empty());
    assert!(!stderr.contains('\x1b'), "{stderr}");
}

#[test]
fn the_text_report_counts_the_leak_events_and_names_the_flag() {
    let (stdout, stderr) = cablesim(&["run", scenario_file()], None);
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l == "leak events: 4, one per cable an actor holds (--log-format json shows them)"),
        "{text}"
    );
    assert!(!stderr.contains("cablesim::leak"), "text logs stay quiet: {stderr}");
}

#[test]
fn matrix_json_logs_name_the_config_of_every_leak_and_alarm() {
    let configs = ["plaintext", "e2e-static"];
    let (stdout, stderr) = cablesim(
        &[
            "--log-format",
            "json",
            "matrix",
            scenario_file(),
            "--configs",
            &configs.join(","),
            "--format",
            "json",
        ],
        None,
    );
    let matrix: Value = serde_json::from_slice(&stdout).unwrap();
    let lines = json_lines(&stderr);
    let leaks = with_target(&lines, "cablesim::leak");
    let alarms = with_target(&lines, "cablesim::alarm");
    for line in leaks.iter().chain(&alarms) {
        assert!(configs.iter().any(|c| line["config"] == *c), "{line}");
    }
    let cells = matrix["cells"].as_array().unwrap();
    assert_eq!(cells.len(), configs.len() * 4);
    for cell in cells {
        let of_cell = |exposure: Option<&str>| {
            leaks
                .iter()
                .filter(|l| l["config"] == cell["config"] && l["actor"] == cell["actor"])
                .filter(|l| exposure.is_none_or(|e| l["exposure"] == e))
                .count() as u64
        };
        assert_eq!(of_cell(None), cell["routing"].as_u64().unwrap(), "{cell}");
        assert_eq!(of_cell(Some("content")), cell["content"].as_u64().unwrap(), "{cell}");
    }
    for config in configs {
        let caused: u64 = cells
            .iter()
            .filter(|c| c["config"] == config)
            .map(|c| c["alarms"].as_u64().unwrap())
            .sum();
        let logged = alarms.iter().filter(|l| l["config"] == config).count() as u64;
        assert_eq!(logged, caused, "{config}");
    }
    // Plaintext: nothing to check a signature or a key with, so no alarm;
    // e2e-static signs and pins: the three alarms of the run above.
    assert_eq!(alarms.iter().filter(|l| l["config"] == "plaintext").count(), 0);
    assert_eq!(alarms.iter().filter(|l| l["config"] == "e2e-static").count(), 3);
}
