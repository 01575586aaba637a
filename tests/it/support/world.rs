//! A small explicit world for threat tests: six nodes, seven cables whose
//! recipients and epochs are easy to work out by hand.
//!
//! ```text
//! nodes: hub, hq (hq), at-mfa, be-mfa, cy-mfa (ministries), del-kyiv, del-washington (missions)
//! epoch_days = 3: epoch 0 = days 0-2, 1 = 3-5, 2 = 6-8, 3 = 9-11; days = 12
//!
//! id  day epoch from            to                 class         R need-to-know   R broadcast
//! C1  1   0     del-kyiv        at-mfa             limite        at               at be cy hq
//! C2  2   0     at-mfa          del-kyiv           restricted    kyiv             kyiv be cy hq
//! C3  4   1     be-mfa          cy-mfa             limite        cy               cy at hq
//! C4  5   1     hq              del-washington     confidential  wash             wash at be cy
//! C5  7   2     del-washington  hq, be-mfa         limite        hq be            hq be at cy
//! C6  8   2     cy-mfa          at-mfa             secret        at               at be hq
//! C7  9   3     del-kyiv        be-mfa             restricted    be               be at cy hq
//! ```
#![allow(dead_code)]

use std::collections::BTreeSet;

use cablesim::report::{ActorReport, RunReport};
use cablesim::scenario::{Runner, Scenario};

const BASE: &str = r#"
[scenario]
name = "threat world"
seed = 42
days = 12

[[node]]
name = "hq"
role = "hq"
[[node]]
name = "at-mfa"
role = "ministry"
[[node]]
name = "be-mfa"
role = "ministry"
[[node]]
name = "cy-mfa"
role = "ministry"
[[node]]
name = "del-kyiv"
role = "mission"
[[node]]
name = "del-washington"
role = "mission"

[[cable]]
id = "C1"
day = 1
from = "del-kyiv"
to = ["at-mfa"]
classification = "limite"
subject = "Ceasefire talks readout"
body = "The delegation reports on the second round."
[[cable]]
id = "C2"
day = 2
from = "at-mfa"
to = ["del-kyiv"]
classification = "restricted"
subject = "Instructions for the donor conference"
body = "Support the reconstruction fund."
[[cable]]
id = "C3"
day = 4
from = "be-mfa"
to = ["cy-mfa"]
classification = "limite"
subject = "Bilateral consultations"
body = "Agenda for the consultations."
[[cable]]
id = "C4"
day = 5
from = "hq"
to = ["del-washington"]
classification = "confidential"
subject = "Sanctions coordination"
body = "Positions on the new listings."
[[cable]]
id = "C5"
day = 7
from = "del-washington"
to = ["hq", "be-mfa"]
classification = "limite"
subject = "Trade talks"
body = "Tariff negotiations stalled."
[[cable]]
id = "C6"
day = 8
from = "cy-mfa"
to = ["at-mfa"]
classification = "secret"
subject = "Nuclear talks"
body = "Red lines for the next round."
[[cable]]
id = "C7"
day = 9
from = "del-kyiv"
to = ["be-mfa"]
classification = "restricted"
subject = "Energy security"
body = "Gas transit arrangements."
"#;

/// Every cable id of the world.
pub(crate) const ALL: [&str; 7] = ["C1", "C2", "C3", "C4", "C5", "C6", "C7"];

/// The world with `security` lines added to `[security]` (epoch_days = 3
/// always) and `adversaries` appended as TOML.
pub(crate) fn scenario(security: &str, adversaries: &str) -> Scenario {
    let text = format!("{BASE}\n[security]\nepoch_days = 3\n{security}\n{adversaries}");
    Scenario::from_toml_str(&text, "threat-world.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the world and returns the report.
pub(crate) async fn run(security: &str, adversaries: &str) -> RunReport {
    Runner::new(scenario(security, adversaries))
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .report
}

/// The report of one actor.
pub(crate) fn actor<'a>(report: &'a RunReport, name: &str) -> &'a ActorReport {
    report.actors.iter().find(|a| a.actor == name).unwrap_or_else(|| {
        panic!(
            "no actor {name} in {:?}",
            report.actors.iter().map(|a| &a.actor).collect::<Vec<_>>()
        )
    })
}

/// A set of ids.
pub(crate) fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The content ids of an actor.
pub(crate) fn content(report: &RunReport, name: &str) -> BTreeSet<String> {
    actor(report, name).content.iter().cloned().collect()
}

/// The routing ids of an actor.
pub(crate) fn routing(report: &RunReport, name: &str) -> BTreeSet<String> {
    actor(report, name).routing.iter().cloned().collect()
}

/// Security lines for a preset-like configuration.
pub(crate) fn config(transport: &str, e2e: &str) -> String {
    format!("transport = \"{transport}\"\ne2e = \"{e2e}\"\n")
}
