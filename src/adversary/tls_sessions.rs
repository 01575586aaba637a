//! Recorded TLS 1.3 sessions, read the way a future quantum computer
//! would let an attacker read them.
//!
//! A wiretap today learns only record sizes from a TLS link
//! (`tls_records`): the session keys come from an ephemeral key exchange
//! whose private halves never cross the wire. But the public halves do,
//! in the plaintext ClientHello and ServerHello, and a recording keeps
//! them. Whoever later holds a quantum computer can compute the discrete
//! logarithm of a classical X25519 share, redo the key schedule, and read
//! everything recorded ("harvest now, decrypt later"). A hybrid share
//! (X25519MLKEM768) does not fall with its X25519 half: the ML-KEM half
//! still hides the secret.
//!
//! So the reader works from the recorded bytes alone, in two steps:
//!
//! 1. [`recorded_sessions`] cuts both directions of a link into its TLS
//!    connections and reads from their hellos which group each session
//!    negotiated ([`RecordedSession::group`]), keeping the encrypted
//!    records. The caller decides from that group whether the session
//!    falls.
//! 2. [`decrypt`] opens the recorded records with the session's
//!    application traffic secrets and returns the bytes each side sent
//!    (on this project's links, frame streams).
//!
//! The simulation cannot compute discrete logarithms, and rustls (over
//! ring) cannot export its ephemeral private keys, so step 2 takes the
//! secrets from an escrow filled while the run was live
//! (`adversary::TlsSecretEscrow`, a rustls `KeyLog`): the stand-in for
//! "solve X25519, then re-run the key schedule". Only the release of those
//! secrets is simulated; the session is found, its group read, and every
//! record opened from the recording with rustls's own code.
//!
//! Sans-IO like the analyst: bytes in, values out. Nothing here panics on
//! garbage; unreadable input gives no session or an error. Its
//! submodules inherit the lint that keeps it so.
#![warn(clippy::indexing_slicing)]

mod hello;
mod open;
mod stream;

use std::fmt;

use rustls::{CipherSuite, NamedGroup, SupportedCipherSuite, Tls13CipherSuite};
use zeroize::Zeroizing;

pub use hello::KeyShare;
use hello::{ClientHello, ServerHello};
use stream::Piece;

/// RFC 8446 §4: handshake message types.
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;

/// One TLS 1.3 connection found in a recording of both directions.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedSession {
    /// The ClientHello's random: the key the SSLKEYLOGFILE format (and
    /// rustls's `KeyLog`) files this session's secrets under.
    pub client_random: [u8; 32],
    /// The key shares the client offered, in its (final) ClientHello.
    pub client_shares: Vec<KeyShare>,
    /// The cipher suite the server selected.
    pub cipher_suite: CipherSuite,
    /// The server's key share: its group is the session's key exchange.
    pub server_share: KeyShare,
    /// Whether the server first answered with a HelloRetryRequest (the
    /// client's first shares were in no group it accepts).
    pub hello_retry: bool,
    /// Payloads of the encrypted records after the hellos, node->hub then
    /// hub->node, as they crossed.
    pub records: [Vec<Vec<u8>>; 2],
}

impl RecordedSession {
    /// The key-exchange group the session negotiated.
    pub fn group(&self) -> NamedGroup {
        self.server_share.group
    }
}

impl fmt::Debug for RecordedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [up, down] = &self.records;
        f.debug_struct("RecordedSession")
            .field("client_random", &hex::encode(self.client_random))
            .field("group", &self.group())
            .field("cipher_suite", &self.cipher_suite)
            .field("hello_retry", &self.hello_retry)
            .field("records", &[up.len(), down.len()])
            .finish_non_exhaustive()
    }
}

/// A session's two application traffic secrets (RFC 8446 §7.1), as a
/// `KeyLog` receives them: `CLIENT_TRAFFIC_SECRET_0` protects node->hub,
/// `SERVER_TRAFFIC_SECRET_0` hub->node.
#[derive(Clone, PartialEq, Eq)]
pub struct TrafficSecrets {
    client: Zeroizing<Vec<u8>>,
    server: Zeroizing<Vec<u8>>,
}

impl TrafficSecrets {
    /// The secrets of one session.
    pub fn new(client: &[u8], server: &[u8]) -> TrafficSecrets {
        TrafficSecrets {
            client: Zeroizing::new(client.to_vec()),
            server: Zeroizing::new(server.to_vec()),
        }
    }
}

impl fmt::Debug for TrafficSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficSecrets([redacted])")
    }
}

/// What the two sides of a session sent each other.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionPlaintext {
    /// The application bytes node->hub.
    pub to_hub: Vec<u8>,
    /// The application bytes hub->node.
    pub to_node: Vec<u8>,
    /// How many records opened under the application keys, node->hub then
    /// hub->node (including any close_notify alert).
    pub records: [usize; 2],
}

impl fmt::Debug for SessionPlaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionPlaintext")
            .field("to_hub", &self.to_hub.len())
            .field("to_node", &self.to_node.len())
            .field("records", &self.records)
            .finish()
    }
}

/// Why a recorded session could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsReadError {
    /// The ServerHello selected a suite that is not one of the TLS 1.3
    /// suites rustls's ring provider implements.
    #[error("cipher suite {0:?} is not a TLS 1.3 suite this reader can open")]
    UnknownSuite(CipherSuite),
    /// A secret does not have the length of the suite's hash.
    #[error("the {direction} traffic secret has {found} bytes, the suite's hash needs {expected}")]
    SecretLength {
        /// "node->hub" or "hub->node".
        direction: &'static str,
        /// The hash length.
        expected: usize,
        /// The secret's length.
        found: usize,
    },
    /// Not one recorded record opened: the secrets belong to another
    /// session, or the recording stops before any application data.
    #[error(
        "no recorded record opens under these traffic secrets: they are not this session's, or the recording ends before any application data"
    )]
    NothingOpens,
    /// A record failed to open after earlier records of its direction
    /// had: the recording is damaged (or the peers updated their keys,
    /// which rustls does only near the AEAD's usage limit).
    #[error("{direction} record {seq} under the application keys does not open: the recording is damaged")]
    RecordFails {
        /// "node->hub" or "hub->node".
        direction: &'static str,
        /// Its sequence number under the application keys.
        seq: u64,
    },
}

/// The TLS 1.3 sessions in a recording of one link: `to_hub` the bytes
/// node->hub, `to_node` the bytes hub->node, as a tap holds them.
///
/// Each direction may hold several connections back to back (a node that
/// reconnects). A ClientHello starts a connection node->hub, a ServerHello
/// hub->node; a ClientHello repeating the previous one's random answers a
/// HelloRetryRequest and belongs to the same connection. Connections are
/// paired by the session id the ServerHello echoes (rustls sends a fresh
/// random one each time), in order. A connection whose hellos cannot be
/// read, that is not TLS 1.3, or that lacks one side, yields no session.
pub fn recorded_sessions(to_hub: &[u8], to_node: &[u8]) -> Vec<RecordedSession> {
    let mut clients = client_connections(stream::pieces(to_hub));
    let servers = server_connections(stream::pieces(to_node));
    let mut sessions = Vec::new();
    // Client connections before this one are paired or were never answered.
    let mut next_client = 0usize;
    for server in servers {
        let Some(Hello {
            session_id,
            suite,
            share,
        }) = server.hello
        else {
            continue;
        };
        let Some(found) = clients
            .get(next_client..)
            .unwrap_or_default()
            .iter()
            .position(|c| c.hello.as_ref().is_some_and(|h| h.session_id == session_id))
        else {
            continue;
        };
        let index = next_client.saturating_add(found);
        next_client = index.saturating_add(1);
        let Some(client) = clients.get_mut(index) else {
            continue;
        };
        let Some(hello) = client.hello.take() else {
            continue;
        };
        sessions.push(RecordedSession {
            client_random: hello.random,
            client_shares: hello.shares,
            cipher_suite: suite,
            server_share: share,
            hello_retry: server.retried,
            records: [std::mem::take(&mut client.records), server.records],
        });
    }
    sessions
}

/// Decrypts a recorded session with its traffic secrets: the bytes each
/// side sent, from the first application-data record on.
///
/// Records that do not open before the first one that does are the
/// encrypted handshake and are skipped; after it, every record must open.
/// Inner content types other than application_data (post-handshake
/// messages, alerts) are dropped. A record cut off by the end of the
/// recording was never kept, so a truncated recording gives the records
/// it holds whole.
pub fn decrypt(session: &RecordedSession, secrets: &TrafficSecrets) -> Result<SessionPlaintext, TlsReadError> {
    let suite = tls13_suite(session.cipher_suite).ok_or(TlsReadError::UnknownSuite(session.cipher_suite))?;
    let [up, down] = &session.records;
    let up = open::direction(suite, &secrets.client, up, "node->hub")?;
    let down = open::direction(suite, &secrets.server, down, "hub->node")?;
    if up.records == 0 && down.records == 0 {
        return Err(TlsReadError::NothingOpens);
    }
    Ok(SessionPlaintext {
        to_hub: up.bytes,
        to_node: down.bytes,
        records: [up.records, down.records],
    })
}

/// rustls's implementation of a TLS 1.3 suite, from the ring provider the
/// project's configurations use.
fn tls13_suite(suite: CipherSuite) -> Option<&'static Tls13CipherSuite> {
    rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .find_map(|supported| match supported {
            SupportedCipherSuite::Tls13(tls13) if tls13.common.suite == suite => Some(*tls13),
            _ => None,
        })
}

/// A connection as seen node->hub.
struct ClientConnection {
    /// `None` when its ClientHello could not be read.
    hello: Option<ClientHello>,
    /// Whether a second ClientHello (after a HelloRetryRequest) came.
    retried: bool,
    records: Vec<Vec<u8>>,
}

fn client_connections(pieces: Vec<Piece>) -> Vec<ClientConnection> {
    let mut connections: Vec<ClientConnection> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Handshake {
                kind: CLIENT_HELLO,
                body,
            } => {
                let hello = hello::client_hello(&body);
                // RFC 8446 §4.1.2: the ClientHello answering a
                // HelloRetryRequest keeps the first one's random.
                if let Some(last) = connections.last_mut()
                    && !last.retried
                    && last.records.is_empty()
                    && let (Some(previous), Some(new)) = (&last.hello, &hello)
                    && previous.random == new.random
                {
                    last.hello = hello;
                    last.retried = true;
                    continue;
                }
                connections.push(ClientConnection {
                    hello,
                    retried: false,
                    records: Vec::new(),
                });
            }
            Piece::Handshake { .. } => {}
            Piece::Encrypted(record) => {
                if let Some(last) = connections.last_mut() {
                    last.records.push(record);
                }
            }
        }
    }
    connections
}

/// The fields a session needs from a ServerHello.
struct Hello {
    session_id: Vec<u8>,
    suite: CipherSuite,
    share: KeyShare,
}

/// A connection as seen hub->node.
struct ServerConnection {
    /// `None` until a readable TLS 1.3 ServerHello; stays `None` for a
    /// connection whose hello could not be read.
    hello: Option<Hello>,
    /// The session id of a HelloRetryRequest still waiting for its
    /// ServerHello.
    retry: Option<Vec<u8>>,
    retried: bool,
    records: Vec<Vec<u8>>,
}

fn server_connections(pieces: Vec<Piece>) -> Vec<ServerConnection> {
    let mut connections: Vec<ServerConnection> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Handshake {
                kind: SERVER_HELLO,
                body,
            } => match hello::server_hello(&body) {
                Some(ServerHello::Hello {
                    session_id,
                    suite,
                    share,
                }) => {
                    let hello = Hello {
                        session_id,
                        suite,
                        share,
                    };
                    // The ServerHello after a HelloRetryRequest finishes
                    // the same connection (and echoes the same session id).
                    if let Some(last) = connections.last_mut()
                        && last.records.is_empty()
                        && last.retry.as_ref() == Some(&hello.session_id)
                    {
                        last.retry = None;
                        last.hello = Some(hello);
                        continue;
                    }
                    connections.push(ServerConnection {
                        hello: Some(hello),
                        retry: None,
                        retried: false,
                        records: Vec::new(),
                    });
                }
                Some(ServerHello::Retry { session_id, .. }) => connections.push(ServerConnection {
                    hello: None,
                    retry: Some(session_id),
                    retried: true,
                    records: Vec::new(),
                }),
                // Still a new connection, so that its records are not
                // taken for the previous one's.
                None => connections.push(ServerConnection {
                    hello: None,
                    retry: None,
                    retried: false,
                    records: Vec::new(),
                }),
            },
            Piece::Handshake { .. } => {}
            Piece::Encrypted(record) => {
                if let Some(last) = connections.last_mut() {
                    last.records.push(record);
                }
            }
        }
    }
    connections
}

// Tests index freely: a panic there is a failed test, not a reader bug.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod rfc8448;
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests;
