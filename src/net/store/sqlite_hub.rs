//! The hub's queues, accepted ids and archive in SQLite (multi-process
//! mode): a hub killed at any moment and started again delivers every
//! cable it acknowledged, and knows every id it ever accepted.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};

use super::sqlite::{Db, EXPIRED, day_from_sql, day_sql};
use super::{AcceptedCable, ArchivedCable, CableDigest, HubStore, StoreError};
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

/// Forgets the frame of cable `?1` if nothing needs it any more.
const RELEASE_FRAME: &str = "UPDATE cables SET frame = NULL WHERE id = ?1
    AND NOT EXISTS (SELECT 1 FROM queue WHERE cable = ?1)
    AND NOT EXISTS (SELECT 1 FROM archive WHERE cable = ?1)";

/// A [`HubStore`] in a SQLite file.
pub struct SqliteHubStore {
    db: Db,
}

impl std::fmt::Debug for SqliteHubStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteHubStore").field("path", &self.db.path).finish()
    }
}

impl SqliteHubStore {
    /// Opens the hub's database at `path`, creating it if missing; what a
    /// previous run committed is all there, even if it was killed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Ok(SqliteHubStore {
            db: Db::open(path.as_ref(), SCHEMA, UPGRADES)?,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    fn frame(&self, operation: &'static str, id: &str, frame: Option<Vec<u8>>) -> Result<Arc<[u8]>, StoreError> {
        frame
            .map(Arc::from)
            .ok_or_else(|| self.db.corrupt(operation, format!("cable {id} has lost its frame")))
    }

    #[cfg(test)]
    fn connection(&self) -> &rusqlite::Connection {
        &self.db.conn
    }
}

impl HubStore for SqliteHubStore {
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError> {
        const OP: &str = "look up an accepted cable";
        self.db
            .conn
            .prepare_cached("SELECT digest FROM cables WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], |row| row.get::<_, CableDigest>(0)).optional())
            .map_err(self.db.fail(OP))
    }

    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError> {
        self.db.change("accept a cable", |tx| {
            tx.prepare_cached("INSERT INTO cables (id, day, digest, frame) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![cable.id, day_sql(cable.day), digest, &*cable.deliver_frame])?;
            let mut queue = tx.prepare_cached("INSERT INTO queue (node, cable) VALUES (?1, ?2)")?;
            for r in recipients {
                queue.execute(params![r, cable.id])?;
            }
            if archive {
                tx.prepare_cached("INSERT INTO archive (cable, day) VALUES (?1, ?2)")?
                    .execute(params![cable.id, day_sql(cable.day)])?;
            }
            Ok(())
        })?;
        Ok(Arc::new(cable))
    }

    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        // LIMIT -1: no limit.
        self.pending_window(node, 0, usize::MAX)
    }

    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        const OP: &str = "read a delivery queue";
        let limit = i64::try_from(limit).unwrap_or(-1);
        let skip = i64::try_from(skip).unwrap_or(i64::MAX);
        let rows: Vec<(String, i64, Option<Vec<u8>>)> = self
            .db
            .conn
            .prepare_cached(
                "SELECT c.id, c.day, c.frame FROM queue q JOIN cables c ON c.id = q.cable
                 WHERE q.node = ?1 ORDER BY q.seq LIMIT ?2 OFFSET ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![node, limit, skip], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect()
            })
            .map_err(self.db.fail(OP))?;
        rows.into_iter()
            .map(|(id, day, frame)| {
                Ok(Arc::new(AcceptedCable {
                    day: day_from_sql(&self.db, OP, day)?,
                    deliver_frame: self.frame(OP, &id, frame)?,
                    id,
                }))
            })
            .collect()
    }

    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        let count = self
            .db
            .conn
            .prepare_cached("SELECT COUNT(*) FROM queue WHERE node = ?1")
            .and_then(|mut stmt| stmt.query_row([node], |row| row.get::<_, i64>(0)))
            .map_err(self.db.fail("count a delivery queue"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        self.db.change("acknowledge a delivery", |tx| {
            let removed = tx
                .prepare_cached("DELETE FROM queue WHERE node = ?1 AND cable = ?2")?
                .execute([node, cable])?;
            if removed > 0 {
                tx.prepare_cached(RELEASE_FRAME)?.execute([cable])?;
            }
            Ok(removed > 0)
        })
    }

    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError> {
        self.db.change("prune the archive", |tx| {
            // By day, not by position: cables from nodes on different days
            // (multi-process mode) are not archived in day order.
            let expired: Vec<String> = {
                let mut stmt = tx.prepare_cached(&format!("SELECT cable FROM archive WHERE {EXPIRED}"))?;
                let ids = stmt.query_map(rusqlite::params![day_sql(today), archive_days], |row| row.get(0))?;
                ids.collect::<Result<_, _>>()?
            };
            tx.prepare_cached(&format!("DELETE FROM archive WHERE {EXPIRED}"))?
                .execute(rusqlite::params![day_sql(today), archive_days])?;
            let mut release = tx.prepare_cached(RELEASE_FRAME)?;
            for id in &expired {
                release.execute([id])?;
            }
            Ok(())
        })
    }

    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError> {
        const OP: &str = "read the archive";
        let rows: Vec<(String, i64, Option<Vec<u8>>)> = self
            .db
            .conn
            .prepare_cached("SELECT c.id, a.day, c.frame FROM archive a JOIN cables c ON c.id = a.cable ORDER BY a.seq")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect()
            })
            .map_err(self.db.fail(OP))?;
        rows.into_iter()
            .map(|(id, day, frame)| {
                Ok(ArchivedCable {
                    day: day_from_sql(&self.db, OP, day)?,
                    frame: self.frame(OP, &id, frame)?.into(),
                    id,
                })
            })
            .collect()
    }

    fn archive_len(&self) -> Result<usize, StoreError> {
        let count = self
            .db
            .conn
            .query_row("SELECT COUNT(*) FROM archive", [], |row| row.get::<_, i64>(0))
            .map_err(self.db.fail("count the archive"))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    fn day(&self) -> Result<Option<Day>, StoreError> {
        const OP: &str = "read the day";
        let day: Option<i64> = self
            .db
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'day'", [], |row| row.get(0))
            .optional()
            .map_err(self.db.fail(OP))?;
        day.map(|d| day_from_sql(&self.db, OP, d)).transpose()
    }

    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.db.change("save the day", |tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('day', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [day_sql(day)],
            )?;
            Ok(())
        })
    }

    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        self.db.change("save a directory entry", |tx| {
            let bytes =
                postcard::to_allocvec(entry).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            tx.prepare_cached(
                "INSERT INTO directory (node, entry) VALUES (?1, ?2)
                 ON CONFLICT (node) DO UPDATE SET entry = excluded.entry",
            )?
            .execute(params![entry.node, bytes])?;
            Ok(())
        })
    }

    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        const OP: &str = "read the directory";
        let rows: Vec<Vec<u8>> = self
            .db
            .conn
            .prepare_cached("SELECT entry FROM directory ORDER BY node")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(self.db.fail(OP))?;
        rows.iter()
            .map(|bytes| postcard::from_bytes(bytes).map_err(|e| self.db.corrupt(OP, e)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::hub_memory::tests::{
        archive_keeps_archive_days, cable, digest, directory_keeps_the_last_entry, entry, queue_until_acknowledged,
    };
    use super::super::sqlite::tests::{crash_copy, pragmas, scratch};
    use super::*;

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
    fn sqlite_directory_keeps_the_last_entry() {
        let dir = scratch("hub-directory");
        directory_keeps_the_last_entry(&mut SqliteHubStore::open(dir.join("hub.db")).unwrap());
    }

    #[test]
    fn pragmas_are_wal_and_full() {
        let dir = scratch("hub-pragmas");
        let store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
        // synchronous: 2 is FULL.
        assert_eq!(pragmas(store.connection()), ("wal".to_owned(), 2, 1));
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
        let frame: Option<Vec<u8>> = store
            .connection()
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
        store.connection().pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let err = SqliteHubStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 99"), "{err}");
    }
}
