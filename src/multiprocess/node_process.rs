//! `cablesim node`: one ministry, mission or headquarters as a process. It
//! connects to the hub over TCP (TLS or mutual TLS as the scenario says),
//! keeps its keys, outbox, inbox and sent items in SQLite under `--data`,
//! reconnects with backoff whenever the connection drops, and takes its
//! traffic from stdin: cables typed by hand (`send`) or the scenario's own
//! (`play`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use tokio::net::TcpStream;
use tokio::sync::Mutex as AsyncMutex;
use tracing::{info, warn};

use super::console::{Console, Input, Printer, Terminate};
use super::control::{Command, Event, EventFormat};
use super::hosted::{build_at, read_specs, write_loot};
use super::{ProcessError, tls_off_or};
use crate::adversary::{Adversary, BuildContext, Position, Site};
use crate::crypto::primitives::random_bytes;
use crate::crypto::{KeyAgreement, NodeKeys, Opened};
use crate::model::{
    CANARY_PREFIX, Cable, Classification, Day, E2eMode, Generator, HUB, Network, SecurityConfig, Transport, new_canary,
};
use crate::net::{
    Alarms, DayClock, FolderView, NodeConfig, NodeError, NodeHandle, NodeStore, NodeTap, Pki, SendOutcome,
    SqliteNodeStore, tls,
};
use crate::scenario::adapters::NodeViews;
use crate::scenario::{HANDSHAKE_TIMEOUT, ScenarioArgs, WireTally};
use crate::wire::DEFAULT_MAX_FRAME;

/// What `cablesim node` is asked to do.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The scenario: membership, security settings and the `play` traffic.
    pub args: ScenarioArgs,
    /// This node's name.
    pub name: String,
    /// The hub's address (or a proxy's in front of it).
    pub hub: String,
    /// Certificate directory (`ca.pem`, every `NAME.pem`, this node's key).
    pub certs: PathBuf,
    /// Directory of the node's database (`NAME.sqlite`).
    pub data: PathBuf,
    /// Event format on stdout.
    pub format: EventFormat,
    /// Adversaries to host in this node (a file `cablesim network` writes).
    pub host_adversaries: Option<PathBuf>,
    /// Where to write their loot on quit.
    pub loot: Option<PathBuf>,
    /// Fetch the directory only when told to (`refresh`), as `cablesim
    /// network` has its nodes do in step with `cablesim run`: no fetch on
    /// joining or reconnecting, no watching. Otherwise the node keeps its
    /// directory current (see [`NodeHandle::keep_directory_current`]).
    pub lockstep: bool,
}

/// First wait before reconnecting; doubled after each failure up to
/// [`MAX_BACKOFF`], so a hub that is down is not hammered and one that
/// comes back is found within a couple of seconds.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Everything needed to (re)connect.
struct Connector {
    config: NodeConfig,
    hub: String,
}

impl Connector {
    async fn stream(&self) -> Result<TcpStream, NodeError> {
        let stream = TcpStream::connect(&self.hub)
            .await
            .map_err(|e| NodeError::Connection(format!("cannot reach the hub at {}: {e}", self.hub)))?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

/// Runs the node until `quit`, end of stdin, SIGTERM or Ctrl-C.
pub async fn run_node(options: NodeOptions) -> Result<(), ProcessError> {
    let mut terminate = Terminate::install().map_err(ProcessError::Signals)?;
    let (scenario, _) = options.args.prepare().map_err(ProcessError::Input)?;
    let name = options.name.clone();
    let network = scenario.network.clone();
    check_member(&network, &name)?;
    if scenario.security.e2e == E2eMode::Group {
        return Err(ProcessError::Input(anyhow::anyhow!(
            "e2e = \"group\" needs one secret key shared by every node, which the multi-process mode has no way \
             to hand out; use static or forward-secret"
        )));
    }
    let local = Pki::load_local(&options.certs, &network, &name)?;
    let verify_server = network
        .get(&name)
        .and_then(|n| n.verify_server)
        .unwrap_or(scenario.security.verify_server);
    let security = SecurityConfig {
        verify_server,
        ..scenario.security.clone()
    };
    let tls = tls_off_or(security.transport, || {
        let client = (security.transport == Transport::Mtls).then_some(&local.own);
        tls::client_config_with(
            &local.ca_cert,
            client,
            verify_server,
            tls::KeyExchange::for_setting(security.post_quantum),
        )
    })?;
    let config = NodeConfig {
        name: name.clone(),
        network: network.clone(),
        security: security.clone(),
        tls,
        trusted: local.trusted.clone(),
        max_frame: DEFAULT_MAX_FRAME,
    };

    // Keys, and plaintext when e2e is off: the owner's only.
    crate::net::pki::create_private_dir(&options.data).map_err(|source| ProcessError::Io {
        path: options.data.clone(),
        source,
    })?;
    let db = options.data.join(format!("{name}.sqlite"));
    let saved = SqliteNodeStore::open(&db)?.load()?;
    // Keys survive restarts: a node that came back with new keys could not
    // open what was sealed for it while it was down.
    let keys = match saved.restore_keys(&name, local.own.identity.clone())? {
        Some(keys) => keys,
        None => NodeKeys::with_agreement(
            &name,
            security.e2e,
            security.epoch_days,
            1,
            KeyAgreement::hybrid_if(security.post_quantum.end_to_end()),
            local.own.identity.clone(),
            None,
        ),
    };
    let clock = DayClock::new();
    clock.set(saved.day.unwrap_or(0));

    let adversaries: Vec<Arc<dyn Adversary>> = match &options.host_adversaries {
        Some(path) => build_at(
            &read_specs(path)?,
            &Position::Node(name.clone()),
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

    let printer = Printer::stdout(options.format);
    let alarms = Alarms::unkept();
    {
        let printer = printer.clone();
        alarms.observe(move |alarm| printer.print(&Event::Alarm(alarm.clone())));
    }
    let wire = Arc::new(WireTally::default());
    let taps: Vec<Arc<dyn NodeTap>> = vec![
        Arc::new(EventTap(printer.clone())),
        Arc::new(NodeViews(adversaries.clone())),
        wire.clone(),
    ];
    let connector = Arc::new(Connector {
        config,
        hub: options.hub.clone(),
    });

    let joined = async {
        let handle = join(&connector, &keys, &clock, &alarms, &taps, &db, &printer).await?;
        if !options.lockstep {
            first_fetch(&handle, &connector).await;
        }
        Ok::<_, ProcessError>(handle)
    };
    let handle = tokio::select! {
        handle = joined => handle?,
        () = terminate.wait() => {
            printer.print(&Event::Bye);
            printer.flush().await;
            return Ok(());
        }
    };
    let mut console = Console::new(printer.clone(), true, terminate);
    info!(node = %name, hub = %options.hub, "joined the network");
    printer.print(&Event::Connected {
        hub: options.hub.clone(),
    });
    // One reconnection at a time, whether the supervisor or `reconnect`
    // asks for it.
    let reconnecting = Arc::new(AsyncMutex::new(()));
    let supervisor = tokio::spawn(supervise(handle.clone(), connector.clone(), reconnecting.clone()));

    let generator = scenario.generator().map_err(|e| ProcessError::Input(e.into()))?;
    // Canaries of typed cables: unpredictable, like keys.
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(*random_bytes::<32>());
    loop {
        let command = match console.next().await {
            Input::End | Input::Command(Command::Quit) => break,
            Input::Invalid => continue,
            Input::Command(command) => command,
        };
        match command {
            Command::Send {
                to,
                classification,
                text,
            } => {
                let unknown: Vec<&String> = to.iter().filter(|n| !network.contains(n) || *n == HUB).collect();
                if !unknown.is_empty() {
                    printer.error(format!(
                        "unknown addressee(s) {unknown:?}: not in the scenario's network"
                    ));
                    continue;
                }
                // Typed cables are sealed to the recipients' current keys
                // when the hub can be asked for them; offline, to the keys
                // of the last refresh, and the cable waits in the outbox.
                if matches!(security.e2e, E2eMode::Static | E2eMode::ForwardSecret)
                    && handle.is_connected()
                    && let Err(e) = handle.refresh_directory().await
                {
                    warn!(node = %name, cause = %e, "directory refresh failed; sealing to the keys held");
                }
                let number = match handle.next_sequence().await {
                    Ok(n) => n,
                    Err(e) => {
                        printer.error(format!("cannot number the cable: {e}"));
                        continue;
                    }
                };
                let cable = typed_cable(&name, number, clock.today(), to, classification, &text, &mut rng);
                let printer = printer.clone();
                // A recipient without a key yet: the cable waits (the tap
                // prints `waiting`), and goes when a refresh has the key.
                let reply = handle.send_when_keyed(cable);
                tokio::spawn(async move {
                    match reply.await {
                        // The `accepted` event comes from the tap, at the ack.
                        Ok(SendOutcome::Accepted) => {}
                        Ok(SendOutcome::Withheld) => {
                            printer.error("withheld: above this network's max_classification, never sent")
                        }
                        Err(NodeError::Connection(why)) => printer.error(format!(
                            "not acknowledged yet ({why}); kept in the outbox and sent again after reconnecting"
                        )),
                        Err(e) => printer.error(format!("not sent: {e}")),
                    }
                });
            }
            Command::Day(day) if day < clock.today() => {
                printer.error(format!("the node is on day {}; days only move forward", clock.today()));
            }
            Command::Day(day) => {
                clock.set(day);
                let rotated = match handle.enter_day(day).await {
                    Ok(rotated) => rotated,
                    Err(e) => {
                        printer.error(format!("day {day}: {e}"));
                        false
                    }
                };
                for adversary in adversaries.iter().filter(|a| a.window().contains(day)) {
                    adversary.on_day(&Site {
                        day,
                        network: &network,
                        security: &security,
                        hub: None,
                        node: Some(&handle),
                    });
                }
                printer.print(&Event::Day { day, rotated });
            }
            Command::Refresh => match handle.refresh_directory().await {
                Ok(()) => printer.print(&Event::Refreshed),
                Err(e) => printer.error(format!("refresh: {e}")),
            },
            Command::Play(day) => {
                let played = play(&handle, &generator, &scenario.cables, &name, day).await;
                printer.print(&played);
            }
            Command::Reconnect => {
                let _guard = reconnecting.lock().await;
                match reconnect_once(&handle, &connector).await {
                    Ok(()) => printer.print(&Event::Reconnected),
                    Err(e) => printer.error(format!("reconnect: {e}")),
                }
            }
            Command::Sync => printer.print(&Event::Synced),
            Command::Idle | Command::Quit => printer.error(format!("{} is not a node command", command.word())),
        }
    }
    supervisor.abort();
    handle.shutdown().await;
    if let Some(path) = &options.loot {
        write_loot(path, &adversaries)?;
    }
    if options.lockstep {
        printer.print(&Event::Wire { wire: wire.costs() });
    }
    printer.print(&Event::Bye);
    printer.flush().await;
    Ok(())
}

fn check_member(network: &Network, name: &str) -> Result<(), ProcessError> {
    if name != HUB && network.contains(name) {
        return Ok(());
    }
    let names: Vec<&str> = network.endpoints().map(|n| n.name.as_str()).collect();
    Err(ProcessError::Input(anyhow::anyhow!(
        "--name {name:?} is not a node of the scenario's network (nodes: {})",
        names.join(", ")
    )))
}

/// Joins the network, retrying with backoff until the hub answers: a node
/// started before its hub, or behind a proxy that refuses its first
/// handshake, gets in as soon as it can.
async fn join(
    connector: &Connector,
    keys: &NodeKeys,
    clock: &DayClock,
    alarms: &Alarms,
    taps: &[Arc<dyn NodeTap>],
    db: &std::path::Path,
    printer: &Printer,
) -> Result<NodeHandle, ProcessError> {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let store = SqliteNodeStore::open(db)?;
        let attempt = async {
            let stream = connector.stream().await?;
            NodeHandle::connect_with_store(
                connector.config.clone(),
                keys.clone(),
                stream,
                clock.clone(),
                alarms.clone(),
                taps.to_vec(),
                Box::new(store) as Box<dyn NodeStore>,
            )
            .await
        };
        let attempt = tokio::time::timeout(HANDSHAKE_TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| Err(NodeError::Connection(format!("no answer within {HANDSHAKE_TIMEOUT:?}"))));
        match attempt {
            Ok(handle) => return Ok(handle),
            // The hub answered, and said no (an unknown name, another
            // protocol): trying again would get the same answer.
            Err(NodeError::Refused { code, detail }) => {
                return Err(ProcessError::Refused(format!(
                    "the hub refused {}: {code}: {detail}",
                    connector.config.name
                )));
            }
            Err(NodeError::Store(e)) => return Err(e.into()),
            Err(e) => {
                if backoff == FIRST_BACKOFF {
                    printer.print(&Event::Unreachable {
                        hub: connector.hub.clone(),
                        reason: e.to_string(),
                    });
                }
                warn!(node = %connector.config.name, cause = %e, retry_in = ?backoff, "cannot join yet");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Has the node keep its directory current, and waits for the first fetch,
/// so that `connected` means "keys published and directory fetched". A
/// connection lost in between is made again, with backoff, and the fetch
/// asked again.
async fn first_fetch(handle: &NodeHandle, connector: &Connector) {
    let mut backoff = FIRST_BACKOFF;
    while let Err(e) = handle.keep_directory_current().await {
        warn!(node = %connector.config.name, cause = %e, retry_in = ?backoff, "cannot fetch the directory yet");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        if !handle.is_connected()
            && let Err(e) = reconnect_once(handle, connector).await
        {
            warn!(node = %connector.config.name, cause = %e, "reconnection failed");
        }
    }
}

/// Reconnects whenever the connection drops, with backoff; the node's
/// runtime then resubmits its outbox (and, unless in lockstep, fetches the
/// directory and sends what waited for it).
async fn supervise(handle: NodeHandle, connector: Arc<Connector>, reconnecting: Arc<AsyncMutex<()>>) {
    loop {
        handle.disconnected().await;
        let _guard = reconnecting.lock().await;
        let mut backoff = FIRST_BACKOFF;
        while !handle.is_connected() {
            match reconnect_once(&handle, &connector).await {
                Ok(()) => info!(node = %connector.config.name, "reconnected to the hub"),
                Err(e) => {
                    warn!(node = %connector.config.name, cause = %e, retry_in = ?backoff, "reconnection failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

async fn reconnect_once(handle: &NodeHandle, connector: &Connector) -> Result<(), NodeError> {
    let attempt = async {
        let stream = connector.stream().await?;
        handle.reconnect(stream).await
    };
    // A hub that accepts the connection and then says nothing (a black
    // hole, a stalled proxy) must not hold the node for ever.
    tokio::time::timeout(HANDSHAKE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err(NodeError::Connection(format!("no answer within {HANDSHAKE_TIMEOUT:?}"))))
}

/// Sends this node's scenario cables of `day` and waits for every answer.
async fn play(handle: &NodeHandle, generator: &Generator, explicit: &[Cable], name: &str, day: Day) -> Event {
    let mine: Vec<Cable> = generator
        .cables_on_day(day)
        .filter(|c| c.from == name)
        .chain(explicit.iter().filter(|c| c.day == day && c.from == name).cloned())
        .collect();
    // Queue every send before awaiting any, as the in-process runner does.
    let replies: Vec<_> = mine.into_iter().map(|c| (c.id.clone(), handle.send(c))).collect();
    let (mut sent, mut withheld, mut failed) = (0, 0, 0);
    for (id, reply) in replies {
        match reply.await {
            Ok(SendOutcome::Accepted) => sent += 1,
            Ok(SendOutcome::Withheld) => withheld += 1,
            Err(e) => {
                warn!(cable = %id, day, cause = %e, "cable not sent");
                failed += 1;
            }
        }
    }
    Event::Played {
        day,
        sent,
        withheld,
        failed,
    }
}

/// A cable typed on stdin: numbered `NAME-000001`, the first line as its
/// subject, and a fresh canary at the end of the body like every generated
/// cable, so that a leak of it can be measured too.
fn typed_cable<R: rand::Rng + ?Sized>(
    name: &str,
    number: u64,
    day: Day,
    to: Vec<String>,
    classification: Classification,
    text: &str,
    rng: &mut R,
) -> Cable {
    let canary = new_canary(rng);
    let subject: String = text.lines().next().unwrap_or_default().chars().take(80).collect();
    Cable {
        id: format!("{name}-{number:06}"),
        day,
        from: name.to_owned(),
        to,
        classification,
        subject,
        body: format!("{text}\n\n{canary}"),
        canary,
    }
}

/// The body as typed: without the canary line every cable ends with.
fn without_canary(body: &str) -> (String, Option<String>) {
    match body.rsplit_once("\n\n") {
        Some((text, last)) if last.starts_with(CANARY_PREFIX) && !last.contains(char::is_whitespace) => {
            (text.to_owned(), Some(last.to_owned()))
        }
        _ => (body.to_owned(), None),
    }
}

/// Prints `accepted` when the hub acknowledges a cable of this node (also
/// one resent after a reconnection), `waiting` when a cable waits for keys,
/// and `delivered` for every cable received, verified and filed.
struct EventTap(Printer);

impl NodeTap for EventTap {
    fn on_delivery(&self, _day: Day, _node: &str, cable: &Opened) {
        let (text, canary) = without_canary(&cable.content.body);
        self.0.print(&Event::Delivered {
            cable: cable.header.id.clone(),
            from: cable.header.from.clone(),
            classification: cable.header.classification,
            subject: cable.content.subject.clone(),
            text,
            canary,
        });
    }

    fn on_sent(&self, _day: Day, _node: &str, cable: &Cable) {
        self.0.print(&Event::Accepted {
            cable: cable.id.clone(),
            to: cable.to.clone(),
        });
    }

    fn on_waiting(&self, _day: Day, _node: &str, cable: &Cable, missing: &[String]) {
        self.0.print(&Event::Waiting {
            cable: cable.id.clone(),
            for_keys: missing.to_vec(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_cables_carry_a_canary_that_the_event_strips() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let cable = typed_cable(
            "de-mfa",
            7,
            3,
            vec!["fr-mfa".into()],
            Classification::Restricted,
            "Meeting moved\nto Tuesday",
            &mut rng,
        );
        assert_eq!(cable.id, "de-mfa-000007");
        assert_eq!(cable.subject, "Meeting moved");
        assert!(cable.body.ends_with(&cable.canary));
        assert_eq!(
            without_canary(&cable.body),
            ("Meeting moved\nto Tuesday".to_owned(), Some(cable.canary.clone()))
        );
        assert_eq!(without_canary("no canary here"), ("no canary here".to_owned(), None));
    }

    #[test]
    fn only_members_may_run() {
        let network = Network::generated(3, 1, false);
        assert!(check_member(&network, "bg-mfa").is_ok());
        let err = check_member(&network, "hub").unwrap_err().to_string();
        assert!(
            err.starts_with("--name \"hub\" is not a node of the scenario's network (nodes: "),
            "{err}"
        );
        assert!(check_member(&network, "xx-mfa").is_err());
    }
}
