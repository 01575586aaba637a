//! A threat test as an engineer writes one with cablesim's library API:
//! put a wiretap on every link of a small network and run it twice — with
//! no protection, and with mutual TLS plus forward-secret end-to-end
//! encryption — then compare what the taps recovered.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use cablesim::adversary::parse_adversary_specs;
use cablesim::scenario::{Preset, Runner, Scenario};

const NETWORK: &str = r#"
[scenario]
name = "quickstart"
seed = 7
days = 30
cables = 60

[network]
ministries = 4
missions = 3
hq = true

[security]
distribution = "broadcast"
"#;

fn main() -> anyhow::Result<()> {
    for preset in [Preset::Plaintext, Preset::E2eFs] {
        let mut scenario = Scenario::from_toml_str(NETWORK, "quickstart.toml")?;
        scenario.apply_preset(preset);
        // One tap per link, all working for one actor.
        let taps: Vec<String> = scenario
            .network
            .endpoints()
            .map(|n| format!("tap@{}/wiretappers", n.name))
            .collect();
        scenario.adversaries = parse_adversary_specs(&taps, &scenario.network, scenario.days)?;

        let report = Runner::new(scenario).run_blocking()?.report;
        let actor = &report.actors[0];
        println!(
            "{:<10} {} cables sent: the taps recovered {} in full, {} headers, {} encrypted records",
            preset.name(),
            report.cables.sent,
            actor.content.len(),
            actor.routing.len(),
            actor.traffic_frames
        );
        if let Some(evidence) = actor.evidence.first() {
            println!("           e.g. {} via {}", evidence.cable, evidence.via);
        }
        if preset == Preset::E2eFs {
            assert!(actor.content.is_empty(), "under e2e-fs a tap recovers no content");
        }
    }
    Ok(())
}
