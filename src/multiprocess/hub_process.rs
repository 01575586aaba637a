//! `cablesim hub`: the hub as a process, serving nodes over TCP with the
//! scenario's transport (plain, TLS or mutual TLS), its queues and archive
//! in SQLite under `--data`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tracing::{info, warn};

use super::console::{Console, Input, Printer, Terminate};
use super::control::{Command, Event, EventFormat};
use super::hosted::{build_at, read_specs, write_loot};
use super::{ProcessError, tls_off_or};
use crate::adversary::{Adversary, BuildContext, Position, Site};
use crate::model::HUB;
use crate::net::{Alarms, DayClock, FolderView, Hub, HubConfig, HubLimits, HubTap, Pki, SqliteHubStore, tls};
use crate::scenario::adapters::HubView;
use crate::scenario::{HANDSHAKE_TIMEOUT, ScenarioArgs};
use crate::wire::DEFAULT_MAX_FRAME;

/// What `cablesim hub` is asked to do.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// The scenario: membership and security settings.
    pub args: ScenarioArgs,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// Certificate directory (`ca.pem`, every `NAME.pem`, `hub.key.pem`).
    pub certs: PathBuf,
    /// Directory of the hub's database (`hub.sqlite`).
    pub data: PathBuf,
    /// Event format on stdout.
    pub format: EventFormat,
    /// Adversaries to host at the hub (a file `cablesim network` writes).
    pub host_adversaries: Option<PathBuf>,
    /// Where to write their loot on quit.
    pub loot: Option<PathBuf>,
    /// Stop when stdin closes (a launcher's child: it must not outlive
    /// the launcher); otherwise only `quit`, SIGTERM or Ctrl-C stop it.
    pub quit_on_eof: bool,
    /// Connections open at once, handshaking or established; `None`: the
    /// default of [`HubLimits::for_network`]. Keep it below the process's
    /// file descriptor limit, so the hub refuses politely before `accept`
    /// itself starts failing.
    pub max_connections: Option<usize>,
    /// How long a peer may take for its TLS handshake and hello (and a
    /// closing session for its last frames); `None`: [`HANDSHAKE_TIMEOUT`].
    /// Longer only for tests whose exact counts must not race the clock.
    pub handshake_timeout: Option<Duration>,
}

/// Runs the hub until `quit`, end of stdin, SIGTERM or Ctrl-C.
pub async fn run_hub(options: HubOptions) -> Result<(), ProcessError> {
    let terminate = Terminate::install().map_err(ProcessError::Signals)?;
    let (scenario, _) = options.args.prepare().map_err(ProcessError::Input)?;
    let network = scenario.network.clone();
    let security = scenario.security.clone();
    let local = Pki::load_local(&options.certs, &network, HUB)?;
    let tls = tls_off_or(security.transport, || {
        let client_roots = (security.transport == crate::model::Transport::Mtls).then_some(&local.ca_cert);
        tls::server_config_with(
            vec![local.own.cert.clone()],
            &local.own.identity,
            client_roots,
            tls::KeyExchange::for_setting(security.post_quantum),
        )
    })?;
    // Keys, and plaintext when e2e is off: the owner's only.
    crate::net::pki::create_private_dir(&options.data).map_err(|source| ProcessError::Io {
        path: options.data.clone(),
        source,
    })?;
    let store = SqliteHubStore::open(options.data.join("hub.sqlite"))?;

    let clock = DayClock::new();
    let adversaries: Vec<Arc<dyn Adversary>> = match &options.host_adversaries {
        Some(path) => build_at(
            &read_specs(path)?,
            &Position::Hub,
            &BuildContext {
                security: &security,
                clock: clock.clone(),
                ca_cert: local.ca_cert.clone(),
                escrow: Default::default(),
                folders: FolderView::Own,
            },
        )?,
        None => Vec::new(),
    };
    let taps: Vec<Arc<dyn HubTap>> = adversaries
        .iter()
        .map(|a| Arc::new(HubView(a.clone())) as Arc<dyn HubTap>)
        .collect();

    let printer = Printer::stdout(options.format);
    let alarms = Alarms::unkept();
    let mut limits = HubLimits::for_network(&network);
    if let Some(max) = options.max_connections {
        limits.max_connections = max;
    }
    {
        let printer = printer.clone();
        alarms.observe(move |alarm| printer.print(&Event::Alarm(alarm.clone())));
    }
    let hub = Hub::with_store(
        HubConfig {
            network: network.clone(),
            security: security.clone(),
            tls,
            max_frame: DEFAULT_MAX_FRAME,
            handshake_timeout: options.handshake_timeout.unwrap_or(HANDSHAKE_TIMEOUT),
            limits,
        },
        clock.clone(),
        alarms,
        taps,
        Box::new(store),
    )?;

    let listener = TcpListener::bind(&options.listen)
        .await
        .map_err(|source| ProcessError::Listen {
            addr: options.listen.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ProcessError::Listen {
        addr: options.listen.clone(),
        source,
    })?;
    info!(
        addr = %addr, transport = %security.transport, nodes = network.len() - 1,
        max_connections = limits.max_connections, "hub listening"
    );
    printer.print(&Event::Listening { addr: addr.to_string() });
    let accepting = tokio::spawn(accept_loop(listener, hub.clone()));

    let mut console = Console::new(printer.clone(), options.quit_on_eof, terminate);
    loop {
        match console.next().await {
            Input::End | Input::Command(Command::Quit) => break,
            Input::Invalid => {}
            Input::Command(Command::Day(day)) if day < clock.today() => {
                printer.error(format!("the hub is on day {}; days only move forward", clock.today()));
            }
            Input::Command(Command::Day(day)) => {
                clock.set(day);
                // Announced once committed (see "Durability" in
                // ARCHITECTURE.md).
                if let Err(e) = hub.enter_day_durably(day).await {
                    printer.error(format!("day {day} could not be saved: {e}"));
                }
                // The hub's live page shows the day from this.
                tracing::debug!(day, "day begins");
                for adversary in adversaries.iter().filter(|a| a.window().contains(day)) {
                    adversary.on_day(&Site {
                        day,
                        network: &network,
                        security: &security,
                        hub: Some(&hub),
                        node: None,
                    });
                }
                printer.print(&Event::Day { day, rotated: false });
            }
            Input::Command(Command::Idle) => {
                // In a task of its own: the console stays free for `quit`
                // and signals while the hub waits.
                let (hub, printer) = (hub.clone(), printer.clone());
                tokio::spawn(async move {
                    hub.wait_idle().await;
                    printer.print(&Event::Relayed { total: hub.relayed() });
                    printer.print(&Event::Idle);
                });
            }
            Input::Command(Command::Sync) => printer.print(&Event::Synced),
            Input::Command(other) => printer.error(format!("{} is not a hub command", other.word())),
        }
    }
    accepting.abort();
    if let Some(path) = &options.loot {
        write_loot(path, &adversaries)?;
    }
    info!(relayed = hub.relayed(), "hub stopping");
    printer.print(&Event::Bye);
    printer.flush().await;
    Ok(())
}

/// Accepts connections until aborted; each is served on its own task, so
/// one bad peer never holds up another. A connection past the hub's limit
/// is refused by [`Hub::serve`] at once, before any TLS work.
async fn accept_loop(listener: TcpListener, hub: Hub) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                // Frames are small and acknowledged one by one: no Nagle delay.
                let _ = stream.set_nodelay(true);
                let hub = hub.clone();
                tokio::spawn(async move { hub.serve(stream, peer.to_string()).await });
            }
            Err(e) => {
                // Out of file descriptors, typically: wait a little rather
                // than spin, and keep serving those already connected.
                warn!(cause = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
