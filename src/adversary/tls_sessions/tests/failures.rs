//! Wrong secrets, damaged and truncated recordings, arbitrary bytes: a
//! clear error or fewer sessions, never a panic.

use std::sync::Arc;

use proptest::prelude::*;
use rustls::CipherSuite;

use super::link::{Link, Recorded, mtls, recorded};
use super::only;
use crate::adversary::TlsSecretEscrow;
use crate::adversary::tls_sessions::{TlsReadError, TrafficSecrets, decrypt, recorded_sessions};

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
