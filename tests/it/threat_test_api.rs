//! A threat test written the way an outside engineer would, with nothing
//! but the public library API: under e2e-fs a tap on every link recovers
//! no content, while without protection it recovers every cable sent.

use std::collections::BTreeSet;

use cablesim::adversary::parse_adversary_specs;
use cablesim::model::Classification;
use cablesim::scenario::{Preset, Runner, Scenario};

const NETWORK: &str = r#"
[scenario]
name = "every link tapped"
seed = 99
days = 20
cables = 40

[network]
ministries = 3
missions = 2
hq = true

[security]
max_classification = "confidential"
"#;

fn tapped(preset: Preset) -> Scenario {
    let mut scenario = Scenario::from_toml_str(NETWORK, "tapped.toml").unwrap();
    scenario.apply_preset(preset);
    let taps: Vec<String> = scenario
        .network
        .endpoints()
        .map(|n| format!("tap@{}/taps", n.name))
        .collect();
    scenario.adversaries = parse_adversary_specs(&taps, &scenario.network, scenario.days).unwrap();
    scenario.validate().unwrap();
    scenario
}

#[test]
fn under_e2e_fs_a_tap_on_every_link_recovers_no_content() {
    let report = Runner::new(tapped(Preset::E2eFs)).run_blocking().unwrap().report;
    assert_eq!(report.actors.len(), 1);
    let taps = &report.actors[0];
    assert_eq!(taps.content, Vec::<String>::new());
    assert_eq!(taps.routing, Vec::<String>::new(), "mutual TLS hides the headers too");
    assert!(taps.traffic_frames > 0, "but not the traffic");
}

#[test]
fn without_protection_a_tap_on_every_link_recovers_every_cable_sent() {
    let scenario = tapped(Preset::Plaintext);
    // Every cable crosses its sender's link, so the taps see each one sent:
    // all but those above `confidential`.
    let sent: BTreeSet<String> = scenario
        .generator()
        .unwrap()
        .cables()
        .filter(|c| c.classification <= Classification::Confidential)
        .map(|c| c.id)
        .collect();
    let report = Runner::new(scenario).run_blocking().unwrap().report;
    let taps = &report.actors[0];
    assert_eq!(taps.content.iter().cloned().collect::<BTreeSet<_>>(), sent);
    assert_eq!(report.cables.sent, sent.len() as u64);
}
