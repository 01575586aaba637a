//! The report of a run: assembled from the actors' loot after its last
//! day (in process by [`super::Runner`], or from what the processes of a
//! multi-process run collected), or planned before its first, for a live
//! page to draw.

use std::sync::Arc;

use tracing::info;

use super::Scenario;
use super::findings::{actor_reports, adversary_entries};
use super::run_error::RunError;
use crate::adversary::{Adversary, BuildContext, CableIndex, KeyEscrow, build_adversaries};
use crate::model::Cable;
use crate::net::{DayClock, FolderView, Pki};
use crate::report::{CableCounts, NetworkNode, RunReport, WireCosts};

/// The report of a finished run: every actor's pooled loot through the
/// analyst, with the run's counts, alarms and wire costs (if measured).
/// The multi-process mode builds its report with this very function, from
/// loot its processes collected.
pub(crate) fn assemble_report(
    scenario: &Scenario,
    preset: Option<String>,
    counts: CableCounts,
    adversaries: &[Arc<dyn Adversary>],
    index: &CableIndex,
    alarms: Vec<crate::net::Alarm>,
    wire: Option<WireCosts>,
) -> RunReport {
    let actors = actor_reports(adversaries, index, &alarms, preset.as_deref());
    info!(
        scenario = %scenario.name, sent = counts.sent, withheld = counts.withheld,
        delivered = counts.delivered, alarms = alarms.len(), "run finished"
    );
    RunReport {
        actors,
        alarms,
        wire,
        ..unmeasured(scenario, preset, counts, adversaries)
    }
}

/// Every cable of the scenario, generated and listed, in the analyst's
/// index: how found canaries become cable ids.
pub(crate) fn full_index(scenario: &Scenario) -> Result<CableIndex, RunError> {
    let mut index = CableIndex::new();
    for cable in &scenario.cables {
        register(&mut index, cable)?;
    }
    let generator = scenario.generator()?;
    for day in 0..scenario.days {
        for cable in generator.cables_on_day(day) {
            register(&mut index, &cable)?;
        }
    }
    Ok(index)
}

pub(super) fn register(index: &mut CableIndex, cable: &Cable) -> Result<(), RunError> {
    index
        .register(cable)
        .map_err(|e| RunError::Unsupported(format!("two cables share a canary: {e}")))
}

/// The report of a run that has not started: the scenario, its network
/// and its adversaries, nothing measured. What a live page draws before
/// the first day (the adversaries are built against a certificate
/// authority of their own, which nothing else uses).
pub fn planned_report(scenario: &Scenario, preset: Option<String>) -> Result<RunReport, RunError> {
    let generator = scenario.generator()?;
    let pki = Pki::generate(&scenario.network)?;
    let context = BuildContext {
        security: &scenario.security,
        clock: DayClock::new(),
        ca_cert: pki.ca_cert().clone(),
        escrow: Arc::new(KeyEscrow::new()),
        folders: FolderView::Own,
    };
    let adversaries = build_adversaries(&scenario.adversaries, &context)?;
    let counts = CableCounts {
        total: generator.count() + scenario.cables.len() as u64,
        ..CableCounts::default()
    };
    Ok(unmeasured(scenario, preset, counts, &adversaries))
}

/// What a report says of `scenario` before anything is measured: its
/// network, its adversaries and `counts`; no actor, alarm or wire cost.
fn unmeasured(
    scenario: &Scenario,
    preset: Option<String>,
    counts: CableCounts,
    adversaries: &[Arc<dyn Adversary>],
) -> RunReport {
    RunReport {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        config: preset,
        security: scenario.security.clone(),
        days: scenario.days,
        cables: counts,
        actors: Vec::new(),
        alarms: Vec::new(),
        network: network_nodes(scenario),
        adversaries: adversary_entries(adversaries, &scenario.adversaries),
        wire: None,
    }
}

fn network_nodes(scenario: &Scenario) -> Vec<NetworkNode> {
    scenario
        .network
        .nodes()
        .iter()
        .map(|node| NetworkNode {
            name: node.name.clone(),
            role: node.role,
        })
        .collect()
}
