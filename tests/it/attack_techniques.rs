//! ATT&CK techniques from the command line: a built-in incident's own
//! `attack` list reaches the report, its evidence, the HTML page and the
//! leak events; an `--adversary SPEC` gets its kind's techniques; a
//! malformed id in a scenario file is refused with its file and line.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// `cablesim --log-format json run ARGS --format json` with leak events
/// on: the report, and every leak event.
fn run(args: &[&str]) -> (Value, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["--log-format", "json", "run"])
        .args(args)
        .args(["--format", "json"])
        .env("RUST_LOG", "cablesim::leak=warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let leaks = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| event["message"] == "leak")
        .collect();
    (serde_json::from_slice(&out.stdout).unwrap(), leaks)
}

/// Every technique list the report and the leak events give the only
/// actor: its adversary's as listed, then (sorted) the actor's, each
/// evidence item's and each leak event's. Checks there is one event per
/// cable the actor holds.
fn techniques(report: &Value, leaks: &[Value]) -> (Value, Value, Vec<Value>, Vec<Value>) {
    let actor = &report["actors"][0];
    assert_eq!(report["actors"].as_array().unwrap().len(), 1, "{report}");
    let routing = actor["routing"].as_array().unwrap().len();
    assert_eq!(leaks.len(), routing, "one leak event per cable held");
    let evidence = actor["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), actor["content"].as_array().unwrap().len());
    (
        report["adversaries"][0]["attack"].clone(),
        actor["attack"].clone(),
        evidence.iter().map(|e| e["attack"].clone()).collect(),
        leaks.iter().map(|e| e["attack"].clone()).collect(),
    )
}

#[test]
fn coreu_carries_its_own_techniques_and_a_command_line_adversary_its_kinds() {
    // Sixty days and a tenth of the cables keep the run short; the
    // incident starts on day 30.
    let page = scratch("attack-coreu.html");
    let (report, leaks) = run(&[
        "coreu-2018",
        "--set",
        "days=60",
        "--set",
        "cables=150",
        "--report",
        page.to_str().unwrap(),
    ]);
    let (listed, actor, evidence, events) = techniques(&report, &leaks);
    assert_eq!(listed, json!(["T1566", "T1078", "T1213"]));
    assert_eq!(actor, json!(["T1078", "T1213", "T1566"]));
    assert!(!evidence.is_empty());
    assert!(evidence.iter().all(|e| *e == actor), "{evidence:?}");
    assert!(events.iter().all(|e| *e == "T1078,T1213,T1566"), "{events:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("T1078, T1213, T1566"),
        "the HTML page names the techniques"
    );
    assert!(!html.contains("T1566.002"));

    // The same position from `--adversary`: the endpoint kind's T1005.
    let (report, leaks) = run(&[
        "coreu-2018",
        "--set",
        "days=60",
        "--set",
        "cables=150",
        "--adversary",
        "endpoint@cy-mfa:30-60/phishers",
    ]);
    let (listed, actor, evidence, events) = techniques(&report, &leaks);
    assert_eq!(listed, json!(["T1005"]));
    assert_eq!(actor, json!(["T1005"]));
    assert!(!evidence.is_empty());
    assert!(evidence.iter().all(|e| *e == json!(["T1005"])), "{evidence:?}");
    assert!(events.iter().all(|e| *e == "T1005"), "{events:?}");
}

#[test]
fn fail_malformed_technique_id_exits_2_naming_file_line_and_reason() {
    let path = scratch("bad-attack.toml");
    std::fs::write(
        &path,
        "[scenario]\nname = \"x\"\nseed = 1\ndays = 5\ncables = 3\n\n[network]\nministries = 2\n\n\
         [[adversary]]\nkind = \"endpoint\"\nat = \"at-mfa\"\nattack = [\"T1566\", \"T1566.2\"]\n",
    )
    .unwrap();
    let out: Output = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["run", path.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:13: adversary \"endpoint@at-mfa\": attack \"T1566.2\": an ATT&CK technique id is T and four digits",
            path.display()
        )),
        "{stderr}"
    );
}
