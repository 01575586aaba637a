//! The group on its own, without a handshake around it: the sizes of its
//! shares and secret, agreement of the two sides, and every malformed
//! share refused.

use super::*;

/// A client's exchange and the share it sends.
fn client() -> (Box<dyn ActiveKeyExchange>, Vec<u8>) {
    let kx = X25519MLKEM768.start().unwrap();
    let share = kx.pub_key().to_vec();
    (kx, share)
}

fn is_invalid_key_share<T>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare)))
}

#[test]
fn both_sides_agree_on_a_64_byte_secret() {
    let (kx, client_share) = client();
    assert_eq!(client_share.len(), 1216);
    assert_eq!(kx.group(), NamedGroup::X25519MLKEM768);
    let server = X25519MLKEM768.start_and_complete(&client_share).unwrap();
    assert_eq!(server.group, NamedGroup::X25519MLKEM768);
    assert_eq!(server.pub_key.len(), 1120);
    assert_eq!(server.secret.secret_bytes().len(), 64);
    let secret = kx.complete(&server.pub_key).unwrap();
    assert_eq!(secret.secret_bytes(), server.secret.secret_bytes());
}

#[test]
fn the_secret_is_ml_kem_then_x25519() {
    // The client's ML-KEM key decapsulates the first 1,088 bytes of the
    // server's share into the first 32 bytes of the secret.
    let ml_kem = MlKemSecret::generate();
    let classical = x25519().start().unwrap();
    let client_share = [ml_kem.public().as_slice(), classical.pub_key()].concat();
    let server = X25519MLKEM768.start_and_complete(&client_share).unwrap();
    let (ciphertext, server_x25519) = server.pub_key.split_at(ML_KEM_CIPHERTEXT_LEN);
    let ml_kem_secret = ml_kem.decapsulate(ciphertext).unwrap();
    let x25519_secret = classical.complete(server_x25519).unwrap();
    assert_eq!(
        server.secret.secret_bytes(),
        [ml_kem_secret.as_slice(), x25519_secret.secret_bytes()].concat()
    );
}

#[test]
fn fresh_shares_every_time() {
    let (_, first) = client();
    let (_, second) = client();
    assert_ne!(first, second);
}

#[test]
fn tls13_only() {
    assert!(X25519MLKEM768.usable_for_version(ProtocolVersion::TLSv1_3));
    assert!(!X25519MLKEM768.usable_for_version(ProtocolVersion::TLSv1_2));
    assert_eq!(X25519MLKEM768.name(), NamedGroup::X25519MLKEM768);
    assert_eq!(u16::from(X25519MLKEM768.name()), 0x11EC);
    assert_eq!(format!("{X25519MLKEM768:?}"), "X25519MLKEM768");
}

#[test]
fn fail_client_share_of_the_wrong_length() {
    let (_, share) = client();
    for len in [0, 32, 1184, 1215, 1217] {
        let mut wrong = share.clone();
        wrong.resize(len, 7);
        assert!(is_invalid_key_share(X25519MLKEM768.start_and_complete(&wrong)), "{len}");
    }
}

#[test]
fn fail_server_share_of_the_wrong_length() {
    let (_, client_share) = client();
    let server = X25519MLKEM768.start_and_complete(&client_share).unwrap();
    for len in [0, 32, 1088, 1119, 1121] {
        let (kx, _) = client();
        let mut wrong = server.pub_key.clone();
        wrong.resize(len, 7);
        assert!(is_invalid_key_share(kx.complete(&wrong)), "{len}");
    }
}

#[test]
fn fail_ml_kem_key_outside_the_modulus() {
    // The first coefficient is the low 12 bits of the first two bytes:
    // 0xFFF = 4095 is not below q = 3329 (FIPS 203 §7.2).
    let (_, mut share) = client();
    share[0] = 0xFF;
    share[1] |= 0x0F;
    assert!(is_invalid_key_share(X25519MLKEM768.start_and_complete(&share)));
}

#[test]
fn fail_low_order_x25519_point_from_the_client() {
    // Zero is a point of order 1 (RFC 7748 §6.1): X25519 with it is zero.
    let (_, mut share) = client();
    share[ML_KEM_ENCAPSULATION_KEY_LEN..].fill(0);
    assert!(is_invalid_key_share(X25519MLKEM768.start_and_complete(&share)));
}

#[test]
fn fail_low_order_x25519_point_from_the_server() {
    let (kx, client_share) = client();
    let mut server_share = X25519MLKEM768.start_and_complete(&client_share).unwrap().pub_key;
    // 1 is the point of order 4 on Curve25519 (u = 1).
    server_share[ML_KEM_CIPHERTEXT_LEN..].fill(0);
    server_share[ML_KEM_CIPHERTEXT_LEN] = 1;
    assert!(is_invalid_key_share(kx.complete(&server_share)));
}

#[test]
fn altered_ciphertext_gives_another_secret() {
    // Implicit rejection: no error here, a secret the server does not
    // have, so the handshake fails at the Finished messages.
    let (kx, client_share) = client();
    let server = X25519MLKEM768.start_and_complete(&client_share).unwrap();
    let mut altered = server.pub_key.clone();
    altered[0] ^= 1;
    let secret = kx.complete(&altered).unwrap();
    assert_eq!(secret.secret_bytes().len(), 64);
    assert_ne!(secret.secret_bytes(), server.secret.secret_bytes());
}
