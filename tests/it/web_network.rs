//! `cablesim network --web` (README.md, "The live page"): the launcher's
//! page follows its children's events, and its final state carries the
//! same figures as the report the command prints.

use crate::support::http;
use crate::support::processes;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use serde_json::Value;

use http::{Events, get, page_url, split_url};
use processes::{WAIT, exe};

#[test]
fn the_network_page_ends_with_the_report_figures() {
    let mut child = Command::new(exe())
        .args([
            "network",
            "tests/fixtures/small.toml",
            "--tap",
            "be-mfa",
            "--mitm",
            "del-moscow",
            "--web",
            "--web-wait",
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cablesim network");
    let url = page_url(child.stderr.take().unwrap())
        .recv_timeout(WAIT)
        .expect("the page's URL on stderr");
    let (addr, query) = split_url(&url);
    assert_eq!(query, "", "loopback needs no token: {url}");

    // The run waits for this stream, so the test sees every state from
    // the first one; the stream ends with the final state.
    let mut events = Events::open(&addr, &query);
    let states = events.until_the_report();
    let first = &states[0];
    assert_eq!(first["phase"], "waiting");
    let last = states.last().unwrap();
    assert_eq!(last["phase"], "done");
    // The process leaves once the open page fetched the report.
    let (status, html) = get(&addr, "/report");
    assert_eq!(status, 200);
    assert!(html.contains("<title>cablesim report: small</title>"), "{html}");

    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).expect("the JSON report");

    let counts = &last["counts"];
    assert_eq!(counts["sent"], report["cables"]["sent"]);
    assert_eq!(counts["deliveries"], report["cables"]["deliveries"]);
    // The hub's own running total of relays: one per cable sent.
    assert_eq!(counts["relayed"], report["cables"]["sent"]);
    assert_eq!(counts["refused"], 0);
    let alarms = report["alarms"].as_array().unwrap();
    assert_eq!(last["alarms"]["total"], alarms.len());
    assert_eq!(last["day"], report["days"]);
    assert_eq!(last["scenario"], "small");

    // Every node took part, and says so; what each sent adds up.
    let nodes = last["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n["name"].as_str().unwrap()).collect();
    let planned: Vec<&str> = report["network"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, planned);
    for node in nodes {
        assert_eq!(node["connected"], true, "{node}");
    }
    let sent: u64 = nodes.iter().map(|n| n["sent"].as_u64().unwrap()).sum();
    assert_eq!(Value::from(sent), report["cables"]["sent"]);

    // The actors' haul is the report's.
    let haul: BTreeMap<&str, (u64, u64)> = last["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["actor"].as_str().unwrap(),
                (a["content"].as_u64().unwrap(), a["routing"].as_u64().unwrap()),
            )
        })
        .collect();
    let reported: BTreeMap<&str, (u64, u64)> = report["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["actor"].as_str().unwrap(),
                (
                    a["content"].as_array().unwrap().len() as u64,
                    a["routing"].as_array().unwrap().len() as u64,
                ),
            )
        })
        .collect();
    assert_eq!(haul, reported);
    assert!(
        haul.contains_key("tap@be-mfa") && haul.contains_key("mitm@del-moscow"),
        "{haul:?}"
    );

    // The figures only ever grew, state after state.
    for pair in states.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a["seq"].as_u64() < b["seq"].as_u64());
        for key in ["sent", "relayed", "deliveries"] {
            assert!(a["counts"][key].as_u64() <= b["counts"][key].as_u64(), "{key}");
        }
        assert!(a["day"].as_u64() <= b["day"].as_u64());
    }
}
