//! With no adversary, every sent cable reaches exactly R(c), once, under every
//! transport and e2e mode and both distributions (ARCHITECTURE.md, rule 9), and
//! cables above `max_classification` are counted and never sent (rule 8).

use crate::support::rules;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cablesim::crypto::Opened;
use cablesim::model::{Cable, Classification, Day, Distribution, E2eMode, Transport, epoch_of};
use cablesim::net::{Direction, HubTap, NodeTap};
use cablesim::scenario::{Runner, Scenario};
use cablesim::wire::Frame;

const SCENARIO: &str = r#"
[scenario]
name = "delivery"
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

/// Ids of every cable submitted to the hub.
#[derive(Default)]
struct Submitted(Mutex<Vec<String>>);

impl HubTap for Submitted {
    fn on_frame(&self, _day: Day, _peer: &str, direction: Direction, frame: &Frame) {
        if let (Direction::ToHub, Frame::Submit { payload }) = (direction, frame) {
            self.0.lock().unwrap().push(payload.header().id.clone());
        }
    }
}

fn scenario(transport: Transport, e2e: E2eMode, distribution: Distribution) -> Scenario {
    let mut s = Scenario::from_toml_str(SCENARIO, "delivery.toml").unwrap();
    s.security.transport = transport;
    s.security.e2e = e2e;
    s.security.distribution = distribution;
    s
}

/// Every (cable, recipient) pair the rules deliver, once each: R(c) of
/// every cable at or below `max_classification`, from the independent
/// oracle rather than the library's own `recipients`.
fn expected(scenario: &Scenario, cables: &[Cable]) -> BTreeMap<(String, String), u32> {
    rules::expected_deliveries(scenario, cables)
        .into_iter()
        .flat_map(|(node, ids)| ids.into_iter().map(move |id| ((id, node.clone()), 1)))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn every_sent_cable_reaches_exactly_its_recipients_once() {
    for transport in [Transport::Plain, Transport::Tls, Transport::Mtls] {
        for e2e in [E2eMode::Off, E2eMode::Group, E2eMode::Static, E2eMode::ForwardSecret] {
            for distribution in [Distribution::NeedToKnow, Distribution::Broadcast] {
                let scenario = scenario(transport, e2e, distribution);
                let cables: Vec<Cable> = scenario.generator().unwrap().cables().collect();
                let secret: Vec<&Cable> = cables
                    .iter()
                    .filter(|c| c.classification == Classification::Secret)
                    .collect();
                assert!(!secret.is_empty(), "the fixture must contain withheld cables");
                let want = expected(&scenario, &cables);
                let deliveries = Arc::new(Deliveries::default());
                let submitted = Arc::new(Submitted::default());
                let outcome = Runner::new(scenario.clone())
                    .with_node_tap(deliveries.clone())
                    .with_hub_tap(submitted.clone())
                    .run()
                    .await
                    .unwrap();
                let label = format!("{transport} / {e2e} / {distribution}");
                assert_eq!(*deliveries.0.lock().unwrap(), want, "{label}");
                let counts = outcome.report.cables;
                assert_eq!(counts.total, 60, "{label}");
                assert_eq!(counts.withheld, secret.len() as u64, "{label}");
                assert_eq!(counts.sent, 60 - secret.len() as u64, "{label}");
                assert_eq!(counts.delivered, counts.sent, "{label}");
                assert_eq!(counts.deliveries, want.len() as u64, "{label}");
                assert_eq!(counts.failed, 0, "{label}");
                let submitted = submitted.0.lock().unwrap();
                assert_eq!(submitted.len() as u64, counts.sent, "{label}");
                assert!(
                    secret.iter().all(|c| !submitted.contains(&c.id)),
                    "{label}: a withheld cable reached the hub"
                );
                assert!(outcome.report.alarms.is_empty(), "{label}: {:?}", outcome.report.alarms);
                assert!(
                    outcome.report.actors.is_empty(),
                    "{label}: no adversary, no actor, nothing leaks"
                );
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn forward_secret_cables_open_across_epochs_and_old_secrets_are_gone() {
    let scenario = scenario(Transport::Mtls, E2eMode::ForwardSecret, Distribution::Broadcast);
    let cables: Vec<Cable> = scenario.generator().unwrap().cables().collect();
    let epochs: std::collections::BTreeSet<u32> = cables
        .iter()
        .map(|c| epoch_of(c.day, scenario.security.epoch_days))
        .collect();
    assert_eq!(epochs.len(), 7, "20 days of 3-day epochs: cables in epochs 0..=6");
    let deliveries = Arc::new(Deliveries::default());
    let outcome = Runner::new(scenario.clone())
        .with_node_tap(deliveries.clone())
        .run()
        .await
        .unwrap();
    assert_eq!(*deliveries.0.lock().unwrap(), expected(&scenario, &cables));
    // Day 19 is in epoch 6: every node holds epoch 6 and nothing older.
    for (name, node) in &outcome.nodes {
        assert_eq!(node.inspect(|s| s.keys.held_epochs()), vec![6], "{name}");
    }
}

/// `Runner::spawn_apart` (what `matrix` and the mitigation table use)
/// plays the very run `run` plays, called from a current-thread runtime
/// as a library user's test would: a runtime of its own beside the
/// caller's, which keeps serving its own tasks meanwhile.
#[tokio::test]
async fn a_run_apart_reports_what_the_same_run_reports_in_place() {
    let scenario = scenario(Transport::Mtls, E2eMode::ForwardSecret, Distribution::Broadcast);
    let apart = Runner::new(scenario.clone()).spawn_apart();
    let beside = tokio::spawn(async { "the caller's runtime still runs its tasks" });
    assert_eq!(beside.await.unwrap(), "the caller's runtime still runs its tasks");
    let apart = apart.await.expect("the run apart did not panic").unwrap().report;
    let in_place = Runner::new(scenario).run().await.unwrap().report;
    assert_eq!(
        serde_json::to_string(&apart).unwrap(),
        serde_json::to_string(&in_place).unwrap()
    );
}

#[tokio::test(start_paused = true)]
async fn the_same_scenario_and_seed_give_identical_reports() {
    let scenario = scenario(Transport::Mtls, E2eMode::ForwardSecret, Distribution::Broadcast);
    let first = Runner::new(scenario.clone()).run().await.unwrap().report;
    let second = Runner::new(scenario).run().await.unwrap().report;
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&second).unwrap()
    );
}
