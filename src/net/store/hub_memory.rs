//! The hub's queues and archive in memory: in-process runs, where nothing
//! outlives the process and speed matters (a full-size cablegate run puts
//! a quarter of a million cables through it), and the mirror the SQLite
//! hub store reads from (loaded from its file by `hub_mirror`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use super::{AcceptedCable, ArchivedCable, CableDigest, FrameBytes, HubStore, SharedCables, StoreError};
use crate::crypto::DirectoryEntry;
use crate::model::{Day, expired};

/// A [`HubStore`] in memory. Its calls never fail.
///
/// Made with [`MemoryHubStore::sharing`], it keeps an archived clear
/// cable's frame around the copy of its body that the nodes of the run
/// share ([`FrameBytes`]), rather than as a second copy of those bytes.
#[derive(Debug, Default)]
pub struct MemoryHubStore {
    queues: HashMap<String, VecDeque<Arc<AcceptedCable>>>,
    /// Every id ever accepted, with its digest: never pruned, since a
    /// replay can come at any time.
    accepted: HashMap<String, CableDigest>,
    archive: VecDeque<ArchivedCable>,
    /// Some archived cable is dated before one archived ahead of it.
    /// An in-process network archives in day order, so the cables that
    /// expire are all at the front; nodes of a multi-process network are
    /// on days of their own, and their cables can expire anywhere.
    archive_unordered: bool,
    directory: BTreeMap<String, DirectoryEntry>,
    day: Option<Day>,
    shared: Option<SharedCables>,
}

/// What a hub store holds, as loaded from a file: every id accepted with
/// its digest, each node's queue and the archive in order, the directory
/// and the day.
#[derive(Debug, Default)]
pub(super) struct HubParts {
    pub(super) accepted: HashMap<String, CableDigest>,
    pub(super) queues: HashMap<String, VecDeque<Arc<AcceptedCable>>>,
    pub(super) archive: VecDeque<ArchivedCable>,
    pub(super) directory: BTreeMap<String, DirectoryEntry>,
    pub(super) day: Option<Day>,
}

impl MemoryHubStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose archive shares the bodies of clear cables with
    /// the nodes given the same `shared` ([`super::MemoryNodeStore::sharing`]).
    pub fn sharing(shared: SharedCables) -> Self {
        MemoryHubStore {
            shared: Some(shared),
            ..Self::default()
        }
    }

    /// A store holding `parts` (what a file held).
    pub(super) fn holding(parts: HubParts) -> Self {
        let HubParts {
            accepted,
            queues,
            archive,
            directory,
            day,
        } = parts;
        MemoryHubStore {
            archive_unordered: !archive.iter().is_sorted_by_key(|c| c.day),
            queues,
            accepted,
            archive,
            directory,
            day,
            shared: None,
        }
    }

    /// [`HubStore::accept`] of a cable already shared: the SQLite hub
    /// store hands the same copy to its committer.
    pub(super) fn accept_shared(
        &mut self,
        cable: &Arc<AcceptedCable>,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) {
        self.accepted.insert(cable.id.clone(), digest);
        for r in recipients {
            // Looked up before inserting: `entry` would allocate the name
            // for every recipient of every cable.
            match self.queues.get_mut(r) {
                Some(queue) => queue.push_back(cable.clone()),
                None => {
                    self.queues.insert(r.clone(), VecDeque::from([cable.clone()]));
                }
            }
        }
        if archive {
            if self.archive.back().is_some_and(|last| last.day > cable.day) {
                self.archive_unordered = true;
            }
            let frame = cable.deliver_frame.clone();
            self.archive.push_back(ArchivedCable {
                id: cable.id.clone(),
                day: cable.day,
                frame: match &self.shared {
                    Some(shared) => FrameBytes::sharing_body(frame, shared),
                    None => frame.into(),
                },
            });
        }
    }
}

impl HubStore for MemoryHubStore {
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError> {
        Ok(self.accepted.get(id).copied())
    }

    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError> {
        let cable = Arc::new(cable);
        self.accept_shared(&cable, digest, recipients, archive);
        Ok(cable)
    }

    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        Ok(self.queues.get(node).into_iter().flatten().cloned().collect())
    }

    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        Ok(self
            .queues
            .get(node)
            .into_iter()
            .flat_map(|queue| queue.range(skip.min(queue.len())..))
            .take(limit)
            .cloned()
            .collect())
    }

    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        Ok(self.queues.get(node).map_or(0, VecDeque::len))
    }

    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        let Some(queue) = self.queues.get_mut(node) else {
            return Ok(false);
        };
        // Acknowledgements come in delivery order, so the match is almost
        // always at the front.
        Ok(match queue.iter().position(|c| c.id == cable) {
            Some(i) => {
                queue.remove(i);
                true
            }
            None => false,
        })
    }

    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError> {
        // By day, as the SQLite file prunes: a cable dated after `today`
        // stays. In day order the expired cables are the front ones.
        if self.archive_unordered {
            self.archive.retain(|c| !expired(c.day, today, archive_days));
            self.archive_unordered = !self.archive.iter().is_sorted_by_key(|c| c.day);
        } else {
            while self
                .archive
                .front()
                .is_some_and(|c| expired(c.day, today, archive_days))
            {
                self.archive.pop_front();
            }
        }
        Ok(())
    }

    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError> {
        Ok(self.archive.iter().cloned().collect())
    }

    fn archive_len(&self) -> Result<usize, StoreError> {
        Ok(self.archive.len())
    }

    fn day(&self) -> Result<Option<Day>, StoreError> {
        Ok(self.day)
    }

    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.day = Some(day);
        Ok(())
    }

    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        self.directory.insert(entry.node.clone(), entry.clone());
        Ok(())
    }

    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        Ok(self.directory.values().cloned().collect())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::net::store) fn cable(id: &str, day: Day) -> AcceptedCable {
        AcceptedCable {
            id: id.into(),
            day,
            deliver_frame: Arc::from(format!("frame of {id}").as_bytes()),
        }
    }

    pub(in crate::net::store) fn digest(id: &str) -> CableDigest {
        super::super::digest_bytes(id.as_bytes())
    }

    /// The behaviour every hub store shares, run against each of them.
    pub(in crate::net::store) fn queue_until_acknowledged(store: &mut dyn HubStore) {
        let ids = |cables: Vec<Arc<AcceptedCable>>| cables.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        store
            .accept(cable("C-1", 0), digest("C-1"), &["a".into(), "b".into()], true)
            .unwrap();
        store
            .accept(cable("C-2", 0), digest("C-2"), &["a".into()], true)
            .unwrap();
        assert_eq!(store.pending_count("a").unwrap(), 2);
        assert_eq!(ids(store.pending("a").unwrap()), ["C-1", "C-2"]);
        assert_eq!(ids(store.pending_window("a", 0, 1).unwrap()), ["C-1"]);
        assert_eq!(ids(store.pending_window("a", 1, 5).unwrap()), ["C-2"]);
        assert!(store.pending_window("a", 2, 5).unwrap().is_empty());
        assert!(store.pending_window("a", 9, 5).unwrap().is_empty());
        assert!(store.pending_window("nobody", 0, 5).unwrap().is_empty());
        assert!(store.acknowledge("a", "C-1").unwrap());
        assert!(!store.acknowledge("a", "C-1").unwrap(), "a second ack changes nothing");
        assert!(!store.acknowledge("zz", "C-1").unwrap());
        assert_eq!(ids(store.pending("a").unwrap()), ["C-2"]);
        assert_eq!(
            &*store.pending("a").unwrap()[0].deliver_frame,
            b"frame of C-2",
            "the frame is kept byte for byte"
        );
        assert_eq!(store.pending_count("b").unwrap(), 1);
        assert_eq!(store.pending_count("nobody").unwrap(), 0);
        assert_eq!(store.accepted_digest("C-2").unwrap(), Some(digest("C-2")));
        assert_eq!(store.accepted_digest("C-3").unwrap(), None);
        assert_eq!(store.day().unwrap(), None);
        store.save_day(4).unwrap();
        assert_eq!(store.day().unwrap(), Some(4));
    }

    /// A directory entry of `node` with a fresh identity.
    pub(in crate::net::store) fn entry(node: &str) -> DirectoryEntry {
        crate::crypto::NodeKeys::generate(
            node,
            crate::model::E2eMode::Static,
            7,
            crate::crypto::IdentityKey::generate(),
            None,
        )
        .publish()
    }

    /// The last entry of each node is kept, shared by every hub store.
    pub(in crate::net::store) fn directory_keeps_the_last_entry(store: &mut dyn HubStore) {
        let (a1, a2, b) = (entry("a"), entry("a"), entry("b"));
        for e in [&a1, &b, &a2] {
            store.save_entry(e).unwrap();
        }
        assert_eq!(store.directory().unwrap(), [a2, b]);
    }

    /// Archive retention, shared by every hub store.
    pub(in crate::net::store) fn archive_keeps_archive_days(store: &mut dyn HubStore) {
        for day in 0..10 {
            let id = format!("C-{day}");
            store.accept(cable(&id, day), digest(&id), &[], true).unwrap();
        }
        store.accept(cable("C-x", 9), digest("C-x"), &[], false).unwrap();
        assert_eq!(store.archive_len().unwrap(), 10);
        store.prune_archive(10, Some(3)).unwrap(); // keeps days 8, 9 (10 - d < 3)
        let archive = store.archive().unwrap();
        assert_eq!(archive.iter().map(|c| c.day).collect::<Vec<_>>(), [8, 9]);
        assert_eq!(archive[0].frame.to_vec(), b"frame of C-8");
        store.prune_archive(100, None).unwrap();
        assert_eq!(store.archive_len().unwrap(), 2);
        assert!(store.accepted_digest("C-0").unwrap().is_some(), "pruning forgets no id");
    }

    /// The ids in the archive, oldest first.
    pub(in crate::net::store) fn archived_ids(store: &dyn HubStore) -> Vec<String> {
        store.archive().unwrap().into_iter().map(|c| c.id).collect()
    }

    /// Retention by day wherever a cable sits (nodes on days of their own
    /// do not archive in day order), and never of a cable dated after
    /// today; shared by every hub store.
    pub(in crate::net::store) fn archive_prunes_by_day_in_any_order(store: &mut dyn HubStore) {
        for (id, day) in [("C-5", 5), ("C-2", 2), ("C-9", 9), ("C-3", 3), ("C-7", 7)] {
            store.accept(cable(id, day), digest(id), &[], true).unwrap();
        }
        store.prune_archive(6, Some(3)).unwrap(); // drops days 0..=3
        assert_eq!(archived_ids(store), ["C-5", "C-9", "C-7"]);
        store.prune_archive(9, Some(3)).unwrap(); // drops days 0..=6
        assert_eq!(archived_ids(store), ["C-9", "C-7"]);
        store.prune_archive(12, Some(3)).unwrap(); // drops days 0..=9
        assert!(archived_ids(store).is_empty());
        // In day order again, a cable of a later day stays at the front.
        for (id, day) in [("C-11", 11), ("C-20", 20), ("C-21", 21)] {
            store.accept(cable(id, day), digest(id), &[], true).unwrap();
        }
        store.prune_archive(14, Some(3)).unwrap(); // drops days 0..=11
        assert_eq!(archived_ids(store), ["C-20", "C-21"]);
        store.prune_archive(15, Some(3)).unwrap();
        assert_eq!(archived_ids(store), ["C-20", "C-21"], "dated after today: kept");
        store.prune_archive(23, Some(3)).unwrap(); // drops days 0..=20
        assert_eq!(archived_ids(store), ["C-21"]);
    }

    #[test]
    fn memory_archive_prunes_by_day_in_any_order() {
        archive_prunes_by_day_in_any_order(&mut MemoryHubStore::new());
    }

    #[test]
    fn memory_queue_until_acknowledged() {
        queue_until_acknowledged(&mut MemoryHubStore::new());
    }

    #[test]
    fn memory_archive_keeps_archive_days() {
        archive_keeps_archive_days(&mut MemoryHubStore::new());
    }

    #[test]
    fn memory_directory_keeps_the_last_entry() {
        directory_keeps_the_last_entry(&mut MemoryHubStore::new());
    }
}
