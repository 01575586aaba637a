//! The day-by-day runner (DESIGN §3): builds a run's PKI, hub, links and
//! nodes in process, then plays day 0, 1, 2, ...: every cable of day d is
//! sent, relayed, delivered and acknowledged before day d+1 starts.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tracing::{info, warn};

use super::Scenario;
use super::network::{Hooks, InProcessNetwork};
use crate::crypto::Opened;
use crate::model::{Cable, Day, E2eMode, recipients};
use crate::net::{Hub, HubTap, LinkTap, NodeHandle, NodeTap, SendOutcome, pki, tls};
use crate::report::{CableCounts, RunReport};

/// Why a run could not take place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The scenario cannot be run as given.
    #[error(transparent)]
    Scenario(#[from] super::ScenarioError),
    /// The run's certificates could not be made.
    #[error("certificates: {0}")]
    Pki(#[from] pki::PkiError),
    /// A TLS configuration could not be built.
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    /// The scenario asks for something this build cannot do.
    #[error("{0}")]
    Unsupported(String),
}

/// The result of a run: the report, and the network as it stands at the end
/// (for tests and adversaries that inspect it).
pub struct RunOutcome {
    /// What happened.
    pub report: RunReport,
    /// The hub.
    pub hub: Hub,
    /// Every node that connected, by name.
    pub nodes: BTreeMap<String, NodeHandle>,
}

/// Runs a scenario in process, with optional hooks attached.
pub struct Runner {
    scenario: Scenario,
    preset: Option<String>,
    hooks: Hooks,
}

/// Counts accepted deliveries per cable, for the `delivered` figure.
#[derive(Default)]
struct DeliveryTally(Mutex<HashMap<String, u64>>);

impl NodeTap for DeliveryTally {
    fn on_delivery(&self, _day: Day, _node: &str, cable: &Opened) {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(cable.header.id.clone()).or_default() += 1;
    }
}

impl Runner {
    /// A runner for `scenario` with no hooks.
    pub fn new(scenario: Scenario) -> Runner {
        Runner {
            scenario,
            preset: None,
            hooks: Hooks::default(),
        }
    }

    /// Records the preset name applied to the scenario, for the report.
    pub fn with_preset_name(mut self, name: impl Into<String>) -> Self {
        self.preset = Some(name.into());
        self
    }

    /// Shows every byte on `node`'s link to `tap`.
    pub fn with_link_tap(mut self, node: impl Into<String>, tap: Arc<dyn LinkTap>) -> Self {
        self.hooks.link_taps.push((node.into(), tap));
        self
    }

    /// Shows every frame the hub handles to `tap`.
    pub fn with_hub_tap(mut self, tap: Arc<dyn HubTap>) -> Self {
        self.hooks.hub_taps.push(tap);
        self
    }

    /// Shows every node's deliveries and sent cables to `tap`.
    pub fn with_node_tap(mut self, tap: Arc<dyn NodeTap>) -> Self {
        self.hooks.node_taps.push(tap);
        self
    }

    /// Plays the scenario to its last day.
    pub async fn run(self) -> Result<RunOutcome, RunError> {
        let scenario = &self.scenario;
        if let Some(adversary) = scenario.adversaries.first() {
            return Err(RunError::Unsupported(format!(
                "{}: this build runs networks without adversaries; remove the [[adversary]] entries \
                 (the first is {}) to run it",
                scenario.source, adversary.name
            )));
        }
        let security = scenario.security.clone();
        let network = scenario.network.clone();
        let generator = scenario.generator()?;
        info!(scenario = %scenario.name, seed = scenario.seed, days = scenario.days, "run starts");

        let tally = Arc::new(DeliveryTally::default());
        let mut hooks = self.hooks.clone();
        hooks.node_taps.push(tally.clone());
        let net = InProcessNetwork::start(&network, &security, &hooks).await?;
        let (hub, nodes, clock, alarms) = (
            net.hub.clone(),
            net.nodes.clone(),
            net.clock.clone(),
            net.alarms.clone(),
        );

        let mut explicit: Vec<&Cable> = scenario.cables.iter().collect();
        explicit.sort_by_key(|c| c.day);
        let mut counts = CableCounts {
            total: generator.count() + scenario.cables.len() as u64,
            ..CableCounts::default()
        };
        let needs_directory = matches!(security.e2e, E2eMode::Static | E2eMode::ForwardSecret);
        for day in 0..scenario.days {
            clock.set(day);
            hub.enter_day(day);
            let rotated = await_in_order(nodes.values().map(|n| n.enter_day(day))).await;
            if needs_directory && (day == 0 || rotated.iter().any(|r| matches!(r, Ok(true)))) {
                for (name, result) in nodes
                    .keys()
                    .zip(await_in_order(nodes.values().map(NodeHandle::refresh_directory)).await)
                {
                    if let Err(e) = result {
                        warn!(node = %name, cause = %e, "directory refresh failed");
                    }
                }
            }

            let today: Vec<Cable> = generator
                .cables_on_day(day)
                .chain(explicit.iter().filter(|c| c.day == day).map(|c| (*c).clone()))
                .collect();
            let mut accepted = Vec::new();
            // Every send is queued before any is awaited: the nodes seal and
            // submit concurrently, each in its own task.
            let sends: Vec<_> = today
                .into_iter()
                .map(|cable| {
                    let id = cable.id.clone();
                    let r = recipients(&cable.from, &cable.to, &network, security.distribution).len() as u64;
                    (id, r, nodes.get(&cable.from).map(|node| node.send(cable)))
                })
                .collect();
            for (id, r, pending) in sends {
                let outcome = match pending {
                    Some(reply) => reply.await.map_err(|e| e.to_string()),
                    None => Err("the sender is not connected".to_owned()),
                };
                match outcome {
                    Ok(SendOutcome::Accepted) => {
                        counts.sent += 1;
                        accepted.push((id, r));
                    }
                    Ok(SendOutcome::Withheld) => counts.withheld += 1,
                    Err(cause) => {
                        counts.failed += 1;
                        warn!(cable = %id, day, cause = %cause, "cable not sent");
                    }
                }
            }
            hub.wait_idle().await;
            let mut delivered = tally.0.lock().unwrap_or_else(|p| p.into_inner());
            for (id, r) in &accepted {
                let n = delivered.get(id).copied().unwrap_or(0);
                counts.deliveries += n;
                if n == *r {
                    counts.delivered += 1;
                }
            }
            delivered.clear();
        }
        await_in_order(nodes.values().map(NodeHandle::shutdown)).await;
        info!(
            scenario = %scenario.name, sent = counts.sent, withheld = counts.withheld,
            delivered = counts.delivered, alarms = alarms.len(), "run finished"
        );
        let report = RunReport {
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            config: self.preset.clone(),
            security,
            days: scenario.days,
            cables: counts,
            actors: Vec::new(),
            alarms: alarms.sorted(),
        };
        Ok(RunOutcome { report, hub, nodes })
    }
}

/// Awaits node commands in order. The commands were all queued when the
/// futures were created (see [`NodeHandle::send`]) and run concurrently in
/// the nodes' own tasks, so awaiting them one by one waits no longer than
/// awaiting them together.
async fn await_in_order<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let queued: Vec<F> = futures.into_iter().collect();
    let mut out = Vec::with_capacity(queued.len());
    for f in queued {
        out.push(f.await);
    }
    out
}
