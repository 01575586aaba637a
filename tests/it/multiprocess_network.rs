//! `cablesim network` (README.md, "Run it across laptops"): the hub, every node
//! and adversary proxies as real processes over TCP on loopback give the same
//! report as the in-process `cablesim run` — and the figures the rules of
//! ARCHITECTURE.md give, computed by the independent oracle.

use crate::support::processes;
use crate::support::rules;

use std::collections::BTreeSet;
use std::process::Command;

use cablesim::scenario::ScenarioArgs;
use serde_json::Value;

use processes::{exe, temp_dir};

/// coreu-2018 with less traffic: 60 cables over 90 days, the phished
/// ministry from day 30 as in the scenario.
const REDUCED: [&str; 4] = ["--set", "cables=60", "--set", "days=90"];

fn cablesim_json(args: &[&str]) -> Value {
    let out = Command::new(exe()).args(args).output().expect("cablesim runs");
    assert!(
        out.status.success(),
        "cablesim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("cablesim {args:?}: not JSON: {e}"))
}

fn ids(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .expect("an id list")
        .iter()
        .map(|v| v.as_str().expect("an id").to_owned())
        .collect()
}

fn actor<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["actors"]
        .as_array()
        .and_then(|actors| actors.iter().find(|a| a["actor"] == name))
        .unwrap_or_else(|| panic!("no actor {name} in {report}"))
}

#[test]
fn network_gives_the_same_report_as_run() {
    let mut run_args = vec!["run", "coreu-2018"];
    run_args.extend(REDUCED);
    run_args.extend(["--format", "json"]);
    let mut network_args = vec!["network", "coreu-2018"];
    network_args.extend(REDUCED);
    network_args.extend(["--format", "json"]);

    let in_process = cablesim_json(&run_args);
    let processes = cablesim_json(&network_args);
    assert_eq!(
        processes, in_process,
        "the multi-process report differs from the in-process one"
    );

    // And both are what the rules give: the phished ministry's actor reads
    // everything broadcast while it is present, and what it held before.
    let scenario = ScenarioArgs {
        sets: REDUCED.iter().skip(1).step_by(2).map(|s| (*s).to_owned()).collect(),
        ..ScenarioArgs::named("coreu-2018")
    }
    .prepare()
    .unwrap()
    .0;
    let cables = rules::all_cables(&scenario).unwrap();
    let expected = rules::expected_exposure(&scenario, &cables).remove("phishers").unwrap();
    let phishers = actor(&processes, "phishers");
    assert_eq!(ids(&phishers["content"]), expected.content);
    assert_eq!(ids(&phishers["routing"]), expected.routing);
    let sent = processes["cables"]["sent"].as_u64().unwrap();
    assert_eq!(
        processes["cables"]["delivered"].as_u64().unwrap(),
        sent,
        "a cable was lost"
    );
    assert_eq!(
        sent + processes["cables"]["withheld"].as_u64().unwrap(),
        cables.len() as u64
    );
}

/// The other positions agree too: an insider recipient (darroch-2019), the
/// hub position (ivbb-2018), a tap pooling with a key thief across
/// processes (stolen-keys-later: the tap's capture and the thief's
/// keys meet in the launcher's analyst) and a man in the middle whose link
/// is reset when it arrives (hotel-wifi-mitm).
#[test]
fn every_position_gives_the_same_report_in_both_modes() {
    for args in [
        &["darroch-2019", "--set", "cables=60", "--set", "days=400"][..],
        &["ivbb-2018", "--set", "cables=60", "--set", "days=200"],
        &["stolen-keys-later", "--set", "cables=60"],
        &["hotel-wifi-mitm", "--set", "cables=100"],
    ] {
        let run: Vec<&str> = ["run"]
            .iter()
            .chain(args)
            .chain(&["--format", "json"])
            .copied()
            .collect();
        let network: Vec<&str> = ["network"]
            .iter()
            .chain(args)
            .chain(&["--format", "json"])
            .copied()
            .collect();
        let processes = cablesim_json(&network);
        assert_eq!(processes, cablesim_json(&run), "{args:?}");
        // And what each actor holds is what the rules give.
        let sets: Vec<String> = args.iter().skip(2).step_by(2).map(|s| (*s).to_owned()).collect();
        let scenario = ScenarioArgs {
            sets,
            ..ScenarioArgs::named(args[0])
        }
        .prepare()
        .unwrap()
        .0;
        let cables = rules::all_cables(&scenario).unwrap();
        for (name, expected) in rules::expected_exposure(&scenario, &cables) {
            let got = actor(&processes, &name);
            assert_eq!(ids(&got["content"]), expected.content, "{args:?}: {name}'s content");
            assert_eq!(ids(&got["routing"]), expected.routing, "{args:?}: {name}'s routing");
        }
    }
}

#[test]
fn a_tap_proxy_reads_what_the_rules_give_and_its_capture_opens_in_tshark() {
    let work = temp_dir("network-tap");
    let args = [
        "network",
        "coreu-2018",
        "--config",
        "plaintext",
        "--set",
        "cables=40",
        "--set",
        "days=40",
        "--tap",
        "de-mfa",
        "--format",
        "json",
        "--work-dir",
    ];
    let mut full: Vec<&str> = args.to_vec();
    let work_arg = work.display().to_string();
    full.push(&work_arg);
    let report = cablesim_json(&full);

    // Rule 2, plain and e2e off: content and routing are exactly the
    // cables de-mfa sent or received during the window (the whole run).
    let mut scenario = ScenarioArgs {
        config: Some("plaintext".into()),
        sets: vec!["cables=40".into(), "days=40".into()],
        ..ScenarioArgs::named("coreu-2018")
    }
    .prepare()
    .unwrap()
    .0;
    scenario.adversaries.extend(
        cablesim::adversary::parse_adversary_specs(&["tap@de-mfa".to_owned()], &scenario.network, scenario.days)
            .unwrap(),
    );
    let cables = rules::all_cables(&scenario).unwrap();
    let expected = rules::expected_exposure(&scenario, &cables)
        .remove("tap@de-mfa")
        .unwrap();
    let tap = actor(&report, "tap@de-mfa");
    assert_eq!(ids(&tap["content"]), expected.content);
    assert_eq!(ids(&tap["routing"]), expected.routing);

    // The proxy's capture: one TCP connection (de-mfa joined once).
    let pcap = work.join("tap-de-mfa.pcapng");
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args(["-T", "fields", "-e", "tcp.stream"])
        .output()
        .expect("tshark is installed (.ci/run installs it)");
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    let streams: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(streams, BTreeSet::from(["0".to_owned()]));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn what_separate_processes_cannot_do_is_refused_with_the_reason() {
    let out = Command::new(exe())
        .args(["network", "coreu-2018", "--config", "e2e-group"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("e2e = \"group\" needs one secret key shared by every node"),
        "{stderr}"
    );

    let out = Command::new(exe())
        .args(["network", "forged-instruction"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("forgers inject at the hub"), "{stderr}");
}
