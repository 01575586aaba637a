//! X25519MLKEM768, the hybrid TLS 1.3 key exchange group (IANA codepoint
//! 0x11EC) that `post_quantum = "transport"` or `"both"` makes the only
//! group of every handshake (SECURITY.md, "Post-quantum TLS").
//!
//! Its shares and secret are ML-KEM-768 followed by X25519:
//!
//! | | ML-KEM-768 part | X25519 part | total |
//! |---|---|---|---|
//! | client share | encapsulation key, 1,184 | public key, 32 | 1,216 |
//! | server share | ciphertext, 1,088 | public key, 32 | 1,120 |
//! | shared secret | KEM secret, 32 | DH secret, 32 | 64 |
//!
//! The X25519 half is rustls's own group over ring, which refuses a share
//! of the wrong length and a low-order point (an all-zero secret); the
//! ML-KEM half is the wrappers in [`crate::crypto`], which refuse an
//! encapsulation key failing FIPS 203's modulus check. The secret stays
//! safe while either half holds: a recorded session needs both X25519 and
//! ML-KEM-768 broken to be read.

use std::fmt;

use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};
use zeroize::Zeroizing;

use crate::crypto::ml_kem::rustcrypto::{MlKemPublic, MlKemSecret};
use crate::crypto::{ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN};

/// The group, for a `CryptoProvider`'s `kx_groups`.
pub static X25519MLKEM768: &dyn SupportedKxGroup = &HybridGroup;

/// An X25519 public key, and an X25519 secret.
const X25519_LEN: usize = 32;
/// An ML-KEM-768 shared secret.
const ML_KEM_SECRET_LEN: usize = 32;

/// Length of the client's key share: encapsulation key ‖ X25519 key.
pub const CLIENT_SHARE_LEN: usize = ML_KEM_ENCAPSULATION_KEY_LEN + X25519_LEN;
/// Length of the server's key share: ciphertext ‖ X25519 key.
pub const SERVER_SHARE_LEN: usize = ML_KEM_CIPHERTEXT_LEN + X25519_LEN;
/// Length of the shared secret: ML-KEM secret ‖ X25519 secret.
pub const SHARED_SECRET_LEN: usize = ML_KEM_SECRET_LEN + X25519_LEN;

/// What every malformed share is, to the peer and in the logs: rustls
/// answers it with an `illegal_parameter` alert.
const INVALID_KEY_SHARE: Error = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);

/// The classical half: rustls's X25519 over ring.
fn x25519() -> &'static dyn SupportedKxGroup {
    rustls::crypto::ring::kx_group::X25519
}

struct HybridGroup;

impl fmt::Debug for HybridGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519MLKEM768")
    }
}

impl SupportedKxGroup for HybridGroup {
    /// The client's side: a fresh ML-KEM key pair and X25519 key pair.
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let classical = x25519().start()?;
        let ml_kem = MlKemSecret::generate();
        let mut pub_key = Vec::with_capacity(CLIENT_SHARE_LEN);
        pub_key.extend_from_slice(ml_kem.public());
        pub_key.extend_from_slice(classical.pub_key());
        Ok(Box::new(ActiveHybrid {
            classical,
            ml_kem,
            pub_key,
        }))
    }

    /// The server's side, in one step because its ML-KEM share (the
    /// ciphertext) depends on the client's: encapsulate to the client's
    /// key, and answer its X25519 share with a fresh one of ours.
    fn start_and_complete(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error> {
        if client_share.len() != CLIENT_SHARE_LEN {
            return Err(INVALID_KEY_SHARE);
        }
        let (encapsulation_key, classical_share) = client_share.split_at(ML_KEM_ENCAPSULATION_KEY_LEN);
        let (ciphertext, ml_kem_secret) = MlKemPublic::parse(encapsulation_key)
            .and_then(|key| key.encapsulate())
            .map_err(|_| INVALID_KEY_SHARE)?;
        let classical = x25519().start_and_complete(classical_share)?;
        let mut pub_key = Vec::with_capacity(SERVER_SHARE_LEN);
        pub_key.extend_from_slice(&ciphertext);
        pub_key.extend_from_slice(&classical.pub_key);
        Ok(CompletedKeyExchange {
            group: NamedGroup::X25519MLKEM768,
            pub_key,
            secret: combine(&ml_kem_secret, classical.secret.secret_bytes()),
        })
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }

    /// Defined for TLS 1.3 only (and TLS 1.3 is all this crate speaks).
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

/// A client's exchange between its hello and the server's.
///
/// No `hybrid_component`: offering the X25519 half on its own would let a
/// server (or a man in the middle) settle for the classical group, which
/// is exactly what a network with this group refuses.
struct ActiveHybrid {
    classical: Box<dyn ActiveKeyExchange>,
    ml_kem: MlKemSecret,
    pub_key: Vec<u8>,
}

impl ActiveKeyExchange for ActiveHybrid {
    fn complete(self: Box<Self>, server_share: &[u8]) -> Result<SharedSecret, Error> {
        if server_share.len() != SERVER_SHARE_LEN {
            return Err(INVALID_KEY_SHARE);
        }
        let (ciphertext, classical_share) = server_share.split_at(ML_KEM_CIPHERTEXT_LEN);
        // Only the length can be wrong: an altered ciphertext yields a
        // pseudorandom secret (FIPS 203's implicit rejection), and the
        // handshake then fails at the server's Finished.
        let ml_kem_secret = self.ml_kem.decapsulate(ciphertext).map_err(|_| INVALID_KEY_SHARE)?;
        let classical = self.classical.complete(classical_share)?;
        Ok(combine(&ml_kem_secret, classical.secret_bytes()))
    }

    fn pub_key(&self) -> &[u8] {
        &self.pub_key
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }
}

/// The secret TLS's key schedule takes: ML-KEM's, then X25519's. The
/// `SharedSecret` wipes it when rustls is done with it.
fn combine(ml_kem: &Zeroizing<[u8; ML_KEM_SECRET_LEN]>, x25519: &[u8]) -> SharedSecret {
    let mut secret = Vec::with_capacity(SHARED_SECRET_LEN);
    secret.extend_from_slice(ml_kem.as_slice());
    secret.extend_from_slice(x25519);
    SharedSecret::from(secret)
}

#[cfg(test)]
mod tests;
