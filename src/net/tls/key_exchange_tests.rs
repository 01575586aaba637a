//! Handshakes under each [`KeyExchange`]: hybrid with hybrid, and the
//! refusal, explained, when one side is hybrid and the other classical.

use super::tests::{exchange, handshake, network};
use super::*;

fn group_names(kx: KeyExchange) -> Vec<NamedGroup> {
    kx.groups().iter().map(|g| g.name()).collect()
}

#[test]
fn the_setting_picks_the_groups() {
    assert_eq!(KeyExchange::for_setting(PostQuantum::Off), KeyExchange::Classical);
    assert_eq!(KeyExchange::for_setting(PostQuantum::E2e), KeyExchange::Classical);
    assert_eq!(KeyExchange::for_setting(PostQuantum::Transport), KeyExchange::Hybrid);
    assert_eq!(KeyExchange::for_setting(PostQuantum::Both), KeyExchange::Hybrid);
    assert_eq!(group_names(KeyExchange::Hybrid), [NamedGroup::X25519MLKEM768]);
    assert_eq!(
        group_names(KeyExchange::Classical),
        [NamedGroup::X25519, NamedGroup::secp256r1, NamedGroup::secp384r1]
    );
}

#[test]
fn configurations_carry_only_their_groups() {
    let pki = Pki::generate(&network()).unwrap();
    let client = client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Hybrid).unwrap();
    let server = server_config(&pki, Transport::Mtls, KeyExchange::Hybrid).unwrap();
    for provider in [client.crypto_provider(), server.crypto_provider()] {
        let names: Vec<_> = provider.kx_groups.iter().map(|g| g.name()).collect();
        assert_eq!(names, [NamedGroup::X25519MLKEM768]);
    }
    let classical = client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap();
    assert_eq!(classical.crypto_provider().kx_groups.len(), 3);
}

#[tokio::test]
async fn node_and_hub_talk_over_x25519mlkem768() {
    let pki = Pki::generate(&network()).unwrap();
    for transport in [Transport::Tls, Transport::Mtls] {
        let (server, client) = handshake(
            server_config(&pki, transport, KeyExchange::Hybrid).unwrap(),
            client_config(&pki, "at-mfa", transport, true, KeyExchange::Hybrid).unwrap(),
        )
        .await;
        let (mut server, mut client) = (server.unwrap(), client.unwrap());
        for group in [
            server.get_ref().1.negotiated_key_exchange_group(),
            client.get_ref().1.negotiated_key_exchange_group(),
        ] {
            assert_eq!(group.map(|g| g.name()), Some(NamedGroup::X25519MLKEM768));
        }
        exchange(&mut server, &mut client).await;
    }
}

#[tokio::test]
async fn classical_configurations_still_use_x25519() {
    let pki = Pki::generate(&network()).unwrap();
    let (server, client) = handshake(
        server_config(&pki, Transport::Mtls, KeyExchange::Classical).unwrap(),
        client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Classical).unwrap(),
    )
    .await;
    let client = client.unwrap();
    assert_eq!(
        client.get_ref().1.negotiated_key_exchange_group().map(|g| g.name()),
        Some(NamedGroup::X25519)
    );
    drop(server);
}

/// A handshake between `client_kx` and `server_kx` that must fail: the
/// server's error and the client's, explained.
async fn mismatch(client_kx: KeyExchange, server_kx: KeyExchange) -> (std::io::Error, std::io::Error) {
    let pki = Pki::generate(&network()).unwrap();
    let client = client_config(&pki, "at-mfa", Transport::Mtls, true, client_kx).unwrap();
    let server = server_config(&pki, Transport::Mtls, server_kx).unwrap();
    let (server_result, result) = handshake(server.clone(), client.clone()).await;
    let server_err = server_result.err().unwrap();
    assert!(
        matches!(
            server_err.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
            Some(rustls::Error::PeerIncompatible(PeerIncompatible::NoKxGroupsInCommon))
        ),
        "{server_err}"
    );
    (
        explain_hub_handshake_error(&server, server_err),
        explain_handshake_error(&client, result.err().unwrap()),
    )
}

#[tokio::test]
async fn fail_classical_node_against_hybrid_hub() {
    let (hub_err, err) = mismatch(KeyExchange::Classical, KeyExchange::Hybrid).await;
    assert_eq!(
        err.to_string(),
        "no common key exchange group: the hub requires X25519MLKEM768 (post_quantum) and this node offers only \
         classical groups (received fatal alert: HandshakeFailure)"
    );
    assert!(matches!(
        err.get_ref().and_then(|e| e.downcast_ref::<TlsError>()),
        Some(TlsError::NoCommonKeyExchange {
            ours: KeyExchange::Classical,
            hub: false,
            cause: rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
        })
    ));
    assert!(is_key_exchange_mismatch(&err));
    assert_eq!(
        hub_err.to_string(),
        "no common key exchange group: the hub requires X25519MLKEM768 (post_quantum) and the peer offers only \
         classical groups (peer is incompatible: NoKxGroupsInCommon)"
    );
    assert!(is_key_exchange_mismatch(&hub_err));
}

#[tokio::test]
async fn fail_hybrid_node_against_classical_hub() {
    let (hub_err, err) = mismatch(KeyExchange::Hybrid, KeyExchange::Classical).await;
    assert_eq!(
        err.to_string(),
        "no common key exchange group: this node requires X25519MLKEM768 (post_quantum) and the hub offers only \
         classical groups (received fatal alert: HandshakeFailure)"
    );
    assert_eq!(
        hub_err.to_string(),
        "no common key exchange group: the peer requires X25519MLKEM768 (post_quantum) and the hub offers only \
         classical groups (peer is incompatible: NoKxGroupsInCommon)"
    );
}

#[tokio::test]
async fn other_handshake_errors_are_left_as_they_are() {
    let pki = Pki::generate(&network()).unwrap();
    let rogue = Pki::generate(&network()).unwrap();
    let client = client_config(&pki, "at-mfa", Transport::Mtls, true, KeyExchange::Hybrid).unwrap();
    let (_, result) = handshake(
        server_config(&rogue, Transport::Mtls, KeyExchange::Hybrid).unwrap(),
        client.clone(),
    )
    .await;
    let err = result.err().unwrap();
    let before = err.to_string();
    let after = explain_handshake_error(&client, err);
    assert_eq!(after.to_string(), before);
    assert!(!is_key_exchange_mismatch(&after));
    // An error that is no TLS error at all passes through too.
    let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed");
    assert_eq!(explain_handshake_error(&client, io).to_string(), "closed");
    // The hub is never sent a handshake_failure alert by a node of ours;
    // one received is not explained as a mismatch.
    let server = server_config(&pki, Transport::Mtls, KeyExchange::Hybrid).unwrap();
    let alert = std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        rustls::Error::AlertReceived(AlertDescription::HandshakeFailure),
    );
    assert!(!is_key_exchange_mismatch(&explain_hub_handshake_error(&server, alert)));
}
