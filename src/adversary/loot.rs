//! What adversaries collect: raw bytes, cables in the clear, stolen keys.
//! Loot is only material; what it proves is the analyst's business.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::tls_escrow::TlsSecretEscrow;
use crate::crypto::{CablePayload, KeyMaterial};
use crate::model::{CableContent, CableHeader};
use crate::net::FrameBytes;

/// How a byte capture was obtained, which decides how the analyst reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureKind {
    /// Bytes as they crossed a wire: frames if the link was plain, TLS
    /// records otherwise. The analyst finds out which.
    Wire,
    /// The plaintext inside a TLS connection the adversary terminated.
    Decrypted,
    /// Stored frames (an archive export): decoded like a plain stream.
    Stored,
}

/// One byte stream an adversary recorded (one direction of a link, or an
/// exported archive), with the day each part was recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capture {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from, for evidence: "tap del-kyiv<->hub".
    pub via: String,
    /// How it was obtained.
    pub kind: CaptureKind,
    /// The bytes, in order.
    pub bytes: CaptureBytes,
    /// For one direction of a recorded link: which node's link and which
    /// way, so that the analyst can put a TLS session's two directions
    /// back together (its hellos are one in each).
    #[serde(default)]
    pub link: Option<LinkSide>,
}

/// One direction of one node's link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LinkSide {
    /// The node whose link it is.
    pub node: String,
    /// Node to hub (true) or hub to node.
    pub to_hub: bool,
}

/// The bytes of a [`Capture`], in order, kept as the pieces they were
/// obtained in: together one byte stream, which the analyst reads across
/// the seams as if it were contiguous.
///
/// Pieces are shared, never copied. An archive export holds the very
/// frames the hub's archive holds — an immutable copy of bytes is the same
/// bytes, and a frame kept around a body the nodes share is exported that
/// way ([`FrameBytes`]) — so exporting a quarter of a million cables does
/// not keep them twice, and cloning loot (an actor's loot is pooled from
/// its members' copies) copies no bytes either.
#[derive(Clone, Default)]
pub struct CaptureBytes {
    pieces: Vec<FrameBytes>,
    len: usize,
}

impl CaptureBytes {
    /// No bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `piece` without copying it.
    pub fn push_shared(&mut self, piece: Arc<[u8]>) {
        self.push_frame(piece.into());
    }

    /// Appends a stored frame without copying it.
    pub fn push_frame(&mut self, frame: FrameBytes) {
        if !frame.is_empty() {
            self.len += frame.len();
            self.pieces.push(frame);
        }
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.pieces.iter().flat_map(FrameBytes::pieces)
    }

    /// The pieces as shared, in order (what tells a copy from a share):
    /// one for each piece or stored frame appended.
    pub fn shared_pieces(&self) -> &[FrameBytes] {
        &self.pieces
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes as one slice: borrowed when they are one piece (a
    /// recorded link direction), copied together otherwise.
    pub fn contiguous(&self) -> Cow<'_, [u8]> {
        match self.pieces.as_slice() {
            [] => Cow::Borrowed(&[]),
            [one] => match one.whole() {
                Some(whole) => Cow::Borrowed(whole),
                None => Cow::Owned(one.to_vec()),
            },
            _ => Cow::Owned(self.pieces().collect::<Vec<_>>().concat()),
        }
    }
}

impl From<&[u8]> for CaptureBytes {
    fn from(bytes: &[u8]) -> Self {
        let mut out = CaptureBytes::new();
        out.push_shared(Arc::from(bytes));
        out
    }
}

impl From<Vec<u8>> for CaptureBytes {
    fn from(bytes: Vec<u8>) -> Self {
        CaptureBytes::from(bytes.as_slice())
    }
}

impl FromIterator<FrameBytes> for CaptureBytes {
    fn from_iter<I: IntoIterator<Item = FrameBytes>>(frames: I) -> Self {
        let mut out = CaptureBytes::new();
        for frame in frames {
            out.push_frame(frame);
        }
        out
    }
}

impl FromIterator<Arc<[u8]>> for CaptureBytes {
    fn from_iter<I: IntoIterator<Item = Arc<[u8]>>>(pieces: I) -> Self {
        let mut out = CaptureBytes::new();
        for piece in pieces {
            out.push_shared(piece);
        }
        out
    }
}

impl std::fmt::Debug for CaptureBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureBytes")
            .field("len", &self.len)
            .field("pieces", &self.pieces.len())
            .finish()
    }
}

/// Serialized exactly as the `Vec<u8>` of its bytes, so a loot file does
/// not depend on how the bytes were pieced (it reads back as one piece).
impl Serialize for CaptureBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        for byte in self.pieces().flatten() {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for CaptureBytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<u8>::deserialize(deserializer).map(CaptureBytes::from)
    }
}

/// A cable payload an adversary holds as a decoded object (the hub handles
/// frames after TLS, so it never needs to parse bytes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldPayload {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from: "hub, relayed day 12".
    pub via: String,
    /// The cable, clear or sealed.
    pub payload: CablePayload,
}

/// A cable an adversary read in the clear (an endpoint's inbox, a printer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from: "endpoint cy-mfa inbox, day 10".
    pub via: String,
    /// Its routing header.
    pub header: CableHeader,
    /// Subject and body as read.
    pub content: CableContent,
}

/// A key an adversary holds, and how it got it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StolenKey {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// "key-thief de-mfa, stolen day 40".
    pub via: String,
    /// The key.
    pub key: KeyMaterial,
}

/// Everything one adversary collected.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Loot {
    /// Raw byte streams.
    pub captures: Vec<Capture>,
    /// Decoded payloads.
    pub payloads: Vec<HeldPayload>,
    /// Cables read in the clear.
    pub documents: Vec<Document>,
    /// Keys.
    pub keys: Vec<StolenKey>,
    /// Deliveries of its forged cables that a recipient accepted: a
    /// forgery accepted by four recipients counts four.
    pub forged_accepted: u64,
    /// Ids of its forged cables that at least one recipient accepted: a
    /// forgery accepted by four recipients counts once.
    pub forged_cables: BTreeSet<String>,
    /// What a quantum computer recovered, if the actor has one that
    /// arrived within the run. Never serialized: it stands in for a
    /// computation, and holds every classical private key of the run.
    #[serde(skip)]
    pub quantum: Option<QuantumRecovery>,
}

/// What a quantum computer recovers from classical X25519 public keys
/// (ARCHITECTURE.md, rule 10), offered to the analyst beside stolen keys.
#[derive(Debug, Clone, Default)]
pub struct QuantumRecovery {
    /// Its name, for evidence.
    pub by: String,
    /// X25519 private keys of envelopes (for a hybrid key, its X25519 half
    /// only).
    pub keys: Vec<StolenKey>,
    /// The application secrets of the run's TLS sessions, released by the
    /// analyst only for a recorded session whose handshake shows plain
    /// X25519.
    pub tls: Option<Arc<TlsSecretEscrow>>,
}

impl Loot {
    /// Marks every item that does not say who obtained it as obtained by
    /// `adversary`, so that evidence can name the technique used.
    pub fn tag(mut self, adversary: &str) -> Loot {
        let name = || adversary.to_owned();
        for c in &mut self.captures {
            if c.by.is_empty() {
                c.by = name();
            }
        }
        for p in &mut self.payloads {
            if p.by.is_empty() {
                p.by = name();
            }
        }
        for d in &mut self.documents {
            if d.by.is_empty() {
                d.by = name();
            }
        }
        if let Some(quantum) = &mut self.quantum
            && quantum.by.is_empty()
        {
            quantum.by = name();
        }
        let recovered = self.quantum.iter_mut().flat_map(|q| q.keys.iter_mut());
        for k in self.keys.iter_mut().chain(recovered) {
            if k.by.is_empty() {
                k.by = name();
            }
        }
        self
    }

    /// Adds everything of `other`.
    pub fn merge(&mut self, other: Loot) {
        self.captures.extend(other.captures);
        self.payloads.extend(other.payloads);
        self.documents.extend(other.documents);
        self.keys.extend(other.keys);
        self.forged_accepted += other.forged_accepted;
        self.forged_cables.extend(other.forged_cables);
        if let Some(theirs) = other.quantum {
            let ours = self.quantum.get_or_insert_default();
            if ours.by.is_empty() {
                ours.by = theirs.by;
            }
            ours.keys.extend(theirs.keys);
            ours.tls = ours.tls.take().or(theirs.tls);
        }
    }
}

/// The keys an actor's adversaries have stolen so far, shared live among
/// them: a MITM can use a client key that a key thief of the same actor
/// copied earlier in the run.
#[derive(Debug, Clone, Default)]
pub struct ActorKeys(Arc<Mutex<Vec<StolenKey>>>);

impl ActorKeys {
    /// No keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds stolen keys, skipping ones already held.
    pub fn add(&self, keys: impl IntoIterator<Item = StolenKey>) {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            let duplicate = held.iter().any(|k| same_key(&k.key, &key.key));
            if !duplicate {
                held.push(key);
            }
        }
    }

    /// A copy of every key held now.
    pub fn snapshot(&self) -> Vec<StolenKey> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The identity key of `node`, if stolen.
    pub fn identity_of(&self, node: &str) -> Option<crate::crypto::IdentityKey> {
        self.snapshot().into_iter().find_map(|k| match k.key {
            KeyMaterial::Identity { owner, key } if owner == node => Some(key),
            _ => None,
        })
    }
}

/// Whether two pieces of key material are the same key.
pub fn same_key(a: &KeyMaterial, b: &KeyMaterial) -> bool {
    match (a, b) {
        (KeyMaterial::Identity { owner: oa, key: ka }, KeyMaterial::Identity { owner: ob, key: kb }) => {
            oa == ob && ka.public() == kb.public()
        }
        // Descriptions first: comparing them is cheap, key ids are not.
        _ => a.describe() == b.describe() && a.key_id().is_some() && a.key_id() == b.key_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_bytes_serialize_as_their_vec() {
        let pieces: CaptureBytes = [&b"ab"[..], b"", b"cde"].into_iter().map(Arc::from).collect();
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces.shared_pieces().len(), 2, "empty pieces are not kept");
        let encoded = postcard::to_stdvec(&pieces).unwrap();
        assert_eq!(encoded, postcard::to_stdvec(&b"abcde".to_vec()).unwrap());
        let back: CaptureBytes = postcard::from_bytes(&encoded).unwrap();
        assert_eq!(&*back.contiguous(), b"abcde");
        assert!(matches!(back.contiguous(), Cow::Borrowed(_)), "one piece is not copied");
    }

    #[test]
    fn cloned_capture_bytes_share_their_pieces() {
        let frame: Arc<[u8]> = Arc::from(&b"frame"[..]);
        let bytes: CaptureBytes = std::iter::once(frame.clone()).collect();
        let copy = bytes.clone();
        assert!(Arc::ptr_eq(copy.shared_pieces()[0].whole().unwrap(), &frame));
    }
}
