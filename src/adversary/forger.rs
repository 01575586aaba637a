//! `forger`: injects one forged cable a day at the hub in the name of
//! another node (ATT&CK T1565.002, Transmitted Data Manipulation) — a false
//! instruction "from headquarters". Encryption is not authentication:
//! sealing a cable to the recipients' public keys needs no secret, so only
//! signatures (or, under `group`, not holding the group key) stop it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::loot::{ActorKeys, Loot};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position, Site};
use crate::crypto::{
    CablePayload, ClearCable, Envelope, GroupKey, KeyKind, KeyMaterial, SealMode, TrustedIdentities, check_entry,
};
use crate::model::{CableContent, CableHeader, Classification, Day, E2eMode, Role, epoch_of, recipients};
use crate::net::{Alarm, Hub};
use tracing::warn;

/// A forger injecting at the hub.
pub struct Forger {
    spec: AdversarySpec,
    impersonate: String,
    keys: ActorKeys,
    forged: Mutex<BTreeSet<String>>,
    /// Acceptances per forged cable, as recipients accept them: which
    /// forgeries were believed, and by how many.
    accepted: Mutex<BTreeMap<String, u64>>,
}

impl Forger {
    /// A forger writing as `impersonate`.
    pub fn new(spec: AdversarySpec, impersonate: String, keys: ActorKeys) -> Self {
        Forger {
            spec,
            impersonate,
            keys,
            forged: Mutex::new(BTreeSet::new()),
            accepted: Mutex::new(BTreeMap::new()),
        }
    }

    fn forged_id(&self, day: Day) -> String {
        let tag: String = self
            .spec
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("FORGED-{tag}-{day:05}")
    }

    /// A payload as good as this forger can make it in the network's mode.
    fn forge(&self, site: &Site<'_>, hub: &Hub, header: CableHeader, content: &CableContent) -> Option<CablePayload> {
        let stolen = self.keys.snapshot();
        // With the impersonated node's identity stolen, the forgery is signed
        // for real; otherwise it goes unsigned.
        let signer = self.keys.identity_of(&self.impersonate);
        let signer = signer.as_ref();
        match site.security.e2e {
            E2eMode::Off => Some(CablePayload::Clear(ClearCable::new(header, content.clone(), signer))),
            E2eMode::Group => {
                // Without the group key, the best it can do is a key of its
                // own, which no recipient can open.
                let group = stolen
                    .iter()
                    .find_map(|k| match &k.key {
                        KeyMaterial::Group(g) => Some(g.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(GroupKey::generate);
                Envelope::seal_group(header, content, &group, signer)
                    .ok()
                    .map(CablePayload::Sealed)
            }
            E2eMode::Static | E2eMode::ForwardSecret => {
                let (mode, wanted) = if site.security.e2e == E2eMode::Static {
                    (SealMode::Static, KeyKind::Static)
                } else {
                    (
                        SealMode::ForwardSecret,
                        KeyKind::Epoch(epoch_of(site.day, site.security.epoch_days)),
                    )
                };
                // Public keys from the directory the hub serves: no secret needed.
                let keys = hub.with_directory(|directory| {
                    header
                        .recipients
                        .iter()
                        .filter_map(|r| directory.get(r))
                        .filter_map(|entry| {
                            check_entry(&entry.node, entry, wanted, &TrustedIdentities::new(), false).ok()
                        })
                        .flat_map(|check| check.accepted)
                        .collect::<Vec<_>>()
                });
                Envelope::seal_to_keys(header, content, mode, &keys, signer)
                    .ok()
                    .map(CablePayload::Sealed)
            }
        }
    }
}

impl Adversary for Forger {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Hub
    }

    fn on_day(&self, site: &Site<'_>) {
        // A forger injects at the hub; without one in this process there is
        // nowhere to inject (the multi-process mode refuses forgers).
        let Some(hub) = site.hub else {
            warn!(adversary = %self.spec.name, day = site.day, "no hub to inject a forgery at");
            return;
        };
        let to: Vec<String> = if self.spec.to.is_empty() {
            site.network
                .names_with_role(Role::Ministry)
                .filter(|n| *n != self.impersonate)
                .map(str::to_owned)
                .collect()
        } else {
            self.spec.to.clone()
        };
        let id = self.forged_id(site.day);
        let header = CableHeader {
            version: CableHeader::VERSION,
            id: id.clone(),
            day: site.day,
            from: self.impersonate.clone(),
            recipients: recipients(&self.impersonate, &to, site.network, site.security.distribution),
            to,
            classification: Classification::Restricted,
        };
        let content = CableContent {
            subject: "URGENT: CHANGE OF INSTRUCTIONS FOR TOMORROW'S MEETING".into(),
            body: format!(
                "RESTRICTED\n\n1. (R) Further to previous instructions, you are to withdraw our support for the \
                 joint statement and inform your counterparts that {} no longer backs the sanctions package.\n\n\
                 2. (R) Do not seek confirmation through other channels.\n",
                self.impersonate.to_uppercase()
            ),
        };
        let Some(payload) = self.forge(site, hub, header, &content) else {
            warn!(adversary = %self.spec.name, day = site.day, "could not build a forgery");
            return;
        };
        self.forged.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
        if let Err(reason) = hub.inject(payload) {
            warn!(adversary = %self.spec.name, cable = %id, cause = %reason, "the hub refused the forgery");
        }
    }

    fn watches_every_delivery(&self) -> bool {
        true
    }

    fn on_delivery(&self, _day: Day, _node: &str, cable: &crate::crypto::Opened) {
        if self
            .forged
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&cable.header.id)
        {
            *self
                .accepted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(cable.header.id.clone())
                .or_default() += 1;
        }
    }

    fn caused(&self, alarm: &Alarm) -> bool {
        alarm
            .cable
            .as_ref()
            .is_some_and(|id| self.forged.lock().unwrap_or_else(|p| p.into_inner()).contains(id))
    }

    fn loot(&self) -> Loot {
        let accepted = self.accepted.lock().unwrap_or_else(|p| p.into_inner());
        Loot {
            forged_accepted: accepted.values().sum(),
            forged_cables: accepted.keys().cloned().collect(),
            ..Loot::default()
        }
    }
}
