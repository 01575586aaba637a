//! The reader against RFC 8448's published trace, and against real rustls
//! connections with the project's own configurations, run in memory: both
//! directions recorded byte for byte as they crossed.

use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use rustls::crypto::tls13::OkmBlock;
use rustls::crypto::{ActiveKeyExchange, CryptoProvider, SharedSecret, SupportedKxGroup};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection};

use super::rfc8448::{self, bytes};
use super::*;
use crate::adversary::TlsSecretEscrow;
use crate::model::{Network, Node, Role, Transport};
use crate::net::Pki;
use crate::net::tls::{self, client_config, hub_server_name, server_config};

fn pki() -> &'static Pki {
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
struct Link {
    client: Connection,
    server: Connection,
    /// On the wire node->hub and hub->node.
    to_hub: Vec<u8>,
    to_node: Vec<u8>,
    /// What the application at each end received.
    at_hub: Vec<u8>,
    at_node: Vec<u8>,
}

impl Link {
    /// Connects and runs the handshake.
    fn open(client: Arc<ClientConfig>, server: Arc<ServerConfig>) -> Link {
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
fn mtls(escrow: &Arc<TlsSecretEscrow>) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let client = client_config(pki(), "at-mfa", Transport::Mtls, true).unwrap();
    (
        tls::client_with_key_log(client, escrow.clone()),
        server_config(pki(), Transport::Mtls).unwrap(),
    )
}

/// A client offering only `kx_groups`, trusting the network CA.
fn client_with_groups(
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
fn converse(link: &mut Link, n: u8) -> (Vec<u8>, Vec<u8>) {
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

fn only<T: std::fmt::Debug>(mut items: Vec<T>) -> T {
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}

#[test]
fn traffic_keys_match_rfc8448() {
    let Some(SupportedCipherSuite::Tls13(suite)) = rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .find(|s| s.suite() == CipherSuite::TLS13_AES_128_GCM_SHA256)
    else {
        panic!("ring has TLS_AES_128_GCM_SHA256");
    };
    for (secret, key, iv) in [
        (rfc8448::SERVER_AP_SECRET, rfc8448::SERVER_AP_KEY, rfc8448::SERVER_AP_IV),
        (rfc8448::CLIENT_AP_SECRET, rfc8448::CLIENT_AP_KEY, rfc8448::CLIENT_AP_IV),
    ] {
        let expander = suite.hkdf_provider.expander_for_okm(&OkmBlock::new(&bytes(secret)));
        let derived_key = rustls::internal::derive_traffic_key(expander.as_ref(), suite.aead_alg);
        let derived_iv = rustls::internal::derive_traffic_iv(expander.as_ref());
        assert_eq!(derived_key.as_ref(), bytes(key).as_slice());
        assert_eq!(derived_iv.as_ref(), bytes(iv).as_slice());
    }
}

#[test]
fn the_rfc8448_trace_reads_and_decrypts() {
    let (to_hub, to_node) = rfc8448::recording();
    let session = only(recorded_sessions(&to_hub, &to_node));
    assert_eq!(session.client_random.as_slice(), bytes(rfc8448::CLIENT_RANDOM));
    assert_eq!(
        session.client_shares,
        [KeyShare {
            group: NamedGroup::X25519,
            key: bytes(rfc8448::CLIENT_SHARE)
        }]
    );
    assert_eq!(session.server_share.key, bytes(rfc8448::SERVER_SHARE));
    assert_eq!(u16::from(session.group()), 0x001d);
    assert_eq!(u16::from(session.cipher_suite), 0x1301);
    assert!(!session.hello_retry);
    // Client Finished, data, close_notify; server flight, ticket, data, close_notify.
    assert_eq!(session.records.each_ref().map(Vec::len), [3, 4]);

    let secrets = TrafficSecrets::new(&bytes(rfc8448::CLIENT_AP_SECRET), &bytes(rfc8448::SERVER_AP_SECRET));
    let plain = decrypt(&session, &secrets).unwrap();
    let payload: Vec<u8> = (0..50).collect();
    assert_eq!(plain.to_hub, payload);
    assert_eq!(plain.to_node, payload);
    // The ticket and the alerts open but carry no application data.
    assert_eq!(plain.records, [2, 3]);
}

#[test]
fn a_live_session_reads_as_x25519_and_decrypts_exactly() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    let mut link = Link::open(client, server);
    let (up, down) = converse(&mut link, 1);

    let session = only(recorded_sessions(&link.to_hub, &link.to_node));
    assert_eq!(escrow.client_randoms(), [session.client_random]);
    assert_eq!(session.group(), NamedGroup::X25519);
    assert_eq!(u16::from(session.group()), 0x001d);
    assert_eq!(session.cipher_suite, CipherSuite::TLS13_AES_256_GCM_SHA384);
    assert_eq!(session.client_shares.len(), 1);
    assert_eq!(session.client_shares[0].group, NamedGroup::X25519);
    assert_eq!(session.client_shares[0].key.len(), 32);
    assert_eq!(session.server_share.key.len(), 32);
    assert!(!session.hello_retry);

    let secrets = escrow.secrets(&session.client_random).unwrap();
    let plain = decrypt(&session, &secrets).unwrap();
    assert_eq!(plain.to_hub, up);
    assert_eq!(plain.to_node, down);
    // node->hub: 1 + 3 (40,000 bytes in 16 KiB records); hub->node: 1 + 2 + 1.
    assert_eq!(plain.records, [4, 4]);
}

#[test]
fn two_connections_back_to_back_read_as_two_sessions() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    let mut first = Link::open(client.clone(), server.clone());
    let sent_first = converse(&mut first, 1);
    let mut second = Link::open(client, server);
    let sent_second = converse(&mut second, 2);
    let to_hub = [first.to_hub, second.to_hub].concat();
    let to_node = [first.to_node, second.to_node].concat();

    let sessions = recorded_sessions(&to_hub, &to_node);
    assert_eq!(sessions.len(), 2);
    assert_ne!(sessions[0].client_random, sessions[1].client_random);
    for (session, (up, down)) in sessions.iter().zip([sent_first, sent_second]) {
        let plain = decrypt(session, &escrow.secrets(&session.client_random).unwrap()).unwrap();
        assert_eq!(plain.to_hub, up);
        assert_eq!(plain.to_node, down);
    }
}

#[test]
fn a_client_offering_only_p256_reports_that_group() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let client = client_with_groups(vec![rustls::crypto::ring::kx_group::SECP256R1], &escrow);
    let mut link = Link::open(client, server_config(pki(), Transport::Tls).unwrap());
    let (up, _) = converse(&mut link, 3);

    let session = only(recorded_sessions(&link.to_hub, &link.to_node));
    assert_eq!(session.group(), NamedGroup::secp256r1);
    assert_eq!(u16::from(session.group()), 0x0017);
    assert_eq!(session.client_shares.len(), 1);
    assert_eq!(session.client_shares[0].group, NamedGroup::secp256r1);
    // An uncompressed P-256 point.
    assert_eq!(session.client_shares[0].key.len(), 65);
    // The reader itself opens any session it has secrets for: refusing a
    // group is the caller's decision.
    let plain = decrypt(&session, &escrow.secrets(&session.client_random).unwrap()).unwrap();
    assert_eq!(plain.to_hub, up);
}

/// A key-exchange group no server supports (a GREASE value, RFC 8701),
/// offered first so that the hub has to answer with a HelloRetryRequest.
#[derive(Debug)]
struct UnknownToTheHub;

const GREASE_GROUP: NamedGroup = NamedGroup::Unknown(0x0a0a);

impl SupportedKxGroup for UnknownToTheHub {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        Ok(Box::new(UnknownShare))
    }

    fn name(&self) -> NamedGroup {
        GREASE_GROUP
    }
}

struct UnknownShare;

impl ActiveKeyExchange for UnknownShare {
    fn complete(self: Box<Self>, _peer: &[u8]) -> Result<SharedSecret, rustls::Error> {
        Err(rustls::Error::General("a GREASE group is never chosen".into()))
    }

    fn pub_key(&self) -> &[u8] {
        &[0x42; 32]
    }

    fn group(&self) -> NamedGroup {
        GREASE_GROUP
    }
}

#[test]
fn a_hello_retry_stays_one_session() {
    static UNKNOWN: UnknownToTheHub = UnknownToTheHub;
    let escrow = Arc::new(TlsSecretEscrow::new());
    let client = client_with_groups(vec![&UNKNOWN, rustls::crypto::ring::kx_group::X25519], &escrow);
    let mut link = Link::open(client, server_config(pki(), Transport::Tls).unwrap());
    let (up, down) = converse(&mut link, 4);

    let session = only(recorded_sessions(&link.to_hub, &link.to_node));
    assert!(session.hello_retry);
    assert_eq!(session.group(), NamedGroup::X25519);
    // The shares of the second ClientHello, the one the handshake used.
    assert_eq!(session.client_shares.len(), 1);
    assert_eq!(session.client_shares[0].group, NamedGroup::X25519);
    assert_eq!(escrow.client_randoms(), [session.client_random]);
    let plain = decrypt(&session, &escrow.secrets(&session.client_random).unwrap()).unwrap();
    assert_eq!(plain.to_hub, up);
    assert_eq!(plain.to_node, down);
}

/// One recorded mTLS session with its escrowed secrets and what each side
/// sent, shared by the failure tests and the property tests.
struct Recorded {
    to_hub: Vec<u8>,
    to_node: Vec<u8>,
    secrets: TrafficSecrets,
    up: Vec<u8>,
    down: Vec<u8>,
}

fn recorded() -> &'static Recorded {
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

#[test]
fn fail_secrets_of_another_session_open_nothing() {
    let Recorded { to_hub, to_node, .. } = recorded();
    let session = only(recorded_sessions(to_hub, to_node));
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    Link::open(client, server);
    let other = escrow.secrets(&only(escrow.client_randoms())).unwrap();
    let err = decrypt(&session, &other).unwrap_err();
    assert_eq!(err, TlsReadError::NothingOpens);
    assert!(err.to_string().contains("not this session's"), "{err}");
}

#[test]
fn fail_swapped_secrets_open_nothing() {
    let Recorded {
        to_hub,
        to_node,
        secrets,
        ..
    } = recorded();
    let session = only(recorded_sessions(to_hub, to_node));
    let swapped = TrafficSecrets::new(&secrets.server, &secrets.client);
    assert_eq!(decrypt(&session, &swapped), Err(TlsReadError::NothingOpens));
}

#[test]
fn fail_a_secret_of_the_wrong_length() {
    let Recorded {
        to_hub,
        to_node,
        secrets,
        ..
    } = recorded();
    let session = only(recorded_sessions(to_hub, to_node));
    // TLS_AES_256_GCM_SHA384: secrets are SHA-384 long.
    let short = TrafficSecrets::new(&secrets.client[..32], &secrets.server);
    let err = decrypt(&session, &short).unwrap_err();
    assert_eq!(
        err,
        TlsReadError::SecretLength {
            direction: "node->hub",
            expected: 48,
            found: 32
        }
    );
    assert_eq!(
        err.to_string(),
        "the node->hub traffic secret has 32 bytes, the suite's hash needs 48"
    );
    let long = TrafficSecrets::new(&secrets.client, &[0; 65]);
    assert!(matches!(
        decrypt(&session, &long),
        Err(TlsReadError::SecretLength {
            direction: "hub->node",
            found: 65,
            ..
        })
    ));
}

#[test]
fn fail_a_suite_the_reader_does_not_know() {
    let Recorded {
        to_hub,
        to_node,
        secrets,
        ..
    } = recorded();
    let mut session = only(recorded_sessions(to_hub, to_node));
    session.cipher_suite = CipherSuite::Unknown(0x13ff);
    let err = decrypt(&session, secrets).unwrap_err();
    assert_eq!(err, TlsReadError::UnknownSuite(CipherSuite::Unknown(0x13ff)));
    assert!(err.to_string().contains("not a TLS 1.3 suite"), "{err}");
}

#[test]
fn fail_a_damaged_record_after_the_first_is_named() {
    let Recorded {
        to_hub,
        to_node,
        secrets,
        ..
    } = recorded();
    let mut to_node = to_node.clone();
    // The last byte is in the tag of the last record ("last words").
    *to_node.last_mut().unwrap() ^= 1;
    let session = only(recorded_sessions(to_hub, &to_node));
    let err = decrypt(&session, secrets).unwrap_err();
    assert_eq!(
        err,
        TlsReadError::RecordFails {
            direction: "hub->node",
            seq: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "hub->node record 3 under the application keys does not open: the recording is damaged"
    );
}

#[test]
fn a_truncated_recording_keeps_its_whole_records() {
    let Recorded {
        to_hub,
        to_node,
        secrets,
        up,
        down,
    } = recorded();
    // The last record hub->node ("last words") loses its last byte.
    let cut = &to_node[..to_node.len() - 1];
    let session = only(recorded_sessions(to_hub, cut));
    let plain = decrypt(&session, secrets).unwrap();
    assert_eq!(plain.to_hub, *up);
    assert_eq!(plain.to_node, down[..down.len() - b"last words".len()]);

    // Cut inside the ServerHello: no session at all.
    assert!(recorded_sessions(to_hub, &to_node[..40]).is_empty());
    // Cut inside the ClientHello: no session either.
    assert!(recorded_sessions(&to_hub[..40], to_node).is_empty());
    // Every cut of either side is read without a panic.
    for at in (0..to_node.len()).step_by(97) {
        for session in recorded_sessions(to_hub, &to_node[..at]) {
            let _ = decrypt(&session, secrets);
        }
        for session in recorded_sessions(&to_hub[..at.min(to_hub.len())], to_node) {
            let _ = decrypt(&session, secrets);
        }
    }
}

#[test]
fn a_recording_of_the_handshake_only_opens_nothing() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    let link = Link::open(client, server);
    let session = only(recorded_sessions(&link.to_hub, &link.to_node));
    let secrets = escrow.secrets(&session.client_random).unwrap();
    assert_eq!(decrypt(&session, &secrets), Err(TlsReadError::NothingOpens));
}

#[test]
fn garbage_gives_no_sessions() {
    assert!(recorded_sessions(&[], &[]).is_empty());
    assert!(recorded_sessions(b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n").is_empty());
    // Well-framed records whose handshake messages are nonsense.
    let nonsense_hello = |kind: u8| {
        let mut record = vec![22, 3, 1, 0, 8, kind, 0, 0, 4];
        record.extend_from_slice(&[0xff; 4]);
        record
    };
    assert!(recorded_sessions(&nonsense_hello(1), &nonsense_hello(2)).is_empty());
    // A plain (non-TLS) link of the project: length-prefixed frames.
    assert!(recorded_sessions(&[0, 0, 0, 5, 1, 2, 3, 4, 5], &[0, 0, 0, 1, 9]).is_empty());
    // The real hellos, each direction swapped: nothing pairs.
    let (to_hub, to_node) = rfc8448::recording();
    assert!(recorded_sessions(&to_node, &to_hub).is_empty());
}

#[test]
fn a_hello_retry_without_its_server_hello_is_no_session() {
    let (to_hub, _) = rfc8448::recording();
    // The RFC's ServerHello turned into a HelloRetryRequest: same layout,
    // the special random, and a key_share naming only a group.
    let mut retry = vec![0x03, 0x03];
    retry.extend_from_slice(&hello::HELLO_RETRY_RANDOM);
    retry.extend_from_slice(&[0x00, 0x13, 0x01, 0x00]);
    retry.extend_from_slice(&[
        0x00, 0x0c, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17,
    ]);
    let mut record = vec![22, 3, 3, 0, (retry.len() + 4) as u8, 2, 0, 0, retry.len() as u8];
    record.extend_from_slice(&retry);
    assert_eq!(
        hello::server_hello(&retry),
        Some(hello::ServerHello::Retry {
            session_id: Vec::new(),
            group: NamedGroup::secp256r1
        })
    );
    assert!(recorded_sessions(&to_hub, &record).is_empty());
}

#[test]
fn a_hello_split_over_two_records_is_reassembled() {
    let (to_hub, to_node) = rfc8448::recording();
    let hello_record = bytes(rfc8448::CLIENT_HELLO_RECORD);
    let message = &hello_record[5..];
    let (head, tail) = message.split_at(100);
    let mut split = Vec::new();
    for part in [head, tail] {
        split.extend_from_slice(&[22, 3, 1]);
        split.extend_from_slice(&(part.len() as u16).to_be_bytes());
        split.extend_from_slice(part);
    }
    split.extend_from_slice(&to_hub[hello_record.len()..]);
    let session = only(recorded_sessions(&split, &to_node));
    assert_eq!(session.client_random.as_slice(), bytes(rfc8448::CLIENT_RANDOM));
}

#[test]
fn debug_shows_no_secret_and_no_bytes() {
    let (to_hub, to_node) = rfc8448::recording();
    let session = only(recorded_sessions(&to_hub, &to_node));
    assert_eq!(
        format!("{session:?}"),
        "RecordedSession { client_random: \"cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7\", \
         group: X25519, cipher_suite: TLS13_AES_128_GCM_SHA256, hello_retry: false, records: [3, 4], .. }"
    );
    let secrets = TrafficSecrets::new(&bytes(rfc8448::CLIENT_AP_SECRET), &bytes(rfc8448::SERVER_AP_SECRET));
    assert_eq!(format!("{secrets:?}"), "TrafficSecrets([redacted])");
    let plain = decrypt(&session, &secrets).unwrap();
    assert_eq!(
        format!("{plain:?}"),
        "SessionPlaintext { to_hub: 50, to_node: 50, records: [2, 3] }"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        to_hub in proptest::collection::vec(any::<u8>(), 0..2048),
        to_node in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let _ = recorded_sessions(&to_hub, &to_node);
    }

    #[test]
    fn damaged_recordings_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let Recorded {
        to_hub, to_node, secrets, ..
    } = recorded();
        let (mut up, mut down) = (to_hub.clone(), to_node.clone());
        for (at, value, upward) in flips {
            let side = if upward { &mut up } else { &mut down };
            let at = at.index(side.len());
            side[at] ^= value;
        }
        down.truncate(cut.index(down.len() + 1));
        for session in recorded_sessions(&up, &down) {
            let _ = decrypt(&session, secrets);
        }
    }
}
