//! Issuing the network's certificates: the demo CA and one certificate per
//! node, made in memory with rcgen.

use std::collections::BTreeMap;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ED25519, date_time_ymd,
};
use rustls_pki_types::PrivatePkcs8KeyDer;

use super::{CA_COMMON_NAME, NodeCredentials, Pki, PkiError};
use crate::crypto::primitives::sha256;
use crate::crypto::{IdentityKey, IdentityPublic};
use crate::model::{HUB, Network};

/// Fixed validity of every certificate, 2020-01-01 to 2050-01-01: long
/// enough for any demo, and fixed so that two runs with the same keys
/// would issue the same bytes, whatever today's date.
const NOT_BEFORE: (i32, u8, u8) = (2020, 1, 1);
const NOT_AFTER: (i32, u8, u8) = (2050, 1, 1);

impl Pki {
    /// A fresh CA and one fresh identity and certificate per node of
    /// `network`, the hub included.
    ///
    /// Each certificate names the node as its subject common name and as
    /// its single DNS subject alternative name (the one webpki checks).
    /// The hub's is for server authentication only and every other node's
    /// for client authentication only: besides the name, the purpose keeps
    /// a node's certificate (stolen or not) from ever passing as the hub's.
    pub fn generate(network: &Network) -> Result<Pki, PkiError> {
        let issue_err = |subject: &str| {
            let subject = subject.to_owned();
            move |source| PkiError::Issue { subject, source }
        };

        let ca_identity = IdentityKey::generate();
        let ca_key = signing_key(&ca_identity).map_err(issue_err(CA_COMMON_NAME))?;
        let ca = CertifiedIssuer::self_signed(ca_params(&ca_identity.public()), ca_key)
            .map_err(issue_err(CA_COMMON_NAME))?;

        let mut certs = BTreeMap::new();
        let mut cert_pems = BTreeMap::new();
        for node in network.nodes() {
            let identity = IdentityKey::generate();
            let key = signing_key(&identity).map_err(issue_err(&node.name))?;
            let cert = leaf_params(&node.name, &identity.public())
                .and_then(|params| params.signed_by(&key, &ca))
                .map_err(issue_err(&node.name))?;
            cert_pems.insert(node.name.clone(), cert.pem());
            certs.insert(
                node.name.clone(),
                NodeCredentials {
                    name: node.name.clone(),
                    cert: cert.der().clone(),
                    identity,
                },
            );
        }
        tracing::debug!(nodes = certs.len(), "issued the network certificates");
        Ok(Pki {
            ca_cert: ca.der().clone(),
            ca_pem: ca.pem(),
            certs,
            cert_pems,
        })
    }
}

/// The CA: may sign end-entity certificates only (path length 0), since the
/// demo has no intermediate CAs and a node certificate must never be usable
/// to issue others.
///
/// Its name carries a fingerprint of its key, so that two runs' CAs (or a
/// MITM's own CA) have different names: a certificate from another CA is
/// then reported as "unknown issuer", not as a bad signature under a CA of
/// the same name.
fn ca_params(key: &IdentityPublic) -> CertificateParams {
    let fingerprint = sha256(&[b"cablesim ca name v1", &key.0]);
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, CA_COMMON_NAME);
    params.distinguished_name.push(DnType::OrganizationName, "cablesim");
    params.distinguished_name.push(
        DnType::OrganizationalUnitName,
        format!("ca {}", hex::encode(&fingerprint[..8])),
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    set_validity(&mut params);
    set_serial(&mut params, key);
    params
}

/// A node's certificate: its name as common name and single DNS name, and
/// the one purpose its role needs (server for the hub, client otherwise).
fn leaf_params(name: &str, key: &IdentityPublic) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(vec![name.to_owned()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.distinguished_name.push(DnType::OrganizationName, "cablesim");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![if name == HUB {
        ExtendedKeyUsagePurpose::ServerAuth
    } else {
        ExtendedKeyUsagePurpose::ClientAuth
    }];
    params.use_authority_key_identifier_extension = true;
    set_validity(&mut params);
    set_serial(&mut params, key);
    Ok(params)
}

/// A serial number of 20 bytes, from a hash of the certified key, whose
/// first byte is always 0x40 to 0x7f: its DER encoding is then 20 bytes
/// whatever the key. rcgen's own serial drops a leading zero byte (one
/// key in 128), which made one certificate in 128 a byte shorter and the
/// handshake bytes of a run's report differ from run to run.
fn set_serial(params: &mut CertificateParams, key: &IdentityPublic) {
    let hash = sha256(&[b"cablesim serial v1", &key.0]);
    let mut serial = hash[..20].to_vec();
    serial[0] = (serial[0] & 0x3f) | 0x40;
    params.serial_number = Some(serial.into());
}

fn set_validity(params: &mut CertificateParams) {
    let (y, m, d) = NOT_BEFORE;
    params.not_before = date_time_ymd(y, m, d);
    let (y, m, d) = NOT_AFTER;
    params.not_after = date_time_ymd(y, m, d);
}

/// The identity as an rcgen signing key (same key, not a copy of its role).
pub(super) fn signing_key(identity: &IdentityKey) -> Result<KeyPair, rcgen::Error> {
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(identity.pkcs8_der()), &PKCS_ED25519)
}
