//! Handshakes between the configurations this module builds, over
//! in-memory duplex streams: who may talk to whom under each transport.

use std::io;
use std::sync::Mutex;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};
use tokio_rustls::{TlsAcceptor, TlsConnector, client, server};

use super::*;
use crate::model::{Network, Node, Role};

pub(super) fn network() -> Network {
    Network::new([
        Node::new("at-mfa", Role::Ministry),
        Node::new("del-kyiv", Role::Mission),
    ])
    .unwrap()
}

pub(super) type Handshake = (
    io::Result<server::TlsStream<DuplexStream>>,
    io::Result<client::TlsStream<DuplexStream>>,
);

/// Runs both sides of a handshake over an in-memory pipe.
pub(super) async fn handshake(server: Arc<ServerConfig>, client: Arc<ClientConfig>) -> Handshake {
    let (server_io, client_io) = duplex(64 * 1024);
    tokio::join!(
        TlsAcceptor::from(server).accept(server_io),
        TlsConnector::from(client).connect(hub_server_name(), client_io),
    )
}

/// Sends a line each way and checks it arrives intact.
pub(super) async fn exchange(
    server: &mut server::TlsStream<DuplexStream>,
    client: &mut client::TlsStream<DuplexStream>,
) {
    client.write_all(b"cable for the hub").await.unwrap();
    client.flush().await.unwrap();
    let mut buf = [0u8; 17];
    server.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"cable for the hub");
    server.write_all(b"ack").await.unwrap();
    server.flush().await.unwrap();
    let mut buf = [0u8; 3];
    client.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ack");
}

/// Whether the client's link is dead after the server refused it: the
/// client may finish its half of a TLS 1.3 handshake before the server
/// has judged its certificate, and learns of the refusal on first read.
async fn refused(client: io::Result<client::TlsStream<DuplexStream>>) -> bool {
    match client {
        Err(_) => true,
        Ok(mut stream) => {
            let mut buf = [0u8; 1];
            !matches!(stream.read(&mut buf).await, Ok(n) if n > 0)
        }
    }
}

#[tokio::test]
async fn node_and_hub_talk_under_mtls() {
    let pki = Pki::generate(&network()).unwrap();
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let (mut server, mut client) = (server.unwrap(), client.unwrap());
    assert_eq!(
        server.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3)
    );
    let peer = server.get_ref().1.peer_certificates();
    assert_eq!(
        peer.map(|c| c[0].clone()),
        Some(pki.credentials("at-mfa").unwrap().cert.clone())
    );
    authenticate_peer(peer, "at-mfa").unwrap();
    exchange(&mut server, &mut client).await;
}

#[tokio::test]
async fn node_and_hub_talk_under_tls_without_client_certificate() {
    let pki = Pki::generate(&network()).unwrap();
    let (server, client) = handshake(
        server_config(&pki, Transport::Tls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Tls, true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let (mut server, mut client) = (server.unwrap(), client.unwrap());
    assert!(server.get_ref().1.peer_certificates().is_none());
    assert!(matches!(
        authenticate_peer(server.get_ref().1.peer_certificates(), "at-mfa"),
        Err(TlsError::NoPeerCertificate)
    ));
    exchange(&mut server, &mut client).await;
}

#[tokio::test]
async fn fail_mtls_client_without_certificate() {
    let pki = Pki::generate(&network()).unwrap();
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config_with(pki.ca_cert(), None, true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let err = server.unwrap_err();
    assert!(err.to_string().contains("no certificates"), "{err}");
    assert!(refused(client).await);
}

#[tokio::test]
async fn fail_mtls_client_certificate_from_another_ca() {
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let rogue = Pki::generate(&net).unwrap();
    // A MITM's own CA cannot mint a client certificate the hub accepts.
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config_with(pki.ca_cert(), rogue.credentials("at-mfa"), true, KeyExchange::Classical).unwrap(),
    )
    .await;
    assert!(server.is_err());
    assert!(refused(client).await);
}

#[tokio::test]
async fn fail_client_claiming_another_nodes_name() {
    let pki = Pki::generate(&network()).unwrap();
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let (server, _client) = (server.unwrap(), client.unwrap());
    let peer = server.get_ref().1.peer_certificates();
    authenticate_peer(peer, "at-mfa").unwrap();
    let err = authenticate_peer(peer, "del-kyiv").unwrap_err();
    assert!(
        matches!(&err, TlsError::NameMismatch { claimed, certified } if claimed == "del-kyiv" && certified == &["at-mfa"]),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("del-kyiv") && text.contains("at-mfa"), "{text}");
    assert!(matches!(
        authenticate_peer(peer, "Not A Name!"),
        Err(TlsError::InvalidClaimedName(_))
    ));
    assert!(matches!(
        authenticate_peer(Some(&[]), "at-mfa"),
        Err(TlsError::NoPeerCertificate)
    ));
}

#[tokio::test]
async fn stolen_identity_key_passes_mtls_as_its_node() {
    // The TLS key is the identity, so whoever steals it can present the
    // node's certificate to the real hub (ARCHITECTURE.md, rule 6).
    let pki = Pki::generate(&network()).unwrap();
    let stolen = pki.credentials("del-kyiv").unwrap().clone();
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config_with(pki.ca_cert(), Some(&stolen), true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let (server, _client) = (server.unwrap(), client.unwrap());
    authenticate_peer(server.get_ref().1.peer_certificates(), "del-kyiv").unwrap();
}

#[tokio::test]
async fn fail_hub_certificate_from_another_ca() {
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let rogue = Pki::generate(&net).unwrap();
    for transport in [Transport::Tls, Transport::Mtls] {
        let (server, client) = handshake(
            server_config(&rogue, transport, KeyExchange::Classical).unwrap(),
            client_config(&pki, "at-mfa", transport, true, KeyExchange::Classical).unwrap(),
        )
        .await;
        let err = client.unwrap_err();
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
        assert!(server.is_err());
    }
}

#[tokio::test]
async fn unverified_client_talks_to_a_hub_from_another_ca() {
    // The hotel-Wi-Fi MITM of rule 6 (ARCHITECTURE.md) under `tls`: it
    // presents a `hub` certificate from its own CA and the node goes along.
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let rogue = Pki::generate(&net).unwrap();
    let (server, client) = handshake(
        server_config(&rogue, Transport::Tls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Tls, false, KeyExchange::Classical).unwrap(),
    )
    .await;
    exchange(&mut server.unwrap(), &mut client.unwrap()).await;
}

#[tokio::test]
async fn fail_unverified_client_against_mtls_hub_of_another_ca() {
    // Under `mtls` the rogue hub cannot vouch for the node's real
    // certificate, and the node cannot get one from the rogue CA.
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let rogue = Pki::generate(&net).unwrap();
    let (server, client) = handshake(
        server_config(&rogue, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Mtls, false, KeyExchange::Classical).unwrap(),
    )
    .await;
    assert!(server.is_err());
    assert!(refused(client).await);
}

#[tokio::test]
async fn fail_replayed_hub_certificate_without_its_key() {
    // Even a client that checks nothing verifies the handshake
    // signature: the real hub's certificate is useless without its key.
    let pki = Pki::generate(&network()).unwrap();
    let rogue = Pki::generate(&network()).unwrap();
    let hub_cert = pki.credentials(HUB).unwrap().cert.clone();
    let wrong_key = &rogue.credentials(HUB).unwrap().identity;
    // `certified_key` refuses this pair, so assemble it by hand.
    let key = rustls::crypto::ring::sign::any_eddsa_type(&PrivatePkcs8KeyDer::from(wrong_key.pkcs8_der())).unwrap();
    let liar = ServerConfig::builder_with_provider(provider(KeyExchange::Classical))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(CertifiedKey::new(
            vec![hub_cert.clone()],
            key,
        ))));
    let (_server, client) = handshake(
        Arc::new(liar),
        client_config(&pki, "at-mfa", Transport::Tls, false, KeyExchange::Classical).unwrap(),
    )
    .await;
    let err = client.unwrap_err();
    assert!(err.to_string().contains("BadSignature"), "{err}");

    assert!(matches!(
        server_config_with(vec![hub_cert], wrong_key, None, KeyExchange::Classical),
        Err(TlsError::Credentials(_))
    ));
}

#[test]
fn fail_plain_transport_and_unknown_node() {
    let pki = Pki::generate(&network()).unwrap();
    assert!(matches!(
        server_config(&pki, Transport::Plain, KeyExchange::Classical),
        Err(TlsError::PlainTransport)
    ));
    assert!(matches!(
        client_config(&pki, "at-mfa", Transport::Plain, true, KeyExchange::Classical),
        Err(TlsError::PlainTransport)
    ));
    assert!(matches!(
        client_config(&pki, "nobody", Transport::Mtls, true, KeyExchange::Classical),
        Err(TlsError::UnknownNode(n)) if n == "nobody"
    ));
    // Under `tls` the node presents nothing, so its name does not matter.
    assert!(client_config(&pki, "nobody", Transport::Tls, true, KeyExchange::Classical).is_ok());
}

/// Records the labels rustls logs, to check the hook is wired.
#[derive(Debug, Default)]
struct Labels(Mutex<Vec<String>>);

impl KeyLog for Labels {
    fn log(&self, label: &str, _client_random: &[u8], _secret: &[u8]) {
        self.0.lock().unwrap().push(label.to_owned());
    }
}

#[tokio::test]
async fn key_log_receives_the_tls13_secrets() {
    let pki = Pki::generate(&network()).unwrap();
    let labels = Arc::new(Labels::default());
    let client = client_with_key_log(
        client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap(),
        labels.clone(),
    );
    let server = server_with_key_log(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        Arc::new(Labels::default()),
    );
    let (server, client) = handshake(server, client).await;
    exchange(&mut server.unwrap(), &mut client.unwrap()).await;
    let labels = labels.0.lock().unwrap();
    for label in ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"] {
        assert!(labels.iter().any(|l| l == label), "{labels:?}");
    }
}
