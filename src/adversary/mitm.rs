//! `mitm`: an adversary in the middle of one node's link — a hotel Wi-Fi,
//! a hostile router (ATT&CK T1557, Adversary-in-the-Middle).
//!
//! It carries the link's bytes and, when the link uses TLS, tries to
//! terminate it with a certificate from its own CA. A node that verifies
//! the hub's certificate refuses (an alarm), and the MITM falls back to
//! passing bytes through, seeing only records. A node that does not verify
//! talks TLS to the MITM, which then opens its own TLS connection to the
//! hub and reads everything in between — unless the hub demands a client
//! certificate the MITM cannot show without the node's stolen key.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tracing::{debug, info};

use super::loot::{ActorKeys, CaptureKind, Loot};
use super::position::identity_from_spec;
use super::tap::{link_captures, slot};
use super::{Adversary, AdversarySpec, Position};
use crate::model::{Day, Network, Transport};
use crate::net::{Alarm, AlarmKind, DayClock, Direction, KeyExchange, Middlebox, NodeCredentials, Pki, tls};

/// An adversary in the middle of a link.
pub struct Mitm {
    spec: AdversarySpec,
    node: String,
    transport: Transport,
    /// The groups of the network's handshakes, which it speaks on both
    /// sides: hybrid key exchange protects against a future decryption of
    /// recorded traffic, not against a man in the middle.
    key_exchange: KeyExchange,
    real_ca: CertificateDer<'static>,
    /// The MITM's own CA and "hub" certificate.
    own: Pki,
    keys: ActorKeys,
    clock: DayClock,
    /// Set once the node refused its certificate: the node verifies the
    /// hub, so from then on it only passes bytes.
    gave_up: AtomicBool,
    /// Set when the hub refused it: the node's next attempt is passed
    /// through (the MITM may try again later, with keys stolen since).
    pass_next: AtomicBool,
    /// Held for the whole of an interception attempt.
    attempt: tokio::sync::Mutex<()>,
    wire: Mutex<[Vec<u8>; 2]>,
    decrypted: Mutex<[Vec<u8>; 2]>,
    /// Where the secrets of the TLS sessions it terminates with the node
    /// go, if anywhere: a capture of the node's side of the link is then
    /// readable in Wireshark, as the MITM itself reads it.
    key_log: Option<Arc<dyn rustls::KeyLog>>,
}

impl Mitm {
    /// A MITM on `node`'s link of a network using `transport` and
    /// `key_exchange`, whose real CA certificate (public) is `real_ca`.
    pub fn new(
        spec: AdversarySpec,
        node: String,
        transport: Transport,
        key_exchange: KeyExchange,
        real_ca: CertificateDer<'static>,
        keys: ActorKeys,
        clock: DayClock,
    ) -> Result<Self, crate::net::PkiError> {
        // A CA of its own, with a certificate for the name "hub".
        let own = Pki::generate(&Network::new([]).unwrap_or_else(|e| unreachable!("an empty network is valid: {e}")))?;
        Ok(Mitm {
            spec,
            node,
            transport,
            key_exchange,
            real_ca,
            own,
            keys,
            clock,
            gave_up: AtomicBool::new(false),
            pass_next: AtomicBool::new(false),
            attempt: tokio::sync::Mutex::new(()),
            wire: Mutex::new([Vec::new(), Vec::new()]),
            decrypted: Mutex::new([Vec::new(), Vec::new()]),
            key_log: None,
        })
    }

    /// Hands the secrets of every TLS session it terminates with the node
    /// to `key_log` (SSLKEYLOGFILE style). In process the node's own key
    /// log already holds them; a MITM proxy in its own process has only
    /// its own sessions to show (see `crate::multiprocess::proxy`).
    pub fn with_key_log(mut self, key_log: Arc<dyn rustls::KeyLog>) -> Self {
        self.key_log = Some(key_log);
        self
    }

    fn record(&self, store: &Mutex<[Vec<u8>; 2]>, direction: Direction, bytes: &[u8]) {
        if !self.spec.window.contains(self.clock.today()) {
            return;
        }
        let mut streams = store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(stream) = streams.get_mut(slot(direction)) {
            stream.extend_from_slice(bytes);
        }
    }

    /// Copies bytes both ways until both sides close, recording them.
    async fn relay<A, B>(&self, node_side: A, hub_side: B, decrypted: bool) -> bool
    where
        A: AsyncRead + AsyncWrite + Unpin,
        B: AsyncRead + AsyncWrite + Unpin,
    {
        let store = if decrypted { &self.decrypted } else { &self.wire };
        let (mut node_read, mut node_write) = tokio::io::split(node_side);
        let (mut hub_read, mut hub_write) = tokio::io::split(hub_side);
        let up = async {
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = node_read.read(&mut buf).await {
                let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                    break;
                };
                self.record(store, Direction::ToHub, chunk);
                if hub_write.write_all(chunk).await.is_err() || hub_write.flush().await.is_err() {
                    break;
                }
            }
            let _ = hub_write.shutdown().await;
        };
        let down = async {
            let mut spoke = false;
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = hub_read.read(&mut buf).await {
                let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                    break;
                };
                spoke = true;
                self.record(store, Direction::ToNode, chunk);
                if node_write.write_all(chunk).await.is_err() || node_write.flush().await.is_err() {
                    break;
                }
            }
            let _ = node_write.shutdown().await;
            spoke
        };
        let ((), hub_spoke) = tokio::join!(up, down);
        hub_spoke
    }

    async fn intercept(&self, node_side: DuplexStream, hub_side: DuplexStream) {
        let Some(own_hub) = self.own.credentials(crate::model::HUB) else {
            return self.give_up("no certificate of its own").await;
        };
        let client_roots = (self.transport == Transport::Mtls).then_some(&self.real_ca);
        let Ok(server) = tls::server_config_with(
            vec![own_hub.cert.clone()],
            &own_hub.identity,
            client_roots,
            self.key_exchange,
        ) else {
            return self.give_up("cannot build its TLS server").await;
        };
        let server = match &self.key_log {
            Some(key_log) => tls::server_with_key_log(server, key_log.clone()),
            None => server,
        };
        let node_tls = match tokio_rustls::TlsAcceptor::from(server).accept(node_side).await {
            Ok(stream) => stream,
            Err(e) => return self.give_up(&format!("the node refused its certificate: {e}")).await,
        };
        // Under mTLS the node showed its client certificate to us; with the
        // node's stolen identity key we can show it to the hub in turn.
        let client = match self.transport {
            Transport::Mtls => {
                let cert = node_tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first().cloned());
                match (cert, self.keys.identity_of(&self.node)) {
                    (Some(cert), Some(identity)) => Some(NodeCredentials {
                        name: self.node.clone(),
                        cert,
                        identity,
                    }),
                    _ => None,
                }
            }
            Transport::Tls | Transport::Plain => None,
        };
        let Ok(config) = tls::client_config_with(&self.real_ca, client.as_ref(), true, self.key_exchange) else {
            return self.give_up("cannot build its TLS client").await;
        };
        let hub_tls = match tokio_rustls::TlsConnector::from(config)
            .connect(tls::hub_server_name(), hub_side)
            .await
        {
            Ok(stream) => stream,
            Err(e) => return self.fall_back(&format!("the hub refused it: {e}")),
        };
        info!(adversary = %self.spec.name, node = %self.node, "TLS intercepted");
        if !self.relay(node_tls, hub_tls, true).await {
            // The hub closed before saying anything: it refused us (no
            // client certificate it accepts).
            self.fall_back("the hub closed the intercepted connection");
        }
    }

    async fn give_up(&self, why: &str) {
        debug!(adversary = %self.spec.name, node = %self.node, why, "interception failed; passing bytes through from now on");
        self.gave_up.store(true, Ordering::SeqCst);
    }

    /// The hub refused us: pass the node's next attempt through, but try
    /// again on a later connection, perhaps with keys stolen since.
    fn fall_back(&self, why: &str) {
        debug!(adversary = %self.spec.name, node = %self.node, why, "interception failed; passing the next connection through");
        self.pass_next.store(true, Ordering::SeqCst);
    }
}

impl Middlebox for Mitm {
    fn carry(
        self: Arc<Self>,
        _node: String,
        node_side: DuplexStream,
        hub_side: DuplexStream,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            let active = self.spec.window.contains(self.clock.today());
            if self.transport == Transport::Plain || !active {
                self.relay(node_side, hub_side, false).await;
                return;
            }
            // One interception attempt at a time, and the outcome of the
            // last one known before the next is decided: a node that
            // refused us retries at once, and must meet the pass-through
            // that its refusal earned, whatever the task scheduling.
            let _attempt = self.attempt.lock().await;
            let pass = self.pass_next.swap(false, Ordering::SeqCst) || self.gave_up.load(Ordering::SeqCst);
            if pass {
                drop(_attempt);
                self.relay(node_side, hub_side, false).await;
            } else {
                self.intercept(node_side, hub_side).await;
            }
        })
    }

    fn reconnect_on(&self, day: Day) -> bool {
        // It sees a TLS handshake only if the connection starts while it is
        // there: the link is reset when it arrives and when it leaves.
        // Day 0 included: its first connection came before the day's
        // thefts, and a client key stolen that day may make the difference.
        self.transport != Transport::Plain && (day == self.spec.window.from || Some(day) == self.spec.window.until)
    }
}

impl Adversary for Mitm {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Link(self.node.clone())
    }

    fn middlebox(self: Arc<Self>) -> Option<Arc<dyn Middlebox>> {
        Some(self)
    }

    fn caused(&self, alarm: &Alarm) -> bool {
        self.spec.window.contains(alarm.day)
            && matches!(alarm.kind, AlarmKind::CertificateRejected | AlarmKind::IdentityMismatch)
            && alarm.link.as_deref() == Some(self.node.as_str())
    }

    fn loot(&self) -> Loot {
        let wire = self.wire.lock().unwrap_or_else(|p| p.into_inner());
        let decrypted = self.decrypted.lock().unwrap_or_else(|p| p.into_inner());
        let mut captures = link_captures("mitm", &self.node, &wire, CaptureKind::Wire);
        captures.extend(link_captures(
            "mitm (TLS intercepted)",
            &self.node,
            &decrypted,
            CaptureKind::Decrypted,
        ));
        Loot {
            captures,
            ..Loot::default()
        }
    }
}
