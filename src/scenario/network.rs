//! An in-process network: a run's PKI, the hub, and one node per network
//! member, each connected over its own in-memory [`Link`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use rustls::KeyLog;
use tokio::io::DuplexStream;
use tracing::warn;

use super::run_error::RunError;
use crate::crypto::{GroupKey, KeyAgreement, NodeKeys};
use crate::model::{E2eMode, Network, SecurityConfig, Transport};
use crate::net::{
    Alarms, DayClock, Hub, HubConfig, HubLimits, HubTap, Link, LinkTap, MemoryHubStore, MemoryNodeStore, Middlebox,
    NodeConfig, NodeError, NodeHandle, NodeTap, Pki, SharedCables, TappedStream, tls,
};
use crate::wire::DEFAULT_MAX_FRAME;

/// How long a peer may take to finish its handshake and say hello.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times a node tries to connect before giving up: a node whose
/// first attempt meets a man in the middle tries again, as real clients do.
pub const CONNECT_ATTEMPTS: usize = 3;

/// Observers and middleboxes to attach to a network when it starts.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Taps on the links of the named nodes.
    pub link_taps: Vec<(String, Arc<dyn LinkTap>)>,
    /// Middleboxes carrying the links of the named nodes.
    pub middleboxes: Vec<(String, Arc<dyn Middlebox>)>,
    /// Observers inside the hub.
    pub hub_taps: Vec<Arc<dyn HubTap>>,
    /// Observers inside every node.
    pub node_taps: Vec<Arc<dyn NodeTap>>,
    /// Where every node's TLS sessions log their secrets, so a capture of
    /// the links can be decrypted (README.md, "Captures for Wireshark").
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// The configuration (preset) the network runs under, named in every
    /// alarm event it logs.
    pub config: Option<String>,
}

/// A network running in this process.
pub struct InProcessNetwork {
    /// The hub.
    pub hub: Hub,
    /// Every node that joined, by name.
    pub nodes: BTreeMap<String, NodeHandle>,
    /// Nodes that could not join, and why.
    pub failed: Vec<(String, NodeError)>,
    /// The run's certificates and identities.
    pub pki: Pki,
    /// The simulated day, shared by every task.
    pub clock: DayClock,
    /// Alarms raised by any node or the hub.
    pub alarms: Alarms,
    hooks: Hooks,
    configs: HashMap<String, NodeConfig>,
}

impl InProcessNetwork {
    /// Makes the PKI and starts the network (see [`InProcessNetwork::start_with`]).
    pub async fn start(network: &Network, security: &SecurityConfig, hooks: &Hooks) -> Result<Self, RunError> {
        Self::start_with(network, security, hooks, Pki::generate(network)?, DayClock::new()).await
    }

    /// Starts the hub and connects every node (TLS under `tls`/`mtls`),
    /// concurrently, with certificates from `pki`. A node that cannot join
    /// after [`CONNECT_ATTEMPTS`] is logged and listed in
    /// [`InProcessNetwork::failed`]; the others carry on.
    pub async fn start_with(
        network: &Network,
        security: &SecurityConfig,
        hooks: &Hooks,
        pki: Pki,
        clock: DayClock,
    ) -> Result<Self, RunError> {
        let kx = tls::KeyExchange::for_setting(security.post_quantum);
        let trusted = pki.trusted_identities();
        let alarms = Alarms::for_config(hooks.config.clone());
        let tls_on = security.transport != Transport::Plain;
        // One copy of each cable for the archive and for all the nodes'
        // inboxes and sent items.
        let shared = SharedCables::new(clock.clone());
        let hub = Hub::with_store(
            HubConfig {
                network: network.clone(),
                security: security.clone(),
                tls: if tls_on {
                    Some(tls::server_config(&pki, security.transport, kx)?)
                } else {
                    None
                },
                max_frame: DEFAULT_MAX_FRAME,
                handshake_timeout: HANDSHAKE_TIMEOUT,
                limits: HubLimits::for_network(network),
            },
            clock.clone(),
            alarms.clone(),
            hooks.hub_taps.clone(),
            Box::new(MemoryHubStore::sharing(shared.clone())),
        )
        .map_err(|e| RunError::Unsupported(format!("the hub's memory store: {e}")))?;
        let group = (security.e2e == E2eMode::Group).then(GroupKey::generate);
        let mut net = InProcessNetwork {
            hub,
            nodes: BTreeMap::new(),
            failed: Vec::new(),
            pki,
            clock,
            alarms,
            hooks: hooks.clone(),
            configs: HashMap::new(),
        };
        let mut joining = Vec::new();
        for node in network.endpoints() {
            let credentials = net
                .pki
                .credentials(&node.name)
                .ok_or_else(|| RunError::Unsupported(format!("no certificate for {}", node.name)))?;
            let verify_server = node.verify_server.unwrap_or(security.verify_server);
            let config = NodeConfig {
                name: node.name.clone(),
                network: network.clone(),
                security: SecurityConfig {
                    verify_server,
                    ..security.clone()
                },
                tls: if tls_on {
                    let config = tls::client_config(&net.pki, &node.name, security.transport, verify_server, kx)?;
                    Some(match &hooks.key_log {
                        Some(key_log) => tls::client_with_key_log(config, key_log.clone()),
                        None => config,
                    })
                } else {
                    None
                },
                trusted: trusted.clone(),
                max_frame: DEFAULT_MAX_FRAME,
            };
            let keys = NodeKeys::with_agreement(
                &node.name,
                security.e2e,
                security.epoch_days,
                1,
                KeyAgreement::hybrid_if(security.post_quantum.end_to_end()),
                credentials.identity.clone(),
                group.clone(),
            );
            net.configs.insert(node.name.clone(), config.clone());
            let links = net.link_maker(&node.name);
            let (clock, alarms, taps) = (net.clock.clone(), net.alarms.clone(), hooks.node_taps.clone());
            let name = node.name.clone();
            let shared = shared.clone();
            let join =
                tokio::spawn(async move { join_with_retries(config, keys, links, clock, alarms, taps, shared).await });
            joining.push((name, join));
        }
        for (name, join) in joining {
            let result = join
                .await
                .unwrap_or_else(|e| Err(NodeError::Connection(format!("task failed: {e}"))));
            match result {
                Ok(handle) => {
                    net.nodes.insert(name, handle);
                }
                Err(e) => {
                    warn!(node = %name, cause = %e, "node could not join the network");
                    net.failed.push((name, e));
                }
            }
        }
        Ok(net)
    }

    /// A maker of fresh links for `node`, with its taps and middleboxes.
    fn link_maker(&self, node: &str) -> LinkMaker {
        LinkMaker {
            hub: self.hub.clone(),
            clock: self.clock.clone(),
            node: node.to_owned(),
            taps: self
                .hooks
                .link_taps
                .iter()
                .filter(|(at, _)| at == node)
                .map(|(_, t)| t.clone())
                .collect(),
            middleboxes: self
                .hooks
                .middleboxes
                .iter()
                .filter(|(at, _)| at == node)
                .map(|(_, m)| m.clone())
                .collect(),
        }
    }

    /// Makes `node` connect again over a fresh link (up to
    /// [`CONNECT_ATTEMPTS`] tries): what a reset link forces.
    pub async fn reconnect(&self, node: &str) -> Result<(), NodeError> {
        let Some(handle) = self.nodes.get(node) else {
            return Err(NodeError::Connection(format!("{node} is not part of the network")));
        };
        let links = self.link_maker(node);
        let mut last = None;
        for _ in 0..CONNECT_ATTEMPTS {
            match handle.reconnect(links.open()).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    warn!(node = %node, cause = %e, "reconnection failed");
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| NodeError::Connection("no attempt made".into())))
    }

    /// Middleboxes that want their link's connection made again on `day`.
    pub fn links_to_reset(&self, day: crate::model::Day) -> Vec<String> {
        let mut nodes: Vec<String> = self
            .hooks
            .middleboxes
            .iter()
            .filter(|(node, m)| m.reconnect_on(day) && self.nodes.contains_key(node))
            .map(|(node, _)| node.clone())
            .collect();
        nodes.sort();
        nodes.dedup();
        nodes
    }

    /// Opens one more link to the hub, labelled `label`, and returns its
    /// client end: for tests and adversaries that talk to the hub directly.
    pub fn open_link(&self, label: &str, taps: Vec<Arc<dyn LinkTap>>) -> TappedStream<DuplexStream> {
        LinkMaker {
            hub: self.hub.clone(),
            clock: self.clock.clone(),
            node: label.to_owned(),
            taps,
            middleboxes: Vec::new(),
        }
        .open()
    }
}

/// Opens fresh links for one node: each connection attempt gets its own.
struct LinkMaker {
    hub: Hub,
    clock: DayClock,
    node: String,
    taps: Vec<Arc<dyn LinkTap>>,
    middleboxes: Vec<Arc<dyn Middlebox>>,
}

impl LinkMaker {
    fn open(&self) -> TappedStream<DuplexStream> {
        let link = Link::with_middleboxes(
            &self.node,
            self.clock.clone(),
            self.taps.clone(),
            self.middleboxes.clone(),
        );
        let hub = self.hub.clone();
        let node = self.node.clone();
        tokio::spawn(async move { hub.serve_link(link.hub_end, &node).await });
        link.node_end
    }
}

async fn join_with_retries(
    config: NodeConfig,
    keys: NodeKeys,
    links: LinkMaker,
    clock: DayClock,
    alarms: Alarms,
    taps: Vec<Arc<dyn NodeTap>>,
    shared: SharedCables,
) -> Result<NodeHandle, NodeError> {
    let mut last = None;
    for attempt in 1..=CONNECT_ATTEMPTS {
        // The same keys on every attempt: a retry is the same node.
        match NodeHandle::connect_with_store(
            config.clone(),
            keys.clone(),
            links.open(),
            clock.clone(),
            alarms.clone(),
            taps.clone(),
            Box::new(MemoryNodeStore::sharing(shared.clone())),
        )
        .await
        {
            Ok(handle) => return Ok(handle),
            Err(e) => {
                warn!(node = %config.name, attempt, cause = %e, "connection attempt failed");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| NodeError::Connection("no attempt made".into())))
}
