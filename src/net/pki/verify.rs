//! The certificate checks a loaded directory must pass: the same webpki
//! verifiers the hub and the nodes build for their handshakes.

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ParsedCertificate, WebPkiClientVerifier};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::PkiError;
use crate::model::HUB;

/// Certificate checks shared by `load_pem`: the verifiers the hub and the
/// nodes build for their handshakes, over the same CA.
pub(super) struct Verifiers {
    /// What a node uses to check the hub (server-auth purpose, name `hub`).
    server: Arc<WebPkiServerVerifier>,
    /// What the hub uses to check a node (client-auth purpose).
    client: Arc<dyn ClientCertVerifier>,
}

/// A failed certificate check, before it is tied to its file.
pub(super) enum CheckError {
    Name(rustls::Error),
    Chain(rustls::Error),
}

impl CheckError {
    pub(super) fn at(self, path: &Path, node: &str) -> PkiError {
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
    pub(super) fn new(ca: &CertificateDer<'static>) -> Result<Self, String> {
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

    pub(super) fn check(&self, node: &str, cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), CheckError> {
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
