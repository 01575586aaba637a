//! A run's public-key infrastructure: one demo CA and, for every node of
//! the network (the hub included), a certificate for the node's identity.
//!
//! A node's TLS key *is* its Ed25519 identity ([`IdentityKey`]). So the
//! "CA-certified identity" that key pinning checks directory keys against
//! (the `key_pinning` field, see "Security options" in ARCHITECTURE.md) is
//! exactly the public key in the node's certificate, and an actor that
//! steals a node's identity key (an endpoint or a key-thief) can also
//! present that node's client certificate to the hub — which is why a MITM
//! under `mtls` succeeds only with stolen keys (ARCHITECTURE.md, rule 6).
//!
//! Certificates are issued in memory with rcgen. Every run makes a fresh
//! CA and fresh keys (keys are random per run, see "Determinism" in
//! ARCHITECTURE.md); only the dates are fixed, so a certificate never
//! depends on the day it was made.
//!
//! Issuing is in `issue`, the PEM files of a certificate directory in
//! `files`, the checks a loaded certificate passes in `verify`, and reading
//! the identity out of a certificate in `identity`.

use std::collections::BTreeMap;
use std::fmt;

use rustls_pki_types::CertificateDer;

use crate::crypto::{IdentityKey, TrustedIdentities};

mod error;
mod files;
mod identity;
mod issue;
mod private_files;
mod verify;

pub use error::PkiError;
pub use identity::certified_identity;
pub(crate) use private_files::{create_private_dir, write_secret};

/// File name of the CA certificate in a certificate directory.
pub(crate) const CA_CERT_FILE: &str = "ca.pem";

/// Common name of the CA certificate every [`Pki::generate`] issues.
pub const CA_COMMON_NAME: &str = "cablesim demo CA";

/// One node's certificate and the identity key it certifies.
///
/// The fields are public so that an adversary holding a stolen identity
/// key can pair it with the (public) certificate and present both, exactly
/// as the real node would.
#[derive(Clone)]
pub struct NodeCredentials {
    /// The node's name: its certificate's common name and only DNS name.
    pub name: String,
    /// The CA-issued certificate (DER).
    pub cert: CertificateDer<'static>,
    /// The node's Ed25519 identity: its TLS key and its signing key.
    pub identity: IdentityKey,
}

impl fmt::Debug for NodeCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeCredentials")
            .field("name", &self.name)
            .field("cert_len", &self.cert.len())
            .field("identity", &self.identity.public())
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The network CA's certificate and every node's credentials.
///
/// The CA's private key is used only inside [`Pki::generate`] and then
/// dropped: it is never stored nor written. Whoever holds it can certify a
/// "ghost" identity under any node's name and so defeat both mTLS and key
/// pinning; a demo that needs more certificates makes a new PKI instead.
pub struct Pki {
    /// The one trust anchor of every link and of key pinning.
    ca_cert: CertificateDer<'static>,
    /// `ca_cert` as PEM text, kept because rustls-pki-types reads PEM but
    /// does not write it.
    ca_pem: String,
    /// By node name, hub included.
    certs: BTreeMap<String, NodeCredentials>,
    /// Each node's certificate as PEM text, for the same reason as `ca_pem`.
    cert_pems: BTreeMap<String, String>,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pki")
            .field("ca", &CA_COMMON_NAME)
            .field("nodes", &self.certs.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Pki {
    /// The CA certificate, the trust anchor of every link.
    pub fn ca_cert(&self) -> &CertificateDer<'static> {
        &self.ca_cert
    }

    /// The credentials of the node with this name.
    pub fn credentials(&self, name: &str) -> Option<&NodeCredentials> {
        self.certs.get(name)
    }

    /// Every node's credentials, by name (the hub among them).
    pub fn nodes(&self) -> impl Iterator<Item = &NodeCredentials> {
        self.certs.values()
    }

    /// The certified identity of every node, by name: the trust anchor of
    /// key pinning and signature checks.
    pub fn trusted_identities(&self) -> TrustedIdentities {
        let mut trusted = TrustedIdentities::new();
        for creds in self.certs.values() {
            // Equal to `certified_identity(&creds.cert)`: `generate` certified
            // this very key, and `load_pem` refuses a key that differs.
            trusted.insert(&creds.name, creds.identity.public());
        }
        trusted
    }
}

/// What one process of the network holds (see [`Pki::load_local`]).
#[derive(Debug, Clone)]
pub struct LocalPki {
    /// The network CA: the trust anchor of every handshake.
    pub ca_cert: CertificateDer<'static>,
    /// This process's own certificate and identity key.
    pub own: NodeCredentials,
    /// Every node's certified identity.
    pub trusted: TrustedIdentities,
}

#[cfg(test)]
mod tests;
