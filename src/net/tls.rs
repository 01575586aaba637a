//! rustls configurations for the links between nodes and the hub: TLS 1.3
//! only, the ring provider named explicitly, and the network CA of
//! [`Pki`] as the only trust anchor.
//!
//! | transport | hub presents | node presents | node checks the hub |
//! |---|---|---|---|
//! | `plain` | — (no TLS) | — | — |
//! | `tls` | `hub` certificate | nothing | chain to the CA and name `hub`, unless `verify_server = false` |
//! | `mtls` | `hub` certificate | its own certificate, checked against the CA | as `tls` |
//!
//! Under `mtls` the handshake proves only that the client holds *some*
//! CA-issued node certificate; [`authenticate_peer`] then binds it to the
//! name the node claims in its hello.
//!
//! The `*_with` constructors take arbitrary certificates and roots, so an
//! adversary can run the same code with a certificate from its own CA or
//! with a node's stolen credentials (ARCHITECTURE.md, rule 6).
//!
//! Every constructor takes the [`KeyExchange`]: ring's classical groups,
//! or under `post_quantum = "transport"`/`"both"` the hybrid
//! [`X25519MLKEM768`] (`src/net/tls/hybrid_group.rs`) and nothing else,
//! so that no handshake can fall back to a key exchange a quantum
//! computer breaks.

mod hybrid_group;

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, SupportedKxGroup, WebPkiSupportedAlgorithms};
use rustls::server::{ParsedCertificate, WebPkiClientVerifier};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, KeyLog, NamedGroup, PeerIncompatible,
    RootCertStore, ServerConfig, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer, ServerName, UnixTime};

use super::pki::{NodeCredentials, Pki};
use crate::crypto::IdentityKey;
use crate::model::{HUB, PostQuantum, Transport};

pub use hybrid_group::{CLIENT_SHARE_LEN, SERVER_SHARE_LEN, SHARED_SECRET_LEN, X25519MLKEM768};

/// The key exchange groups a configuration offers (as a client) and
/// accepts (as a server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// ring's default groups: X25519, then P-256 and P-384.
    Classical,
    /// [`X25519MLKEM768`] only: a peer without it cannot connect at all.
    Hybrid,
}

impl KeyExchange {
    /// What a network with `post_quantum` uses on its links.
    pub fn for_setting(post_quantum: PostQuantum) -> Self {
        if post_quantum.on_transport() {
            KeyExchange::Hybrid
        } else {
            KeyExchange::Classical
        }
    }

    /// The groups, most preferred first.
    pub fn groups(self) -> Vec<&'static dyn SupportedKxGroup> {
        match self {
            KeyExchange::Classical => rustls::crypto::ring::DEFAULT_KX_GROUPS.to_vec(),
            KeyExchange::Hybrid => vec![X25519MLKEM768],
        }
    }

    /// The key exchange of a configuration's provider.
    fn of(provider: &CryptoProvider) -> Self {
        if provider
            .kx_groups
            .iter()
            .any(|group| group.name() == NamedGroup::X25519MLKEM768)
        {
            KeyExchange::Hybrid
        } else {
            KeyExchange::Classical
        }
    }
}

/// The name every node expects in the hub's certificate (and sends as SNI):
/// the hub's node name, which is what [`Pki`] certifies it under.
pub const HUB_SERVER_NAME: &str = HUB;

/// [`HUB_SERVER_NAME`] as the `ServerName` a `TlsConnector` wants.
pub fn hub_server_name() -> ServerName<'static> {
    // "hub" is a valid DNS name, so the conversion cannot fail.
    ServerName::try_from(HUB_SERVER_NAME).unwrap_or_else(|e| unreachable!("{e}"))
}

/// Why a TLS configuration could not be built or a peer not authenticated.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// `transport = "plain"` has no TLS; the link carries bare frames.
    #[error("transport is plain: there is no TLS configuration to build")]
    PlainTransport,
    /// The PKI has no credentials for this node.
    #[error("no certificate for node {0:?} in this PKI")]
    UnknownNode(String),
    /// The CA certificate cannot be used as a trust anchor.
    #[error("unusable CA certificate: {0}")]
    BadRoot(rustls::Error),
    /// A webpki verifier could not be built over the roots.
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(rustls::client::VerifierBuilderError),
    /// The identity key cannot sign TLS handshakes, or it is not the key
    /// the certificate certifies (someone else's certificate without its
    /// key is useless: the handshake signature would fail).
    #[error("certificate and key cannot be used together: {0}")]
    Credentials(rustls::Error),
    /// Under mTLS the client presented no certificate.
    #[error("the peer presented no certificate")]
    NoPeerCertificate,
    /// The peer's certificate could not be parsed.
    #[error("the peer's certificate is malformed: {0}")]
    BadPeerCertificate(rustls::Error),
    /// The name a client claims is not a name a certificate can carry.
    #[error("the claimed node name {0:?} is not a valid certificate name")]
    InvalidClaimedName(String),
    /// The handshake failed because the two sides share no key exchange
    /// group: one uses only X25519MLKEM768 and the other only classical
    /// groups (`post_quantum` differs between them).
    #[error("no common key exchange group: {} ({cause})", match (ours, hub) {
        (KeyExchange::Classical, false) => "the hub requires X25519MLKEM768 (post_quantum) and this node offers only classical groups",
        (KeyExchange::Hybrid, false) => "this node requires X25519MLKEM768 (post_quantum) and the hub offers only classical groups",
        (KeyExchange::Classical, true) => "the peer requires X25519MLKEM768 (post_quantum) and the hub offers only classical groups",
        (KeyExchange::Hybrid, true) => "the hub requires X25519MLKEM768 (post_quantum) and the peer offers only classical groups",
    })]
    NoCommonKeyExchange {
        /// What this side offered.
        ours: KeyExchange,
        /// Whether this side is the hub (the TLS server).
        hub: bool,
        /// The error rustls reported.
        cause: rustls::Error,
    },
    /// The client's certificate is CA-issued but for another node: a node
    /// (or a thief of its key) trying to speak under someone else's name.
    #[error("the peer claims to be {claimed:?} but its certificate is for {}", certified.join(", "))]
    NameMismatch {
        /// The name in the client's hello.
        claimed: String,
        /// The names its certificate is valid for.
        certified: Vec<String>,
    },
}

/// The hub's server configuration for `transport`.
///
/// Under `mtls` a client must present a certificate that chains to the
/// network CA (and is meant for client authentication), or the handshake
/// fails; under `tls` clients are anonymous.
pub fn server_config(pki: &Pki, transport: Transport, kx: KeyExchange) -> Result<Arc<ServerConfig>, TlsError> {
    let hub = pki
        .credentials(HUB)
        .ok_or_else(|| TlsError::UnknownNode(HUB.to_owned()))?;
    let client_roots = match transport {
        Transport::Plain => return Err(TlsError::PlainTransport),
        Transport::Tls => None,
        Transport::Mtls => Some(pki.ca_cert()),
    };
    server_config_with(vec![hub.cert.clone()], &hub.identity, client_roots, kx)
}

/// Node `node`'s client configuration for `transport`.
///
/// The node trusts only the network CA. Under `mtls` it presents its own
/// certificate. With `verify_server = false` it accepts whatever
/// certificate the server shows (see [`client_config_with`]).
pub fn client_config(
    pki: &Pki,
    node: &str,
    transport: Transport,
    verify_server: bool,
    kx: KeyExchange,
) -> Result<Arc<ClientConfig>, TlsError> {
    let client = match transport {
        Transport::Plain => return Err(TlsError::PlainTransport),
        Transport::Tls => None,
        Transport::Mtls => Some(
            pki.credentials(node)
                .ok_or_else(|| TlsError::UnknownNode(node.to_owned()))?,
        ),
    };
    client_config_with(pki.ca_cert(), client, verify_server, kx)
}

/// A server configuration from any certificate chain and identity key.
///
/// `cert_chain` starts with the end-entity certificate, which must certify
/// `identity`'s public key. With `client_roots`, clients must present a
/// certificate chaining to it; without, they are anonymous. An adversary
/// uses this with a certificate from its own CA to intercept TLS.
pub fn server_config_with(
    cert_chain: Vec<CertificateDer<'static>>,
    identity: &IdentityKey,
    client_roots: Option<&CertificateDer<'_>>,
    kx: KeyExchange,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = provider(kx);
    let certified = certified_key(cert_chain, identity)?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(TlsError::Credentials)?;
    let builder = match client_roots {
        Some(ca) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(roots(ca)?, provider)
                .build()
                .map_err(TlsError::Verifier)?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    // No session tickets: every connection runs a full handshake, so that
    // every reconnection shows its certificates (and a MITM cannot be
    // skipped by resumption), and the records a tap counts do not depend
    // on earlier connections.
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// A client configuration from any trust anchor and optional client
/// credentials.
///
/// `roots_ca` is the only CA trusted for the server's certificate, which
/// must also be valid for [`HUB_SERVER_NAME`] (or whatever name the caller
/// connects to). `client` is presented when the server asks for a
/// certificate: a node's own credentials, or an adversary's stolen copy.
///
/// With `verify_server = false` the server's certificate chain and name
/// are not checked at all — the "hotel Wi-Fi" weakness of rule 6 in
/// ARCHITECTURE.md: a client that clicks through certificate warnings (or
/// was configured not to show them) talks to whoever answers, so a MITM
/// presenting a certificate from its own CA reads and rewrites the whole
/// link. The handshake signature is still verified, so the MITM must hold
/// the key of the certificate it shows: replaying the real hub's
/// certificate without its key still fails.
pub fn client_config_with(
    roots_ca: &CertificateDer<'_>,
    client: Option<&NodeCredentials>,
    verify_server: bool,
    kx: KeyExchange,
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider(kx);
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(TlsError::Credentials)?;
    let builder = if verify_server {
        let verifier = WebPkiServerVerifier::builder_with_provider(roots(roots_ca)?, provider)
            .build()
            .map_err(TlsError::Verifier)?;
        builder.with_webpki_verifier(verifier)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyServerCert {
                algorithms: provider.signature_verification_algorithms,
            }))
    };
    let mut config = match client {
        Some(creds) => {
            let certified = certified_key(vec![creds.cert.clone()], &creds.identity)?;
            builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(certified)))
        }
        None => builder.with_no_client_auth(),
    };
    // Full handshakes only (see `server_config_with`).
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

/// `config`, with every TLS secret it negotiates also handed to `key_log`
/// (SSLKEYLOGFILE style), so a capture of the link can be decrypted in
/// Wireshark (README.md, "Captures for Wireshark").
pub fn client_with_key_log(config: Arc<ClientConfig>, key_log: Arc<dyn KeyLog>) -> Arc<ClientConfig> {
    let mut config = Arc::unwrap_or_clone(config);
    config.key_log = key_log;
    Arc::new(config)
}

/// `config`, with every TLS secret it negotiates also handed to `key_log`;
/// see [`client_with_key_log`].
pub fn server_with_key_log(config: Arc<ServerConfig>, key_log: Arc<dyn KeyLog>) -> Arc<ServerConfig> {
    let mut config = Arc::unwrap_or_clone(config);
    config.key_log = key_log;
    Arc::new(config)
}

/// A node's failed handshake `error`, said plainly when the cause is that
/// the hub and the node share no key exchange group
/// ([`TlsError::NoCommonKeyExchange`]); any other error is returned as it
/// is.
///
/// The hub answers a hello whose groups it has none of with a bare
/// `handshake_failure` alert, which says nothing of why. Between this
/// crate's own configurations — TLS 1.3 only, the same cipher suites and
/// signature schemes on every side — differing groups are the only cause
/// of that alert, so a node can name it.
pub fn explain_handshake_error(config: &ClientConfig, error: std::io::Error) -> std::io::Error {
    explain(error, KeyExchange::of(config.crypto_provider()), false)
}

/// The hub's side of [`explain_handshake_error`]: rustls tells the server
/// itself that no group was in common.
pub fn explain_hub_handshake_error(config: &ServerConfig, error: std::io::Error) -> std::io::Error {
    explain(error, KeyExchange::of(config.crypto_provider()), true)
}

/// Whether a handshake failed for want of a common key exchange group
/// (an error from [`explain_handshake_error`] or
/// [`explain_hub_handshake_error`]): no certificate was refused.
pub fn is_key_exchange_mismatch(error: &std::io::Error) -> bool {
    matches!(
        error.get_ref().and_then(|inner| inner.downcast_ref::<TlsError>()),
        Some(TlsError::NoCommonKeyExchange { .. })
    )
}

fn explain(error: std::io::Error, ours: KeyExchange, hub: bool) -> std::io::Error {
    let cause = match error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(cause @ rustls::Error::AlertReceived(AlertDescription::HandshakeFailure)) if !hub => cause.clone(),
        Some(cause @ rustls::Error::PeerIncompatible(PeerIncompatible::NoKxGroupsInCommon)) => cause.clone(),
        _ => return error,
    };
    std::io::Error::new(error.kind(), TlsError::NoCommonKeyExchange { ours, hub, cause })
}

/// Checks, after an mTLS handshake, that the client's certificate is valid
/// for the node name `claimed` in its hello.
///
/// rustls has already checked the chain to the CA; this binds the
/// connection to one node. Without it any node — or anyone who stole any
/// node's key — could log in as every other node and collect its cables.
/// `peer_certs` is what `CommonState::peer_certificates` returns.
pub fn authenticate_peer(peer_certs: Option<&[CertificateDer<'_>]>, claimed: &str) -> Result<(), TlsError> {
    let end_entity = peer_certs
        .and_then(|certs| certs.first())
        .ok_or(TlsError::NoPeerCertificate)?;
    let name = ServerName::try_from(claimed).map_err(|_| TlsError::InvalidClaimedName(claimed.to_owned()))?;
    let parsed = ParsedCertificate::try_from(end_entity).map_err(TlsError::BadPeerCertificate)?;
    // webpki's name matching (RFC 6125 on the DNS SAN), not string
    // comparison on the subject: the same check a node makes of the hub.
    rustls::client::verify_server_name(&parsed, &name).map_err(|err| {
        let certified = match err {
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { presented, .. }) => {
                presented.iter().map(|name| bare_dns_name(name).to_owned()).collect()
            }
            _ => Vec::new(),
        };
        TlsError::NameMismatch {
            claimed: claimed.to_owned(),
            certified,
        }
    })
}

/// webpki reports the names a certificate presents in their `Debug` form,
/// `DnsName("at-mfa")`; a node name reads better bare. Other kinds of name
/// (which no certificate of ours carries) are kept as webpki wrote them.
fn bare_dns_name(presented: &str) -> &str {
    presented
        .strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .unwrap_or(presented)
}

/// The one provider every configuration uses, named explicitly so no
/// process-wide default can swap it, with the groups of `kx`.
fn provider(kx: KeyExchange) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        kx_groups: kx.groups(),
        ..rustls::crypto::ring::default_provider()
    })
}

fn roots(ca: &CertificateDer<'_>) -> Result<Arc<RootCertStore>, TlsError> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone().into_owned()).map_err(TlsError::BadRoot)?;
    Ok(Arc::new(roots))
}

/// Pairs a chain with the identity as its TLS signing key, refusing a pair
/// whose keys differ (rustls would otherwise only fail mid-handshake).
fn certified_key(cert_chain: Vec<CertificateDer<'static>>, identity: &IdentityKey) -> Result<CertifiedKey, TlsError> {
    // Borrowing the PKCS#8 document avoids leaving an unzeroized copy.
    let key = rustls::crypto::ring::sign::any_eddsa_type(&PrivatePkcs8KeyDer::from(identity.pkcs8_der()))
        .map_err(TlsError::Credentials)?;
    let certified = CertifiedKey::new(cert_chain, key);
    certified.keys_match().map_err(TlsError::Credentials)?;
    Ok(certified)
}

/// The verifier of a node with `verify_server = false`: any certificate
/// chain, from any issuer, for any name, is accepted.
///
/// It still checks the TLS 1.3 CertificateVerify signature with the
/// provider's algorithms, so the server proves it holds the key of the
/// certificate it presented. That is what a real client that skips
/// certificate validation does, and it keeps the simulation honest: a MITM
/// gets in with its own certificate, never by replaying the hub's.
#[derive(Debug)]
struct AcceptAnyServerCert {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Unreachable with TLS 1.3 only, but if it were reached the
        // signature would still be checked.
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod key_exchange_tests;
#[cfg(test)]
mod tests;
