//! The key directory the hub serves: nodes publish their own entries,
//! ask for entries, and watch for changes.

use tracing::{debug, error};

use super::{Hub, refusal};
use crate::crypto::DirectoryEntry;
use crate::model::HUB;
use crate::net::Direction;
use crate::net::alarm::AlarmKind;
use crate::net::framed::Outgoing;
use crate::wire::{ErrorCode, Frame};

impl Hub {
    pub(super) fn publish(&self, node: &str, entry: DirectoryEntry) -> Option<Frame> {
        if entry.node != node {
            self.shared.alarms.raise(
                self.today(),
                HUB,
                AlarmKind::SenderMismatch,
                format!("{node} published a directory entry for {}", entry.node),
            );
            return Some(refusal(
                node,
                None,
                ErrorCode::Rejected,
                "a node may only publish its own entry".into(),
            ));
        }
        debug!(node = %node, keys = entry.keys.len(), "publish");
        let mut state = self.state();
        if let Err(e) = state.store.save_entry(&entry) {
            // Served from memory all the same; only a restart would lose it,
            // and the node publishes again when it reconnects.
            error!(node = %node, cause = %e, "cannot save a directory entry");
        }
        state.directory.publish(entry);
        // Every other watching node hears of it, once until it asks again.
        let mut told = Vec::new();
        for (name, session) in &mut state.sessions {
            if name != node && session.watching && !session.notified {
                session.notified = true;
                let _ = session.deliveries.send(Outgoing::Frame(Frame::DirectoryChanged));
                told.push(name.clone());
            }
        }
        drop(state);
        for name in told {
            self.observe(&name, Direction::ToNode, &Frame::DirectoryChanged);
        }
        None
    }

    /// `node` wants to hear of directory changes on session `session_id`.
    pub(super) fn watch(&self, node: &str, session_id: u64) {
        let mut state = self.state();
        if let Some(session) = state.sessions.get_mut(node)
            && session.id == session_id
        {
            session.watching = true;
        }
    }

    pub(super) fn answer_directory(&self, node: &str, session_id: u64, wanted: &[String]) -> Frame {
        let mut entries: Vec<DirectoryEntry> = {
            let mut state = self.state();
            if wanted.is_empty() {
                // The answer holds every entry published so far: the next
                // change is news again.
                if let Some(session) = state.sessions.get_mut(node)
                    && session.id == session_id
                {
                    session.notified = false;
                }
                state.directory.entries().cloned().collect()
            } else {
                wanted.iter().filter_map(|n| state.directory.get(n).cloned()).collect()
            }
        };
        let day = self.today();
        for tap in &self.shared.taps {
            tap.on_directory_answer(day, node, &mut entries);
        }
        let answer = Frame::DirectoryAnswer { entries };
        self.observe(node, Direction::ToNode, &answer);
        answer
    }
}
