//! `endpoint`: whoever reads a node from the inside — malware, an intruder
//! with its stolen passwords, a disloyal user (ATT&CK T1005 Data from Local
//! System, unless the scenario names its incident's own). It reads what the
//! node reads: the inbox and sent items it finds when it arrives, every
//! cable that arrives or leaves while it is there, and the node's private
//! keys. No cryptography changes that; only what the node holds (broadcast
//! or need-to-know, retention) does. Measured beside a run under another
//! retention, it reads the folders the nodes keep under that retention
//! ([`FolderView`]).

use std::sync::Mutex;

use tracing::error;

use super::loot::{ActorKeys, Document, Loot, StolenKey};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position, Site};
use crate::crypto::Opened;
use crate::model::{Cable, Day};
use crate::net::FolderView;

/// Malware on one node.
pub struct Endpoint {
    spec: AdversarySpec,
    node: String,
    keys: ActorKeys,
    /// The folders it finds when it lands.
    folders: FolderView,
    loot: Mutex<Loot>,
    /// The node's epochs at the last copy: keys are copied again only
    /// when they change.
    copied_epochs: Mutex<Option<Vec<crate::model::Epoch>>>,
}

impl Endpoint {
    /// Malware on `node`, sharing stolen keys with its actor through
    /// `keys`, finding the folders `folders` names when it lands.
    pub fn new(spec: AdversarySpec, node: String, keys: ActorKeys, folders: FolderView) -> Self {
        Endpoint {
            spec,
            node,
            keys,
            folders,
            loot: Mutex::new(Loot::default()),
            copied_epochs: Mutex::new(None),
        }
    }
}

impl Adversary for Endpoint {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Node(self.node.clone())
    }

    fn on_day(&self, site: &Site<'_>) {
        let Some(node) = site.node else {
            return;
        };
        let day = site.day;
        let arriving = day == self.spec.window.from;
        let (documents, secrets) = node.inspect(|state| {
            let epochs = state.keys.held_epochs();
            let mut copied = self.copied_epochs.lock().unwrap_or_else(|p| p.into_inner());
            let fresh_keys = copied.as_ref() != Some(&epochs);
            *copied = Some(epochs);
            let mut documents = Vec::new();
            if arriving {
                // What the node holds when the malware lands: H(n, from_day).
                // The runner asks every node for the folders of each side
                // group's retention before the first day, so they are there.
                match state.folders(self.folders) {
                    Some((inbox, sent)) => {
                        for (folder, items) in [("inbox", inbox), ("sent items", sent)] {
                            documents.extend(items.iter().map(|item| Document {
                                by: String::new(),
                                via: format!("endpoint {} {folder}, day {day}", self.node),
                                header: item.header.clone(),
                                content: item.content.clone(),
                            }));
                        }
                    }
                    None => {
                        error!(node = %self.node, view = ?self.folders, "the node keeps no such folders: none read")
                    }
                }
            }
            (
                documents,
                if fresh_keys {
                    state.keys.copy_secrets()
                } else {
                    Vec::new()
                },
            )
        });
        // Keys held today; under forward secrecy, one more epoch's keys
        // each time the node rotates while the malware is present.
        let stolen: Vec<StolenKey> = secrets
            .into_iter()
            .map(|key| StolenKey {
                by: String::new(),
                via: format!("endpoint {}, day {day}", self.node),
                key,
            })
            .collect();
        self.keys.add(stolen.clone());
        let mut loot = self.loot.lock().unwrap_or_else(|p| p.into_inner());
        loot.documents.extend(documents);
        for key in stolen {
            if !loot.keys.iter().any(|k| super::loot::same_key(&k.key, &key.key)) {
                loot.keys.push(key);
            }
        }
    }

    fn on_delivery(&self, day: Day, _node: &str, cable: &Opened) {
        let doc = Document {
            by: String::new(),
            via: format!("endpoint {} inbox, arrived day {day}", self.node),
            header: cable.header.clone(),
            content: cable.content.clone(),
        };
        self.loot.lock().unwrap_or_else(|p| p.into_inner()).documents.push(doc);
    }

    fn on_sent(&self, day: Day, cable: &Cable) {
        let doc = Document {
            by: String::new(),
            via: format!("endpoint {} sent items, day {day}", self.node),
            header: cable.header(Vec::new()),
            content: cable.content(),
        };
        self.loot.lock().unwrap_or_else(|p| p.into_inner()).documents.push(doc);
    }

    fn loot(&self) -> Loot {
        self.loot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
