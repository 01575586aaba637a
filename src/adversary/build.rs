//! Builds the adversaries a scenario asks for.

use std::collections::HashMap;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use super::endpoint::Endpoint;
use super::forger::Forger;
use super::hub::HubCompromise;
use super::insider::Insider;
use super::key_thief::KeyThief;
use super::loot::ActorKeys;
use super::mitm::Mitm;
use super::quantum::{KeyEscrow, Quantum};
use super::tap::Tap;
use super::{Adversary, AdversaryKind, AdversarySpec};
use crate::model::SecurityConfig;
use crate::net::{DayClock, FolderView, KeyExchange};

/// What building adversaries needs to know about the run.
#[derive(Clone)]
pub struct BuildContext<'a> {
    /// Effective security settings.
    pub security: &'a SecurityConfig,
    /// The run's clock (a MITM reads the day when a connection starts).
    pub clock: DayClock,
    /// The network CA's certificate: public, and what a MITM verifies the
    /// real hub against.
    pub ca_cert: CertificateDer<'static>,
    /// The run's escrow of classical private keys, which every `quantum`
    /// adversary draws on and the runner fills.
    pub escrow: Arc<KeyEscrow>,
    /// The folders an endpoint finds on its node: the node's own, or for
    /// adversaries measured beside the run under another retention, those
    /// the nodes keep for them ([`crate::net::NodeHandle::also_retain`]).
    pub folders: FolderView,
}

/// Why an adversary could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The spec lacks something its kind needs (validation should have
    /// caught it).
    #[error("adversary {name}: {reason}")]
    Incomplete {
        /// The adversary.
        name: String,
        /// What is missing.
        reason: String,
    },
    /// A MITM could not make its own certificates.
    #[error("adversary {name}: {source}")]
    Pki {
        /// The adversary.
        name: String,
        /// The cause (boxed: certificate errors are large).
        source: Box<crate::net::PkiError>,
    },
}

/// One adversary per spec; adversaries of the same actor share the keys
/// they steal as they steal them.
pub fn build_adversaries(
    specs: &[AdversarySpec],
    ctx: &BuildContext<'_>,
) -> Result<Vec<Arc<dyn Adversary>>, BuildError> {
    let mut pools: HashMap<String, ActorKeys> = HashMap::new();
    let mut out: Vec<Arc<dyn Adversary>> = Vec::with_capacity(specs.len());
    for spec in specs {
        let keys = pools.entry(spec.actor.clone()).or_default().clone();
        let at = || {
            spec.at.clone().ok_or_else(|| BuildError::Incomplete {
                name: spec.name.clone(),
                reason: "no node (`at`)".into(),
            })
        };
        let adversary: Arc<dyn Adversary> = match spec.kind {
            AdversaryKind::Tap => Arc::new(Tap::new(spec.clone(), at()?)),
            AdversaryKind::Mitm => Arc::new(
                Mitm::new(
                    spec.clone(),
                    at()?,
                    ctx.security.transport,
                    KeyExchange::for_setting(ctx.security.post_quantum),
                    ctx.ca_cert.clone(),
                    keys,
                    ctx.clock.clone(),
                )
                .map_err(|source| BuildError::Pki {
                    name: spec.name.clone(),
                    source: Box::new(source),
                })?,
            ),
            AdversaryKind::Hub => Arc::new(HubCompromise::new(spec.clone(), ctx.security.e2e)),
            AdversaryKind::Endpoint => Arc::new(Endpoint::new(spec.clone(), at()?, keys, ctx.folders)),
            AdversaryKind::KeyThief => Arc::new(KeyThief::new(spec.clone(), at()?, keys)),
            AdversaryKind::Insider => Arc::new(Insider::new(spec.clone())),
            AdversaryKind::Forger => {
                let impersonate = spec.impersonate.clone().ok_or_else(|| BuildError::Incomplete {
                    name: spec.name.clone(),
                    reason: "no node to impersonate".into(),
                })?;
                Arc::new(Forger::new(spec.clone(), impersonate, keys))
            }
            AdversaryKind::Quantum => Arc::new(Quantum::new(spec.clone(), ctx.escrow.clone())),
        };
        out.push(adversary);
    }
    Ok(out)
}
