//! Replay protection: a recipient accepts each cable id once.

use std::collections::HashSet;

use super::CryptoError;

/// The cable ids a node has accepted.
///
/// Ids are checked only *after* an envelope authenticated, so a forger
/// cannot block a genuine cable by sending garbage under its id first.
#[derive(Debug, Clone, Default)]
pub struct ReplayGuard {
    seen: HashSet<String>,
}

impl ReplayGuard {
    /// No ids seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `id`, or fails if it was recorded before.
    pub fn check_and_record(&mut self, id: &str) -> Result<(), CryptoError> {
        if self.seen.contains(id) {
            return Err(CryptoError::Replay(id.to_owned()));
        }
        self.seen.insert(id.to_owned());
        Ok(())
    }

    /// Forgets `id`: the node could not keep the cable it accepted (its
    /// store failed) and did not acknowledge it, so the hub's redelivery
    /// must be taken as a first delivery, not a replay.
    pub fn forget(&mut self, id: &str) {
        self.seen.remove(id);
    }

    /// Whether `id` was accepted before.
    pub fn has_seen(&self, id: &str) -> bool {
        self.seen.contains(id)
    }

    /// Number of ids recorded.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_second_time() {
        let mut guard = ReplayGuard::new();
        guard.check_and_record("C-1").unwrap();
        assert_eq!(guard.check_and_record("C-1"), Err(CryptoError::Replay("C-1".into())));
        guard.check_and_record("C-2").unwrap();
        assert_eq!(guard.len(), 2);
    }
}
