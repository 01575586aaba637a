//! An in-process network: a run's PKI, the hub, and one node per network
//! member, each connected over its own in-memory [`Link`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::DuplexStream;
use tracing::warn;

use super::runner::RunError;
use crate::crypto::{GroupKey, NodeKeys};
use crate::model::{E2eMode, Network, SecurityConfig, Transport};
use crate::net::{
    Alarms, DayClock, Hub, HubConfig, HubTap, Link, LinkTap, NodeConfig, NodeError, NodeHandle, NodeTap, Pki,
    TappedStream, tls,
};
use crate::wire::DEFAULT_MAX_FRAME;

/// How long a peer may take to finish its handshake and say hello.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Observers to attach to a network when it starts.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Taps on the links of the named nodes.
    pub link_taps: Vec<(String, Arc<dyn LinkTap>)>,
    /// Observers inside the hub.
    pub hub_taps: Vec<Arc<dyn HubTap>>,
    /// Observers inside every node.
    pub node_taps: Vec<Arc<dyn NodeTap>>,
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
}

impl InProcessNetwork {
    /// Makes the PKI, starts the hub, and connects every node (TLS under
    /// `tls`/`mtls`), concurrently. A node that cannot join is logged and
    /// listed in [`InProcessNetwork::failed`]; the others carry on.
    pub async fn start(network: &Network, security: &SecurityConfig, hooks: &Hooks) -> Result<Self, RunError> {
        let pki = Pki::generate(network)?;
        let trusted = pki.trusted_identities();
        let clock = DayClock::new();
        let alarms = Alarms::new();
        let tls_on = security.transport != Transport::Plain;
        let hub = Hub::new(
            HubConfig {
                network: network.clone(),
                security: security.clone(),
                tls: if tls_on {
                    Some(tls::server_config(&pki, security.transport)?)
                } else {
                    None
                },
                max_frame: DEFAULT_MAX_FRAME,
                handshake_timeout: HANDSHAKE_TIMEOUT,
            },
            clock.clone(),
            alarms.clone(),
            hooks.hub_taps.clone(),
        );
        let group = (security.e2e == E2eMode::Group).then(GroupKey::generate);
        let mut joining = Vec::new();
        for node in network.endpoints() {
            let credentials = pki
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
                    Some(tls::client_config(&pki, &node.name, security.transport, verify_server)?)
                } else {
                    None
                },
                trusted: trusted.clone(),
                max_frame: DEFAULT_MAX_FRAME,
            };
            let keys = NodeKeys::generate(
                &node.name,
                security.e2e,
                security.epoch_days,
                credentials.identity.clone(),
                group.clone(),
            );
            let taps: Vec<Arc<dyn LinkTap>> = hooks
                .link_taps
                .iter()
                .filter(|(at, _)| at == &node.name)
                .map(|(_, tap)| tap.clone())
                .collect();
            let stream = open_link(&hub, &clock, &node.name, taps);
            let (clock, alarms, taps) = (clock.clone(), alarms.clone(), hooks.node_taps.clone());
            let name = node.name.clone();
            let join =
                tokio::spawn(async move { NodeHandle::connect(config, keys, stream, clock, alarms, taps).await });
            joining.push((name, join));
        }
        let mut nodes = BTreeMap::new();
        let mut failed = Vec::new();
        for (name, join) in joining {
            let result = join
                .await
                .unwrap_or_else(|e| Err(NodeError::Connection(format!("task failed: {e}"))));
            match result {
                Ok(handle) => {
                    nodes.insert(name, handle);
                }
                Err(e) => {
                    warn!(node = %name, cause = %e, "node could not join the network");
                    failed.push((name, e));
                }
            }
        }
        Ok(InProcessNetwork {
            hub,
            nodes,
            failed,
            pki,
            clock,
            alarms,
        })
    }

    /// Opens one more link to the hub, labelled `label`, and returns its
    /// client end: for tests and adversaries that talk to the hub directly.
    pub fn open_link(&self, label: &str, taps: Vec<Arc<dyn LinkTap>>) -> TappedStream<DuplexStream> {
        open_link(&self.hub, &self.clock, label, taps)
    }
}

fn open_link(hub: &Hub, clock: &DayClock, label: &str, taps: Vec<Arc<dyn LinkTap>>) -> TappedStream<DuplexStream> {
    let link = Link::new(label, clock.clone(), taps);
    let hub = hub.clone();
    let peer = format!("link:{label}");
    tokio::spawn(async move { hub.serve(link.hub_end, peer).await });
    link.node_end
}
