//! What the hub's SQLite store reads from: its file's contents loaded into
//! a [`MemoryHubStore`] when the store opens (and again after a failed
//! commit), then changed with every call, before the change is committed.
//! The hub reads its queues under its lock on every relay and
//! acknowledgement; reading them there means no read ever waits for a
//! commit in progress (see "Durability" in ARCHITECTURE.md).

use std::collections::HashMap;
use std::sync::Arc;

use super::hub_memory::HubParts;
use super::sqlite::{Db, day_from_sql};
use super::{AcceptedCable, ArchivedCable, CableDigest, MemoryHubStore, StoreError};
use crate::crypto::DirectoryEntry;

/// What `db` holds committed, read in one pass per table, in a store of
/// its own.
pub(super) fn load(db: &Db) -> Result<MemoryHubStore, StoreError> {
    const OP: &str = "load the hub's store";
    let fail = db.fail(OP);
    let conn = &db.conn;
    let mut parts = HubParts::default();
    let read = || -> rusqlite::Result<_> {
        let accepted: Vec<(String, CableDigest)> = conn
            .prepare("SELECT id, digest FROM cables")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let queued: Vec<(String, String, i64, Option<Vec<u8>>)> = conn
            .prepare(
                "SELECT q.node, c.id, c.day, c.frame FROM queue q JOIN cables c ON c.id = q.cable
                 ORDER BY q.seq",
            )?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let archived: Vec<(String, i64, Option<Vec<u8>>)> = conn
            .prepare("SELECT c.id, a.day, c.frame FROM archive a JOIN cables c ON c.id = a.cable ORDER BY a.seq")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let entries: Vec<Vec<u8>> = conn
            .prepare("SELECT entry FROM directory ORDER BY node")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let day: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = 'day'", [], |row| row.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        Ok((accepted, queued, archived, entries, day))
    };
    let (accepted, queued, archived, entries, day) = read().map_err(fail)?;
    let lost = |id: &str| db.corrupt(OP, format!("cable {id} has lost its frame"));
    parts.accepted = accepted.into_iter().collect();
    // One copy of each cable, shared by every queue and the archive.
    let mut cables: HashMap<String, Arc<AcceptedCable>> = HashMap::new();
    for (node, id, day, frame) in queued {
        let cable = match cables.get(&id) {
            Some(cable) => cable.clone(),
            None => {
                let cable = Arc::new(AcceptedCable {
                    day: day_from_sql(db, OP, day)?,
                    deliver_frame: frame.map(Arc::from).ok_or_else(|| lost(&id))?,
                    id: id.clone(),
                });
                cables.insert(id, cable.clone());
                cable
            }
        };
        parts.queues.entry(node).or_default().push_back(cable);
    }
    for (id, day, frame) in archived {
        let frame = match cables.get(&id) {
            Some(cable) => cable.deliver_frame.clone(),
            None => frame.map(Arc::from).ok_or_else(|| lost(&id))?,
        };
        parts.archive.push_back(ArchivedCable {
            id,
            day: day_from_sql(db, OP, day)?,
            frame: frame.into(),
        });
    }
    for bytes in entries {
        let entry: DirectoryEntry = postcard::from_bytes(&bytes).map_err(|e| db.corrupt(OP, e))?;
        parts.directory.insert(entry.node.clone(), entry);
    }
    parts.day = day.map(|d| day_from_sql(db, OP, d)).transpose()?;
    Ok(MemoryHubStore::holding(parts))
}
