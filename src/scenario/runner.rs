//! The day-by-day runner (see "The world" in ARCHITECTURE.md): builds a run's PKI, adversaries,
//! hub, links and nodes in process, then plays day 0, 1, 2, ...: every
//! cable of day d is sent, relayed, delivered and acknowledged before day
//! d+1 starts. At the end, each actor's loot goes to the analyst.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use super::Scenario;
use super::adapters::{HubView, LinkView, NodeViews};
use super::findings::ActorTally;
use super::network::{Hooks, InProcessNetwork};
use super::run_error::RunError;
use super::run_report::{assemble_report, register};
use super::sharing::{SideGroup, build_side_groups, folders_for, refuse_side_groups, taken_by};
use super::tally::LiveTally;
use super::wire::WireTally;
use crate::adversary::{
    Adversary, AdversaryKind, AdversarySpec, BuildContext, CableIndex, KeyEscrow, Position, Site, build_adversaries,
};
use crate::crypto::Opened;
use crate::model::{Cable, Day, E2eMode, epoch_of, recipients};
use crate::net::{DayClock, FolderView, Hub, HubTap, LinkTap, NodeHandle, NodeTap, Pki, SendOutcome};
use crate::report::{CableCounts, RunReport, Taken};

/// The result of a run: the report, and the network as it stands at the end
/// (for tests and adversaries that inspect it).
pub struct RunOutcome {
    /// What happened.
    pub report: RunReport,
    /// The hub.
    pub hub: Hub,
    /// Every node that connected, by name.
    pub nodes: BTreeMap<String, NodeHandle>,
    /// What each group of [`Runner::measuring_also`] took, in the order
    /// the groups were added.
    pub also: Vec<Taken>,
}

/// Where a run stands, for a progress display.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The day just finished.
    pub day: Day,
    /// Days in the run.
    pub days: u32,
    /// Cables sent so far.
    pub sent: u64,
    /// Cables withheld so far.
    pub withheld: u64,
    /// What each actor holds so far, measured by the analyst.
    pub actors: Vec<ActorTally>,
}

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How often a display (the demo's tally, the live page) has the analyst
/// measure the haul: twice a second is as fast as a room follows, and
/// costs a long run next to nothing where a measure every day costs it a
/// third (see [`Runner::measuring_at_most_every`]).
pub const DISPLAY_MEASURE_INTERVAL: Duration = Duration::from_millis(500);

/// Runs a scenario in process, with its adversaries and optional hooks.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use cablesim::scenario::{Runner, Scenario};
///
/// let scenario = Scenario::from_toml_str(r#"
///     [scenario]
///     name = "one phished ministry"
///     seed = 1
///     days = 10
///     cables = 20
///     [network]
///     ministries = 3
///     [security]
///     distribution = "broadcast"
///     [[adversary]]
///     kind = "endpoint"
///     at = "bg-mfa"
/// "#, "inline.toml")?;
/// let report = Runner::new(scenario).run().await?.report;
/// // Under broadcast, malware on one ministry reads every cable sent.
/// assert_eq!(report.actors[0].content.len() as u64, report.cables.sent);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct Runner {
    scenario: Scenario,
    preset: Option<String>,
    hooks: Hooks,
    extra: Vec<Arc<dyn Adversary>>,
    progress: Option<(u32, ProgressFn)>,
    measure_every: Option<Duration>,
    also: Vec<SideGroup>,
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
    /// A runner for `scenario` and its adversaries.
    pub fn new(scenario: Scenario) -> Runner {
        Runner {
            scenario,
            preset: None,
            hooks: Hooks::default(),
            extra: Vec::new(),
            progress: None,
            measure_every: None,
            also: Vec::new(),
        }
    }

    /// Calls `report` after every `every_days` days (and after the last),
    /// with the actors' holdings measured so far: a live tally for a
    /// progress bar. Each call runs the analyst on what the adversaries
    /// collected since the previous call (and on everything again when an
    /// actor gained a key, which may open older ciphertext), so a call
    /// every day costs little more than one at the end.
    pub fn with_progress(mut self, every_days: u32, report: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some((every_days.max(1), Arc::new(report)));
        self
    }

    /// Takes the analyst's measure for [`Runner::with_progress`] at most
    /// once per `interval` of wall time, and after the last day; the calls
    /// in between carry the latest measure. Measuring copies each
    /// adversary's loot, which grows with the run: every day, that is most
    /// of a long run's time for a display nobody reads that fast.
    pub fn measuring_at_most_every(mut self, interval: Duration) -> Self {
        self.measure_every = Some(interval);
        self
    }

    /// Also measures `adversaries`, a group of the run's own, on the side:
    /// they watch the same network and are kept out of the report and the
    /// live tally; what they took comes back in [`RunOutcome::also`]. Only
    /// beside passive adversaries: if one of the run's own or of a side
    /// group changes the network ([`AdversaryKind::changes_the_network`]),
    /// or was added with [`Runner::with_adversary`], the run fails with
    /// [`RunError::Unsupported`] before it starts. The demo measures a
    /// shorter detection time this way (`src/scenario/sharing.rs`).
    pub fn measuring_also(self, adversaries: Vec<AdversarySpec>) -> Self {
        self.measuring(SideGroup {
            adversaries,
            folders: FolderView::Own,
        })
    }

    /// [`Runner::measuring_also`], for adversaries of the same scenario
    /// under another `retention_days` (none: forever): every node keeps,
    /// beside its own folders, those it would hold under that retention
    /// ([`crate::net::NodeHandle::also_retain`]), and an endpoint of the
    /// group finds those. Retention changes what a node holds and nothing
    /// it sends or receives, so they take what they take in a run of that
    /// retention. The demo measures a shorter retention this way.
    pub fn measuring_also_retaining(self, adversaries: Vec<AdversarySpec>, retention_days: Option<u32>) -> Self {
        let folders = folders_for(retention_days, &self.scenario);
        self.measuring(SideGroup { adversaries, folders })
    }

    /// Also measures `group` on the side ([`Runner::measuring_also`]).
    pub(super) fn measuring(mut self, group: SideGroup) -> Self {
        self.also.push(group);
        self
    }

    /// Records the preset name applied to the scenario, for the report.
    pub fn with_preset_name(mut self, name: impl Into<String>) -> Self {
        self.preset = Some(name.into());
        self
    }

    /// Adds an adversary of your own (see `examples/custom_adversary.rs`),
    /// besides those the scenario lists.
    pub fn with_adversary(mut self, adversary: Arc<dyn Adversary>) -> Self {
        self.extra.push(adversary);
        self
    }

    /// Shows every byte on `node`'s link to `tap`.
    pub fn with_link_tap(mut self, node: impl Into<String>, tap: Arc<dyn LinkTap>) -> Self {
        self.hooks.link_taps.push((node.into(), tap));
        self
    }

    /// Hands every TLS secret the nodes negotiate to `key_log`
    /// (SSLKEYLOGFILE style), so a capture of the links can be decrypted:
    /// see [`crate::report::pcap`].
    pub fn with_key_log(mut self, key_log: Arc<dyn rustls::KeyLog>) -> Self {
        self.hooks.key_log = Some(key_log);
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

    /// Plays the scenario to its last day, on a runtime of its own: the
    /// blocking convenience for tests and programs without tokio.
    pub fn run_blocking(self) -> Result<RunOutcome, RunError> {
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| RunError::Unsupported(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(self.run())
    }

    /// Plays the scenario on a runtime and threads of its own, beside
    /// the caller's: what runs made side by side use (`matrix`, the
    /// mitigation table). Runs sharing one runtime share its workers, one
    /// per core, and a worker that waits (a seal waits for rayon's
    /// threads) is one fewer for every run; apart, each run has workers of
    /// its own and the operating system shares the cores among them
    /// (ARCHITECTURE.md, "Adversaries"). Must be called within a tokio
    /// runtime; the handle's error says why a run stopped without a
    /// result (a panic).
    pub fn spawn_apart(self) -> tokio::task::JoinHandle<Result<RunOutcome, RunError>> {
        tokio::task::spawn_blocking(move || self.run_blocking())
    }

    /// Plays the scenario to its last day.
    pub async fn run(self) -> Result<RunOutcome, RunError> {
        let scenario = &self.scenario;
        let security = scenario.security.clone();
        let network = scenario.network.clone();
        let generator = scenario.generator()?;
        info!(scenario = %scenario.name, seed = scenario.seed, days = scenario.days, "run starts");

        let clock = DayClock::new();
        let pki = Pki::generate(&network)?;
        if let Some(reason) = refuse_side_groups(scenario, &self.also, self.extra.len()) {
            return Err(RunError::Unsupported(reason));
        }
        let escrow = Arc::new(KeyEscrow::new());
        let context = BuildContext {
            security: &security,
            clock: clock.clone(),
            ca_cert: pki.ca_cert().clone(),
            escrow: escrow.clone(),
            folders: FolderView::Own,
        };
        let mut adversaries = build_adversaries(&scenario.adversaries, &context)?;
        adversaries.extend(self.extra.iter().cloned());
        // The side groups act in the network like the others, after them;
        // the report and the tally read only the first `own`.
        let own = adversaries.len();
        let also = build_side_groups(&self.also, &context)?;
        adversaries.extend(also.iter().flatten().cloned());

        let tally = Arc::new(DeliveryTally::default());
        let mut hooks = self.hooks.clone();
        hooks.config.clone_from(&self.preset);
        hooks.node_taps.push(tally.clone());
        let wire = Arc::new(WireTally::default());
        hooks.node_taps.push(wire.clone());
        // A side group's quantum computer needs the secrets as much as the
        // run's own would.
        let mut every = scenario
            .adversaries
            .iter()
            .chain(self.also.iter().flat_map(|group| &group.adversaries));
        if every.any(|a| a.kind == AdversaryKind::Quantum) {
            // Every session's application secrets into the escrow, beside
            // whatever key log a caller asked for (a pcap's).
            let escrow: Arc<dyn rustls::KeyLog> = escrow.tls();
            hooks.key_log = Some(match hooks.key_log.take() {
                Some(asked) => Arc::new(BothKeyLogs(asked, escrow)),
                None => escrow,
            });
        }
        hooks.node_taps.push(Arc::new(NodeViews(adversaries.clone())));
        for adversary in &adversaries {
            match adversary.position() {
                Position::Link(node) => {
                    hooks
                        .link_taps
                        .push((node.clone(), Arc::new(LinkView(adversary.clone()))));
                    if let Some(middlebox) = adversary.clone().middlebox() {
                        hooks.middleboxes.push((node, middlebox));
                    }
                }
                Position::Hub => hooks.hub_taps.push(Arc::new(HubView(adversary.clone()))),
                Position::Node(_) | Position::Recordings => {}
            }
        }
        let net = InProcessNetwork::start_with(&network, &security, &hooks, pki, clock.clone()).await?;
        let (hub, nodes) = (&net.hub, &net.nodes);
        // Before the first cable: the folders of a side group's retention
        // are then exactly those its own run's nodes would hold.
        for group in &self.also {
            if let FolderView::Retaining(days) = group.folders {
                nodes.values().for_each(|node| node.also_retain(days));
            }
        }

        let mut index = CableIndex::new();
        for cable in &scenario.cables {
            register(&mut index, cable)?;
        }
        let mut explicit: Vec<&Cable> = scenario.cables.iter().collect();
        explicit.sort_by_key(|c| c.day);
        let mut counts = CableCounts {
            total: generator.count() + scenario.cables.len() as u64,
            ..CableCounts::default()
        };
        let needs_directory = matches!(security.e2e, E2eMode::Static | E2eMode::ForwardSecret);
        let mut live = LiveTally::default();
        let mut measured: Option<(Instant, Vec<ActorTally>)> = None;
        // The generated cables of the next day, once made to be sealed ahead.
        let mut next_generated: Option<Vec<Cable>> = None;
        for day in 0..scenario.days {
            debug!(day, "day begins");
            clock.set(day);
            hub.enter_day(day);
            let rotated = await_in_order(nodes.values().map(|n| n.enter_day(day))).await;
            let poisoned = adversaries.iter().any(|a| a.refreshes_directory_on(day));
            if needs_directory && (day == 0 || poisoned || rotated.iter().any(|r| matches!(r, Ok(true)))) {
                let refreshed = await_in_order(nodes.values().map(NodeHandle::refresh_directory)).await;
                for (name, result) in nodes.keys().zip(refreshed) {
                    if let Err(e) = result {
                        warn!(node = %name, cause = %e, "directory refresh failed");
                    }
                }
            }
            for adversary in &adversaries {
                let at = match adversary.position() {
                    // Every node, every day: keys made before a quantum
                    // computer arrives are the ones it breaks.
                    Position::Recordings => {
                        for node in nodes.values() {
                            adversary.on_day(&Site {
                                day,
                                network: &network,
                                security: &security,
                                hub: Some(hub),
                                node: Some(node),
                            });
                        }
                        continue;
                    }
                    _ if !adversary.window().contains(day) => continue,
                    Position::Link(node) | Position::Node(node) => nodes.get(&node),
                    Position::Hub => None,
                };
                adversary.on_day(&Site {
                    day,
                    network: &network,
                    security: &security,
                    hub: Some(hub),
                    node: at,
                });
            }

            // After the day's thefts: a link taken over today sees a fresh
            // handshake, with whatever keys its actor holds by now. What
            // adversaries injected is delivered first, so that a reset does
            // not make the hub send it twice.
            let resets = net.links_to_reset(day);
            if !resets.is_empty() {
                hub.wait_idle().await;
            }
            for node in resets {
                if let Err(e) = net.reconnect(&node).await {
                    warn!(node = %node, day, cause = %e, "node lost its connection");
                }
            }

            let mut today: Vec<Cable> = Vec::new();
            let generated = next_generated
                .take()
                .unwrap_or_else(|| generator.cables_on_day(day).collect());
            for cable in generated {
                register(&mut index, &cable)?;
                today.push(cable);
            }
            today.extend(explicit.iter().filter(|c| c.day == day).map(|c| (*c).clone()));
            let mut accepted = Vec::new();
            // Every send is queued before any is awaited: the nodes seal and
            // submit concurrently, each in its own task.
            let mut sends = Vec::with_capacity(today.len());
            for cable in today {
                let id = cable.id.clone();
                let r = recipients(&cable.from, &cable.to, &network, security.distribution).len() as u64;
                sends.push((id, r, nodes.get(&cable.from).map(|node| node.send(cable))));
            }
            // Tomorrow's seals overlap today's deliveries: each sender seals
            // its cable now and sends it, taps, store and all, tomorrow
            // (sealing ahead, ARCHITECTURE.md, "The path of one cable"). Not
            // on a day whose keys or directory change, where the node would
            // only seal again.
            let tomorrow = day + 1;
            let same_keys = security.e2e != E2eMode::ForwardSecret
                || epoch_of(tomorrow, security.epoch_days) == epoch_of(day, security.epoch_days);
            if tomorrow < scenario.days && same_keys && !adversaries.iter().any(|a| a.refreshes_directory_on(tomorrow))
            {
                let generated: Vec<Cable> = generator.cables_on_day(tomorrow).collect();
                for cable in generated
                    .iter()
                    .chain(explicit.iter().copied().filter(|c| c.day == tomorrow))
                {
                    if let Some(node) = nodes.get(&cable.from) {
                        node.prepare(cable.clone());
                    }
                }
                next_generated = Some(generated);
            }
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
            drop(delivered);
            if let Some((every, report)) = &self.progress
                && ((day + 1) % every == 0 || day + 1 == scenario.days)
            {
                let due = match (&measured, self.measure_every) {
                    (Some((at, _)), Some(interval)) => day + 1 == scenario.days || at.elapsed() >= interval,
                    _ => true,
                };
                if due {
                    measured = Some((Instant::now(), live.measure(&adversaries[..own], &index)));
                }
                report(&Progress {
                    day,
                    days: scenario.days,
                    sent: counts.sent,
                    withheld: counts.withheld,
                    actors: measured.as_ref().map(|(_, actors)| actors.clone()).unwrap_or_default(),
                });
            }
        }
        await_in_order(nodes.values().map(NodeHandle::shutdown)).await;
        let report = assemble_report(
            scenario,
            self.preset.clone(),
            counts,
            &adversaries[..own],
            &index,
            net.alarms.sorted(),
            Some(wire.costs()),
        );
        Ok(RunOutcome {
            report,
            hub: net.hub.clone(),
            nodes: net.nodes.clone(),
            also: also.iter().map(|group| taken_by(group, &index)).collect(),
        })
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

/// Two key logs fed the same secrets.
#[derive(Debug)]
struct BothKeyLogs(Arc<dyn rustls::KeyLog>, Arc<dyn rustls::KeyLog>);

impl rustls::KeyLog for BothKeyLogs {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0.log(label, client_random, secret);
        self.1.log(label, client_random, secret);
    }

    fn will_log(&self, label: &str) -> bool {
        self.0.will_log(label) || self.1.will_log(label)
    }
}
