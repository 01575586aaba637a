//! `--set post_quantum=e2e` in-process: every node makes hybrid (X25519 and
//! ML-KEM-768) keys, publishes both halves, seals hybrid envelopes, and
//! every sent cable still reaches exactly R(c), once (ARCHITECTURE.md,
//! rule 9), with no alarm.

use crate::support::rules;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cablesim::crypto::{CablePayload, KeyAgreement, Opened};
use cablesim::model::{Cable, Day, E2eMode, Transport};
use cablesim::net::{Direction, HubTap, NodeTap};
use cablesim::scenario::{Runner, Scenario};
use cablesim::wire::Frame;

const SCENARIO: &str = r#"
[scenario]
name = "hybrid-delivery"
seed = 11
days = 20
cables = 60

[network]
ministries = 4
missions = 3
hq = true

[security]
epoch_days = 3
max_classification = "confidential"
"#;

/// Every (cable, node) pair accepted into an inbox, with its count.
#[derive(Default)]
struct Deliveries(Mutex<BTreeMap<(String, String), u32>>);

impl NodeTap for Deliveries {
    fn on_delivery(&self, _day: Day, node: &str, cable: &Opened) {
        *self
            .0
            .lock()
            .unwrap()
            .entry((cable.header.id.clone(), node.to_owned()))
            .or_default() += 1;
    }
}

/// What the hub saw go by: whether each submitted envelope was hybrid, and
/// whether each published key carried an ML-KEM half.
#[derive(Default)]
struct Seen {
    envelopes: Mutex<Vec<bool>>,
    keys: Mutex<Vec<bool>>,
}

impl HubTap for Seen {
    fn on_frame(&self, _day: Day, _peer: &str, direction: Direction, frame: &Frame) {
        match (direction, frame) {
            (
                Direction::ToHub,
                Frame::Submit {
                    payload: CablePayload::Sealed(envelope),
                },
            ) => {
                self.envelopes.lock().unwrap().push(envelope.is_hybrid());
            }
            (Direction::ToHub, Frame::Publish { entry }) => {
                self.keys
                    .lock()
                    .unwrap()
                    .extend(entry.keys.iter().map(|k| k.kem.is_some()));
            }
            _ => {}
        }
    }
}

fn scenario(e2e: E2eMode) -> Scenario {
    let mut s = Scenario::from_toml_str(SCENARIO, "hybrid-delivery.toml").unwrap();
    s.security.transport = Transport::Mtls;
    s.security.e2e = e2e;
    s.apply_set("post_quantum=e2e").unwrap();
    s
}

#[tokio::test(start_paused = true)]
async fn post_quantum_e2e_delivers_every_cable_once_in_hybrid_envelopes() {
    for e2e in [E2eMode::Static, E2eMode::ForwardSecret, E2eMode::Group] {
        let scenario = scenario(e2e);
        let cables: Vec<Cable> = scenario.generator().unwrap().cables().collect();
        let want: BTreeMap<(String, String), u32> = rules::expected_deliveries(&scenario, &cables)
            .into_iter()
            .flat_map(|(node, ids)| ids.into_iter().map(move |id| ((id, node.clone()), 1)))
            .collect();
        let deliveries = Arc::new(Deliveries::default());
        let seen = Arc::new(Seen::default());
        let outcome = Runner::new(scenario.clone())
            .with_node_tap(deliveries.clone())
            .with_hub_tap(seen.clone())
            .run()
            .await
            .unwrap();
        let label = format!("{e2e}");
        assert_eq!(*deliveries.0.lock().unwrap(), want, "{label}");
        let counts = outcome.report.cables;
        assert_eq!(counts.delivered, counts.sent, "{label}");
        assert_eq!(counts.deliveries, want.len() as u64, "{label}");
        assert_eq!(counts.failed, 0, "{label}");
        assert!(outcome.report.alarms.is_empty(), "{label}: {:?}", outcome.report.alarms);
        // Group mode's key is symmetric: its envelopes stay classical, and
        // it publishes no agreement keys.
        let hybrid = e2e != E2eMode::Group;
        let envelopes = seen.envelopes.lock().unwrap();
        assert_eq!(envelopes.len() as u64, counts.sent, "{label}");
        assert!(envelopes.iter().all(|&h| h == hybrid), "{label}");
        let keys = seen.keys.lock().unwrap();
        assert_eq!(keys.is_empty(), !hybrid, "{label}");
        assert!(
            keys.iter().all(|&k| k),
            "{label}: a published key without its ML-KEM half"
        );
        for (name, node) in &outcome.nodes {
            assert_eq!(
                node.inspect(|s| s.keys.agreement()),
                KeyAgreement::Hybrid,
                "{label}: {name}"
            );
        }
    }
}

fn cablesim_json(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cablesim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `post_quantum = "e2e"` and `"both"` run in one process and as separate
/// processes over TCP (where each node keeps its hybrid keys in its SQLite
/// store), with the same report: every cable delivered.
#[test]
fn post_quantum_end_to_end_runs_alike_in_one_process_and_in_many() {
    for setting in ["e2e", "both"] {
        let set = format!("post_quantum={setting}");
        let with = |mode: &'static str| -> Vec<&str> {
            vec![
                mode,
                "coreu-2018",
                "--set",
                "cables=40",
                "--set",
                "days=60",
                "--set",
                &set,
            ]
        };
        let processes = cablesim_json(&with("network"));
        assert_eq!(processes, cablesim_json(&with("run")), "{setting}");
        assert_eq!(processes["security"]["post_quantum"], setting);
        let cables = &processes["cables"];
        assert_eq!(cables["delivered"], cables["sent"], "{setting}: a cable was lost");
        assert_eq!(cables["failed"], 0, "{setting}");
    }
}
