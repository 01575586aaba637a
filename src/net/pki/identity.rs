//! The identity a certificate certifies: the Ed25519 key that key pinning
//! and signature checks trust for the certificate's node.

use rustls::server::ParsedCertificate;
use rustls_pki_types::{CertificateDer, alg_id};

use crate::crypto::IdentityPublic;
use crate::crypto::primitives::KEY_LEN;

/// The Ed25519 public key a certificate certifies, or `None` if the bytes
/// are not a certificate or its key is not Ed25519.
///
/// This is the identity key pinning trusts for the certificate's node, so
/// the hub can learn a client's identity from the certificate it presented.
pub fn certified_identity(cert: &CertificateDer<'_>) -> Option<IdentityPublic> {
    let parsed = ParsedCertificate::try_from(cert).ok()?;
    let spki = parsed.subject_public_key_info();
    // An Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) is a fixed DER prefix
    // followed by the 32-byte key; compare against the one rustls builds
    // rather than parsing the structure by hand.
    let template = rustls::sign::public_key_to_spki(&alg_id::ED25519, [0u8; KEY_LEN]);
    let prefix_len = template.len() - KEY_LEN;
    if spki.len() != template.len() || spki.get(..prefix_len) != template.get(..prefix_len) {
        return None;
    }
    let key: [u8; KEY_LEN] = spki.get(prefix_len..)?.try_into().ok()?;
    Some(IdentityPublic(key))
}
