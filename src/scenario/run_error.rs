//! Why a run could not take place: the one error of the runner and of the
//! in-process network it starts, kept apart from both so that neither
//! imports the other for it.

use super::error::ScenarioError;
use crate::adversary::BuildError;
use crate::net::{PkiError, TlsError};

/// Why a run could not take place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The scenario cannot be run as given.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The run's certificates could not be made.
    #[error("certificates: {0}")]
    Pki(#[from] PkiError),
    /// A TLS configuration could not be built.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// An adversary could not be built.
    #[error(transparent)]
    Adversary(#[from] BuildError),
    /// The scenario asks for something this build cannot do.
    #[error("{0}")]
    Unsupported(String),
}
