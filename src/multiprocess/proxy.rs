//! Adversary nodes as TCP proxies (README.md, "Run it across laptops"): `cablesim tap` and
//! `cablesim mitm` sit on one node's link between the node process and the
//! hub process, and carry its bytes with the very adversary code of an
//! in-process run. Only the transport changes:
//!
//! ```text
//!  node ──TCP──▶ [ listen │ Link: taps (LinkView, pcap) ─ middlebox (mitm) │ ] ──TCP──▶ hub (upstream)
//! ```
//!
//! Each accepted connection gets a fresh in-process [`Link`], exactly as a
//! node's link in `cablesim run`: the taps see the node's side of it (the
//! adversary through `LinkView`, so its window applies; the capture
//! through [`PcapRecorder`]), and a MITM's [`Middlebox::carry`] sits
//! between the two ends. The proxy only bridges the node's socket to the
//! link's node end and the link's hub end to the upstream socket.
//!
//! What a proxy cannot have, it does not pretend to have:
//!
//! * **keys of other adversaries**: an actor's adversaries pool stolen keys
//!   in one process; a proxy's actor holds none (a MITM under `mtls` then
//!   cannot show the node's client certificate: README.md, "Adversaries and what counts as a leak");
//! * **alarms**: nodes and the hub raise them in their own processes;
//! * **the cables' canaries**: only a scenario gives them. Without one the
//!   summary says so and reports what was measured, unattributed.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cablesim::multiprocess::proxy::{Proxy, ProxyKind, ProxyOptions};
//!
//! let opts = ProxyOptions::new(
//!     "127.0.0.1:0".parse()?,
//!     "127.0.0.1:4433".parse()?,
//!     ProxyKind::Tap,
//!     "del-kyiv",
//! );
//! let proxy = Proxy::bind(opts).await?;
//! println!("listening on {}", proxy.local_addr());
//! let clock = proxy.clock(); // set it as the simulated days go by
//! clock.set(0);
//! let outcome = proxy.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! print!("{}", outcome.to_text());
//! # Ok(()) }
//! ```

mod outcome;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

pub use outcome::{Observed, PcapOutcome, ProxyFindings, ProxyOutcome, ProxyReport};

use crate::adversary::{ActorKeys, Adversary, AdversaryKind, AdversarySpec, BuildError, CableIndex, Mitm, Tap};
use crate::model::{Cable, Day, DayWindow, HUB, Transport, valid_node_name};
use crate::net::{ConnectionId, DayClock, Direction, Link, LinkTap, Middlebox, tls};
use crate::report::pcap::{PcapRecorder, TlsKeyLog, hub_port};
use crate::scenario::adapters::LinkView;
use crate::scenario::{HANDSHAKE_TIMEOUT, Scenario, ScenarioError};

/// The CA certificate's file in a certificate directory, as
/// [`crate::net::Pki::write_pem`] (`cablesim certs`) names it.
const CA_CERT_FILE: &str = "ca.pem";

/// How long reaching the hub may take before a node's connection is given
/// up: the same bound the hub gives a handshake, so a dead upstream does
/// not hold a node for the operating system's minutes-long TCP timeout.
const UPSTREAM_CONNECT_TIMEOUT: Duration = HANDSHAKE_TIMEOUT;

/// Pause after a failed `accept` (out of file descriptors, say), so that a
/// persistent failure is not retried in a busy loop; a normal accept never
/// waits for it.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Which adversary the proxy is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyKind {
    /// A passive wiretap (`cablesim tap`): records every byte, alters none.
    Tap,
    /// An adversary in the middle (`cablesim mitm`): tries to terminate the
    /// node's TLS with a certificate from its own CA.
    Mitm {
        /// The network's certificate directory (`cablesim certs`): only its
        /// public `ca.pem` is read, the CA the MITM checks the real hub
        /// against when it connects onwards.
        certs: PathBuf,
    },
}

impl ProxyKind {
    /// The adversary kind it plants.
    pub fn adversary_kind(&self) -> AdversaryKind {
        match self {
            ProxyKind::Tap => AdversaryKind::Tap,
            ProxyKind::Mitm { .. } => AdversaryKind::Mitm,
        }
    }
}

/// What a proxy is, where it listens and what it knows about the network.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// Where nodes connect (port 0: any free port, see [`Proxy::local_addr`]).
    pub listen: SocketAddr,
    /// The hub (or the next proxy on the link).
    pub upstream: SocketAddr,
    /// Tap or MITM.
    pub kind: ProxyKind,
    /// Where to write the pcapng capture of the link at exit, if anywhere.
    pub pcap: Option<PathBuf>,
    /// The node whose link this proxy sits on: names the adversary
    /// (`tap@NODE`) and the node's side of the capture.
    pub node: String,
    /// The actor it reports as; default the adversary's own name.
    pub actor: Option<String>,
    /// Days it is active (the simulated day comes from [`Proxy::clock`]).
    pub window: DayWindow,
    /// The network, its security settings and its cables' canaries.
    /// Without it nothing can be attributed to a cable, and a MITM assumes
    /// the default transport (`mtls`).
    pub scenario: Option<Scenario>,
}

impl ProxyOptions {
    /// Options with every day in the window, no capture, no actor of its
    /// own and no scenario.
    pub fn new(listen: SocketAddr, upstream: SocketAddr, kind: ProxyKind, node: impl Into<String>) -> Self {
        ProxyOptions {
            listen,
            upstream,
            kind,
            pcap: None,
            node: node.into(),
            actor: None,
            window: DayWindow::new(0, None),
            scenario: None,
        }
    }
}

/// Why a proxy could not start. Failures of single connections are not
/// errors: they are logged with the peer and end only that connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The node is not a name a link can have.
    #[error("node {node:?}: {reason}")]
    BadNode {
        /// The node given.
        node: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The scenario cannot give the cable index.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The network CA certificate could not be read.
    #[error("{}: cannot load the network CA certificate: {reason}", path.display())]
    CaCert {
        /// The file read.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The adversary could not be built (a MITM's own CA).
    #[error(transparent)]
    Adversary(#[from] BuildError),
    /// The capture file cannot be created: found now rather than at exit.
    #[error("{}: cannot create the capture file: {source}", path.display())]
    Pcap {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
}

/// A bound proxy, ready to [`Proxy::run`].
pub struct Proxy {
    listener: TcpListener,
    local: SocketAddr,
    opts: ProxyOptions,
    clock: DayClock,
    adversary: Arc<dyn Adversary>,
    middlebox: Option<Arc<dyn Middlebox>>,
    /// The referee's table: present only with a scenario.
    index: Option<CableIndex>,
    capture: Option<Arc<PcapRecorder>>,
    /// The MITM's own TLS secrets, for the capture; stays empty for a tap,
    /// which holds none.
    secrets: Arc<TlsKeyLog>,
    transport: Transport,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("local", &self.local)
            .field("upstream", &self.opts.upstream)
            .field("adversary", &self.adversary.name())
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// Checks the options, builds the adversary and binds the listener, so
    /// that the caller learns [`Proxy::local_addr`] before serving.
    pub async fn bind(opts: ProxyOptions) -> Result<Proxy, ProxyError> {
        check_node(&opts)?;
        let kind = opts.kind.adversary_kind();
        let name = format!("{kind}@{}", opts.node);
        let spec = AdversarySpec {
            name: name.clone(),
            kind,
            at: Some(opts.node.clone()),
            window: opts.window,
            actor: opts.actor.clone().unwrap_or_else(|| name.clone()),
            impersonate: None,
            to: Vec::new(),
            attack: Vec::new(),
        };
        let transport = opts.scenario.as_ref().map(|s| s.security.transport).unwrap_or_default();
        let key_exchange = tls::KeyExchange::for_setting(
            opts.scenario
                .as_ref()
                .map(|s| s.security.post_quantum)
                .unwrap_or_default(),
        );
        let index = opts.scenario.as_ref().map(cable_index).transpose()?;
        let clock = DayClock::new();
        let secrets = Arc::new(TlsKeyLog::new());
        let adversary: Arc<dyn Adversary> = match &opts.kind {
            ProxyKind::Tap => Arc::new(Tap::new(spec, opts.node.clone())),
            ProxyKind::Mitm { certs } => {
                let ca = load_ca_cert(&certs.join(CA_CERT_FILE))?;
                // As `build_adversaries` does, with a key pool of its own:
                // no other adversary of its actor shares this process.
                let mitm = Mitm::new(
                    spec,
                    opts.node.clone(),
                    transport,
                    key_exchange,
                    ca,
                    ActorKeys::new(),
                    clock.clone(),
                )
                .map_err(|source| BuildError::Pki {
                    name: name.clone(),
                    source: Box::new(source),
                })?;
                Arc::new(mitm.with_key_log(secrets.clone()))
            }
        };
        let middlebox = adversary.clone().middlebox();
        let capture = match &opts.pcap {
            Some(path) => {
                // Created now, so an unwritable path fails before any node
                // connects rather than after a whole exercise.
                std::fs::File::create(path).map_err(|source| ProxyError::Pcap {
                    path: path.clone(),
                    source,
                })?;
                Some(Arc::new(recorder(&opts, transport)))
            }
            None => None,
        };
        let listener = TcpListener::bind(opts.listen)
            .await
            .map_err(|source| ProxyError::Bind {
                addr: opts.listen,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| ProxyError::Bind {
            addr: opts.listen,
            source,
        })?;
        info!(
            adversary = %adversary.name(), actor = %adversary.actor(), listen = %local,
            upstream = %opts.upstream, scenario = opts.scenario.as_ref().map_or("none", |s| s.name.as_str()),
            "adversary proxy listening"
        );
        Ok(Proxy {
            listener,
            local,
            opts,
            clock,
            adversary,
            middlebox,
            index,
            capture,
            secrets,
            transport,
        })
    }

    /// The address nodes connect to (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The proxy's simulated day: set it as the network moves on (the
    /// orchestrator says `day N` on the proxy's stdin). The window is read
    /// against it, as bytes cross and, for a MITM, as a connection starts.
    pub fn clock(&self) -> DayClock {
        self.clock.clone()
    }

    /// The adversary the proxy plants, for a caller that wants its loot
    /// while it runs.
    pub fn adversary(&self) -> Arc<dyn Adversary> {
        self.adversary.clone()
    }

    /// Carries connections until `shutdown` resolves; then stops accepting,
    /// closes the live connections, writes the capture and returns what
    /// the adversary obtained, analysed as in an in-process run.
    ///
    /// Nothing found at exit is an error that would lose the findings: a
    /// capture that cannot be written is [`PcapOutcome::Failed`] in the
    /// outcome, for the caller to report (and exit non-zero on).
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<ProxyOutcome, ProxyError> {
        let counters = Arc::new(Counters::default());
        let mut taps: Vec<Arc<dyn LinkTap>> = vec![Arc::new(LinkView(self.adversary.clone())), counters.clone()];
        if let Some(capture) = &self.capture {
            taps.push(capture.clone());
        }
        let link = Arc::new(LinkSpec {
            node: self.opts.node.clone(),
            upstream: self.opts.upstream,
            clock: self.clock.clone(),
            taps,
            middleboxes: self.middlebox.iter().cloned().collect(),
        });

        let mut live = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                // Shutdown first: a node hammering the port cannot delay it.
                biased;
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((socket, peer)) => {
                        counters.accepted.fetch_add(1, Ordering::Relaxed);
                        let (link, counters) = (link.clone(), counters.clone());
                        live.spawn(async move {
                            if let Err(e) = link.carry(socket, peer).await {
                                counters.failed.fetch_add(1, Ordering::Relaxed);
                                warn!(peer = %peer, upstream = %link.upstream, cause = %e, "connection ended");
                            }
                        });
                    }
                    Err(e) => {
                        warn!(listen = %self.local, cause = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                },
                Some(ended) = live.join_next(), if !live.is_empty() => {
                    if let Err(e) = ended
                        && e.is_panic()
                    {
                        warn!(listen = %self.local, cause = %e, "a connection task panicked");
                    }
                }
            }
        }
        drop(self.listener);
        let open = live.len();
        // Dropping a connection's task closes both its sockets and its
        // link, and the link tells the taps: the capture shows it closed.
        live.abort_all();
        while live.join_next().await.is_some() {}
        info!(listen = %self.local, closed = open, "proxy stopped");

        let pcap = match (&self.capture, &self.opts.pcap) {
            (Some(capture), Some(path)) => Some(match capture.write(path, &self.secrets) {
                Ok(()) => PcapOutcome::Written {
                    path: path.clone(),
                    packets: capture.packets() as u64,
                    connections: capture.connections() as u64,
                    tls_secrets: self.secrets.len() as u64,
                },
                Err(e) => {
                    warn!(path = %path.display(), cause = %e, "capture not written");
                    PcapOutcome::Failed {
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                }
            }),
            _ => None,
        };
        let totals = outcome::Totals {
            connections: counters.accepted.load(Ordering::Relaxed),
            failed_connections: counters.failed.load(Ordering::Relaxed),
            bytes_to_hub: counters.to_hub.load(Ordering::Relaxed),
            bytes_to_node: counters.to_node.load(Ordering::Relaxed),
        };
        Ok(outcome::conclude(outcome::Conclusion {
            adversary: self.adversary,
            kind: self.opts.kind.adversary_kind(),
            listen: self.local,
            upstream: self.opts.upstream,
            node: self.opts.node,
            transport: self.transport,
            scenario: self.opts.scenario.as_ref(),
            index: self.index.as_ref(),
            totals,
            pcap,
        }))
    }
}

/// The node must be a link's end: a valid name, and with a scenario one of
/// its nodes other than the hub.
fn check_node(opts: &ProxyOptions) -> Result<(), ProxyError> {
    let bad = |reason: String| ProxyError::BadNode {
        node: opts.node.clone(),
        reason,
    };
    if opts.node == HUB {
        return Err(bad(
            "the hub has no link of its own: name the node whose link this is".into()
        ));
    }
    if !valid_node_name(&opts.node) {
        return Err(bad("not a node name (1-63 characters of a-z, 0-9 and '-')".into()));
    }
    if let Some(scenario) = &opts.scenario
        && !scenario.network.contains(&opts.node)
    {
        return Err(bad(format!("not a node of scenario {}", scenario.name)));
    }
    Ok(())
}

/// Every cable of the scenario registered as the runner registers them:
/// the listed ones, then the generated ones.
fn cable_index(scenario: &Scenario) -> Result<CableIndex, ProxyError> {
    let mut index = CableIndex::new();
    let generator = scenario.generator()?;
    let listed = scenario.cables.iter().cloned();
    for cable in listed.chain(generator.cables()) {
        register(&mut index, scenario, &cable)?;
    }
    Ok(index)
}

fn register(index: &mut CableIndex, scenario: &Scenario, cable: &Cable) -> Result<(), ProxyError> {
    index.register(cable).map_err(|e| {
        ProxyError::Scenario(ScenarioError::new(
            scenario.source.as_str(),
            None,
            format!("two cables share a canary: {e}"),
        ))
    })
}

/// The network CA's certificate from `path` (PEM, read with
/// rustls-pki-types), checked to be usable as a trust anchor now rather
/// than at the first interception.
fn load_ca_cert(path: &std::path::Path) -> Result<CertificateDer<'static>, ProxyError> {
    let fail = |reason: String| ProxyError::CaCert {
        path: path.to_owned(),
        reason,
    };
    let cert = CertificateDer::from_pem_file(path).map_err(|e| fail(e.to_string()))?;
    // Only the roots matter to this check, not the key exchange.
    tls::client_config_with(&cert, None, true, tls::KeyExchange::Classical).map_err(|e| fail(e.to_string()))?;
    Ok(cert)
}

/// The capture: with a scenario, the node has the address it has in
/// `cablesim run --pcap` (so captures of several proxies merge without
/// clashes); without, it is the only node. The hub's port is the one of
/// the transport, where the Wireshark dissector looks.
fn recorder(opts: &ProxyOptions, transport: Transport) -> PcapRecorder {
    match &opts.scenario {
        Some(scenario) => PcapRecorder::for_network(&scenario.network, transport),
        None => PcapRecorder::new([opts.node.clone()], hub_port(transport)),
    }
}

/// What every connection of the proxy is carried with.
struct LinkSpec {
    node: String,
    upstream: SocketAddr,
    clock: DayClock,
    taps: Vec<Arc<dyn LinkTap>>,
    middleboxes: Vec<Arc<dyn Middlebox>>,
}

/// Why one connection ended early: logged with its peer, never fatal.
#[derive(Debug, thiserror::Error)]
enum CarryError {
    #[error("cannot reach the hub at {upstream}: {source}")]
    Upstream { upstream: SocketAddr, source: io::Error },
    #[error("no connection to the hub at {upstream} within {timeout:?}")]
    UpstreamTimeout { upstream: SocketAddr, timeout: Duration },
    #[error("node side: {0}")]
    Node(io::Error),
    #[error("hub side: {0}")]
    Hub(io::Error),
}

impl LinkSpec {
    /// Carries one node connection over a fresh link to the hub until both
    /// ends have closed, or either fails.
    async fn carry(&self, mut client: TcpStream, peer: SocketAddr) -> Result<(), CarryError> {
        let upstream = self.upstream;
        let mut hub = match tokio::time::timeout(UPSTREAM_CONNECT_TIMEOUT, TcpStream::connect(upstream)).await {
            Err(_) => {
                return Err(CarryError::UpstreamTimeout {
                    upstream,
                    timeout: UPSTREAM_CONNECT_TIMEOUT,
                });
            }
            Ok(Err(source)) => return Err(CarryError::Upstream { upstream, source }),
            Ok(Ok(stream)) => stream,
        };
        // Frames are small and the protocol waits for acknowledgements: a
        // proxy that batched them (Nagle) would slow every exchange.
        let _ = client.set_nodelay(true);
        let _ = hub.set_nodelay(true);
        debug!(peer = %peer, upstream = %upstream, node = %self.node, "connection opened");
        // The link of an in-process run, taps and middlebox included.
        let link = Link::with_middleboxes(
            &self.node,
            self.clock.clone(),
            self.taps.clone(),
            self.middleboxes.clone(),
        );
        let (mut node_end, mut hub_end) = (link.node_end, link.hub_end);
        let node_leg = copy_bidirectional(&mut client, &mut node_end);
        let hub_leg = copy_bidirectional(&mut hub_end, &mut hub);
        tokio::pin!(node_leg, hub_leg);
        let (mut node_done, mut hub_done) = (false, false);
        // Either leg failing ends the connection: returning drops both
        // sockets and the link, which closes the other leg too.
        while !(node_done && hub_done) {
            tokio::select! {
                r = &mut node_leg, if !node_done => {
                    r.map_err(CarryError::Node)?;
                    node_done = true;
                }
                r = &mut hub_leg, if !hub_done => {
                    r.map_err(CarryError::Hub)?;
                    hub_done = true;
                }
            }
        }
        debug!(peer = %peer, node = %self.node, "connection closed");
        Ok(())
    }
}

/// Connections and bytes of the node's side of the link.
#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    failed: AtomicU64,
    to_hub: AtomicU64,
    to_node: AtomicU64,
}

impl LinkTap for Counters {
    fn on_bytes(&self, _day: Day, _node: &str, _connection: ConnectionId, direction: Direction, bytes: &[u8]) {
        let counter = match direction {
            Direction::ToHub => &self.to_hub,
            Direction::ToNode => &self.to_node,
        };
        counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests;
