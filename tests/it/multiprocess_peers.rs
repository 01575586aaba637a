//! The hub process refuses peers that are not who they say (ARCHITECTURE.md,
//! "Bad input"): a client without a certificate, one with another node's
//! certificate, and one sending garbage are each refused with an alarm naming
//! the peer (`certificate-rejected`, `identity-mismatch`, `malformed`), and the
//! real nodes' traffic carries on through the same hub.

use crate::support::processes;

use std::sync::Arc;

use cablesim::adversary::decode_stream;
use cablesim::net::{Pki, tls};
use cablesim::scenario::resolve;
use cablesim::wire::{DEFAULT_MAX_FRAME, ErrorCode, Frame, PROTOCOL_VERSION, encode_frame};
use processes::{ANY_PORT, certs, exchange, spawn_hub, spawn_node, temp_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SCENARIO: &str = "tests/fixtures/trio.toml";

fn hello(node: &str) -> Vec<u8> {
    encode_frame(
        &Frame::Hello {
            node: node.to_owned(),
            protocol: PROTOCOL_VERSION,
        },
        DEFAULT_MAX_FRAME,
    )
    .unwrap()
}

/// Says hello as `claimed` over TLS with `config`, and returns the frames
/// the hub answered before closing, or the error that ended the exchange.
async fn hello_over_tls(addr: &str, config: Arc<rustls::ClientConfig>, claimed: &str) -> Result<Vec<Frame>, String> {
    let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let mut stream = connector
        .connect(tls::hub_server_name(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    stream.write_all(&hello(claimed)).await.map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.map_err(|e| e.to_string())?;
    Ok(decode_stream(&answer))
}

#[test]
fn impostors_and_garbage_are_refused_and_the_others_carry_on() {
    let dir = temp_dir("peers");
    certs(SCENARIO, &dir.join("certs"));
    let (mut hub, addr) = spawn_hub(&dir, SCENARIO, ANY_PORT, "hub");
    let mut at = spawn_node(&dir, SCENARIO, "at-mfa", &addr, "at-mfa");
    let mut be = spawn_node(&dir, SCENARIO, "be-mfa", &addr, "be-mfa");
    for n in [&mut at, &mut be] {
        n.send("refresh");
        n.expect_event("refreshed");
    }
    exchange(&mut at, &mut be, "before the impostors");

    let network = resolve(SCENARIO).unwrap().network;
    let pki = Pki::load_pem(&dir.join("certs"), &network).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // No client certificate: mutual TLS refuses the handshake.
        let anonymous = tls::client_config_with(pki.ca_cert(), None, true, tls::KeyExchange::Classical).unwrap();
        let refused = hello_over_tls(&addr, anonymous, "at-mfa").await;
        assert!(refused.is_err(), "a client without a certificate got {refused:?}");

        // be-mfa's certificate, claiming to be at-mfa: refused by name.
        let be_creds = pki.credentials("be-mfa").unwrap();
        let impostor =
            tls::client_config_with(pki.ca_cert(), Some(be_creds), true, tls::KeyExchange::Classical).unwrap();
        let answer = hello_over_tls(&addr, impostor, "at-mfa").await.unwrap();
        assert!(
            matches!(
                &answer[..],
                [Frame::Error {
                    code: ErrorCode::NotAuthorized,
                    ..
                }]
            ),
            "{answer:?}"
        );

        // Bytes that are no TLS at all.
        let mut garbage = TcpStream::connect(&addr).await.unwrap();
        garbage.write_all(b"GET / HTTP/1.1\r\nHost: hub\r\n\r\n").await.unwrap();
        let mut rest = Vec::new();
        let _ = garbage.read_to_end(&mut rest).await;
    });

    // One alarm per impostor, each naming what was wrong.
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let alarm = hub.expect_event("alarm");
        assert_eq!(alarm["node"], "hub");
        kinds.push(alarm["kind"].as_str().unwrap().to_owned());
        if alarm["kind"] == "identity-mismatch" {
            let detail = alarm["detail"].as_str().unwrap();
            assert!(detail.starts_with("hello as at-mfa: "), "{detail}");
        }
    }
    kinds.sort();
    // Bytes that are no TLS at all are malformed, not a certificate.
    assert_eq!(kinds, ["certificate-rejected", "identity-mismatch", "malformed"]);

    // The real nodes never noticed.
    exchange(&mut be, &mut at, "after the impostors");
    exchange(&mut at, &mut be, "and again");
    assert!(at.seen_named("alarm").is_empty() && be.seen_named("alarm").is_empty());
    for n in [&mut at, &mut be] {
        n.send("quit");
        assert_eq!(n.wait(), Some(0));
    }
    hub.send("quit");
    assert_eq!(hub.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
