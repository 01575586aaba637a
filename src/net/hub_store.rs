//! What the hub keeps: the delivery queue of every node and the archive.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::model::{Day, kept_on};

/// A cable the hub accepted, with its `deliver` frame encoded once for
/// every recipient.
#[derive(Debug)]
pub struct AcceptedCable {
    /// Cable id.
    pub id: String,
    /// Day the hub accepted it (the cable's day).
    pub day: Day,
    /// The encoded `deliver` frame, length prefix included.
    pub deliver_frame: Arc<[u8]>,
}

/// One archived cable: exactly the bytes the hub relayed.
#[derive(Debug, Clone)]
pub struct ArchivedCable {
    /// Cable id.
    pub id: String,
    /// The cable's day.
    pub day: Day,
    /// The encoded `deliver` frame (decode it with the wire codec to read it).
    pub frame: Arc<[u8]>,
}

/// The hub's queues and archive, kept in memory for in-process runs.
#[derive(Debug, Default)]
pub struct HubStore {
    queues: HashMap<String, VecDeque<Arc<AcceptedCable>>>,
    accepted: HashSet<String>,
    archive: VecDeque<ArchivedCable>,
}

impl HubStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a cable with this id was accepted before.
    pub fn has_accepted(&self, id: &str) -> bool {
        self.accepted.contains(id)
    }

    /// Queues `cable` for every recipient and, if `archive`, archives it.
    /// Once this returns the cable counts as accepted: it will be delivered
    /// to each recipient, whenever each connects.
    pub fn accept(&mut self, cable: AcceptedCable, recipients: &[String], archive: bool) -> Arc<AcceptedCable> {
        let cable = Arc::new(cable);
        self.accepted.insert(cable.id.clone());
        for r in recipients {
            self.queues.entry(r.clone()).or_default().push_back(cable.clone());
        }
        if archive {
            self.archive.push_back(ArchivedCable {
                id: cable.id.clone(),
                day: cable.day,
                frame: cable.deliver_frame.clone(),
            });
        }
        cable
    }

    /// Cables waiting for `node`'s acknowledgement, oldest first.
    pub fn pending(&self, node: &str) -> impl Iterator<Item = &Arc<AcceptedCable>> {
        self.queues.get(node).into_iter().flatten()
    }

    /// Number of cables waiting for `node`.
    pub fn pending_count(&self, node: &str) -> usize {
        self.queues.get(node).map_or(0, VecDeque::len)
    }

    /// `node` acknowledged `cable`: it leaves the queue. Returns whether it
    /// was queued (a duplicate or unknown acknowledgement changes nothing).
    pub fn acknowledge(&mut self, node: &str, cable: &str) -> bool {
        let Some(queue) = self.queues.get_mut(node) else {
            return false;
        };
        // Acknowledgements come in delivery order, so the match is almost
        // always at the front.
        match queue.iter().position(|c| c.id == cable) {
            Some(i) => {
                queue.remove(i);
                true
            }
            None => false,
        }
    }

    /// Drops archived cables that `archive_days` no longer keeps on `today`.
    pub fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) {
        // Cables are archived in day order, so expired ones are at the front.
        while self
            .archive
            .front()
            .is_some_and(|c| !kept_on(c.day, today, archive_days))
        {
            self.archive.pop_front();
        }
    }

    /// The archive as it stands.
    pub fn archive(&self) -> impl Iterator<Item = &ArchivedCable> {
        self.archive.iter()
    }

    /// Number of archived cables.
    pub fn archive_len(&self) -> usize {
        self.archive.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cable(id: &str, day: Day) -> AcceptedCable {
        AcceptedCable {
            id: id.into(),
            day,
            deliver_frame: Arc::from(&b"frame"[..]),
        }
    }

    #[test]
    fn queue_until_acknowledged() {
        let mut store = HubStore::new();
        store.accept(cable("C-1", 0), &["a".into(), "b".into()], true);
        store.accept(cable("C-2", 0), &["a".into()], true);
        assert_eq!(store.pending_count("a"), 2);
        assert!(store.acknowledge("a", "C-1"));
        assert!(!store.acknowledge("a", "C-1"), "a second ack changes nothing");
        assert!(!store.acknowledge("zz", "C-1"));
        assert_eq!(store.pending("a").map(|c| c.id.as_str()).collect::<Vec<_>>(), ["C-2"]);
        assert_eq!(store.pending_count("b"), 1);
        assert!(store.has_accepted("C-2"));
        assert!(!store.has_accepted("C-3"));
    }

    #[test]
    fn archive_keeps_archive_days() {
        let mut store = HubStore::new();
        for day in 0..10 {
            store.accept(cable(&format!("C-{day}"), day), &[], true);
        }
        store.accept(cable("C-x", 9), &[], false);
        assert_eq!(store.archive_len(), 10);
        store.prune_archive(10, Some(3)); // keeps days 8, 9 (10 - d < 3)
        assert_eq!(store.archive().map(|c| c.day).collect::<Vec<_>>(), [8, 9]);
        store.prune_archive(100, None);
        assert_eq!(store.archive_len(), 2);
    }
}
