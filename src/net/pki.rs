//! A run's public-key infrastructure: one demo CA and, for every node of
//! the network (the hub included), a certificate for the node's identity.
//!
//! A node's TLS key *is* its Ed25519 identity ([`IdentityKey`]). So the
//! "CA-certified identity" that key pinning checks directory keys against
//! (DESIGN §4) is exactly the public key in the node's certificate, and an
//! actor that steals a node's identity key (an endpoint or a key-thief) can
//! also present that node's client certificate to the hub — which is why a
//! MITM under `mtls` succeeds only with stolen keys (DESIGN §6.6).
//!
//! Certificates are issued in memory with rcgen. Every run makes a fresh
//! CA and fresh keys (DESIGN §2.3: keys are random per run); only the dates
//! are fixed, so a certificate never depends on the day it was made.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ED25519, date_time_ymd,
};
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ParsedCertificate, WebPkiClientVerifier};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer, ServerName, UnixTime, alg_id};
use zeroize::Zeroizing;

use crate::crypto::primitives::{KEY_LEN, sha256};
use crate::crypto::{IdentityKey, IdentityPublic, TrustedIdentities};
use crate::model::{HUB, Network};

/// Common name of the CA certificate every [`Pki::generate`] issues.
pub const CA_COMMON_NAME: &str = "cablesim demo CA";

/// File name of the CA certificate in a certificate directory.
const CA_CERT_FILE: &str = "ca.pem";

/// Fixed validity of every certificate, 2020-01-01 to 2050-01-01: long
/// enough for any demo, and fixed so that two runs with the same keys
/// would issue the same bytes, whatever today's date.
const NOT_BEFORE: (i32, u8, u8) = (2020, 1, 1);
const NOT_AFTER: (i32, u8, u8) = (2050, 1, 1);

fn cert_file(dir: &Path, node: &str) -> PathBuf {
    dir.join(format!("{node}.pem"))
}

fn key_file(dir: &Path, node: &str) -> PathBuf {
    dir.join(format!("{node}.key.pem"))
}

/// Why certificates could not be issued, written or loaded.
///
/// Every variant about a file names it, so `cablesim hub --certs DIR`
/// can say exactly which file to fix or regenerate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// rcgen refused to issue a certificate.
    #[error("cannot issue the certificate of {subject}: {source}")]
    Issue {
        /// The CA or node whose certificate it was.
        subject: String,
        /// rcgen's reason.
        source: rcgen::Error,
    },
    /// A node is named like the CA's file (`ca` would overwrite `ca.pem`),
    /// so its files cannot live in a certificate directory.
    #[error("node {0:?} cannot be stored: its certificate file would be the CA's {CA_CERT_FILE}")]
    ReservedName(String),
    /// A file the network needs is not in the directory.
    #[error("{}: missing (every node of the network needs NAME.pem and NAME.key.pem)", path.display())]
    Missing {
        /// The file that was expected.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file is not PEM, or holds no section of the expected kind.
    #[error("{}: no valid PEM {expected}: {reason}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// The section that was looked for (`CERTIFICATE`, `PRIVATE KEY`).
        expected: &'static str,
        /// The PEM parser's reason.
        reason: String,
    },
    /// The certificate does not certify an Ed25519 key, so it names no
    /// identity that signatures and directory keys could be checked against.
    #[error("{}: the certificate's key is not Ed25519", path.display())]
    NotEd25519 {
        /// The certificate file.
        path: PathBuf,
    },
    /// The private key is not a PKCS#8 Ed25519 key.
    #[error("{}: not a PKCS#8 Ed25519 private key", path.display())]
    BadKey {
        /// The key file.
        path: PathBuf,
    },
    /// The CA certificate cannot serve as a trust anchor.
    #[error("{}: unusable as the network CA: {reason}", path.display())]
    BadCa {
        /// The CA certificate file.
        path: PathBuf,
        /// Why rustls refused it.
        reason: String,
    },
    /// The certificate is not valid for the node whose file it is in (a
    /// copied or swapped file): trusting it would give one node another's
    /// name.
    #[error("{}: certificate is not valid for node {node:?}: {reason}", path.display())]
    WrongName {
        /// The certificate file.
        path: PathBuf,
        /// The node the file belongs to.
        node: String,
        /// Why webpki refused the name.
        reason: rustls::Error,
    },
    /// The certificate does not chain to the CA in `ca.pem`, is outside its
    /// validity period, or is not meant for this use (a node certificate
    /// offered as the hub's).
    #[error("{}: not issued by the network CA for this use: {reason}", path.display())]
    Untrusted {
        /// The certificate file.
        path: PathBuf,
        /// webpki's reason, from the same verifier the TLS handshake uses.
        reason: rustls::Error,
    },
    /// The private key is not the one whose public half the certificate
    /// certifies: the node could not complete a handshake with it.
    #[error("{}: private key does not match the certificate {}", key.display(), cert.display())]
    KeyMismatch {
        /// The key file.
        key: PathBuf,
        /// The certificate file.
        cert: PathBuf,
    },
}

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
            let cert = leaf_params(&node.name)
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
    /// key pinning and signature checks (DESIGN §4).
    pub fn trusted_identities(&self) -> TrustedIdentities {
        let mut trusted = TrustedIdentities::new();
        for creds in self.certs.values() {
            // Equal to `certified_identity(&creds.cert)`: `generate` certified
            // this very key, and `load_pem` refuses a key that differs.
            trusted.insert(&creds.name, creds.identity.public());
        }
        trusted
    }

    /// Writes the PKI to `dir` (created if needed) as PEM files:
    ///
    /// | file | content |
    /// |---|---|
    /// | `ca.pem` | the CA certificate |
    /// | `NAME.pem` | node NAME's certificate (`hub.pem` for the hub) |
    /// | `NAME.key.pem` | node NAME's PKCS#8 private key |
    ///
    /// There is no CA key file: see [`Pki`]. Existing files of the same
    /// names are replaced; other files are left alone.
    pub fn write_pem(&self, dir: &Path) -> Result<(), PkiError> {
        let io_err = |path: &Path| {
            let path = path.to_owned();
            move |source| PkiError::Io { path, source }
        };
        if let Some(name) = self.certs.keys().find(|name| is_reserved(name)) {
            return Err(PkiError::ReservedName(name.clone()));
        }
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let ca_path = dir.join(CA_CERT_FILE);
        fs::write(&ca_path, &self.ca_pem).map_err(io_err(&ca_path))?;
        for (name, creds) in &self.certs {
            let cert_path = cert_file(dir, name);
            fs::write(&cert_path, &self.cert_pems[name]).map_err(io_err(&cert_path))?;
            let key_path = key_file(dir, name);
            // The identity loaded into rcgen once already, so it does again.
            let key_pem = signing_key(&creds.identity)
                .map(|key| Zeroizing::new(key.serialize_pem()))
                .map_err(|_| PkiError::BadKey { path: key_path.clone() })?;
            write_secret(&key_path, key_pem.as_bytes()).map_err(io_err(&key_path))?;
        }
        Ok(())
    }

    /// Loads what [`Pki::write_pem`] wrote, for the nodes of `network`.
    ///
    /// Every node (hub included) must have both files. Each certificate is
    /// checked with the same webpki verifiers the TLS handshakes use: it
    /// must be valid for its node's name, chain to `ca.pem`, be within its
    /// validity period and be meant for its role; its key file must hold
    /// the private half of the key it certifies. A directory that passes
    /// gives working links, and one that does not is refused up front with
    /// the file and the reason rather than at the first handshake.
    pub fn load_pem(dir: &Path, network: &Network) -> Result<Pki, PkiError> {
        let loaded = load_dir(dir, network, |_| true)?;
        let mut certs = BTreeMap::new();
        let mut cert_pems = BTreeMap::new();
        for (name, node) in loaded.nodes {
            let identity = node.identity.ok_or_else(|| PkiError::Missing {
                path: key_file(dir, &name),
            })?;
            cert_pems.insert(name.clone(), node.cert_pem);
            certs.insert(
                name.clone(),
                NodeCredentials {
                    name,
                    cert: node.cert,
                    identity,
                },
            );
        }
        Ok(Pki {
            ca_cert: loaded.ca_cert,
            ca_pem: loaded.ca_pem,
            certs,
            cert_pems,
        })
    }

    /// Loads what one process of the network needs from a certificate
    /// directory: the CA, every node's certificate (checked as in
    /// [`Pki::load_pem`]; their public keys are the identities pinning and
    /// signatures are checked against) and the private key of `own` only.
    ///
    /// So a participant's laptop needs `ca.pem`, every `NAME.pem` and its
    /// own `NAME.key.pem`, and never another node's key.
    pub fn load_local(dir: &Path, network: &Network, own: &str) -> Result<LocalPki, PkiError> {
        let mut loaded = load_dir(dir, network, |name| name == own)?;
        let mut trusted = TrustedIdentities::new();
        for (name, node) in &loaded.nodes {
            // `load_dir` checked the certificate; its key is the identity.
            let identity = certified_identity(&node.cert).ok_or_else(|| PkiError::NotEd25519 {
                path: cert_file(dir, name),
            })?;
            trusted.insert(name, identity);
        }
        let key_path = key_file(dir, own);
        let node = loaded.nodes.remove(own).ok_or_else(|| PkiError::Missing {
            path: cert_file(dir, own),
        })?;
        let identity = node.identity.ok_or(PkiError::Missing { path: key_path })?;
        Ok(LocalPki {
            ca_cert: loaded.ca_cert,
            own: NodeCredentials {
                name: own.to_owned(),
                cert: node.cert,
                identity,
            },
            trusted,
        })
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

/// One node's files as read from a certificate directory.
struct LoadedNode {
    cert: CertificateDer<'static>,
    cert_pem: String,
    /// Read only for the nodes asked for.
    identity: Option<IdentityKey>,
}

struct LoadedDir {
    ca_cert: CertificateDer<'static>,
    ca_pem: String,
    nodes: BTreeMap<String, LoadedNode>,
}

/// Reads and checks `ca.pem` and every node's certificate, and the key of
/// each node `wants_key` names.
fn load_dir(dir: &Path, network: &Network, wants_key: impl Fn(&str) -> bool) -> Result<LoadedDir, PkiError> {
    let ca_path = dir.join(CA_CERT_FILE);
    let ca_pem = read_text(&ca_path)?;
    let ca_cert = parse_pem::<CertificateDer<'static>>(&ca_path, ca_pem.as_bytes(), "CERTIFICATE")?;
    let verifiers = Verifiers::new(&ca_cert).map_err(|reason| PkiError::BadCa {
        path: ca_path.clone(),
        reason,
    })?;
    let now = UnixTime::now();

    let mut nodes = BTreeMap::new();
    for node in network.nodes() {
        let name = &node.name;
        if is_reserved(name) {
            return Err(PkiError::ReservedName(name.clone()));
        }
        let cert_path = cert_file(dir, name);
        let cert_pem = read_text(&cert_path)?;
        let cert = parse_pem::<CertificateDer<'static>>(&cert_path, cert_pem.as_bytes(), "CERTIFICATE")?;
        verifiers.check(name, &cert, now).map_err(|e| e.at(&cert_path, name))?;

        let identity = if wants_key(name) {
            let key_path = key_file(dir, name);
            let key_pem = Zeroizing::new(read_bytes(&key_path)?);
            let key = parse_pem::<PrivatePkcs8KeyDer<'static>>(&key_path, &key_pem, "PRIVATE KEY")?;
            let identity = IdentityKey::from_pkcs8(key.secret_pkcs8_der())
                .map_err(|_| PkiError::BadKey { path: key_path.clone() })?;
            if certified_identity(&cert) != Some(identity.public()) {
                return Err(PkiError::KeyMismatch {
                    key: key_path,
                    cert: cert_path,
                });
            }
            Some(identity)
        } else {
            None
        };
        nodes.insert(
            name.clone(),
            LoadedNode {
                cert,
                cert_pem,
                identity,
            },
        );
    }
    Ok(LoadedDir { ca_cert, ca_pem, nodes })
}

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
    params
}

/// A node's certificate: its name as common name and single DNS name, and
/// the one purpose its role needs (server for the hub, client otherwise).
fn leaf_params(name: &str) -> Result<CertificateParams, rcgen::Error> {
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
    Ok(params)
}

fn set_validity(params: &mut CertificateParams) {
    let (y, m, d) = NOT_BEFORE;
    params.not_before = date_time_ymd(y, m, d);
    let (y, m, d) = NOT_AFTER;
    params.not_after = date_time_ymd(y, m, d);
}

/// The identity as an rcgen signing key (same key, not a copy of its role).
fn signing_key(identity: &IdentityKey) -> Result<KeyPair, rcgen::Error> {
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(identity.pkcs8_der()), &PKCS_ED25519)
}

fn is_reserved(name: &str) -> bool {
    format!("{name}.pem") == CA_CERT_FILE
}

/// Certificate checks shared by `load_pem`: the verifiers the hub and the
/// nodes build for their handshakes, over the same CA.
struct Verifiers {
    /// What a node uses to check the hub (server-auth purpose, name `hub`).
    server: Arc<WebPkiServerVerifier>,
    /// What the hub uses to check a node (client-auth purpose).
    client: Arc<dyn ClientCertVerifier>,
}

/// A failed certificate check, before it is tied to its file.
enum CheckError {
    Name(rustls::Error),
    Chain(rustls::Error),
}

impl CheckError {
    fn at(self, path: &Path, node: &str) -> PkiError {
        match self {
            CheckError::Name(reason) => PkiError::WrongName {
                path: path.to_owned(),
                node: node.to_owned(),
                reason,
            },
            CheckError::Chain(reason) => PkiError::Untrusted {
                path: path.to_owned(),
                reason,
            },
        }
    }
}

impl Verifiers {
    fn new(ca: &CertificateDer<'static>) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots.add(ca.clone()).map_err(|e| e.to_string())?;
        let roots = Arc::new(roots);
        let server = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(|e| e.to_string())?;
        let client = WebPkiClientVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Verifiers { server, client })
    }

    fn check(&self, node: &str, cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), CheckError> {
        let server_name =
            ServerName::try_from(node).map_err(|e| CheckError::Name(rustls::Error::General(e.to_string())))?;
        let parsed = ParsedCertificate::try_from(cert).map_err(CheckError::Chain)?;
        rustls::client::verify_server_name(&parsed, &server_name).map_err(CheckError::Name)?;
        if node == HUB {
            self.server
                .verify_server_cert(cert, &[], &server_name, &[], now)
                .map(drop)
        } else {
            self.client.verify_client_cert(cert, &[], now).map(drop)
        }
        .map_err(CheckError::Chain)
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, PkiError> {
    fs::read(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => PkiError::Missing { path: path.to_owned() },
        _ => PkiError::Io {
            path: path.to_owned(),
            source,
        },
    })
}

fn read_text(path: &Path) -> Result<String, PkiError> {
    String::from_utf8(read_bytes(path)?).map_err(|e| PkiError::Pem {
        path: path.to_owned(),
        expected: "text",
        reason: e.to_string(),
    })
}

fn parse_pem<T: PemObject>(path: &Path, pem: &[u8], expected: &'static str) -> Result<T, PkiError> {
    T::from_pem_slice(pem).map_err(|e| PkiError::Pem {
        path: path.to_owned(),
        expected,
        reason: e.to_string(),
    })
}

/// Writes a private key readable by its owner only. The demo keys are
/// public by design, but the same code writes keys for real multi-host
/// runs, where other local users have no business reading them.
/// Creates `dir` (and its parents) readable by its owner only, for what
/// holds keys or plaintext: databases, loot, a launcher's work directory.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes a file readable by its owner only.
pub(crate) fn write_secret(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)?;
    // `mode` applies only to a new file; an older key file may have been
    // created more permissive.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Node, Role};

    fn network() -> Network {
        Network::new([
            Node::new("at-mfa", Role::Ministry),
            Node::new("del-kyiv", Role::Mission),
        ])
        .unwrap()
    }

    /// A scratch directory under the system temp dir, removed on drop.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new(test: &str) -> Self {
            let path = std::env::temp_dir().join(format!("cablesim-pki-{}-{test}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            ScratchDir(path)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn every_node_gets_a_certificate_for_its_identity() {
        let net = network();
        let pki = Pki::generate(&net).unwrap();
        let trusted = pki.trusted_identities();
        for node in net.nodes() {
            let creds = pki.credentials(&node.name).unwrap();
            assert_eq!(creds.name, node.name);
            assert_eq!(certified_identity(&creds.cert), Some(creds.identity.public()));
            assert_eq!(trusted.get(&node.name), Some(&creds.identity.public()));
        }
        assert_eq!(pki.nodes().count(), net.len());
        assert!(pki.credentials("nobody").is_none());
        // The CA has a key of its own, certified to no node.
        let ca_key = certified_identity(pki.ca_cert()).unwrap();
        assert!(pki.nodes().all(|c| c.identity.public() != ca_key));
    }

    #[test]
    fn generated_certificates_pass_the_load_checks() {
        let net = network();
        let pki = Pki::generate(&net).unwrap();
        let verifiers = Verifiers::new(pki.ca_cert()).unwrap();
        let now = UnixTime::now();
        for creds in pki.nodes() {
            assert!(verifiers.check(&creds.name, &creds.cert, now).is_ok(), "{}", creds.name);
        }
        // Roles are not interchangeable: a node certificate is no hub
        // certificate, and is valid for no other node's name.
        let node = &pki.credentials("at-mfa").unwrap().cert;
        assert!(matches!(verifiers.check(HUB, node, now), Err(CheckError::Name(_))));
        assert!(matches!(
            verifiers.check("del-kyiv", node, now),
            Err(CheckError::Name(_))
        ));
    }

    #[test]
    fn fail_certified_identity_of_garbage() {
        assert_eq!(
            certified_identity(&CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00])),
            None
        );
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let pki = Pki::generate(&network()).unwrap();
        let creds = pki.credentials("at-mfa").unwrap();
        let secret = hex::encode(creds.identity.pkcs8_der());
        for text in [format!("{creds:?}"), format!("{pki:?}")] {
            assert!(!text.contains(&secret), "{text}");
            assert!(!text.contains(&secret[secret.len() - 64..]), "{text}");
        }
        assert!(format!("{creds:?}").contains("redacted"));
    }

    #[test]
    fn pem_round_trip_keeps_certificates_and_identities() {
        let net = network();
        let dir = ScratchDir::new("round-trip");
        let pki = Pki::generate(&net).unwrap();
        pki.write_pem(&dir.0).unwrap();

        let mut files: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "at-mfa.key.pem",
                "at-mfa.pem",
                "ca.pem",
                "del-kyiv.key.pem",
                "del-kyiv.pem",
                "hub.key.pem",
                "hub.pem"
            ]
        );

        let loaded = Pki::load_pem(&dir.0, &net).unwrap();
        assert_eq!(loaded.ca_cert(), pki.ca_cert());
        assert_eq!(loaded.trusted_identities(), pki.trusted_identities());
        for creds in pki.nodes() {
            let again = loaded.credentials(&creds.name).unwrap();
            assert_eq!(again.cert, creds.cert);
            assert_eq!(again.identity.public(), creds.identity.public());
            assert_eq!(again.identity.pkcs8_der(), creds.identity.pkcs8_der());
        }

        // Writing what was loaded gives the same files, byte for byte.
        let again = ScratchDir::new("round-trip-again");
        loaded.write_pem(&again.0).unwrap();
        for file in &files {
            assert_eq!(
                fs::read(dir.0.join(file)).unwrap(),
                fs::read(again.0.join(file)).unwrap(),
                "{file}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn private_keys_are_written_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = ScratchDir::new("modes");
        // Even over an older key file that anyone could read.
        fs::create_dir_all(&dir.0).unwrap();
        fs::write(dir.0.join("hub.key.pem"), "old").unwrap();
        fs::set_permissions(dir.0.join("hub.key.pem"), fs::Permissions::from_mode(0o644)).unwrap();
        Pki::generate(&network()).unwrap().write_pem(&dir.0).unwrap();
        for file in ["hub.key.pem", "at-mfa.key.pem"] {
            let mode = fs::metadata(dir.0.join(file)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{file}: {mode:o}");
        }
    }

    /// Writes a valid PKI, lets `tamper` damage it, and returns what
    /// `load_pem` says.
    fn load_after(test: &str, tamper: impl FnOnce(&Path, &Path)) -> String {
        let net = network();
        let dir = ScratchDir::new(test);
        let other = ScratchDir::new(&format!("{test}-other"));
        Pki::generate(&net).unwrap().write_pem(&dir.0).unwrap();
        Pki::generate(&net).unwrap().write_pem(&other.0).unwrap();
        tamper(&dir.0, &other.0);
        Pki::load_pem(&dir.0, &net).unwrap_err().to_string()
    }

    #[test]
    fn fail_missing_key_file() {
        let err = load_after("missing-key", |dir, _| {
            fs::remove_file(dir.join("del-kyiv.key.pem")).unwrap()
        });
        assert!(err.contains("del-kyiv.key.pem: missing"), "{err}");
    }

    #[test]
    fn fail_missing_ca_file() {
        let err = load_after("missing-ca", |dir, _| fs::remove_file(dir.join("ca.pem")).unwrap());
        assert!(err.contains("ca.pem: missing"), "{err}");
    }

    #[test]
    fn fail_certificate_from_another_ca() {
        // Both files from the other PKI: the pair matches, only the issuer is wrong.
        let err = load_after("other-ca", |dir, other| {
            for file in ["at-mfa.pem", "at-mfa.key.pem"] {
                fs::copy(other.join(file), dir.join(file)).unwrap();
            }
        });
        assert!(err.contains("at-mfa.pem: not issued by the network CA"), "{err}");
        assert!(err.contains("UnknownIssuer"), "{err}");
    }

    #[test]
    fn fail_hub_certificate_from_another_ca() {
        let err = load_after("other-ca-hub", |dir, other| {
            for file in ["hub.pem", "hub.key.pem"] {
                fs::copy(other.join(file), dir.join(file)).unwrap();
            }
        });
        assert!(err.contains("hub.pem: not issued by the network CA"), "{err}");
    }

    #[test]
    fn fail_key_that_does_not_match_its_certificate() {
        let err = load_after("key-mismatch", |dir, other| {
            fs::copy(other.join("at-mfa.key.pem"), dir.join("at-mfa.key.pem")).unwrap();
        });
        assert!(err.contains("at-mfa.key.pem: private key does not match"), "{err}");
        assert!(err.contains("at-mfa.pem"), "{err}");
    }

    #[test]
    fn fail_certificate_of_another_node() {
        let err = load_after("swapped", |dir, _| {
            for ext in ["pem", "key.pem"] {
                fs::copy(dir.join(format!("del-kyiv.{ext}")), dir.join(format!("at-mfa.{ext}"))).unwrap();
            }
        });
        assert!(
            err.contains("at-mfa.pem: certificate is not valid for node \"at-mfa\""),
            "{err}"
        );
    }

    #[test]
    fn fail_garbage_pem() {
        let err = load_after("garbage-cert", |dir, _| {
            fs::write(dir.join("hub.pem"), "not a certificate").unwrap()
        });
        assert!(err.contains("hub.pem: no valid PEM CERTIFICATE"), "{err}");

        let err = load_after("garbage-base64", |dir, _| {
            fs::write(
                dir.join("at-mfa.pem"),
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            )
            .unwrap()
        });
        assert!(err.contains("at-mfa.pem: no valid PEM CERTIFICATE"), "{err}");

        let err = load_after("garbage-key", |dir, _| {
            fs::write(dir.join("at-mfa.key.pem"), [0xff, 0x00]).unwrap()
        });
        assert!(err.contains("at-mfa.key.pem: no valid PEM PRIVATE KEY"), "{err}");

        let err = load_after("garbage-ca", |dir, _| fs::write(dir.join("ca.pem"), "").unwrap());
        assert!(err.contains("ca.pem: no valid PEM CERTIFICATE"), "{err}");
    }

    #[test]
    fn fail_key_of_the_wrong_type() {
        // A well-formed PKCS#8 document that is not an Ed25519 key.
        let err = load_after("wrong-key-type", |dir, _| {
            let p256 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
            fs::write(dir.join("at-mfa.key.pem"), p256.serialize_pem()).unwrap()
        });
        assert!(
            err.contains("at-mfa.key.pem: not a PKCS#8 Ed25519 private key"),
            "{err}"
        );
    }

    #[test]
    fn fail_node_named_like_the_ca_file() {
        let net = Network::new([Node::new("ca", Role::Ministry)]).unwrap();
        let dir = ScratchDir::new("reserved");
        let pki = Pki::generate(&net).unwrap();
        assert!(matches!(pki.write_pem(&dir.0), Err(PkiError::ReservedName(n)) if n == "ca"));
        // A directory with a valid `ca.pem` still cannot hold node `ca`.
        Pki::generate(&network()).unwrap().write_pem(&dir.0).unwrap();
        assert!(matches!(Pki::load_pem(&dir.0, &net), Err(PkiError::ReservedName(n)) if n == "ca"));
    }
}
