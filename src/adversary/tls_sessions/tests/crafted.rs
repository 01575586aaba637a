//! RFC 8448's published trace, and hellos built by hand: what the reader
//! reads from known bytes, and what it refuses.

use rustls::crypto::tls13::OkmBlock;
use rustls::{CipherSuite, NamedGroup, SupportedCipherSuite};

use super::only;
use crate::adversary::tls_sessions::rfc8448::{self, bytes};
use crate::adversary::tls_sessions::{KeyShare, TrafficSecrets, decrypt, hello, recorded_sessions};

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

/// A handshake record holding one message of type `kind`.
fn handshake_record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut record = vec![22, 3, 3];
    record.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
    record.push(kind);
    record.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    record.extend_from_slice(body);
    record
}

/// `bytes` behind a 16-bit length.
fn vec16(bytes: &[u8]) -> Vec<u8> {
    [&(bytes.len() as u16).to_be_bytes()[..], bytes].concat()
}

/// An extension: type, then its data behind a 16-bit length.
fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
    [&kind.to_be_bytes()[..], &vec16(data)].concat()
}

/// A minimal TLS 1.3 ClientHello body offering `shares`.
fn client_hello_body(random: [u8; 32], session_id: &[u8], shares: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<u8> = shares
        .iter()
        .flat_map(|(group, key)| [&group.to_be_bytes()[..], &vec16(key)].concat())
        .collect();
    let extensions = [extension(43, &[2, 3, 4]), extension(51, &vec16(&entries))].concat();
    [
        &[3, 3][..],
        &random,
        &[session_id.len() as u8],
        session_id,
        &vec16(&[0x13, 0x02]),
        &[1, 0],
        &vec16(&extensions),
    ]
    .concat()
}

/// A TLS 1.3 ServerHello body choosing `group` with the server's `key`.
fn server_hello_body(session_id: &[u8], suite: u16, group: u16, key: &[u8]) -> Vec<u8> {
    let share = [&group.to_be_bytes()[..], &vec16(key)].concat();
    let extensions = [extension(43, &[3, 4]), extension(51, &share)].concat();
    [
        &[3, 3][..],
        &[0x5a; 32],
        &[session_id.len() as u8],
        session_id,
        &suite.to_be_bytes(),
        &[0],
        &vec16(&extensions),
    ]
    .concat()
}

#[test]
fn a_hybrid_session_reports_x25519mlkem768() {
    // The shares a hybrid client sends (RFC 8446 §4.2.8 entries for
    // X25519MLKEM768: 1184-byte ML-KEM-768 key then 32-byte X25519 key;
    // the server answers with a 1088-byte ciphertext then its X25519 key),
    // with plain X25519 offered beside it.
    let session_id = [9u8; 32];
    let hello = client_hello_body(
        [1; 32],
        &session_id,
        &[(0x11ec, vec![0xaa; 1216]), (0x001d, vec![0xbb; 32])],
    );
    let to_hub = [handshake_record(1, &hello), vec![23, 3, 3, 0, 17], vec![0; 17]].concat();
    let to_node = handshake_record(2, &server_hello_body(&session_id, 0x1302, 0x11ec, &[0xcc; 1120]));
    let session = only(recorded_sessions(&to_hub, &to_node));
    assert_eq!(session.group(), NamedGroup::X25519MLKEM768);
    assert_eq!(u16::from(session.group()), 0x11ec);
    assert_eq!(session.server_share.key.len(), 1120);
    assert_eq!(
        session
            .client_shares
            .iter()
            .map(|s| (u16::from(s.group), s.key.len()))
            .collect::<Vec<_>>(),
        [(0x11ec, 1216), (0x001d, 32)]
    );
    assert_eq!(session.cipher_suite, CipherSuite::TLS13_AES_256_GCM_SHA384);
    assert_eq!(session.client_random, [1; 32]);
    assert_eq!(session.records.each_ref().map(Vec::len), [1, 0]);
}

#[test]
fn fail_malformed_hellos_are_no_sessions() {
    let session_id = [9u8; 32];
    let good = client_hello_body([1; 32], &session_id, &[(0x001d, vec![0xbb; 32])]);
    let server = handshake_record(2, &server_hello_body(&session_id, 0x1302, 0x001d, &[0xcc; 32]));
    assert_eq!(recorded_sessions(&handshake_record(1, &good), &server).len(), 1);
    // One byte more or less anywhere in the ClientHello's framing.
    let mut long = good.clone();
    long.push(0);
    assert!(recorded_sessions(&handshake_record(1, &long), &server).is_empty());
    let short = &good[..good.len() - 1];
    assert!(recorded_sessions(&handshake_record(1, short), &server).is_empty());
    // A key_share extension whose list overruns it.
    let mut overrun = good.clone();
    let at = overrun.len() - 32 - 2;
    overrun[at] = 0xff;
    assert!(recorded_sessions(&handshake_record(1, &overrun), &server).is_empty());
    // A ServerHello for TLS 1.2 (no supported_versions) is not read.
    let tls12 = [
        &[3, 3][..],
        &[0x5a; 32],
        &[32],
        &session_id,
        &[0xc0, 0x2f, 0],
        &vec16(&[]),
    ]
    .concat();
    assert!(recorded_sessions(&handshake_record(1, &good), &handshake_record(2, &tls12)).is_empty());
    // Two key_share extensions: ambiguous, refused.
    let doubled = {
        let share = [&0x001du16.to_be_bytes()[..], &vec16(&[0xcc; 32])].concat();
        let extensions = [extension(43, &[3, 4]), extension(51, &share), extension(51, &share)].concat();
        [
            &[3, 3][..],
            &[0x5a; 32],
            &[32],
            &session_id,
            &[0x13, 0x02, 0],
            &vec16(&extensions),
        ]
        .concat()
    };
    assert!(recorded_sessions(&handshake_record(1, &good), &handshake_record(2, &doubled)).is_empty());
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
