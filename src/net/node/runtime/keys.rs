//! Keys to seal for: the directory a node keeps, and each recipient's
//! entry checked once against its certified identity under pinning.

use rayon::prelude::*;
use tracing::warn;

use super::Runtime;
use crate::crypto::{CryptoError, DirectoryEntry, EntryCheck, KeyKind, RecipientKey, check_entry};
use crate::model::{E2eMode, epoch_of};
use crate::net::alarm::AlarmKind;
use crate::net::node::waiting::without_key;
use crate::net::node::{NodeState, lock};

impl Runtime {
    /// The kind of directory key today's cables are sealed to; `None` when
    /// the e2e mode uses no directory key.
    fn wanted_kind(&self) -> Option<KeyKind> {
        let security = &self.config.security;
        match security.e2e {
            E2eMode::Static => Some(KeyKind::Static),
            E2eMode::ForwardSecret => Some(KeyKind::Epoch(epoch_of(self.clock.today(), security.epoch_days))),
            E2eMode::Off | E2eMode::Group => None,
        }
    }

    /// Keeps a fresh directory answer; its entries are checked when first
    /// needed (see [`Runtime::pinned_keys`]).
    pub(super) fn store_directory(&mut self, entries: Vec<DirectoryEntry>) {
        // Saved so that a restarted node can seal before it can refresh;
        // failing that, it only has to wait for a refresh.
        if let Err(e) = self.store.save_directory(&entries) {
            warn!(node = %self.config.name, cause = %e, "cannot save the directory");
        }
        let mut state = lock(&self.state);
        state.directory = entries.into_iter().map(|e| (e.node.clone(), e)).collect();
        state.recipient_keys.clear();
        // Sealed for keys checked under the old directory: sealed again.
        self.prepared.clear();
    }

    /// The keys to wrap for when writing to `recipients`, each checked
    /// against its certified identity under pinning. Entries are checked
    /// once per directory refresh, all at once over the cores (each is an
    /// Ed25519 verification per key); a refused key raises one alarm per
    /// refresh, not one per cable.
    pub(super) fn pinned_keys(&self, state: &mut NodeState, recipients: &[String]) -> Vec<RecipientKey> {
        /// From this many unchecked entries on, they are checked on all cores.
        const PARALLEL_CHECKS: usize = 4;
        let Some(wanted) = self.wanted_kind() else {
            return Vec::new();
        };
        let unchecked: Vec<(&String, Option<&DirectoryEntry>)> = recipients
            .iter()
            .filter(|r| !state.recipient_keys.contains_key(*r))
            .map(|r| (r, state.directory.get(r)))
            .collect();
        let trusted = &self.config.trusted;
        let pinning = self.config.security.key_pinning;
        let check = |(recipient, entry): &(&String, Option<&DirectoryEntry>)| {
            let check = match entry {
                None => Ok(EntryCheck::default()),
                Some(entry) => check_entry(recipient, entry, wanted, trusted, pinning),
            };
            ((*recipient).clone(), check)
        };
        // Usually every entry is checked already, or only a few are new:
        // a hand-off to other cores pays only for a long list.
        let checked: Vec<(String, Result<EntryCheck, CryptoError>)> = if unchecked.len() >= PARALLEL_CHECKS {
            unchecked.par_iter().map(check).collect()
        } else {
            unchecked.iter().map(check).collect()
        };
        let day = self.clock.today();
        let name = &self.config.name;
        // A hybrid sender wraps only for hybrid keys and a classical one
        // only for classical keys: a key of the other kind is not one this
        // node's envelopes can use (with pinning, a genuine entry never
        // lists one), so it is left out as if it were not listed.
        let hybrid = state.keys.agreement().is_hybrid();
        for (recipient, check) in checked {
            let mut keys = match check {
                Ok(check) => {
                    for refused in &check.refused {
                        self.alarms.raise(
                            day,
                            name,
                            AlarmKind::KeyPinning,
                            format!("key {} in {}'s entry: {}", refused.key_id, refused.node, refused.reason),
                        );
                    }
                    check.accepted
                }
                Err(e) => {
                    self.alarms.raise(day, name, AlarmKind::KeyPinning, e.to_string());
                    Vec::new()
                }
            };
            keys.retain(|k| k.is_hybrid() == hybrid);
            state.recipient_keys.insert(recipient, keys);
        }
        recipients
            .iter()
            .flat_map(|r| state.recipient_keys.get(r).cloned().unwrap_or_default())
            .collect()
    }

    /// Whether every recipient of `to` has had its entry checked since the
    /// last refresh (always, when the e2e mode needs no directory key): a
    /// seal then checks nothing and raises no alarm.
    pub(super) fn all_checked(&self, state: &NodeState, to: &[String]) -> bool {
        self.wanted_kind().is_none() || to.iter().all(|r| state.recipient_keys.contains_key(r))
    }

    /// The recipients of `to` the node has no usable key for; none when
    /// the e2e mode needs no directory key.
    pub(super) fn missing_keys(&self, to: &[String]) -> Vec<String> {
        if self.wanted_kind().is_none() {
            return Vec::new();
        }
        let keys = self.pinned_keys(&mut lock(&self.state), to);
        without_key(to, &keys)
    }
}
