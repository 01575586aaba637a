//! `cablesim network`: the hub, every node and the adversary proxies as
//! child processes on loopback, driven day by day exactly as the
//! in-process runner drives its tasks, and the same report at the end —
//! the proof that both modes agree.
//!
//! The launcher is only a conductor: it tells each process the day, tells
//! each node to play its own cables of the day (every node generates the
//! scenario's cables from the same seed), waits until the hub is idle, and
//! counts what the nodes report. Loot is collected inside the processes
//! whose position gives it, and pooled here by actor.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing::{info, warn};

use super::child::{Child, ChildError};
use super::control::Event;
use super::heard::Heard;
pub use super::heard::{EventObserver, ObserveFn};
use super::hosted::{Collected, HostedError, read_loot, write_specs};
use crate::adversary::{Adversary, AdversaryKind, BuildContext, Position, build_adversaries, parse_adversary_specs};
use crate::model::{E2eMode, HUB, recipients};
use crate::net::{DayClock, FolderView, Pki, PkiError};
use crate::report::{CableCounts, RunReport};
use crate::scenario::{RunError, Scenario, ScenarioArgs};

/// What `cablesim network` is asked to do.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    /// The scenario, as for `cablesim run`.
    pub args: ScenarioArgs,
    /// Nodes whose link gets a tap proxy (`tap@NODE`, all days).
    pub taps: Vec<String>,
    /// Nodes whose link gets a MITM proxy (`mitm@NODE`, all days).
    pub mitms: Vec<String>,
    /// The `cablesim` executable to start the children from.
    pub exe: PathBuf,
    /// Where certificates, databases, logs and loot go (default: a fresh
    /// directory under the system's temporary directory, removed at the
    /// end unless `keep`).
    pub work_dir: Option<PathBuf>,
    /// Keep the work directory.
    pub keep: bool,
    /// Told every event a child prints, as it arrives (a live page).
    pub observer: Option<EventObserver>,
}

/// Why the network could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// The scenario or the options cannot be run in this mode.
    #[error("{0}")]
    Unsupported(String),
    /// The scenario could not be prepared.
    #[error(transparent)]
    Scenario(#[from] anyhow::Error),
    /// A run-level problem (index, adversaries).
    #[error(transparent)]
    Run(#[from] RunError),
    /// Certificates could not be made.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// A child misbehaved.
    #[error(transparent)]
    Child(#[from] ChildError),
    /// Loot or adversary files.
    #[error(transparent)]
    Hosted(#[from] HostedError),
    /// The work directory.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl NetworkError {
    /// Whether the error is the user's input (exit status 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, NetworkError::Unsupported(_) | NetworkError::Scenario(_))
    }
}

/// The scenario with the proxies' adversaries added, checked for what this
/// mode can do.
pub fn prepare_network(options: &NetworkOptions) -> Result<(Scenario, Option<String>), NetworkError> {
    let (mut scenario, preset) = options.args.prepare()?;
    let extra: Vec<String> = options
        .taps
        .iter()
        .map(|n| format!("tap@{n}"))
        .chain(options.mitms.iter().map(|n| format!("mitm@{n}")))
        .collect();
    if !extra.is_empty() {
        let added = parse_adversary_specs(&extra, &scenario.network, scenario.days)
            .map_err(|e| NetworkError::Scenario(e.into()))?;
        for spec in added {
            if scenario.adversaries.iter().any(|a| a.name == spec.name) {
                return Err(NetworkError::Unsupported(format!(
                    "the scenario already has an adversary named {}",
                    spec.name
                )));
            }
            scenario.adversaries.push(spec);
        }
        scenario.validate().map_err(|e| NetworkError::Scenario(e.into()))?;
    }
    check_supported(&scenario)?;
    Ok((scenario, preset.map(|p| p.name().to_owned())))
}

/// Refuses, up front and with the reason, what separate processes cannot
/// reproduce.
fn check_supported(scenario: &Scenario) -> Result<(), NetworkError> {
    if scenario.security.e2e == E2eMode::Group {
        return Err(NetworkError::Unsupported(
            "e2e = \"group\" needs one secret key shared by every node, and the multi-process mode has no way to \
             hand it out; use static or forward-secret (or `cablesim run` for group)"
                .into(),
        ));
    }
    let mut links: HashMap<&str, &str> = HashMap::new();
    for spec in &scenario.adversaries {
        if spec.kind == AdversaryKind::Quantum {
            return Err(NetworkError::Unsupported(format!(
                "{}: a quantum computer works on every node's recorded key agreements, which no one process \
                 of this mode holds; use `cablesim run`",
                spec.name
            )));
        }
        if spec.kind == AdversaryKind::Forger {
            return Err(NetworkError::Unsupported(format!(
                "{}: forgers inject at the hub and count deliveries at every node, which one process cannot \
                 see; use `cablesim run`",
                spec.name
            )));
        }
        if matches!(spec.kind, AdversaryKind::Tap | AdversaryKind::Mitm) {
            let node = spec.at.as_deref().unwrap_or_default();
            if let Some(other) = links.insert(node, &spec.name) {
                return Err(NetworkError::Unsupported(format!(
                    "{other} and {} both sit on {node}'s link; one proxy per link in this mode",
                    spec.name
                )));
            }
        }
    }
    // A MITM that uses keys its actor steals elsewhere needs them live,
    // across processes: not built.
    for mitm in scenario.adversaries.iter().filter(|a| a.kind == AdversaryKind::Mitm) {
        let thief = scenario
            .adversaries
            .iter()
            .find(|a| a.actor == mitm.actor && matches!(a.kind, AdversaryKind::Endpoint | AdversaryKind::KeyThief));
        if let Some(thief) = thief {
            return Err(NetworkError::Unsupported(format!(
                "{} would use keys {} steals for actor {}, live, across processes: not built; use `cablesim run`",
                mitm.name, thief.name, mitm.actor
            )));
        }
    }
    Ok(())
}

/// The work directory and its layout.
struct WorkDir {
    root: PathBuf,
    remove: bool,
}

impl WorkDir {
    fn create(options: &NetworkOptions) -> Result<WorkDir, NetworkError> {
        let (root, remove) = match &options.work_dir {
            Some(dir) => (dir.clone(), false),
            None => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default();
                let name = format!("cablesim-network-{}-{nanos}", std::process::id());
                (std::env::temp_dir().join(name), !options.keep)
            }
        };
        if remove && root.exists() {
            // A fresh name that exists already was not made by this run.
            return Err(NetworkError::Io {
                path: root,
                source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            });
        }
        for dir in [root.clone(), root.join("certs"), root.join("data"), root.join("logs")] {
            crate::net::pki::create_private_dir(&dir).map_err(|source| NetworkError::Io { path: dir, source })?;
        }
        Ok(WorkDir { root, remove })
    }

    fn path(&self, parts: &[&str]) -> PathBuf {
        parts.iter().fold(self.root.clone(), |p, part| p.join(part))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Launches the network, plays the scenario through it, and returns the
/// report: the same report `cablesim run` gives for the same scenario and
/// seed.
pub async fn run_network(options: &NetworkOptions) -> Result<RunReport, NetworkError> {
    let (scenario, preset) = prepare_network(options)?;
    let work = WorkDir::create(options)?;
    let result = conduct(options, &scenario, preset, &work).await;
    if result.is_err() {
        // The logs say why; keep them.
        let mut work = work;
        work.remove = false;
        eprintln!(
            "cablesim: the children's logs are in {}",
            work.path(&["logs"]).display()
        );
    }
    result
}

async fn conduct(
    options: &NetworkOptions,
    scenario: &Scenario,
    preset: Option<String>,
    work: &WorkDir,
) -> Result<RunReport, NetworkError> {
    let network = &scenario.network;
    let pki = Pki::generate(network)?;
    let certs = work.path(&["certs"]);
    pki.write_pem(&certs)?;
    let specs_file = work.path(&["adversaries.json"]);
    write_specs(&specs_file, &scenario.adversaries)?;
    let common = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        args.extend(options.args.to_command_line());
        args.extend(["--format".into(), "json".into()]);
        args
    };
    let specs_arg = specs_file.display().to_string();
    let certs_arg = certs.display().to_string();
    let data_arg = work.path(&["data"]).display().to_string();
    let loot_file = |name: &str| work.path(&["data", &format!("{name}.loot")]);
    let log_file = |name: &str| work.path(&["logs", &format!("{name}.log")]);
    let mut heard = Heard {
        observer: options.observer.clone(),
        ..Heard::default()
    };
    let observe = &mut heard;

    // The hub first: everyone else needs its address.
    let mut hub_args = common(&[
        "hub",
        "--listen",
        "127.0.0.1:0",
        "--certs",
        &certs_arg,
        "--data",
        &data_arg,
    ]);
    hub_args.extend(hosting(&specs_arg, &loot_file(HUB)));
    let mut hub = Child::spawn(&options.exe, HUB, &hub_args, &log_file(HUB))?;
    let hub_addr = listening(&mut hub, observe).await?;
    info!(addr = %hub_addr, "hub listening");

    // One proxy per link adversary, between its node and the hub.
    let mut proxies = Vec::new();
    let mut upstream_of: BTreeMap<String, String> = BTreeMap::new();
    for spec in scenario
        .adversaries
        .iter()
        .filter(|a| matches!(a.kind, AdversaryKind::Tap | AdversaryKind::Mitm))
    {
        let node = spec.at.clone().unwrap_or_default();
        let label = format!("{}-{node}", spec.kind.as_str());
        let mut args = common(&[
            spec.kind.as_str(),
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &hub_addr,
            "--node",
            &node,
        ]);
        if spec.kind == AdversaryKind::Mitm {
            args.extend(["--certs".into(), certs_arg.clone()]);
        }
        // What the proxy carried, for Wireshark: kept with --work-dir.
        args.extend([
            "--pcap".into(),
            work.path(&[&format!("{label}.pcapng")]).display().to_string(),
        ]);
        args.extend(hosting(&specs_arg, &loot_file(&label)));
        let mut proxy = Child::spawn(&options.exe, &label, &args, &log_file(&label))?;
        let addr = listening(&mut proxy, observe).await?;
        upstream_of.insert(node, addr);
        proxies.push(proxy);
    }

    // Every node, started together; each says when it has joined.
    let mut nodes: BTreeMap<String, Child> = BTreeMap::new();
    for node in network.endpoints() {
        let hub_for = upstream_of.get(&node.name).unwrap_or(&hub_addr).clone();
        // In lockstep: the directory is fetched when the day loop says, as
        // in `run`, so that what a tap on the link sees is the same.
        let mut args = common(&[
            "node",
            "--name",
            &node.name,
            "--hub",
            &hub_for,
            "--certs",
            &certs_arg,
            "--data",
            &data_arg,
            "--lockstep",
        ]);
        args.extend(hosting(&specs_arg, &loot_file(&node.name)));
        nodes.insert(
            node.name.clone(),
            Child::spawn(&options.exe, &node.name, &args, &log_file(&node.name))?,
        );
    }
    for child in nodes.values_mut() {
        child
            .expect("connected", |e| matches!(e, Event::Connected { .. }), observe)
            .await?;
    }
    info!(nodes = nodes.len(), "every node joined");

    // The day loop of the in-process runner, one command per step.
    let generator = scenario.generator().map_err(RunError::from)?;
    let index = crate::scenario::full_index(scenario)?;
    let local = build_adversaries(
        &scenario.adversaries,
        &BuildContext {
            security: &scenario.security,
            clock: DayClock::new(),
            ca_cert: pki.ca_cert().clone(),
            escrow: Default::default(),
            folders: FolderView::Own,
        },
    )
    .map_err(RunError::from)?;
    let mut counts = CableCounts {
        total: generator.count() + scenario.cables.len() as u64,
        ..CableCounts::default()
    };
    let needs_directory = matches!(scenario.security.e2e, E2eMode::Static | E2eMode::ForwardSecret);
    let security = &scenario.security;
    for day in 0..scenario.days {
        let line = format!("day {day}");
        hub.command(&line).await?;
        hub.expect("day", |e| matches!(e, Event::Day { .. }), observe).await?;
        for proxy in &mut proxies {
            proxy.command(&line).await?;
            proxy.expect("day", |e| matches!(e, Event::Day { .. }), observe).await?;
        }
        let mut rotated = false;
        for child in nodes.values_mut() {
            child.command(&line).await?;
        }
        for child in nodes.values_mut() {
            if let Event::Day { rotated: r, .. } =
                child.expect("day", |e| matches!(e, Event::Day { .. }), observe).await?
            {
                rotated |= r;
            }
        }
        let poisoned = local.iter().any(|a| a.refreshes_directory_on(day));
        if needs_directory && (day == 0 || poisoned || rotated) {
            broadcast(
                &mut nodes,
                "refresh",
                "refreshed",
                |e| matches!(e, Event::Refreshed),
                observe,
            )
            .await?;
        }
        for adversary in &local {
            if let (Position::Link(node), Some(middlebox)) = (adversary.position(), adversary.clone().middlebox())
                && middlebox.reconnect_on(day)
                && let Some(child) = nodes.get_mut(&node)
            {
                child.command("reconnect").await?;
                child
                    .expect("reconnected", |e| matches!(e, Event::Reconnected), observe)
                    .await?;
            }
        }

        let mut today: HashMap<String, u64> = HashMap::new();
        for cable in generator
            .cables_on_day(day)
            .chain(scenario.cables.iter().filter(|c| c.day == day).cloned())
        {
            let r = recipients(&cable.from, &cable.to, network, security.distribution).len() as u64;
            today.insert(cable.id, r);
        }
        let play = format!("play {day}");
        for child in nodes.values_mut() {
            child.command(&play).await?;
        }
        for child in nodes.values_mut() {
            if let Event::Played {
                sent, withheld, failed, ..
            } = child
                .expect("played", |e| matches!(e, Event::Played { .. }), observe)
                .await?
            {
                counts.sent += sent;
                counts.withheld += withheld;
                counts.failed += failed;
            }
        }
        hub.command("idle").await?;
        hub.expect("idle", |e| matches!(e, Event::Idle), observe).await?;
        // Every delivery event of the day was printed before the answer.
        broadcast(&mut nodes, "sync", "synced", |e| matches!(e, Event::Synced), observe).await?;
        for id in std::mem::take(&mut observe.accepted) {
            let Some(r) = today.get(&id) else {
                warn!(cable = %id, day, "accepted a cable the scenario does not have today");
                continue;
            };
            let n = observe.delivered.get(&id).copied().unwrap_or(0);
            counts.deliveries += n;
            if n == *r {
                counts.delivered += 1;
            }
        }
        observe.delivered.clear();
    }

    // Everyone leaves; each process writes its adversaries' loot first.
    for child in nodes
        .values_mut()
        .chain(proxies.iter_mut())
        .chain(std::iter::once(&mut hub))
    {
        child.command("quit").await?;
    }
    for child in nodes
        .values_mut()
        .chain(proxies.iter_mut())
        .chain(std::iter::once(&mut hub))
    {
        child.expect("bye", |e| matches!(e, Event::Bye), observe).await?;
    }
    for child in nodes.into_values().chain(proxies).chain(std::iter::once(hub)) {
        child.finish().await;
    }

    let mut loot = HashMap::new();
    for name in std::iter::once(HUB.to_owned())
        .chain(network.endpoints().map(|n| n.name.clone()))
        .chain(
            scenario
                .adversaries
                .iter()
                .filter(|a| matches!(a.kind, AdversaryKind::Tap | AdversaryKind::Mitm))
                .map(|a| format!("{}-{}", a.kind.as_str(), a.at.as_deref().unwrap_or_default())),
        )
    {
        for entry in read_loot(&loot_file(&name))? {
            loot.insert(entry.adversary, entry.loot);
        }
    }
    let adversaries: Vec<Arc<dyn Adversary>> = local
        .into_iter()
        .map(|local| {
            let loot = loot.remove(local.name()).unwrap_or_default();
            Arc::new(Collected { local, loot }) as Arc<dyn Adversary>
        })
        .collect();
    let mut alarms = std::mem::take(&mut heard.alarms);
    alarms.sort();
    Ok(crate::scenario::assemble_report(
        scenario,
        preset,
        counts,
        &adversaries,
        &index,
        alarms,
        // Every node process said what it counted before its bye.
        Some(heard.wire),
    ))
}

/// The arguments that make a child host the run's adversaries of its
/// position and write their loot on quit.
fn hosting(specs: &str, loot: &Path) -> Vec<String> {
    vec![
        "--host-adversaries".into(),
        specs.to_owned(),
        "--loot".into(),
        loot.display().to_string(),
        "--quit-on-eof".into(),
    ]
}

/// Waits for a child's `listening` event and returns the address.
async fn listening(child: &mut Child, sink: &mut Heard) -> Result<String, NetworkError> {
    match child
        .expect("listening", |e| matches!(e, Event::Listening { .. }), sink)
        .await?
    {
        Event::Listening { addr } => Ok(addr),
        other => Err(NetworkError::Unsupported(format!(
            "{}: expected a listening address, got {other:?}",
            child.label
        ))),
    }
}

/// Sends `command` to every node, then waits for each answer: the nodes
/// work on it concurrently.
async fn broadcast(
    nodes: &mut BTreeMap<String, Child>,
    command: &str,
    waiting_for: &'static str,
    wanted: impl Fn(&Event) -> bool + Copy,
    sink: &mut Heard,
) -> Result<(), NetworkError> {
    for child in nodes.values_mut() {
        child.command(command).await?;
    }
    for child in nodes.values_mut() {
        child.expect(waiting_for, wanted, sink).await?;
    }
    Ok(())
}
