//! What the hub's SQLite store reads from: its file's contents in memory,
//! loaded when the store opens and changed with every call, before the
//! change is committed. The hub reads its queues under its lock on every
//! relay and acknowledgement; reading them here means no read ever waits
//! for a commit in progress (see "Durability" in ARCHITECTURE.md).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use super::sqlite::{Db, day_from_sql};
use super::{AcceptedCable, ArchivedCable, CableDigest, StoreError};
use crate::crypto::DirectoryEntry;
use crate::model::{Day, expired};

/// The hub store's state: every id accepted with its digest, each node's
/// queue in order, the archive in order, the directory and the day.
#[derive(Debug, Default)]
pub(super) struct Mirror {
    pub(super) accepted: HashMap<String, CableDigest>,
    pub(super) queues: HashMap<String, VecDeque<Arc<AcceptedCable>>>,
    pub(super) archive: VecDeque<ArchivedCable>,
    pub(super) directory: BTreeMap<String, DirectoryEntry>,
    pub(super) day: Option<Day>,
}

impl Mirror {
    /// What `db` holds committed, read in one pass per table.
    pub(super) fn load(db: &Db) -> Result<Mirror, StoreError> {
        const OP: &str = "load the hub's store";
        let fail = db.fail(OP);
        let conn = &db.conn;
        let mut mirror = Mirror::default();
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
        mirror.accepted = accepted.into_iter().collect();
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
            mirror.queues.entry(node).or_default().push_back(cable);
        }
        for (id, day, frame) in archived {
            let frame = match cables.get(&id) {
                Some(cable) => cable.deliver_frame.clone(),
                None => frame.map(Arc::from).ok_or_else(|| lost(&id))?,
            };
            mirror.archive.push_back(ArchivedCable {
                id,
                day: day_from_sql(db, OP, day)?,
                frame: frame.into(),
            });
        }
        for bytes in entries {
            let entry: DirectoryEntry = postcard::from_bytes(&bytes).map_err(|e| db.corrupt(OP, e))?;
            mirror.directory.insert(entry.node.clone(), entry);
        }
        mirror.day = day.map(|d| day_from_sql(db, OP, d)).transpose()?;
        Ok(mirror)
    }

    pub(super) fn accept(
        &mut self,
        cable: &Arc<AcceptedCable>,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) {
        self.accepted.insert(cable.id.clone(), digest);
        for r in recipients {
            match self.queues.get_mut(r) {
                Some(queue) => queue.push_back(cable.clone()),
                None => {
                    self.queues.insert(r.clone(), VecDeque::from([cable.clone()]));
                }
            }
        }
        if archive {
            self.archive.push_back(ArchivedCable {
                id: cable.id.clone(),
                day: cable.day,
                frame: cable.deliver_frame.clone().into(),
            });
        }
    }

    pub(super) fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Vec<Arc<AcceptedCable>> {
        self.queues
            .get(node)
            .into_iter()
            .flat_map(|queue| queue.range(skip.min(queue.len())..))
            .take(limit)
            .cloned()
            .collect()
    }

    pub(super) fn acknowledge(&mut self, node: &str, cable: &str) -> bool {
        let Some(queue) = self.queues.get_mut(node) else {
            return false;
        };
        // Acknowledgements come in delivery order: almost always the front.
        match queue.iter().position(|c| c.id == cable) {
            Some(i) => {
                queue.remove(i);
                true
            }
            None => false,
        }
    }

    /// Drops what `archive_days` no longer keeps, wherever it sits: cables
    /// from nodes on different days are not archived in day order.
    pub(super) fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) {
        self.archive.retain(|c| !expired(c.day, today, archive_days));
    }
}
