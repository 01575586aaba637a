//! What one node holds: its identity, and the agreement keys of its e2e
//! mode, with forward-secret epochs that are deleted as time moves on.
//!
//! Two neighbours in `keyring/`: `material` is one copied key, the unit an
//! adversary's loot is counted in ([`KeyMaterial`]), and `saved` is the
//! form a node keeps its keys in at rest ([`NodeKeys::export_secrets`]).

use std::collections::BTreeMap;
use std::fmt;

use super::directory::{DirectoryEntry, KeyKind, PublishedKey};
use super::keys::{AgreementSecret, GroupKey, IdentityKey, KeyAgreement, KeyId};
use crate::model::{E2eMode, Epoch, epoch_of};

mod material;
mod saved;

pub use material::KeyMaterial;

/// The keys one node holds at a given moment.
///
/// In `forward-secret` mode only the current epoch's prekeys are held:
/// [`NodeKeys::enter_epoch`] creates the new ones and drops (zeroizing) all
/// older ones, which is what makes a later key theft unable to open
/// recorded traffic of earlier epochs.
///
/// Cloning copies the secrets (each copy zeroizes itself when dropped): it
/// is how a node retries a connection with the same keys.
#[derive(Clone)]
pub struct NodeKeys {
    name: String,
    mode: E2eMode,
    epoch_days: u32,
    devices: usize,
    agreement: KeyAgreement,
    identity: IdentityKey,
    group: Option<GroupKey>,
    statics: Vec<AgreementSecret>,
    epochs: BTreeMap<Epoch, Vec<AgreementSecret>>,
}

impl NodeKeys {
    /// Fresh keys for `name` in `mode` with one device. `group` is the
    /// network key, needed (and only used) in `group` mode. In
    /// `forward-secret` mode the node starts in epoch 0.
    pub fn generate(
        name: &str,
        mode: E2eMode,
        epoch_days: u32,
        identity: IdentityKey,
        group: Option<GroupKey>,
    ) -> Self {
        Self::with_devices(name, mode, epoch_days, 1, identity, group)
    }

    /// Like [`NodeKeys::generate`] with `devices` agreement keys per
    /// period: a sender wraps the cable secret once for each of them.
    pub fn with_devices(
        name: &str,
        mode: E2eMode,
        epoch_days: u32,
        devices: usize,
        identity: IdentityKey,
        group: Option<GroupKey>,
    ) -> Self {
        Self::with_agreement(
            name,
            mode,
            epoch_days,
            devices,
            KeyAgreement::Classical,
            identity,
            group,
        )
    }

    /// Like [`NodeKeys::with_devices`], with static and epoch keys of the
    /// given kind: [`KeyAgreement::Hybrid`] under `post_quantum = "e2e"` or
    /// `"both"`. The group key of `group` mode is symmetric and the same
    /// either way.
    pub fn with_agreement(
        name: &str,
        mode: E2eMode,
        epoch_days: u32,
        devices: usize,
        agreement: KeyAgreement,
        identity: IdentityKey,
        group: Option<GroupKey>,
    ) -> Self {
        let devices = devices.max(1);
        let mut keys = NodeKeys {
            name: name.to_owned(),
            mode,
            epoch_days: epoch_days.max(1),
            devices,
            agreement,
            identity,
            group: if mode == E2eMode::Group { group } else { None },
            statics: Vec::new(),
            epochs: BTreeMap::new(),
        };
        match mode {
            E2eMode::Static => {
                keys.statics = (0..devices).map(|_| AgreementSecret::generate_for(agreement)).collect();
            }
            E2eMode::ForwardSecret => keys.enter_epoch(0),
            E2eMode::Off | E2eMode::Group => {}
        }
        keys
    }

    /// Moves to `epoch`: creates its prekeys if missing and deletes every
    /// older epoch's. Does nothing outside `forward-secret` mode. Going
    /// backwards never resurrects a deleted key.
    pub fn enter_epoch(&mut self, epoch: Epoch) {
        if self.mode != E2eMode::ForwardSecret {
            return;
        }
        if self.epochs.last_key_value().is_some_and(|(&latest, _)| latest > epoch) {
            return; // time does not run backwards; deleted keys stay deleted
        }
        // split_off keeps epochs ≥ `epoch`; the rest is dropped here and
        // each AgreementSecret zeroizes itself on drop.
        self.epochs = self.epochs.split_off(&epoch);
        let (devices, agreement) = (self.devices, self.agreement);
        self.epochs
            .entry(epoch)
            .or_insert_with(|| (0..devices).map(|_| AgreementSecret::generate_for(agreement)).collect());
    }

    /// Enters the epoch of `day`.
    pub fn enter_day(&mut self, day: crate::model::Day) {
        self.enter_epoch(epoch_of(day, self.epoch_days));
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The e2e mode the keys are for.
    pub fn mode(&self) -> E2eMode {
        self.mode
    }

    /// Whether the static and epoch keys are classical or hybrid.
    pub fn agreement(&self) -> KeyAgreement {
        self.agreement
    }

    /// Days per epoch.
    pub fn epoch_days(&self) -> u32 {
        self.epoch_days
    }

    /// The signing identity.
    pub fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    /// The group key, in `group` mode.
    pub fn group(&self) -> Option<&GroupKey> {
        self.group.as_ref()
    }

    /// Epochs whose prekeys are still held, oldest first.
    pub fn held_epochs(&self) -> Vec<Epoch> {
        self.epochs.keys().copied().collect()
    }

    /// The private key answering to `key_id` for a wrap of `epoch` (`None`
    /// for static keys).
    pub(crate) fn agreement_key(&self, key_id: &KeyId, epoch: Option<Epoch>) -> Option<&AgreementSecret> {
        let pool: &[AgreementSecret] = match epoch {
            None => &self.statics,
            Some(e) => self.epochs.get(&e).map_or(&[], Vec::as_slice),
        };
        pool.iter().find(|k| &k.key_id() == key_id)
    }

    /// Whether an epoch's prekeys are held.
    pub(crate) fn holds_epoch(&self, epoch: Epoch) -> bool {
        self.epochs.contains_key(&epoch)
    }

    /// A copy of every secret held right now: what malware on the node or a
    /// key thief walks away with.
    pub fn copy_secrets(&self) -> Vec<KeyMaterial> {
        let mut out = vec![KeyMaterial::Identity {
            owner: self.name.clone(),
            key: self.identity.clone(),
        }];
        if let Some(group) = &self.group {
            out.push(KeyMaterial::Group(group.clone()));
        }
        out.extend(self.statics.iter().map(|secret| KeyMaterial::Static {
            owner: self.name.clone(),
            secret: secret.clone(),
        }));
        for (&epoch, secrets) in &self.epochs {
            out.extend(secrets.iter().map(|secret| KeyMaterial::Epoch {
                owner: self.name.clone(),
                epoch,
                secret: secret.clone(),
            }));
        }
        out
    }

    /// The node's directory entry: identity and every public agreement key
    /// currently held, each signed by the identity so that a pinning peer
    /// can tell them from keys slipped in by whoever serves the directory.
    pub fn publish(&self) -> DirectoryEntry {
        let mut keys: Vec<(KeyKind, &AgreementSecret)> = self.statics.iter().map(|k| (KeyKind::Static, k)).collect();
        for (&epoch, secrets) in &self.epochs {
            keys.extend(secrets.iter().map(|k| (KeyKind::Epoch(epoch), k)));
        }
        let keys = keys
            .into_iter()
            .map(|(kind, secret)| PublishedKey::signed_secret(&self.name, kind, secret, &self.identity))
            .collect();
        DirectoryEntry {
            node: self.name.clone(),
            identity: self.identity.public(),
            keys,
        }
    }
}

impl fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKeys")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("agreement", &self.agreement)
            .field("identity", &self.identity.public())
            .field("static_keys", &self.statics.len())
            .field("epochs", &self.held_epochs())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs_keys() -> NodeKeys {
        NodeKeys::generate("de-mfa", E2eMode::ForwardSecret, 7, IdentityKey::generate(), None)
    }

    #[test]
    fn entering_an_epoch_deletes_older_ones() {
        let mut keys = fs_keys();
        assert_eq!(keys.held_epochs(), vec![0]);
        keys.enter_day(6);
        assert_eq!(keys.held_epochs(), vec![0]);
        keys.enter_day(7);
        assert_eq!(keys.held_epochs(), vec![1]);
        keys.enter_epoch(5);
        assert_eq!(keys.held_epochs(), vec![5]);
        // Going back does not resurrect anything.
        keys.enter_epoch(2);
        assert_eq!(keys.held_epochs(), vec![5]);
    }

    #[test]
    fn rotation_makes_new_keys() {
        let mut keys = fs_keys();
        let before = keys.publish().keys[0].public;
        keys.enter_epoch(1);
        assert_ne!(keys.publish().keys[0].public, before);
    }

    #[test]
    fn copied_secrets_match_the_mode() {
        let group = GroupKey::generate();
        let kinds = |keys: &NodeKeys| {
            keys.copy_secrets()
                .iter()
                .map(KeyMaterial::describe)
                .collect::<Vec<_>>()
        };
        let g = NodeKeys::generate("a", E2eMode::Group, 7, IdentityKey::generate(), Some(group.clone()));
        assert_eq!(kinds(&g), ["identity key of a", "group key"]);
        let s = NodeKeys::with_devices("a", E2eMode::Static, 7, 2, IdentityKey::generate(), Some(group.clone()));
        assert_eq!(kinds(&s), ["identity key of a", "static key of a", "static key of a"]);
        let mut f = NodeKeys::generate("a", E2eMode::ForwardSecret, 7, IdentityKey::generate(), Some(group));
        f.enter_epoch(3);
        assert_eq!(kinds(&f), ["identity key of a", "epoch 3 key of a"]);
        let off = NodeKeys::generate("a", E2eMode::Off, 7, IdentityKey::generate(), None);
        assert_eq!(kinds(&off), ["identity key of a"]);
    }

    #[test]
    fn published_entry_lists_every_device() {
        let s = NodeKeys::with_devices("a", E2eMode::Static, 7, 3, IdentityKey::generate(), None);
        let entry = s.publish();
        assert_eq!(entry.keys.len(), 3);
        assert!(entry.keys.iter().all(|k| k.kind == KeyKind::Static));
    }
}
