//! Live rustls sessions with the project's configurations: found,
//! their group read, and decrypted to exactly what was sent.

use std::sync::Arc;

use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{CipherSuite, ClientConnection, Connection, NamedGroup};

use super::link::{Link, client_with_groups, converse, mtls, pki};
use super::only;
use crate::adversary::TlsSecretEscrow;
use crate::adversary::tls_sessions::{TlsReadError, decrypt, recorded_sessions};
use crate::model::Transport;
use crate::net::tls::{KeyExchange, hub_server_name, server_config};

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
    let mut link = Link::open(
        client,
        server_config(pki(), Transport::Tls, KeyExchange::Classical).unwrap(),
    );
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
    let mut link = Link::open(
        client,
        server_config(pki(), Transport::Tls, KeyExchange::Classical).unwrap(),
    );
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
fn an_unanswered_hello_does_not_shift_the_pairing() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    // A node whose first connection got no answer, then connected again.
    let mut unanswered: Connection = ClientConnection::new(client.clone(), hub_server_name()).unwrap().into();
    let mut to_hub = Vec::new();
    unanswered.write_tls(&mut to_hub).unwrap();
    let mut link = Link::open(client, server);
    let (up, down) = converse(&mut link, 6);
    to_hub.extend_from_slice(&link.to_hub);

    let session = only(recorded_sessions(&to_hub, &link.to_node));
    let plain = decrypt(&session, &escrow.secrets(&session.client_random).unwrap()).unwrap();
    assert_eq!(plain.to_hub, up);
    assert_eq!(plain.to_node, down);
}

#[test]
fn a_recording_that_starts_inside_a_connection_reads_the_next_one() {
    let escrow = Arc::new(TlsSecretEscrow::new());
    let (client, server) = mtls(&escrow);
    let mut first = Link::open(client.clone(), server.clone());
    converse(&mut first, 7);
    let mut second = Link::open(client, server);
    let (up, down) = converse(&mut second, 8);
    // The tap came up in the middle of the first connection's records.
    let to_hub = [&first.to_hub[1000..], &second.to_hub].concat();
    let to_node = [&first.to_node[1000..], &second.to_node].concat();

    let session = only(recorded_sessions(&to_hub, &to_node));
    let plain = decrypt(&session, &escrow.secrets(&session.client_random).unwrap()).unwrap();
    assert_eq!(plain.to_hub, up);
    assert_eq!(plain.to_node, down);
}
