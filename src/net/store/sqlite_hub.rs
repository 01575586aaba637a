//! The hub's queues, accepted ids and archive in SQLite (multi-process
//! mode): a hub killed at any moment and started again delivers every
//! cable it acknowledged, and knows every id it ever accepted.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::hub_mirror;
use super::sqlite::Db;
use super::sqlite_commit::{Change, HubDb};
use super::{AcceptedCable, ArchivedCable, CableDigest, Durable, HubStore, MemoryHubStore, StoreError};
use crate::crypto::DirectoryEntry;
use crate::model::Day;

/// Changes to [`SCHEMA`] since version 1, in order (none yet): the
/// schema version written to `user_version` is one more than their number.
const UPGRADES: &[&str] = &[];

/// `cables` holds every accepted id with its digest forever (replays come
/// late); its frame is dropped once no queue and no archive needs it.
/// `queue` and `archive` keep insertion order in `seq`. `directory` holds
/// each node's last published entry, postcard-encoded.
const SCHEMA: &str = "
CREATE TABLE cables (
    id     TEXT PRIMARY KEY,
    day    INTEGER NOT NULL,
    digest BLOB NOT NULL,
    frame  BLOB
);
CREATE TABLE queue (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    node  TEXT NOT NULL,
    cable TEXT NOT NULL REFERENCES cables (id),
    UNIQUE (node, cable)
);
CREATE INDEX queue_by_node ON queue (node, seq);
CREATE INDEX queue_by_cable ON queue (cable);
CREATE TABLE archive (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    cable TEXT NOT NULL UNIQUE REFERENCES cables (id),
    day   INTEGER NOT NULL
);
CREATE TABLE directory (
    node  TEXT PRIMARY KEY,
    entry BLOB NOT NULL
);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

/// A [`HubStore`] in a SQLite file, committed in groups: each call
/// changes what the store reads back at once (from a [`MemoryHubStore`]
/// mirroring the file), and [`HubStore::durable`] resolves once
/// everything changed so far is committed — by one transaction for all the
/// changes staged while the previous one was syncing (see `sqlite_commit`).
pub struct SqliteHubStore {
    pub(super) shared: Arc<HubDb>,
    /// The answer of the last change that asked for one, for the next
    /// [`HubStore::durable`]: its error then names that change.
    last: Option<Durable>,
    /// Failed commits counted when [`HubStore::accepted_digest`] last read
    /// the mirror. A retransmission is acknowledged on a barrier staged
    /// after that read; if a failed commit undid the cable in between,
    /// the barrier must not stand for it (see [`HubStore::durable`]).
    read_at_failures: AtomicU64,
}

impl std::fmt::Debug for SqliteHubStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteHubStore")
            .field("path", &self.shared.path())
            .finish()
    }
}

impl SqliteHubStore {
    /// Opens the hub's database at `path`, creating it if missing; what a
    /// previous run committed is all there, even if it was killed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let db = Db::open(path.as_ref(), SCHEMA, UPGRADES)?;
        let mirror = hub_mirror::load(&db)?;
        Ok(SqliteHubStore {
            shared: HubDb::new(db, mirror),
            last: None,
            read_at_failures: AtomicU64::new(0),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.shared.path()
    }

    /// Transactions committed so far: with group commit, fewer than the
    /// changes made (the bench and the tests count them).
    pub fn commits(&self) -> u64 {
        self.shared.commits()
    }

    /// A handle that holds this store's commits back while a test wants
    /// them held.
    #[cfg(test)]
    pub(crate) fn commit_gate(&self) -> CommitGate {
        CommitGate(self.shared.clone())
    }

    fn stage<T>(&mut self, change: Change, wait: bool, apply: impl FnOnce(&mut MemoryHubStore) -> T) -> T {
        let (value, durable) = self.shared.stage(change, wait, apply);
        // Only the very last change can stand for all of them.
        self.last = durable;
        value
    }
}

/// See [`SqliteHubStore::commit_gate`].
#[cfg(test)]
pub(crate) struct CommitGate(Arc<HubDb>);

#[cfg(test)]
impl CommitGate {
    /// No commit starts until the value returned is dropped.
    pub(crate) fn hold(&self) -> impl Sized + '_ {
        self.0.hold()
    }

    /// Transactions committed so far.
    pub(crate) fn commits(&self) -> u64 {
        self.0.commits()
    }
}

impl Drop for SqliteHubStore {
    fn drop(&mut self) {
        // Whatever is staged is committed, and the file is free for the
        // next owner (a restarted hub, a test opening it again).
        self.shared.close();
    }
}

impl HubStore for SqliteHubStore {
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError> {
        // Read under the mirror's lock, as a failed commit's reload counts
        // its failure: the count matches the mirror that was read.
        let mirror = self.shared.mirror();
        self.read_at_failures.store(self.shared.failures(), Ordering::Relaxed);
        mirror.accepted_digest(id)
    }

    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError> {
        let cable = Arc::new(cable);
        let change = Change::Accept {
            cable: cable.clone(),
            digest,
            recipients: recipients.to_vec(),
            archive,
        };
        self.stage(change, true, |mirror| {
            mirror.accept_shared(&cable, digest, recipients, archive)
        });
        Ok(cable)
    }

    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.shared.mirror().pending(node)
    }

    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.shared.mirror().pending_window(node, skip, limit)
    }

    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        self.shared.mirror().pending_count(node)
    }

    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        // Nobody waits for it: a crash before its commit only makes the
        // hub deliver the cable again, which the node recognises.
        let change = Change::Acknowledge {
            node: node.to_owned(),
            cable: cable.to_owned(),
        };
        self.stage(change, false, |mirror| mirror.acknowledge(node, cable))
    }

    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError> {
        let change = Change::PruneArchive { today, archive_days };
        self.stage(change, false, |mirror| mirror.prune_archive(today, archive_days))
    }

    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError> {
        self.shared.mirror().archive()
    }

    fn archive_len(&self) -> Result<usize, StoreError> {
        self.shared.mirror().archive_len()
    }

    fn day(&self) -> Result<Option<Day>, StoreError> {
        self.shared.mirror().day()
    }

    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.stage(Change::SaveDay(day), false, |mirror| mirror.save_day(day))
    }

    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        let bytes = postcard::to_allocvec(entry).map_err(|e| StoreError::Sqlite {
            path: self.path().to_path_buf(),
            operation: "save a directory entry",
            cause: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        let change = Change::SaveEntry {
            node: entry.node.clone(),
            entry: bytes,
        };
        self.stage(change, false, |mirror| mirror.save_entry(entry))
    }

    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        self.shared.mirror().directory()
    }

    fn durable(&mut self) -> Durable {
        if let Some(last) = self.last.take() {
            return last;
        }
        // A cable read back as accepted (a retransmission) may have been in
        // a group that failed since: the reload removed it, and a barrier
        // staged now would resolve without it. Checked under the mirror's
        // lock, so a failure after this point fails the barrier itself.
        let read_at = self.read_at_failures.load(Ordering::Relaxed);
        let (undone, durable) = self
            .shared
            .stage(Change::Barrier, true, |_| self.shared.failures() != read_at);
        if undone {
            return Durable::failed(StoreError::Undone {
                path: self.shared.path().to_path_buf(),
                operation: Change::Barrier.operation(),
            });
        }
        durable.unwrap_or_else(Durable::now)
    }

    fn failed_commits(&self) -> u64 {
        self.shared.failures()
    }
}

#[cfg(test)]
mod tests {
    use super::super::hub_memory::tests::{
        archive_keeps_archive_days, archive_prunes_by_day_in_any_order, archived_ids, cable, digest,
        directory_keeps_the_last_entry, entry, queue_until_acknowledged,
    };
    use super::super::sqlite::tests::{crash_copy, pragmas, scratch};
    use super::*;

    /// The store's connection, held: nothing commits meanwhile.
    fn connection(store: &SqliteHubStore) -> std::sync::MutexGuard<'_, Option<Db>> {
        store.shared.hold()
    }

    #[test]
    fn sqlite_queue_until_acknowledged() {
        let dir = scratch("hub-queue");
        queue_until_acknowledged(&mut SqliteHubStore::open(dir.join("hub.db")).unwrap());
    }

    #[test]
    fn sqlite_archive_keeps_archive_days() {
        let dir = scratch("hub-archive");
        archive_keeps_archive_days(&mut SqliteHubStore::open(dir.join("hub.db")).unwrap());
    }

    #[test]
    fn sqlite_archive_prunes_by_day_in_any_order_in_its_mirror_and_its_file() {
        let dir = scratch("hub-archive-order");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        archive_prunes_by_day_in_any_order(&mut store);
        store.durable().wait_blocking().unwrap();
        drop(store);
        assert_eq!(archived_ids(&SqliteHubStore::open(&path).unwrap()), ["C-21"]);
    }

    #[test]
    fn sqlite_directory_keeps_the_last_entry() {
        let dir = scratch("hub-directory");
        directory_keeps_the_last_entry(&mut SqliteHubStore::open(dir.join("hub.db")).unwrap());
    }

    #[test]
    fn pragmas_are_wal_and_full() {
        let dir = scratch("hub-pragmas");
        let store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
        // synchronous: 2 is FULL.
        assert_eq!(
            pragmas(&connection(&store).as_ref().unwrap().conn),
            ("wal".to_owned(), 2, 1)
        );
    }

    #[test]
    fn everything_committed_survives_a_crash() {
        let dir = scratch("hub-crash");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        store
            .accept(cable("C-1", 3), digest("C-1"), &["a".into(), "b".into()], true)
            .unwrap();
        store
            .accept(cable("C-2", 4), digest("C-2"), &["a".into()], false)
            .unwrap();
        assert!(store.acknowledge("a", "C-1").unwrap());
        store.save_day(4).unwrap();
        let published = entry("a");
        store.save_entry(&published).unwrap();
        store.durable().wait_blocking().unwrap();
        // Killed: the files as they are, no close, no checkpoint.
        let copy = crash_copy(&path, &dir.join("after-crash"));
        drop(store);

        let store = SqliteHubStore::open(&copy).unwrap();
        let ids = |node| {
            store
                .pending(node)
                .unwrap()
                .iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("a"), ["C-2"]);
        assert_eq!(ids("b"), ["C-1"]);
        assert_eq!(&*store.pending("b").unwrap()[0].deliver_frame, b"frame of C-1");
        assert_eq!(
            store
                .archive()
                .unwrap()
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["C-1"]
        );
        assert_eq!(store.accepted_digest("C-2").unwrap(), Some(digest("C-2")));
        assert_eq!(store.day().unwrap(), Some(4));
        assert_eq!(store.directory().unwrap(), [published]);
    }

    #[test]
    fn frames_nobody_needs_are_dropped_but_ids_remain() {
        let dir = scratch("hub-release");
        let mut store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
        store
            .accept(cable("C-1", 0), digest("C-1"), &["a".into()], false)
            .unwrap();
        store.acknowledge("a", "C-1").unwrap();
        store.durable().wait_blocking().unwrap();
        let frame: Option<Vec<u8>> = connection(&store)
            .as_ref()
            .unwrap()
            .conn
            .query_row("SELECT frame FROM cables WHERE id = 'C-1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(frame, None);
        assert_eq!(store.accepted_digest("C-1").unwrap(), Some(digest("C-1")));
    }

    #[test]
    fn fail_open_on_a_directory_or_a_missing_directory_names_the_file() {
        let dir = scratch("hub-bad-path");
        for path in [dir.clone(), dir.join("no/such/dir/hub.db")] {
            let err = SqliteHubStore::open(&path).unwrap_err().to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.starts_with("cannot open the store"), "{err}");
        }
    }

    #[test]
    fn fail_a_newer_schema() {
        let dir = scratch("hub-newer");
        let path = dir.join("hub.db");
        let store = SqliteHubStore::open(&path).unwrap();
        connection(&store)
            .as_ref()
            .unwrap()
            .conn
            .pragma_update(None, "user_version", 99)
            .unwrap();
        drop(store);
        let err = SqliteHubStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }
}
