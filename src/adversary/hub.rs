//! `hub`: the attacker controls the hub — a compromised shared backbone,
//! a hostile operator (ATT&CK T1557 Adversary-in-the-Middle, T1213 Data
//! from Information Repositories). It sees every frame after TLS, takes
//! the archive when it arrives, and, under `static` or `forward-secret`,
//! adds a "ghost" key of its own to every entry of the key directory it
//! serves: the 2018 "ghost" proposal, a targeted addition under a warrant,
//! generalised to every entry. Senders that trust the directory wrap every
//! cable for the ghost too; senders that pin keys to certified identities
//! refuse it and raise an alarm.

use std::collections::HashMap;
use std::sync::Mutex;

use super::insider::archive_export;
use super::loot::{HeldPayload, Loot, StolenKey};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position, Site};
use crate::crypto::{AgreementSecret, DirectoryEntry, IdentityKey, KeyAgreement, KeyKind, KeyMaterial, PublishedKey};
use crate::model::{Day, E2eMode};
use crate::net::{Alarm, AlarmKind, Direction};
use crate::wire::Frame;

/// An adversary inside the hub.
pub struct HubCompromise {
    spec: AdversarySpec,
    e2e: E2eMode,
    /// The hub's own signing key: what it signs its ghost keys with.
    impostor: IdentityKey,
    /// One ghost per (node, key kind), so repeated answers agree.
    ghosts: Mutex<HashMap<(String, KeyKind), AgreementSecret>>,
    loot: Mutex<Loot>,
}

impl HubCompromise {
    /// A compromise of the hub of a network in `e2e` mode.
    pub fn new(spec: AdversarySpec, e2e: E2eMode) -> Self {
        HubCompromise {
            spec,
            e2e,
            impostor: IdentityKey::generate(),
            ghosts: Mutex::new(HashMap::new()),
            loot: Mutex::new(Loot::default()),
        }
    }

    fn ghost_for(&self, node: &str, kind: KeyKind, agreement: KeyAgreement) -> PublishedKey {
        let mut ghosts = self.ghosts.lock().unwrap_or_else(|p| p.into_inner());
        let secret = ghosts.entry((node.to_owned(), kind)).or_insert_with(|| {
            let secret = AgreementSecret::generate_for(agreement);
            let key = match kind {
                KeyKind::Static => KeyMaterial::Static {
                    owner: node.to_owned(),
                    secret: secret.clone(),
                },
                KeyKind::Epoch(epoch) => KeyMaterial::Epoch {
                    owner: node.to_owned(),
                    epoch,
                    secret: secret.clone(),
                },
            };
            self.loot
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .keys
                .push(StolenKey {
                    by: String::new(),
                    via: format!("ghost key the hub added to {node}'s directory entry"),
                    key,
                });
            secret
        });
        PublishedKey::signed_secret(node, kind, secret, &self.impostor)
    }
}

impl Adversary for HubCompromise {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Hub
    }

    fn on_day(&self, site: &Site<'_>) {
        if site.day == self.spec.window.from {
            let export = archive_export(site, format!("hub archive, day {}", site.day));
            self.loot
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .captures
                .push(export);
        }
    }

    fn on_hub_frame(&self, day: Day, _peer: &str, direction: Direction, frame: &Frame) {
        if let (Direction::ToHub, Frame::Submit { payload }) = (direction, frame) {
            let held = HeldPayload {
                by: String::new(),
                via: format!("hub, relayed day {day}"),
                payload: payload.clone(),
            };
            self.loot.lock().unwrap_or_else(|p| p.into_inner()).payloads.push(held);
        }
    }

    fn edit_directory(&self, _day: Day, _requester: &str, entries: &mut Vec<DirectoryEntry>) {
        if !matches!(self.e2e, E2eMode::Static | E2eMode::ForwardSecret) {
            return;
        }
        for entry in entries.iter_mut() {
            // The ghost takes the kind of the genuine keys: static, or the
            // epoch the entry is for; classical, or hybrid (a hybrid sender
            // wraps for no classical key).
            let Some((kind, hybrid)) = entry.keys.first().map(|k| (k.kind, k.kem.is_some())) else {
                continue;
            };
            let ghost = self.ghost_for(&entry.node, kind, KeyAgreement::hybrid_if(hybrid));
            entry.keys.push(ghost);
        }
    }

    fn refreshes_directory_on(&self, day: Day) -> bool {
        matches!(self.e2e, E2eMode::Static | E2eMode::ForwardSecret)
            && (day == self.spec.window.from || Some(day) == self.spec.window.until)
    }

    fn caused(&self, alarm: &Alarm) -> bool {
        alarm.kind == AlarmKind::KeyPinning && self.spec.window.contains(alarm.day)
    }

    fn loot(&self) -> Loot {
        self.loot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
