//! The TLS secrets of a run, in the SSLKEYLOGFILE format Wireshark, tshark
//! and curl share: one `LABEL CLIENT_RANDOM SECRET` line per secret, both
//! in lowercase hex.

use std::fmt::{self, Write as _};
use std::io;
use std::path::Path;
use std::sync::Mutex;

use zeroize::Zeroizing;

/// Collects every secret the TLS sessions it is attached to negotiate
/// (see [`crate::scenario::Runner::with_key_log`]), so that a capture of
/// the run can be decrypted.
///
/// Handing these secrets out is the point: a trainer shows what a link
/// carries under TLS. They are still kept in zeroized memory and out of
/// `Debug`, so they end up only where they were asked for.
#[derive(Default)]
pub struct TlsKeyLog {
    lines: Mutex<Zeroizing<String>>,
}

impl TlsKeyLog {
    /// An empty log.
    pub fn new() -> TlsKeyLog {
        TlsKeyLog::default()
    }

    /// Everything logged so far, one line per secret.
    pub fn contents(&self) -> Zeroizing<String> {
        Zeroizing::new(self.lock().as_str().to_owned())
    }

    /// How many secrets were logged.
    pub fn len(&self) -> usize {
        self.lock().lines().count()
    }

    /// Whether no secret was logged: the run had no TLS.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Writes the log to `path` (an SSLKEYLOGFILE).
    pub fn write(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.lock().as_bytes())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Zeroizing<String>> {
        self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl rustls::KeyLog for TlsKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let mut lines = self.lock();
        // Hex digits go straight into the zeroized buffer: no intermediate
        // string holds the secret. A buffer that grows moves its old
        // contents, so room for the line is made first.
        lines.reserve(label.len() + 2 * (client_random.len() + secret.len()) + 3);
        lines.push_str(label);
        lines.push(' ');
        for byte in client_random {
            let _ = write!(lines, "{byte:02x}");
        }
        lines.push(' ');
        for byte in secret {
            let _ = write!(lines, "{byte:02x}");
        }
        lines.push('\n');
    }
}

impl fmt::Debug for TlsKeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsKeyLog")
            .field("secrets", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use rustls::KeyLog;

    use super::*;

    #[test]
    fn lines_follow_the_sslkeylogfile_format() {
        let log = TlsKeyLog::new();
        assert!(log.is_empty());
        log.log("CLIENT_TRAFFIC_SECRET_0", &[0x01, 0xab], &[0xff, 0x00, 0x10]);
        log.log("SERVER_TRAFFIC_SECRET_0", &[0x01, 0xab], &[0x42]);
        assert_eq!(
            log.contents().as_str(),
            "CLIENT_TRAFFIC_SECRET_0 01ab ff0010\nSERVER_TRAFFIC_SECRET_0 01ab 42\n"
        );
        assert_eq!(log.len(), 2);
    }

    #[test]
    fn debug_shows_no_secret() {
        let log = TlsKeyLog::new();
        log.log("CLIENT_TRAFFIC_SECRET_0", &[0x01], &[0xde, 0xad, 0xbe, 0xef]);
        let shown = format!("{log:?}");
        assert!(!shown.contains("deadbeef"), "{shown}");
        assert!(shown.contains("secrets: 1"), "{shown}");
    }
}
