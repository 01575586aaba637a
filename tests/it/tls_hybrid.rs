//! The hybrid group of `post_quantum = "transport"` against an
//! implementation nobody here wrote: rustls's own X25519MLKEM768 over
//! aws-lc-rs. Full mTLS handshakes both ways, in memory (rustls is
//! sans-IO: bytes are passed between the two connections by hand), and
//! the group's shares and secret checked against aws-lc-rs's. Then whole
//! networks: a run under `post_quantum = "transport"` delivers every
//! cable over hybrid handshakes, and a classical node facing a hybrid hub
//! is refused with the reason.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cablesim::crypto::NodeKeys;
use cablesim::model::{Day, E2eMode, Network, Node, PostQuantum, Role, SecurityConfig, Transport};
use cablesim::net::{
    AlarmKind, Alarms, ConnectionId, DayClock, Direction, Hub, HubConfig, HubLimits, KeyExchange, Link, LinkTap,
    NodeConfig, NodeError, NodeHandle, Pki, X25519MLKEM768, client_config, hub_server_name, server_config, tls,
};
use cablesim::scenario::{HANDSHAKE_TIMEOUT, Runner, Scenario};
use cablesim::wire::DEFAULT_MAX_FRAME;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{CryptoProvider, SupportedKxGroup, aws_lc_rs};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ClientConnection, Connection, NamedGroup, RootCertStore, ServerConfig, ServerConnection};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const NODE: &str = "at-mfa";

fn pki() -> Pki {
    Pki::generate(&Network::new([Node::new(NODE, Role::Ministry)]).unwrap()).unwrap()
}

/// aws-lc-rs's provider with its X25519MLKEM768 and nothing else.
fn aws_hybrid() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        kx_groups: vec![aws_lc_rs::kx_group::X25519MLKEM768],
        ..aws_lc_rs::default_provider()
    })
}

fn roots(pki: &Pki) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add(pki.ca_cert().clone()).unwrap();
    Arc::new(roots)
}

fn key(pki: &Pki, name: &str) -> PrivateKeyDer<'static> {
    let identity = &pki.credentials(name).unwrap().identity;
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.pkcs8_der().to_vec()))
}

/// An aws-lc-rs hub: the network's hub certificate, node certificates
/// required.
fn aws_server(pki: &Pki) -> Arc<ServerConfig> {
    let provider = aws_hybrid();
    let verifier = WebPkiClientVerifier::builder_with_provider(roots(pki), provider.clone())
        .build()
        .unwrap();
    let hub = pki.credentials("hub").unwrap();
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![hub.cert.clone()], key(pki, "hub"))
        .unwrap();
    Arc::new(config)
}

/// An aws-lc-rs node, with its certificate.
fn aws_client(pki: &Pki) -> Arc<ClientConfig> {
    let provider = aws_hybrid();
    let verifier = WebPkiServerVerifier::builder_with_provider(roots(pki), provider.clone())
        .build()
        .unwrap();
    let node = pki.credentials(NODE).unwrap();
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_webpki_verifier(verifier)
        .with_client_auth_cert(vec![node.cert.clone()], key(pki, NODE))
        .unwrap();
    Arc::new(config)
}

/// Moves everything `from` has to send into `to`: the bytes moved.
fn transfer(from: &mut Connection, to: &mut Connection) -> usize {
    let mut wire = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut wire).unwrap();
    }
    let mut rest = wire.as_slice();
    while !rest.is_empty() {
        to.read_tls(&mut rest).unwrap();
        to.process_new_packets().unwrap();
    }
    wire.len()
}

/// Runs a handshake to the end: the bytes it put on the wire, both ways.
fn handshake(client: &mut Connection, server: &mut Connection) -> usize {
    let mut bytes = 0;
    loop {
        let moved = transfer(client, server) + transfer(server, client);
        bytes += moved;
        if moved == 0 {
            break;
        }
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
    bytes
}

fn connections(client: Arc<ClientConfig>, server: Arc<ServerConfig>) -> (Connection, Connection) {
    (
        Connection::Client(ClientConnection::new(client, hub_server_name()).unwrap()),
        Connection::Server(ServerConnection::new(server).unwrap()),
    )
}

/// Application data crosses both ways.
fn talk(client: &mut Connection, server: &mut Connection) {
    send(client, server, b"cable for the hub");
    send(server, client, b"ack");
}

fn send(from: &mut Connection, to: &mut Connection, text: &[u8]) {
    use std::io::{Read, Write};
    from.writer().write_all(text).unwrap();
    transfer(from, to);
    let mut got = vec![0; text.len()];
    to.reader().read_exact(&mut got).unwrap();
    assert_eq!(got, text);
}

fn negotiated(conn: &Connection) -> Option<NamedGroup> {
    conn.negotiated_key_exchange_group().map(|g| g.name())
}

#[test]
fn our_node_and_an_aws_lc_rs_hub() {
    let pki = pki();
    let ours = client_config(&pki, NODE, Transport::Mtls, true, KeyExchange::Hybrid).unwrap();
    let (mut client, mut server) = connections(ours, aws_server(&pki));
    handshake(&mut client, &mut server);
    assert_eq!(negotiated(&client), Some(NamedGroup::X25519MLKEM768));
    assert_eq!(negotiated(&server), Some(NamedGroup::X25519MLKEM768));
    // The aws-lc-rs hub checked our node's certificate.
    assert_eq!(
        server.peer_certificates().map(|c| c[0].clone()),
        Some(pki.credentials(NODE).unwrap().cert.clone())
    );
    talk(&mut client, &mut server);
}

#[test]
fn an_aws_lc_rs_node_and_our_hub() {
    let pki = pki();
    let ours = server_config(&pki, Transport::Mtls, KeyExchange::Hybrid).unwrap();
    let (mut client, mut server) = connections(aws_client(&pki), ours);
    handshake(&mut client, &mut server);
    assert_eq!(negotiated(&client), Some(NamedGroup::X25519MLKEM768));
    assert_eq!(negotiated(&server), Some(NamedGroup::X25519MLKEM768));
    tls::authenticate_peer(server.peer_certificates(), NODE).unwrap();
    talk(&mut client, &mut server);
}

/// Our group's exchange with `theirs` on the other side, both ways round:
/// the same 64-byte secret, and shares of exactly the draft's sizes.
fn agree(client: &'static dyn SupportedKxGroup, server: &'static dyn SupportedKxGroup) {
    let kx = client.start().unwrap();
    assert_eq!(kx.pub_key().len(), 1216);
    assert_eq!(tls::CLIENT_SHARE_LEN, 1216);
    let done = server.start_and_complete(kx.pub_key()).unwrap();
    assert_eq!(done.pub_key.len(), 1120);
    assert_eq!(tls::SERVER_SHARE_LEN, 1120);
    assert_eq!(done.secret.secret_bytes().len(), 64);
    assert_eq!(tls::SHARED_SECRET_LEN, 64);
    let secret = kx.complete(&done.pub_key).unwrap();
    assert_eq!(secret.secret_bytes(), done.secret.secret_bytes());
}

#[test]
fn shares_and_secret_match_aws_lc_rs() {
    let theirs = aws_lc_rs::kx_group::X25519MLKEM768;
    assert_eq!(X25519MLKEM768.name(), theirs.name());
    agree(X25519MLKEM768, theirs);
    agree(theirs, X25519MLKEM768);
}

#[test]
fn fail_aws_lc_rs_classical_node_against_our_hybrid_hub() {
    let pki = pki();
    let classical_node = {
        let provider = Arc::new(aws_lc_rs::default_provider());
        let verifier = WebPkiServerVerifier::builder_with_provider(roots(&pki), provider.clone())
            .build()
            .unwrap();
        let config = ClientConfig::builder_with_provider(Arc::new(CryptoProvider {
            kx_groups: vec![aws_lc_rs::kx_group::X25519, aws_lc_rs::kx_group::SECP256R1],
            ..aws_lc_rs::default_provider()
        }))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_webpki_verifier(verifier)
        .with_no_client_auth();
        Arc::new(config)
    };
    let ours = server_config(&pki, Transport::Mtls, KeyExchange::Hybrid).unwrap();
    let (mut client, mut server) = connections(classical_node, ours);
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    server.read_tls(&mut hello.as_slice()).unwrap();
    assert_eq!(
        server.process_new_packets().unwrap_err(),
        rustls::Error::PeerIncompatible(rustls::PeerIncompatible::NoKxGroupsInCommon)
    );
    let mut alert = Vec::new();
    server.write_tls(&mut alert).unwrap();
    client.read_tls(&mut alert.as_slice()).unwrap();
    assert_eq!(
        client.process_new_packets().unwrap_err(),
        rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure)
    );
}

/// Our own node and hub configurations under `kx`.
fn ours(pki: &Pki, kx: KeyExchange) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    (
        client_config(pki, NODE, Transport::Mtls, true, kx).unwrap(),
        server_config(pki, Transport::Mtls, kx).unwrap(),
    )
}

/// One mTLS handshake between `configs`: the bytes on the wire, both ways.
fn our_handshake((client, server): &(Arc<ClientConfig>, Arc<ServerConfig>)) -> usize {
    let (mut client, mut server) = connections(client.clone(), server.clone());
    handshake(&mut client, &mut server)
}

/// What the hybrid group costs a handshake. The bytes are exact: the key
/// shares grow by 1,184 (client) and 1,088 (server) bytes, and the client
/// lists one group instead of three (4 bytes fewer). The times are only
/// printed (`--nocapture`): a machine's speed is no test.
#[test]
fn hybrid_handshake_cost() {
    let pki = pki();
    let classical = our_handshake(&ours(&pki, KeyExchange::Classical));
    let hybrid = our_handshake(&ours(&pki, KeyExchange::Hybrid));
    assert_eq!(hybrid - classical, (1216 - 32) + (1120 - 32) - 4);
    // The median of many single handshakes: what other processes on the
    // machine add lands in the tail, not in the middle.
    const ROUNDS: usize = 101;
    let mut times = Vec::new();
    for kx in [KeyExchange::Classical, KeyExchange::Hybrid] {
        let configs = ours(&pki, kx);
        let mut each: Vec<_> = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                our_handshake(&configs);
                start.elapsed()
            })
            .collect();
        each.sort();
        times.push(each[ROUNDS / 2]);
    }
    println!(
        "one in-memory mTLS handshake (median of {ROUNDS}): classical {classical} bytes, {:?}; hybrid {hybrid} bytes, {:?}",
        times[0], times[1]
    );
}

const SCENARIO: &str = r#"
[scenario]
name = "hybrid"
seed = 5
days = 6
cables = 20

[network]
ministries = 3
missions = 2

[security]
transport = "mtls"
e2e = "forward-secret"
"#;

/// The first bytes toward the hub and toward the node of a connection.
type Openings = [Vec<u8>; 2];

/// The first bytes each way of every connection on every link.
#[derive(Default)]
struct Hellos(Mutex<BTreeMap<(String, ConnectionId), Openings>>);

impl LinkTap for Hellos {
    fn on_bytes(&self, _day: Day, node: &str, connection: ConnectionId, direction: Direction, bytes: &[u8]) {
        let mut seen = self.0.lock().unwrap();
        let streams = seen.entry((node.to_owned(), connection)).or_default();
        let stream = &mut streams[usize::from(direction == Direction::ToNode)];
        // A hello is the first record: a few kilobytes are plenty.
        if stream.len() < 8192 {
            stream.extend_from_slice(bytes);
        }
    }
}

/// Reads a big-endian number of `n` bytes at `*at`, moving past it.
fn take(bytes: &[u8], at: &mut usize, n: usize) -> usize {
    let value = bytes[*at..*at + n].iter().fold(0, |acc, b| acc << 8 | usize::from(*b));
    *at += n;
    value
}

/// The extensions of the hello in the first TLS record of `stream`, by
/// type (RFC 8446 §4.1.2 and §4.1.3).
fn hello_extensions(stream: &[u8], client: bool) -> BTreeMap<usize, Vec<u8>> {
    assert_eq!(stream[0], 22, "a handshake record");
    let mut at = 5 + 4 + 2 + 32; // record and handshake headers, version, random
    let session_id = take(stream, &mut at, 1);
    at += session_id;
    if client {
        let suites = take(stream, &mut at, 2);
        at += suites;
        let compression = take(stream, &mut at, 1);
        at += compression;
    } else {
        at += 2 + 1;
    }
    let end = take(stream, &mut at, 2) + at;
    let mut extensions = BTreeMap::new();
    while at < end {
        let kind = take(stream, &mut at, 2);
        let len = take(stream, &mut at, 2);
        extensions.insert(kind, stream[at..at + len].to_vec());
        at += len;
    }
    extensions
}

/// The (group, share length) pairs of a key_share extension.
fn key_shares(data: &[u8], client: bool) -> Vec<(usize, usize)> {
    let mut at = if client { 2 } else { 0 };
    let mut shares = Vec::new();
    while at < data.len() {
        let group = take(data, &mut at, 2);
        let len = take(data, &mut at, 2);
        shares.push((group, len));
        at += len;
    }
    shares
}

const KEY_SHARE: usize = 0x33;
const SUPPORTED_GROUPS: usize = 0x0a;

#[tokio::test(start_paused = true)]
async fn a_run_with_post_quantum_transport_delivers_every_cable_over_the_hybrid_group() {
    let mut scenario = Scenario::from_toml_str(SCENARIO, "hybrid.toml").unwrap();
    scenario.apply_set("post_quantum=transport").unwrap();
    assert_eq!(scenario.security.post_quantum, PostQuantum::Transport);
    let hellos = Arc::new(Hellos::default());
    let mut runner = Runner::new(scenario.clone());
    let names: Vec<String> = scenario.network.endpoints().map(|n| n.name.clone()).collect();
    for name in &names {
        runner = runner.with_link_tap(name.clone(), hellos.clone());
    }
    let outcome = runner.run().await.unwrap();
    let counts = &outcome.report.cables;
    assert_eq!(counts.total, 20);
    assert_eq!(counts.sent + counts.withheld, 20);
    assert_eq!(counts.delivered, counts.sent);
    assert_eq!(counts.failed, 0);
    assert!(outcome.report.alarms.is_empty(), "{:?}", outcome.report.alarms);
    assert_eq!(outcome.nodes.len(), names.len());

    let hellos = hellos.0.lock().unwrap();
    let linked: std::collections::BTreeSet<&String> = hellos.keys().map(|(node, _)| node).collect();
    assert_eq!(linked.len(), names.len(), "every node's link was seen");
    for ((node, connection), [to_hub, to_node]) in hellos.iter() {
        let client = hello_extensions(to_hub, true);
        // Offered: 0x11EC and nothing else, with its 1,216-byte share.
        assert_eq!(client[&SUPPORTED_GROUPS], [0, 2, 0x11, 0xEC], "{node} {connection:?}");
        assert_eq!(key_shares(&client[&KEY_SHARE], true), [(0x11EC, 1216)], "{node}");
        // Chosen: 0x11EC, answered with the 1,120-byte share.
        let server = hello_extensions(to_node, false);
        assert_eq!(key_shares(&server[&KEY_SHARE], false), [(0x11EC, 1120)], "{node}");
    }
}

fn two_nodes() -> Network {
    Network::new([
        Node::new("at-mfa", Role::Ministry),
        Node::new("del-kyiv", Role::Mission),
    ])
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn fail_classical_node_against_a_hybrid_hub_names_the_key_exchange() {
    let (clock, alarms) = (DayClock::new(), Alarms::new());
    let network = two_nodes();
    let pki = Pki::generate(&network).unwrap();
    let security = SecurityConfig {
        transport: Transport::Mtls,
        ..SecurityConfig::default()
    };
    let hub = Hub::new(
        HubConfig {
            network: network.clone(),
            security: SecurityConfig {
                post_quantum: PostQuantum::Transport,
                ..security.clone()
            },
            tls: Some(server_config(&pki, Transport::Mtls, KeyExchange::Hybrid).unwrap()),
            max_frame: DEFAULT_MAX_FRAME,
            handshake_timeout: HANDSHAKE_TIMEOUT,
            limits: HubLimits::default(),
        },
        clock.clone(),
        alarms.clone(),
        Vec::new(),
    );
    let config = NodeConfig {
        name: "del-kyiv".into(),
        network: network.clone(),
        security,
        tls: Some(client_config(&pki, "del-kyiv", Transport::Mtls, true, KeyExchange::Classical).unwrap()),
        trusted: pki.trusted_identities(),
        max_frame: DEFAULT_MAX_FRAME,
    };
    let keys = NodeKeys::generate(
        "del-kyiv",
        E2eMode::ForwardSecret,
        7,
        pki.credentials("del-kyiv").unwrap().identity.clone(),
        None,
    );
    let link = Link::new("del-kyiv", clock.clone(), Vec::new());
    let serving = hub.clone();
    tokio::spawn(async move { serving.serve(link.hub_end, "link:del-kyiv".into()).await });
    let err = NodeHandle::connect(config, keys, link.node_end, clock.clone(), alarms.clone(), Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::Handshake(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "TLS handshake with the hub failed: no common key exchange group: the hub requires X25519MLKEM768 \
         (post_quantum) and this node offers only classical groups (received fatal alert: HandshakeFailure)"
    );
    assert!(hub.connected().is_empty());
    let raised: Vec<(String, AlarmKind, String)> = alarms
        .sorted()
        .into_iter()
        .map(|a| (a.node, a.kind, a.detail))
        .collect();
    assert_eq!(
        raised,
        [
            (
                "del-kyiv".to_owned(),
                AlarmKind::CertificateRejected,
                "TLS handshake refused: no common key exchange group: the hub requires X25519MLKEM768 (post_quantum) \
                 and this node offers only classical groups (received fatal alert: HandshakeFailure)"
                    .to_owned()
            ),
            (
                "hub".to_owned(),
                AlarmKind::CertificateRejected,
                "peer link:del-kyiv: no common key exchange group: the hub requires X25519MLKEM768 (post_quantum) and \
                 the peer offers only classical groups (peer is incompatible: NoKxGroupsInCommon)"
                    .to_owned()
            ),
        ]
    );
}

/// `cablesim ARGS --format json`: its report.
fn cablesim_json(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cablesim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Separate processes over TCP give the same report as one process under
/// `post_quantum = "transport"`: every cable delivered, and a man in the
/// middle of a node that does not verify the hub still reads its link —
/// the hybrid group guards recorded sessions, not unauthenticated ones.
#[test]
fn network_mode_runs_post_quantum_transport_like_run() {
    for args in [
        &["coreu-2018", "--set", "cables=40", "--set", "days=60"][..],
        &["hotel-wifi-mitm", "--set", "cables=60"],
    ] {
        let with = |mode: &'static str| -> Vec<&str> {
            [mode]
                .into_iter()
                .chain(args.iter().copied())
                .chain(["--set", "post_quantum=transport"])
                .collect()
        };
        let processes = cablesim_json(&with("network"));
        assert_eq!(processes, cablesim_json(&with("run")), "{args:?}");
        assert_eq!(processes["security"]["post_quantum"], "transport", "{args:?}");
        let cables = &processes["cables"];
        assert_eq!(cables["delivered"], cables["sent"], "{args:?}: a cable was lost");
        assert_eq!(cables["failed"], 0, "{args:?}");
        // What every actor holds is what it holds with classical TLS.
        let classical: Vec<&str> = ["run"].into_iter().chain(args.iter().copied()).collect();
        assert_eq!(processes["actors"], cablesim_json(&classical)["actors"], "{args:?}");
    }
}
