//! A node's keys, inbox, sent items and outbox in SQLite (multi-process
//! mode): a node killed at any moment and started again has every cable it
//! acknowledged, resends every cable the hub has not acknowledged, and
//! opens what was sealed for the keys it held.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::sqlite::{Db, EXPIRED, day_from_sql, day_sql};
use super::{CableDigest, Filed, NodeRecord, NodeStore, OutboxEntry, StoreError, payload_digest};
use crate::crypto::{CablePayload, DirectoryEntry, NodeKeys};
use crate::model::{Cable, CableContent, CableHeader, Day};
use crate::net::StoredCable;

/// Changes to [`SCHEMA`] since version 1, in order: the schema version
/// written to `user_version` is one more than their number.
///
/// 2: `waiting` holds cables typed for recipients whose keys the node does
/// not have yet, in the order typed; a cable leaves it for `outbox` in the
/// transaction that queues it there, sealed.
const UPGRADES: &[&str] = &["
CREATE TABLE waiting (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    id    TEXT NOT NULL UNIQUE,
    cable BLOB NOT NULL
);
"];

/// `filed` remembers the digest of every delivery ever filed, after
/// retention removed it from `inbox`, so a late redelivery is still known.
/// Cables are postcard-encoded; `seq` keeps arrival (or submit) order.
const SCHEMA: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE secrets (
    slot  INTEGER PRIMARY KEY CHECK (slot = 0),
    bytes BLOB NOT NULL
);
CREATE TABLE inbox (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    id    TEXT NOT NULL,
    day   INTEGER NOT NULL,
    cable BLOB NOT NULL
);
CREATE TABLE filed (
    id     TEXT PRIMARY KEY,
    digest BLOB NOT NULL
);
CREATE TABLE sent (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    id    TEXT NOT NULL,
    day   INTEGER NOT NULL,
    cable BLOB NOT NULL
);
CREATE TABLE outbox (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    id     TEXT NOT NULL UNIQUE,
    cable  BLOB NOT NULL,
    submit BLOB NOT NULL
);
CREATE TABLE directory (
    node  TEXT PRIMARY KEY,
    entry BLOB NOT NULL
);
";

/// A [`NodeStore`] in a SQLite file.
///
/// The agreement secrets are kept in the clear, as a real client keeps
/// them for its own use: the file is exactly what malware on the node
/// would copy. Rotated-out secrets are overwritten (`secure_delete`) and
/// the write-ahead log is truncated after every key change, so an old
/// epoch key is not left on disk for a later thief: forward secrecy at
/// rest, the promise of `e2e = "forward-secret"` (ARCHITECTURE.md,
/// "Security options").
pub struct SqliteNodeStore {
    db: Db,
}

impl std::fmt::Debug for SqliteNodeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteNodeStore").field("path", &self.db.path).finish()
    }
}

fn encode<T: Serialize>(value: &T) -> rusqlite::Result<Vec<u8>> {
    postcard::to_allocvec(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

impl SqliteNodeStore {
    /// Opens a node's database at `path`, creating it if missing; what a
    /// previous run committed is all there, even if it was killed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Ok(SqliteNodeStore {
            db: Db::open(path.as_ref(), SCHEMA, UPGRADES)?,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    fn decode<T: DeserializeOwned>(&self, operation: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
        postcard::from_bytes(bytes).map_err(|e| self.db.corrupt(operation, e))
    }

    fn meta(&self, operation: &'static str, key: &str) -> Result<Option<i64>, StoreError> {
        self.db
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(self.db.fail(operation))
    }

    fn cables(&self, operation: &'static str, table: &str) -> Result<Vec<StoredCable>, StoreError> {
        let rows: Vec<Vec<u8>> = self
            .db
            .conn
            .prepare(&format!("SELECT cable FROM {table} ORDER BY seq"))
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(self.db.fail(operation))?;
        rows.iter().map(|bytes| self.decode(operation, bytes)).collect()
    }

    #[cfg(test)]
    fn connection(&self) -> &rusqlite::Connection {
        &self.db.conn
    }
}

fn set_meta(tx: &rusqlite::Transaction<'_>, key: &str, value: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

impl NodeStore for SqliteNodeStore {
    fn load(&self) -> Result<NodeRecord, StoreError> {
        const OP: &str = "load the node's state";
        let keys: Option<Zeroizing<Vec<u8>>> = self
            .db
            .conn
            .query_row("SELECT bytes FROM secrets WHERE slot = 0", [], |row| row.get(0))
            .optional()
            .map_err(self.db.fail(OP))?
            .map(Zeroizing::new);
        let day = self
            .meta(OP, "day")?
            .map(|d| day_from_sql(&self.db, OP, d))
            .transpose()?;
        let outbox: Vec<(Vec<u8>, Vec<u8>)> = self
            .db
            .conn
            .prepare("SELECT cable, submit FROM outbox ORDER BY seq")
            .and_then(|mut stmt| stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
            .map_err(self.db.fail(OP))?;
        let waiting: Vec<Vec<u8>> = self
            .db
            .conn
            .prepare("SELECT cable FROM waiting ORDER BY seq")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(self.db.fail(OP))?;
        let directory: Vec<Vec<u8>> = self
            .db
            .conn
            .prepare("SELECT entry FROM directory ORDER BY node")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(self.db.fail(OP))?;
        Ok(NodeRecord {
            origin: self.db.path.clone(),
            directory: directory
                .iter()
                .map(|bytes| self.decode(OP, bytes))
                .collect::<Result<_, StoreError>>()?,
            keys,
            day,
            inbox: self.cables(OP, "inbox")?,
            sent: self.cables(OP, "sent")?,
            outbox: outbox
                .into_iter()
                .map(|(cable, submit)| {
                    Ok(OutboxEntry {
                        cable: self.decode::<Cable>(OP, &cable)?,
                        submit_frame: Arc::from(submit),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            waiting: waiting
                .iter()
                .map(|bytes| self.decode(OP, bytes))
                .collect::<Result<_, StoreError>>()?,
        })
    }

    fn save_keys(&mut self, keys: &NodeKeys) -> Result<(), StoreError> {
        let bytes = keys.export_secrets();
        self.db.change("save the keys", |tx| {
            tx.execute(
                "INSERT INTO secrets (slot, bytes) VALUES (0, ?1)
                 ON CONFLICT (slot) DO UPDATE SET bytes = excluded.bytes",
                [&bytes[..]],
            )?;
            Ok(())
        })?;
        // The old secrets' page images stay in the WAL until it is
        // checkpointed; truncate it so rotated-out keys leave the disk now.
        // A failure here loses nothing (the new keys are committed), so it
        // is only worth a warning.
        if let Err(e) = self
            .db
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(store = %self.db.path.display(), cause = %e, "could not truncate the WAL after a key change");
        }
        Ok(())
    }

    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.db.change("save the day", |tx| set_meta(tx, "day", day_sql(day)))
    }

    fn save_directory(&mut self, entries: &[DirectoryEntry]) -> Result<(), StoreError> {
        self.db.change("save the directory", |tx| {
            tx.execute("DELETE FROM directory", [])?;
            let mut insert = tx.prepare_cached("INSERT INTO directory (node, entry) VALUES (?1, ?2)")?;
            for entry in entries {
                insert.execute(params![entry.node, encode(entry)?])?;
            }
            Ok(())
        })
    }

    fn queue_waiting(&mut self, cable: &Cable) -> Result<(), StoreError> {
        self.db.change("keep a cable waiting for keys", |tx| {
            tx.prepare_cached("INSERT INTO waiting (id, cable) VALUES (?1, ?2)")?
                .execute(params![cable.id, encode(cable)?])?;
            Ok(())
        })
    }

    fn queue_outbox(&mut self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.db.change("queue a cable in the outbox", |tx| {
            tx.prepare_cached("DELETE FROM waiting WHERE id = ?1")?
                .execute([&entry.cable.id])?;
            tx.prepare_cached("INSERT INTO outbox (id, cable, submit) VALUES (?1, ?2, ?3)")?
                .execute(params![entry.cable.id, encode(&entry.cable)?, &*entry.submit_frame])?;
            Ok(())
        })
    }

    fn mark_sent(&mut self, id: &str, stored: &StoredCable) -> Result<bool, StoreError> {
        self.db.change("move a cable to the sent items", |tx| {
            let removed = tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([id])?;
            if removed > 0 {
                tx.prepare_cached("INSERT INTO sent (id, day, cable) VALUES (?1, ?2, ?3)")?
                    .execute(params![id, day_sql(stored.header.day), encode(stored)?])?;
            }
            Ok(removed > 0)
        })
    }

    fn drop_outbox(&mut self, id: &str) -> Result<(), StoreError> {
        self.db.change("drop a refused cable from the outbox", |tx| {
            tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([id])?;
            tx.prepare_cached("DELETE FROM waiting WHERE id = ?1")?.execute([id])?;
            Ok(())
        })
    }

    fn filed(&self, id: &str, payload: &CablePayload) -> Result<Filed, StoreError> {
        let filed = self
            .db
            .conn
            .prepare_cached("SELECT digest FROM filed WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], |row| row.get::<_, CableDigest>(0)).optional())
            .map_err(self.db.fail("look up a filed delivery"))?;
        // Digested only for an id seen before: the rare case.
        Ok(match filed {
            None => Filed::No,
            Some(digest) if digest == payload_digest(payload) => Filed::Same,
            Some(_) => Filed::Different,
        })
    }

    fn file_inbox(
        &mut self,
        payload: &CablePayload,
        header: &CableHeader,
        content: &CableContent,
    ) -> Result<(), StoreError> {
        let digest = payload_digest(payload);
        // Encodes exactly as a `StoredCable` does (postcard writes a
        // struct as its fields in order), without copying the cable.
        #[derive(Serialize)]
        struct Stored<'a> {
            header: &'a CableHeader,
            content: &'a CableContent,
        }
        self.db.change("file a delivery", |tx| {
            tx.prepare_cached("INSERT INTO filed (id, digest) VALUES (?1, ?2)")?
                .execute(params![header.id, digest])?;
            tx.prepare_cached("INSERT INTO inbox (id, day, cable) VALUES (?1, ?2, ?3)")?
                .execute(params![
                    header.id,
                    day_sql(header.day),
                    encode(&Stored { header, content })?
                ])?;
            Ok(())
        })
    }

    fn prune(&mut self, today: Day, retention_days: Option<u32>) -> Result<(), StoreError> {
        self.db.change("apply retention", |tx| {
            let keep = retention_days.map(i64::from);
            for table in ["inbox", "sent"] {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE {EXPIRED}"))?
                    .execute(params![day_sql(today), keep])?;
            }
            Ok(())
        })
    }

    fn next_sequence(&mut self) -> Result<u64, StoreError> {
        let next = self.db.change("advance the cable counter", |tx| {
            let current: i64 = tx
                .query_row("SELECT value FROM meta WHERE key = 'sequence'", [], |row| row.get(0))
                .optional()?
                .unwrap_or(0);
            let next = current.saturating_add(1);
            set_meta(tx, "sequence", next)?;
            Ok(next)
        })?;
        u64::try_from(next).map_err(|_| {
            self.db
                .corrupt("advance the cable counter", format!("counter at {next}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::sqlite::tests::{crash_copy, pragmas, scratch};
    use super::*;
    use crate::crypto::{ClearCable, IdentityKey};
    use crate::model::{Classification, E2eMode};

    fn stored(id: &str, day: Day) -> StoredCable {
        StoredCable {
            header: CableHeader {
                version: CableHeader::VERSION,
                id: id.into(),
                day,
                from: "a".into(),
                to: vec!["b".into()],
                recipients: vec!["b".into()],
                classification: Classification::Restricted,
            },
            content: CableContent {
                subject: format!("subject of {id}"),
                body: "body".into(),
            },
        }
    }

    fn outbox(id: &str) -> OutboxEntry {
        let s = stored(id, 1);
        OutboxEntry {
            cable: Cable::from_parts(&s.header, s.content, "canary".into()),
            submit_frame: Arc::from(format!("submit {id}").as_bytes()),
        }
    }

    /// The clear payload `cable` travelled as.
    fn payload(cable: &StoredCable) -> CablePayload {
        CablePayload::Clear(ClearCable::new(cable.header.clone(), cable.content.clone(), None))
    }

    fn file(store: &mut SqliteNodeStore, cable: &StoredCable) {
        store
            .file_inbox(&payload(cable), &cable.header, &cable.content)
            .unwrap();
    }

    fn ids(cables: &[StoredCable]) -> Vec<&str> {
        cables.iter().map(|c| c.header.id.as_str()).collect()
    }

    #[test]
    fn pragmas_are_wal_and_full() {
        let dir = scratch("node-pragmas");
        let store = SqliteNodeStore::open(dir.join("node.db")).unwrap();
        assert_eq!(pragmas(store.connection()), ("wal".to_owned(), 2, 2));
        let secure: i64 = store
            .connection()
            .pragma_query_value(None, "secure_delete", |r| r.get(0))
            .unwrap();
        assert_eq!(secure, 1);
    }

    #[test]
    fn everything_committed_survives_a_crash() {
        let dir = scratch("node-crash");
        let path = dir.join("node.db");
        let identity = IdentityKey::generate();
        let mut keys = NodeKeys::generate("a", E2eMode::ForwardSecret, 7, identity.clone(), None);
        let mut store = SqliteNodeStore::open(&path).unwrap();
        store.save_keys(&keys).unwrap();
        keys.enter_epoch(1);
        store.save_keys(&keys).unwrap();
        store.save_day(7).unwrap();
        file(&mut store, &stored("C-1", 2));
        file(&mut store, &stored("C-2", 6));
        store.queue_outbox(&outbox("C-3")).unwrap();
        store.queue_outbox(&outbox("C-4")).unwrap();
        store.queue_outbox(&outbox("C-5")).unwrap();
        assert!(store.mark_sent("C-4", &stored("C-4", 7)).unwrap());
        assert!(!store.mark_sent("C-4", &stored("C-4", 7)).unwrap(), "only once");
        store.drop_outbox("C-5").unwrap();
        assert_eq!(store.next_sequence().unwrap(), 1);
        assert_eq!(store.next_sequence().unwrap(), 2);
        let entries = [
            keys.publish(),
            NodeKeys::generate("b", E2eMode::Static, 7, IdentityKey::generate(), None).publish(),
        ];
        store.save_directory(&entries[..1]).unwrap();
        store.save_directory(&entries).unwrap();
        let copy = crash_copy(&path, &dir.join("after-crash"));
        drop(store);

        let mut store = SqliteNodeStore::open(&copy).unwrap();
        let record = store.load().unwrap();
        assert_eq!(record.day, Some(7));
        assert_eq!(ids(&record.inbox), ["C-1", "C-2"]);
        assert_eq!(record.inbox[0], stored("C-1", 2));
        assert_eq!(ids(&record.sent), ["C-4"]);
        assert_eq!(record.outbox.len(), 1);
        assert_eq!(record.outbox[0].cable, outbox("C-3").cable);
        assert_eq!(&*record.outbox[0].submit_frame, b"submit C-3");
        let back = record.restore_keys("a", identity.clone()).unwrap().unwrap();
        assert_eq!(back.held_epochs(), [1]);
        assert_eq!(back.publish().keys[0].public, keys.publish().keys[0].public);
        let c2 = payload(&stored("C-2", 6));
        assert_eq!(store.filed("C-2", &c2).unwrap(), Filed::Same);
        let mut other = stored("C-2", 6);
        other.content.body.push('!');
        assert_eq!(store.filed("C-2", &payload(&other)).unwrap(), Filed::Different);
        assert_eq!(store.filed("C-9", &c2).unwrap(), Filed::No);
        assert_eq!(store.next_sequence().unwrap(), 3);
        assert_eq!(record.directory, entries, "the last refresh, whole");
    }

    #[test]
    fn hybrid_keys_and_entries_survive_a_restart() {
        let dir = scratch("node-hybrid");
        let path = dir.join("node.db");
        let identity = IdentityKey::generate();
        let keys = NodeKeys::with_agreement(
            "a",
            E2eMode::ForwardSecret,
            7,
            1,
            crate::crypto::KeyAgreement::Hybrid,
            identity.clone(),
            None,
        );
        let mut store = SqliteNodeStore::open(&path).unwrap();
        store.save_keys(&keys).unwrap();
        store.save_directory(&[keys.publish()]).unwrap();
        drop(store);
        let record = SqliteNodeStore::open(&path).unwrap().load().unwrap();
        let back = record.restore_keys("a", identity).unwrap().unwrap();
        assert_eq!(back.agreement(), crate::crypto::KeyAgreement::Hybrid);
        // Both halves of every key, and their signatures, came back.
        assert_eq!(back.publish(), keys.publish());
        assert_eq!(record.directory, [keys.publish()]);
        assert!(record.directory[0].keys[0].kem.is_some());
    }

    #[test]
    fn a_waiting_cable_moves_to_the_outbox_in_one_transaction() {
        let dir = scratch("node-waiting");
        let path = dir.join("node.db");
        let mut store = SqliteNodeStore::open(&path).unwrap();
        for id in ["W-2", "W-1", "W-3", "W-4"] {
            store.queue_waiting(&outbox(id).cable).unwrap();
        }
        store.queue_outbox(&outbox("W-1")).unwrap();
        store.drop_outbox("W-4").unwrap();
        let copy = crash_copy(&path, &dir.join("after-crash"));
        drop(store);
        let record = SqliteNodeStore::open(&copy).unwrap().load().unwrap();
        let waiting: Vec<&str> = record.waiting.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            waiting,
            ["W-2", "W-3"],
            "in the order kept, without the sealed and the dropped"
        );
        assert_eq!(record.waiting[0], outbox("W-2").cable);
        assert_eq!(record.outbox.len(), 1);
        assert_eq!(record.outbox[0].cable.id, "W-1");
    }

    #[test]
    fn fail_a_second_waiting_cable_under_one_id() {
        let dir = scratch("node-waiting-twice");
        let path = dir.join("node.db");
        let mut store = SqliteNodeStore::open(&path).unwrap();
        store.queue_waiting(&outbox("W-1").cable).unwrap();
        let err = store.queue_waiting(&outbox("W-1").cable).unwrap_err().to_string();
        assert!(err.contains("keep a cable waiting for keys"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert_eq!(store.load().unwrap().waiting.len(), 1);
    }

    #[test]
    fn a_version_1_file_is_upgraded_and_keeps_its_outbox() {
        let dir = scratch("node-upgrade");
        let path = dir.join("node.db");
        {
            // A file as the previous schema left it.
            let old = Db::open(&path, SCHEMA, &[]).unwrap();
            old.conn
                .execute(
                    "INSERT INTO outbox (id, cable, submit) VALUES ('C-1', ?1, x'00')",
                    [encode(&outbox("C-1").cable).unwrap()],
                )
                .unwrap();
        }
        let mut store = SqliteNodeStore::open(&path).unwrap();
        assert_eq!(pragmas(store.connection()).2, 2);
        store.queue_waiting(&outbox("W-1").cable).unwrap();
        let record = store.load().unwrap();
        assert_eq!(record.outbox[0].cable.id, "C-1");
        assert_eq!(record.waiting.len(), 1);
        drop(store);
        // Opening an upgraded file again changes nothing.
        assert_eq!(SqliteNodeStore::open(&path).unwrap().load().unwrap().waiting.len(), 1);
    }

    #[test]
    fn retention_empties_the_inbox_but_remembers_digests() {
        let dir = scratch("node-retention");
        let mut store = SqliteNodeStore::open(dir.join("node.db")).unwrap();
        for day in 0..5 {
            file(&mut store, &stored(&format!("C-{day}"), day));
        }
        store.queue_outbox(&outbox("S-1")).unwrap();
        store.mark_sent("S-1", &stored("S-1", 1)).unwrap();
        store.prune(4, Some(2)).unwrap(); // keeps days 3 and 4
        let record = store.load().unwrap();
        assert_eq!(ids(&record.inbox), ["C-3", "C-4"]);
        assert!(record.sent.is_empty());
        let c0 = payload(&stored("C-0", 0));
        assert_eq!(
            store.filed("C-0", &c0).unwrap(),
            Filed::Same,
            "a late redelivery is still known"
        );
        store.prune(4, None).unwrap();
        assert_eq!(store.load().unwrap().inbox.len(), 2);
    }

    #[test]
    fn fail_corrupt_saved_keys_name_the_file() {
        let dir = scratch("node-bad-keys");
        let path = dir.join("node.db");
        let store = SqliteNodeStore::open(&path).unwrap();
        store
            .connection()
            .execute("INSERT INTO secrets (slot, bytes) VALUES (0, x'0102')", [])
            .unwrap();
        let err = store
            .load()
            .unwrap()
            .restore_keys("a", IdentityKey::generate())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("saved keys refused"), "{err}");
    }

    #[test]
    fn fail_open_on_a_directory_names_the_file() {
        let dir = scratch("node-bad-path");
        let err = SqliteNodeStore::open(&dir).unwrap_err().to_string();
        assert!(err.contains(&dir.display().to_string()), "{err}");
    }

    #[test]
    fn fail_a_second_outbox_entry_under_one_id() {
        let dir = scratch("node-duplicate");
        let path = dir.join("node.db");
        let mut store = SqliteNodeStore::open(&path).unwrap();
        store.queue_outbox(&outbox("C-1")).unwrap();
        let err = store.queue_outbox(&outbox("C-1")).unwrap_err().to_string();
        assert!(err.contains("queue a cable in the outbox"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert_eq!(
            store.load().unwrap().outbox.len(),
            1,
            "the failed transaction left nothing"
        );
    }
}
