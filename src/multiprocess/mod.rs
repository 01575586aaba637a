//! Multi-process mode (README.md, "Run it across laptops"): the hub, the
//! nodes and adversary proxies as separate processes over real TCP and mutual TLS, with durable
//! queues. The hub, node, crypto and adversary code is the in-process
//! code; only the transport and the stores change.
//!
//! | command | module |
//! |---|---|
//! | `cablesim hub` | [`hub_process`] |
//! | `cablesim node` | [`node_process`] |
//! | `cablesim tap`, `cablesim mitm` | [`proxy`] |
//! | `cablesim network` | [`launcher`] |
//!
//! Processes read commands on stdin and print events on stdout
//! ([`control`]); `cablesim network` drives its children through exactly
//! that interface.

use std::path::PathBuf;

use crate::model::Transport;

mod child;
pub mod console;
pub mod control;
mod heard;
pub mod hosted;
pub mod hub_process;
pub mod launcher;
pub mod node_process;
pub mod proxy;
pub mod proxy_process;
pub mod report_to;

/// Why a hub or node process could not start or go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The command line or the scenario is wrong (exit status 2).
    #[error("{0:#}")]
    Input(anyhow::Error),
    /// Certificates could not be loaded.
    #[error(transparent)]
    Pki(#[from] crate::net::PkiError),
    /// A TLS configuration could not be built.
    #[error(transparent)]
    Tls(#[from] crate::net::TlsError),
    /// The database could not be opened or written.
    #[error(transparent)]
    Store(#[from] crate::net::StoreError),
    /// Hosted adversaries or their loot.
    #[error(transparent)]
    Hosted(#[from] hosted::HostedError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The hub refused this node for good (an unknown name, another
    /// protocol version).
    #[error("{0}")]
    Refused(String),
    /// A task of the process failed.
    #[error("{0}")]
    Task(String),
    /// The SIGTERM and Ctrl-C handlers could not be installed.
    #[error("cannot catch SIGTERM and Ctrl-C: {0}")]
    Signals(std::io::Error),
    /// A directory or file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl ProcessError {
    /// Whether the error is the user's input (exit status 2): a scenario,
    /// a name, a certificate directory that does not fit.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ProcessError::Input(_) | ProcessError::Pki(_))
    }
}

/// `None` under `transport = plain`, else the configuration `make` builds.
fn tls_off_or<T>(
    transport: Transport,
    make: impl FnOnce() -> Result<T, crate::net::TlsError>,
) -> Result<Option<T>, crate::net::TlsError> {
    match transport {
        Transport::Plain => Ok(None),
        Transport::Tls | Transport::Mtls => make().map(Some),
    }
}
