//! What both SQLite stores share: opening a database file with the
//! settings durability rests on, the schema version, and errors that name
//! the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction};

use super::StoreError;

/// An open SQLite database and the path it was opened from.
pub(super) struct Db {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl Db {
    /// Opens (creating if missing) the database at `path`: write-ahead
    /// logging, `synchronous = FULL`, and `schema` created if the file is
    /// new, stamped with its version in `user_version`. `schema` is version
    /// 1; `upgrades[i]` takes a file from version `i + 1` to `i + 2`, so a
    /// new file gets `schema` and every upgrade, and an older file the
    /// upgrades it misses, in the same transaction.
    pub(super) fn open(path: &Path, schema: &str, upgrades: &[&str]) -> Result<Db, StoreError> {
        let version = 1 + upgrades.len() as i64;
        let path = path.to_path_buf();
        let open_err = |cause| in_use(&path, cause);
        let conn = Connection::open(&path).map_err(open_err)?;
        // One process owns a store: two nodes started on the same file
        // would share one outbox and deliver twice. Exclusive locking holds
        // the file's lock from the first write (below) until the process
        // ends or drops the store, and the short wait covers a store being
        // closed by its previous owner.
        conn.busy_timeout(Duration::from_secs(2)).map_err(open_err)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(open_err)?;
        // WAL: a commit is one append and one fsync, and a crash leaves
        // either the whole transaction or none of it. The pragma answers
        // with the mode it got, which is not always the one asked for.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotWal { path, found: mode });
        }
        // FULL: the WAL is synced at every commit, so a committed
        // transaction survives a power cut and not just a killed process;
        // "acknowledged" must mean "on disk" (see "Durability" in
        // ARCHITECTURE.md).
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        // Deleted records (expired retention, rotated keys) are overwritten
        // with zeros rather than left in free pages for whoever copies the
        // file later.
        conn.pragma_update(None, "secure_delete", true).map_err(open_err)?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open_err)?;
        if found > version {
            return Err(StoreError::Schema {
                path,
                found,
                supported: version,
            });
        }
        // Version 0 is a new file. The version is written on every open,
        // which takes the exclusive lock now, so a second process is
        // refused here and not at its first cable.
        let tx = conn.unchecked_transaction().map_err(open_err)?;
        if found == 0 {
            tx.execute_batch(schema).map_err(open_err)?;
        }
        for upgrade in upgrades.iter().skip(found.saturating_sub(1).max(0) as usize) {
            tx.execute_batch(upgrade).map_err(open_err)?;
        }
        tx.pragma_update(None, "user_version", version).map_err(open_err)?;
        tx.commit().map_err(open_err)?;
        Ok(Db { conn, path })
    }

    /// An error of `operation` on this database.
    pub(super) fn fail(&self, operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        move |cause| StoreError::Sqlite {
            path: self.path.clone(),
            operation,
            cause,
        }
    }

    /// A record of `operation` that does not decode.
    pub(super) fn corrupt(&self, operation: &'static str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            operation,
            detail: detail.to_string(),
        }
    }

    /// Runs `change` in one transaction, committed before this returns; on
    /// any error nothing of it is kept.
    pub(super) fn change<T>(
        &mut self,
        operation: &'static str,
        change: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        let fail = |cause| StoreError::Sqlite {
            path: path.clone(),
            operation,
            cause,
        };
        let tx = self.conn.transaction().map_err(fail)?;
        let value = change(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }
}

/// An error while opening: "busy" means another process holds the store.
fn in_use(path: &Path, cause: rusqlite::Error) -> StoreError {
    if cause.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        StoreError::InUse { path: path.to_owned() }
    } else {
        StoreError::Open {
            path: path.to_owned(),
            cause,
        }
    }
}

/// A day as SQLite stores it.
pub(super) fn day_sql(day: crate::model::Day) -> i64 {
    i64::from(day)
}

/// A day read back from SQLite.
pub(super) fn day_from_sql(db: &Db, operation: &'static str, value: i64) -> Result<crate::model::Day, StoreError> {
    crate::model::Day::try_from(value).map_err(|_| db.corrupt(operation, format!("day {value} out of range")))
}

/// Whether retention has removed an item of `item_day` by `today` under
/// `keep_days`, as SQL over a `day` column: [`crate::model::expired`]
/// (an item dated after today has not expired). Parameters: `?1` today,
/// `?2` keep_days or NULL.
pub(super) const EXPIRED: &str = "(?2 IS NOT NULL AND day <= ?1 AND ?1 - day >= ?2)";

#[cfg(test)]
pub(super) mod tests {
    use std::path::{Path, PathBuf};

    /// A fresh directory for one test's databases.
    pub(in crate::net::store) fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cablesim-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// What a killed process leaves on disk: the database and its WAL as
    /// they are right now, copied while the store is still open (no close,
    /// no checkpoint), into `to`.
    pub(in crate::net::store) fn crash_copy(db: &Path, to: &Path) -> PathBuf {
        std::fs::create_dir_all(to).unwrap();
        let target = to.join(db.file_name().unwrap());
        std::fs::copy(db, &target).unwrap();
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        if wal.exists() {
            std::fs::copy(&wal, format!("{}-wal", target.display())).unwrap();
        }
        target
    }

    /// The pragmas durability rests on, as SQLite reports them.
    pub(in crate::net::store) fn pragmas(conn: &rusqlite::Connection) -> (String, i64, i64) {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        (mode, sync, version)
    }
}
