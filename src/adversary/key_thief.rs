//! `key-thief`: one copy of a node's private keys, taken on one day
//! (ATT&CK T1552.004, Private Keys) — a stolen backup, a seized laptop.
//! Alone it reads nothing; pooled with recorded ciphertext it opens what
//! those keys open: every past and future cable to the node under
//! `static`, only that day's epoch under `forward-secret`, everything
//! under `group`.

use std::sync::Mutex;

use super::loot::{ActorKeys, Loot, StolenKey};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position, Site};

/// A one-day key theft at a node.
pub struct KeyThief {
    spec: AdversarySpec,
    node: String,
    keys: ActorKeys,
    stolen: Mutex<Vec<StolenKey>>,
}

impl KeyThief {
    /// A theft at `node`, sharing what it takes with its actor.
    pub fn new(spec: AdversarySpec, node: String, keys: ActorKeys) -> Self {
        KeyThief {
            spec,
            node,
            keys,
            stolen: Mutex::new(Vec::new()),
        }
    }
}

impl Adversary for KeyThief {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Node(self.node.clone())
    }

    fn on_day(&self, site: &Site<'_>) {
        let Some(node) = site.node else {
            return;
        };
        let stolen: Vec<StolenKey> = node
            .inspect(|state| state.keys.copy_secrets())
            .into_iter()
            .map(|key| StolenKey {
                by: String::new(),
                via: format!("key-thief {}, stolen day {}", self.node, site.day),
                key,
            })
            .collect();
        self.keys.add(stolen.clone());
        self.stolen.lock().unwrap_or_else(|p| p.into_inner()).extend(stolen);
    }

    fn loot(&self) -> Loot {
        Loot {
            keys: self.stolen.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            ..Loot::default()
        }
    }
}
