//! A database as a killed process leaves it, for tests of crash recovery.

use std::path::{Path, PathBuf};

/// Copies `db` and its WAL into `to` while the store is still open,
/// without a close or a checkpoint: what a killed process leaves behind.
pub(crate) fn crash_copy(db: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    let target = to.join(db.file_name().unwrap());
    std::fs::copy(db, &target).unwrap();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", target.display())).unwrap();
    }
    target
}
