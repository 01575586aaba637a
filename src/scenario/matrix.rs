//! `cablesim matrix`: one scenario under several configurations, one row per
//! configuration and one column per actor (README.md, "The command line").
//!
//! Each cell comes from a real run. Passive actors (taps, endpoints, key
//! thieves, insiders) cannot change what the network does, so all of them
//! share one run per configuration; an active actor (a man in the middle,
//! a forger, a hub that poisons the key directory) changes the network
//! itself, so it gets a run of its own, where it cannot disturb the others'
//! columns.

use super::{Preset, RunError, Runner, Scenario};
use crate::adversary::AdversarySpec;
use crate::model::E2eMode;
pub use crate::report::{Matrix, MatrixCell, MatrixWire};

/// Whether an actor's adversaries change the network they attack, under
/// the e2e mode `e2e`: then it needs a run of its own.
fn is_active(members: &[&AdversarySpec], e2e: E2eMode) -> bool {
    members.iter().any(|spec| spec.kind.changes_the_network(e2e))
}

/// The runs a configuration needs: one for all passive actors, one per
/// active actor.
fn groups(scenario: &Scenario) -> Vec<Vec<AdversarySpec>> {
    let mut actors: Vec<(&str, Vec<&AdversarySpec>)> = Vec::new();
    for spec in &scenario.adversaries {
        match actors.iter_mut().find(|(actor, _)| *actor == spec.actor) {
            Some((_, members)) => members.push(spec),
            None => actors.push((&spec.actor, vec![spec])),
        }
    }
    let mut passive: Vec<AdversarySpec> = Vec::new();
    let mut runs: Vec<Vec<AdversarySpec>> = Vec::new();
    for (_, members) in actors {
        if is_active(&members, scenario.security.e2e) {
            runs.push(members.into_iter().cloned().collect());
        } else {
            passive.extend(members.into_iter().cloned());
        }
    }
    if !passive.is_empty() || runs.is_empty() {
        runs.insert(0, passive);
    }
    runs
}

/// Runs `scenario` under every preset of `configs`, concurrently, each run
/// on a runtime of its own ([`Runner::spawn_apart`]).
pub async fn run_matrix(scenario: &Scenario, configs: &[Preset]) -> Result<Matrix, RunError> {
    let actor_order: Vec<String> = {
        let mut order: Vec<String> = Vec::new();
        for spec in &scenario.adversaries {
            if !order.contains(&spec.actor) {
                order.push(spec.actor.clone());
            }
        }
        order
    };
    let mut runs = Vec::new();
    for &preset in configs {
        let mut configured = scenario.clone();
        configured.apply_preset(preset);
        for adversaries in groups(&configured) {
            let mut variant = configured.clone();
            variant.adversaries = adversaries;
            runs.push((
                preset,
                Runner::new(variant).with_preset_name(preset.name()).spawn_apart(),
            ));
        }
    }
    let mut cells = Vec::new();
    let mut wire: Vec<MatrixWire> = Vec::new();
    for (preset, run) in runs {
        let outcome = run
            .await
            .map_err(|e| RunError::Unsupported(format!("a matrix run failed: {e}")))??;
        // A configuration's first run is the one its passive actors share:
        // an active actor's own run may add handshakes of its making.
        if let Some(costs) = outcome.report.wire
            && !wire.iter().any(|w| w.config == preset.name())
        {
            wire.push(MatrixWire {
                config: preset.name().to_owned(),
                wire: costs,
            });
        }
        for actor in outcome.report.actors {
            cells.push(MatrixCell {
                config: preset.name().to_owned(),
                actor: actor.actor,
                content: actor.content.len() as u64,
                routing: actor.routing.len() as u64,
                traffic_frames: actor.traffic_frames,
                forged_cables: actor.forged_cables,
                forged_accepted: actor.forged_accepted,
                alarms: actor.alarms,
            });
        }
    }
    // Rows in the order asked for, columns in the scenario's actor order.
    cells.sort_by_key(|cell| {
        (
            configs.iter().position(|p| p.name() == cell.config),
            actor_order.iter().position(|a| *a == cell.actor),
        )
    });
    Ok(Matrix {
        scenario: scenario.name.clone(),
        configs: configs.iter().map(|p| p.name().to_owned()).collect(),
        cells,
        wire,
    })
}
