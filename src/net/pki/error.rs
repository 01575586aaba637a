//! [`PkiError`]: why certificates could not be issued, written or loaded.

use std::io;
use std::path::PathBuf;

use super::CA_CERT_FILE;

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
