//! A PKI on disk: writing it as PEM files, and loading and checking a
//! certificate directory, whole or as one process of the network needs it.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer, UnixTime};
use zeroize::Zeroizing;

use super::issue::signing_key;
use super::private_files::write_secret;
use super::verify::Verifiers;
use super::{CA_CERT_FILE, LocalPki, NodeCredentials, Pki, PkiError, certified_identity};
use crate::crypto::{IdentityKey, TrustedIdentities};
use crate::model::Network;

fn cert_file(dir: &Path, node: &str) -> PathBuf {
    dir.join(format!("{node}.pem"))
}

fn key_file(dir: &Path, node: &str) -> PathBuf {
    dir.join(format!("{node}.key.pem"))
}

fn is_reserved(name: &str) -> bool {
    format!("{name}.pem") == CA_CERT_FILE
}

impl Pki {
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
