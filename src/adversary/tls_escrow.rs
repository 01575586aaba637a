//! The escrow of TLS application secrets behind the `quantum` adversary
//! (`adversary::tls_sessions`): a rustls `KeyLog` that keeps each live
//! session's `CLIENT_TRAFFIC_SECRET_0` and `SERVER_TRAFFIC_SECRET_0` by
//! client random, so that a session found in a recording can later be
//! opened, once its recorded key exchange is judged to fall.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use super::tls_sessions::TrafficSecrets;

/// The `KeyLog` labels of the application traffic secrets (the
/// SSLKEYLOGFILE names for RFC 8446 §7.1's `*_application_traffic_secret_0`).
const CLIENT_TRAFFIC_SECRET_0: &str = "CLIENT_TRAFFIC_SECRET_0";
const SERVER_TRAFFIC_SECRET_0: &str = "SERVER_TRAFFIC_SECRET_0";

/// Application traffic secrets of live TLS sessions, by client random.
///
/// Attach it with `net::tls::client_with_key_log`. It asks rustls for the
/// two application secrets only: handshake secrets would open nothing the
/// analyst reads. Secrets stay in zeroized memory and out of `Debug`.
#[derive(Default)]
pub struct TlsSecretEscrow {
    sessions: Mutex<BTreeMap<[u8; 32], Halves>>,
}

#[derive(Default)]
struct Halves {
    client: Option<Zeroizing<Vec<u8>>>,
    server: Option<Zeroizing<Vec<u8>>>,
}

impl TlsSecretEscrow {
    /// An empty escrow.
    pub fn new() -> TlsSecretEscrow {
        TlsSecretEscrow::default()
    }

    /// Both application secrets of the session with this client random,
    /// if both were logged.
    pub fn secrets(&self, client_random: &[u8; 32]) -> Option<TrafficSecrets> {
        let sessions = self.lock();
        let halves = sessions.get(client_random)?;
        Some(TrafficSecrets::new(halves.client.as_ref()?, halves.server.as_ref()?))
    }

    /// The client randoms of the sessions with both secrets, in byte order.
    pub fn client_randoms(&self) -> Vec<[u8; 32]> {
        self.lock()
            .iter()
            .filter(|(_, halves)| halves.client.is_some() && halves.server.is_some())
            .map(|(random, _)| *random)
            .collect()
    }

    /// How many sessions have both secrets.
    pub fn len(&self) -> usize {
        self.client_randoms().len()
    }

    /// Whether no session has both secrets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<[u8; 32], Halves>> {
        self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl rustls::KeyLog for TlsSecretEscrow {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Ok(random) = <[u8; 32]>::try_from(client_random) else {
            return;
        };
        let mut sessions = self.lock();
        let halves = sessions.entry(random).or_default();
        let slot = match label {
            CLIENT_TRAFFIC_SECRET_0 => &mut halves.client,
            SERVER_TRAFFIC_SECRET_0 => &mut halves.server,
            _ => return,
        };
        *slot = Some(Zeroizing::new(secret.to_vec()));
    }

    fn will_log(&self, label: &str) -> bool {
        matches!(label, CLIENT_TRAFFIC_SECRET_0 | SERVER_TRAFFIC_SECRET_0)
    }
}

impl fmt::Debug for TlsSecretEscrow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSecretEscrow")
            .field("sessions", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use rustls::KeyLog;

    use super::*;

    #[test]
    fn keeps_both_application_secrets_by_client_random() {
        let escrow = TlsSecretEscrow::new();
        let random = [7u8; 32];
        escrow.log("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &random, &[1; 32]);
        escrow.log(CLIENT_TRAFFIC_SECRET_0, &random, &[2; 32]);
        assert!(escrow.secrets(&random).is_none(), "half a session opens nothing");
        assert!(escrow.is_empty());
        escrow.log(SERVER_TRAFFIC_SECRET_0, &random, &[3; 32]);
        let secrets = escrow.secrets(&random).unwrap();
        assert_eq!(secrets, TrafficSecrets::new(&[2; 32], &[3; 32]));
        assert_eq!(escrow.client_randoms(), vec![random]);
        assert!(escrow.secrets(&[8; 32]).is_none());
    }

    #[test]
    fn asks_rustls_for_the_application_secrets_only() {
        let escrow = TlsSecretEscrow::new();
        assert!(escrow.will_log(CLIENT_TRAFFIC_SECRET_0));
        assert!(escrow.will_log(SERVER_TRAFFIC_SECRET_0));
        assert!(!escrow.will_log("SERVER_HANDSHAKE_TRAFFIC_SECRET"));
        assert!(!escrow.will_log("EXPORTER_SECRET"));
    }

    #[test]
    fn fail_a_client_random_of_the_wrong_length_is_ignored() {
        let escrow = TlsSecretEscrow::new();
        escrow.log(CLIENT_TRAFFIC_SECRET_0, &[1; 31], &[2; 32]);
        escrow.log(SERVER_TRAFFIC_SECRET_0, &[1; 31], &[3; 32]);
        assert_eq!(escrow.len(), 0);
    }

    #[test]
    fn debug_shows_no_secret() {
        let escrow = TlsSecretEscrow::new();
        escrow.log(CLIENT_TRAFFIC_SECRET_0, &[1; 32], &[0xde; 32]);
        escrow.log(SERVER_TRAFFIC_SECRET_0, &[1; 32], &[0xad; 32]);
        let shown = format!("{escrow:?} {:?}", escrow.secrets(&[1; 32]).unwrap());
        assert_eq!(shown, "TlsSecretEscrow { sessions: 1, .. } TrafficSecrets([redacted])");
    }
}
