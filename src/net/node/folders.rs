//! A node's folders — its inbox and sent items — and the retention that
//! prunes them; and the folders it would hold under another retention,
//! kept beside its own on request for adversaries measured beside a run
//! (ARCHITECTURE.md, "Adversaries"): retention changes only what a node
//! holds, never what crosses the network, so one run can show both.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{NodeState, StoredCable};
use crate::model::{Day, expired};

/// A folder: cables oldest first, shared with the store that keeps them.
pub type Folder = VecDeque<Arc<StoredCable>>;

/// Which of a node's folders to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FolderView {
    /// The node's own, under the run's `retention_days`.
    #[default]
    Own,
    /// Those it would hold under this `retention_days` (none: forever),
    /// kept beside its own since [`super::NodeHandle::also_retain`].
    Retaining(Option<u32>),
}

/// The inbox and sent items a node would hold under `retention_days`:
/// filed as the node's own are, pruned each day by the same rule.
pub(super) struct RetainedFolders {
    retention_days: Option<u32>,
    inbox: Folder,
    sent: Folder,
}

/// Drops what `retention_days` no longer keeps on `today`: the rule every
/// folder of a node follows, its own and those kept beside them.
fn prune(folder: &mut Folder, today: Day, retention_days: Option<u32>) {
    folder.retain(|c| !expired(c.header.day, today, retention_days));
}

impl NodeState {
    /// The inbox and sent items `view` names, or `None` if the node keeps
    /// no folders under that retention.
    pub fn folders(&self, view: FolderView) -> Option<(&Folder, &Folder)> {
        match view {
            FolderView::Own => Some((&self.inbox, &self.sent)),
            FolderView::Retaining(days) => self
                .also_retained
                .iter()
                .find(|kept| kept.retention_days == days)
                .map(|kept| (&kept.inbox, &kept.sent)),
        }
    }

    /// Starts keeping, beside the node's own folders, those it would hold
    /// under `retention_days`, from a copy of what it holds now; nothing if
    /// it already does.
    pub(super) fn also_retain(&mut self, retention_days: Option<u32>) {
        if self
            .also_retained
            .iter()
            .any(|kept| kept.retention_days == retention_days)
        {
            return;
        }
        self.also_retained.push(RetainedFolders {
            retention_days,
            inbox: self.inbox.clone(),
            sent: self.sent.clone(),
        });
    }

    /// Files a cable the node received, in every folder kept.
    pub(super) fn file_received(&mut self, cable: Arc<StoredCable>) {
        for kept in &mut self.also_retained {
            kept.inbox.push_back(cable.clone());
        }
        self.inbox.push_back(cable);
    }

    /// Files a cable the node sent, in every folder kept.
    pub(super) fn file_sent(&mut self, cable: Arc<StoredCable>) {
        for kept in &mut self.also_retained {
            kept.sent.push_back(cable.clone());
        }
        self.sent.push_back(cable);
    }

    /// Moves every folder to `today`: the node's own under its
    /// `retention_days`, each kept beside them under its own.
    pub(super) fn apply_retention(&mut self, today: Day, retention_days: Option<u32>) {
        prune(&mut self.inbox, today, retention_days);
        prune(&mut self.sent, today, retention_days);
        for kept in &mut self.also_retained {
            prune(&mut kept.inbox, today, kept.retention_days);
            prune(&mut kept.sent, today, kept.retention_days);
        }
    }
}
