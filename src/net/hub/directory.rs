//! The key directory the hub serves: nodes publish their own entries,
//! ask for entries, and watch for changes.

use std::sync::Arc;

use tracing::{debug, error};

use super::{Hub, State, refusal};
use crate::crypto::DirectoryEntry;
use crate::model::HUB;
use crate::net::Direction;
use crate::net::alarm::AlarmKind;
use crate::net::framed::Outgoing;
use crate::wire::{ErrorCode, Frame, encode_frame};

#[cfg(test)]
mod tests;

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
        state.whole_directory = None;
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

    /// The answer to `node`'s request for `wanted` entries (all of them if
    /// empty), as hub adversaries leave it. An answer of every entry is
    /// encoded once per state of the directory and its bytes shared by
    /// every node that asks, unless an adversary changed its copy.
    pub(super) fn answer_directory(&self, node: &str, session_id: u64, wanted: &[String]) -> Outgoing {
        let (mut entries, whole) = {
            let mut state = self.state();
            if wanted.is_empty() {
                // The answer holds every entry published so far: the next
                // change is news again.
                if let Some(session) = state.sessions.get_mut(node)
                    && session.id == session_id
                {
                    session.notified = false;
                }
                let whole = self.whole_directory(&mut state);
                if self.shared.taps.is_empty()
                    && let Some(encoded) = &whole.encoded
                {
                    return Outgoing::Encoded(encoded.clone());
                }
                (whole.entries.to_vec(), Some(whole))
            } else {
                let entries = wanted.iter().filter_map(|n| state.directory.get(n).cloned()).collect();
                (entries, None)
            }
        };
        let day = self.today();
        for tap in &self.shared.taps {
            tap.on_directory_answer(day, node, &mut entries);
        }
        let shared = whole
            .filter(|whole| *whole.entries == entries)
            .and_then(|whole| whole.encoded);
        let answer = Frame::DirectoryAnswer { entries };
        self.observe(node, Direction::ToNode, &answer);
        match shared {
            Some(encoded) => Outgoing::Encoded(encoded),
            None => Outgoing::Frame(answer),
        }
    }

    /// Every entry, and their answer encoded, made if the directory changed
    /// since the last request for all of it.
    fn whole_directory(&self, state: &mut State) -> WholeAnswer {
        if let Some(whole) = &state.whole_directory {
            return whole.clone();
        }
        let entries: Arc<Vec<DirectoryEntry>> = Arc::new(state.directory.entries().cloned().collect());
        let answer = Frame::DirectoryAnswer {
            entries: entries.to_vec(),
        };
        // A directory too large for a frame is sent as a frame all the
        // same: the writer refuses it, as it refuses any oversized frame.
        let encoded = encode_frame(&answer, self.shared.config.max_frame).ok().map(Arc::from);
        let whole = WholeAnswer { entries, encoded };
        state.whole_directory = Some(whole.clone());
        whole
    }
}

/// An answer of every entry of the directory as it stands: the entries,
/// and their frame encoded (length prefix included), unless too large.
#[derive(Clone)]
pub(super) struct WholeAnswer {
    entries: Arc<Vec<DirectoryEntry>>,
    encoded: Option<Arc<[u8]>>,
}
