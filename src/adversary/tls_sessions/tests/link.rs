//! A TLS connection between the project's configurations, run in memory
//! with both directions recorded byte for byte as they crossed.

use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, OnceLock};

use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection};

use super::only;
use crate::adversary::TlsSecretEscrow;
use crate::adversary::tls_sessions::TrafficSecrets;
use crate::model::{Network, Node, Role, Transport};
use crate::net::Pki;
use crate::net::tls::{self, KeyExchange, client_config, hub_server_name, server_config};

pub(super) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let network = Network::new([
            Node::new("at-mfa", Role::Ministry),
            Node::new("del-kyiv", Role::Mission),
        ])
        .unwrap();
        Pki::generate(&network).unwrap()
    })
}

/// Both ends of one TLS connection, and the bytes that crossed.
pub(super) struct Link {
    pub(super) client: Connection,
    pub(super) server: Connection,
    /// On the wire node->hub and hub->node.
    pub(super) to_hub: Vec<u8>,
    pub(super) to_node: Vec<u8>,
    /// What the application at each end received.
    pub(super) at_hub: Vec<u8>,
    pub(super) at_node: Vec<u8>,
}

impl Link {
    /// Connects and runs the handshake.
    pub(super) fn open(client: Arc<ClientConfig>, server: Arc<ServerConfig>) -> Link {
        let mut link = Link {
            client: ClientConnection::new(client, hub_server_name()).unwrap().into(),
            server: ServerConnection::new(server).unwrap().into(),
            to_hub: Vec::new(),
            to_node: Vec::new(),
            at_hub: Vec::new(),
            at_node: Vec::new(),
        };
        link.pump();
        assert!(!link.client.is_handshaking() && !link.server.is_handshaking());
        link
    }

    fn node_sends(&mut self, bytes: &[u8]) {
        self.client.writer().write_all(bytes).unwrap();
        self.pump();
    }

    fn hub_sends(&mut self, bytes: &[u8]) {
        self.server.writer().write_all(bytes).unwrap();
        self.pump();
    }

    /// Moves bytes both ways until neither end has any to send.
    fn pump(&mut self) {
        loop {
            let up = carry(&mut self.client, &mut self.server, &mut self.to_hub, &mut self.at_hub);
            let down = carry(&mut self.server, &mut self.client, &mut self.to_node, &mut self.at_node);
            if !up && !down {
                break;
            }
        }
    }
}

/// Everything `from` has to send, recorded on `wire` and fed to `to`,
/// whose application reads it into `received`.
fn carry(from: &mut Connection, to: &mut Connection, wire: &mut Vec<u8>, received: &mut Vec<u8>) -> bool {
    let mut moved = false;
    while from.wants_write() {
        let mut chunk = Vec::new();
        from.write_tls(&mut chunk).unwrap();
        wire.extend_from_slice(&chunk);
        let mut rest = chunk.as_slice();
        while !rest.is_empty() {
            to.read_tls(&mut rest).unwrap();
            to.process_new_packets().unwrap();
            let mut buffer = [0u8; 4096];
            loop {
                match to.reader().read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => received.extend_from_slice(&buffer[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("{e}"),
                }
            }
        }
        moved = true;
    }
    moved
}

/// The project's mTLS configurations for node at-mfa, its secrets escrowed.
pub(super) fn mtls(escrow: &Arc<TlsSecretEscrow>) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let client = client_config(pki(), "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap();
    (
        tls::client_with_key_log(client, escrow.clone()),
        server_config(pki(), Transport::Mtls, KeyExchange::Classical).unwrap(),
    )
}

/// A client offering only `kx_groups`, trusting the network CA.
pub(super) fn client_with_groups(
    kx_groups: Vec<&'static dyn SupportedKxGroup>,
    escrow: &Arc<TlsSecretEscrow>,
) -> Arc<ClientConfig> {
    let provider = CryptoProvider {
        kx_groups,
        ..rustls::crypto::ring::default_provider()
    };
    let mut roots = RootCertStore::empty();
    roots.add(pki().ca_cert().clone()).unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls::client_with_key_log(Arc::new(config), escrow.clone())
}

/// A few messages each way, one longer than a record (16 KiB) each way,
/// and a short last one hub->node. Returns what each side sent.
pub(super) fn converse(link: &mut Link, n: u8) -> (Vec<u8>, Vec<u8>) {
    let long_up: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8 ^ n).collect();
    let long_down: Vec<u8> = (0..20_000u32).map(|i| (i % 241) as u8 ^ n).collect();
    let first = format!("cable {n} for the hub");
    let ack = format!("ack {n}");
    link.node_sends(first.as_bytes());
    link.hub_sends(ack.as_bytes());
    link.node_sends(&long_up);
    link.hub_sends(&long_down);
    link.hub_sends(b"last words");
    let up = [first.as_bytes(), &long_up].concat();
    let down = [ack.as_bytes(), &long_down, b"last words"].concat();
    // The ends themselves got exactly this.
    assert_eq!(link.at_hub, up);
    assert_eq!(link.at_node, down);
    (up, down)
}

/// One recorded mTLS session with its escrowed secrets and what each side
/// sent, shared by the failure tests and the property tests.
pub(super) struct Recorded {
    pub(super) to_hub: Vec<u8>,
    pub(super) to_node: Vec<u8>,
    pub(super) secrets: TrafficSecrets,
    pub(super) up: Vec<u8>,
    pub(super) down: Vec<u8>,
}

pub(super) fn recorded() -> &'static Recorded {
    static RECORDED: OnceLock<Recorded> = OnceLock::new();
    RECORDED.get_or_init(|| {
        let escrow = Arc::new(TlsSecretEscrow::new());
        let (client, server) = mtls(&escrow);
        let mut link = Link::open(client, server);
        let (up, down) = converse(&mut link, 5);
        let random = only(escrow.client_randoms());
        Recorded {
            to_hub: link.to_hub,
            to_node: link.to_node,
            secrets: escrow.secrets(&random).unwrap(),
            up,
            down,
        }
    })
}
