//! Files and directories readable by their owner only: private keys,
//! databases, loot, a launcher's work directory.

use std::fs;
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) readable by its owner only, for what
/// holds keys or plaintext: databases, loot, a launcher's work directory.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes a file readable by its owner only: a private key, say. The demo
/// keys are public by design, but the same code writes keys for real
/// multi-host runs, where other local users have no business reading them.
pub(crate) fn write_secret(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)?;
    // `mode` applies only to a new file; an older key file may have been
    // created more permissive.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
