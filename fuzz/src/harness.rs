//! What each fuzz target does with one input, and what must hold for it.
//!
//! Every function takes arbitrary bytes, runs them through the same public
//! API the network uses on untrusted input, and panics only when a property
//! is broken (a panic inside the crate is a finding too). The functions
//! return what became of the input so that the corpus replay test can check
//! that valid seeds really get past parsing.
//!
//! The file is included verbatim by `tests/it/fuzz_corpus.rs`, so it names
//! nothing outside `cablesim`, `postcard`, `serde` and `std`.

use std::borrow::Cow;

use cablesim::crypto::{
    AcceptPolicy, CablePayload, ClearCable, CryptoError, Directory, DirectoryEntry, Envelope, GroupKey, IdentityKey,
    IdentityPublic, KeyKind, KeyMaterial, NodeKeys, PublishedKey, RecipientKey, ReplayGuard, SealMode,
    TrustedIdentities, check_entry, hybrid_key_statement, key_statement,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode, Epoch};
use cablesim::scenario::{BUILTIN, Scenario};
use cablesim::wire::{
    DEFAULT_MAX_FRAME, Decoded, ErrorCode, Frame, FrameReader, WireError, decode_frame, encode_frame,
};
use serde::Serialize;

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed (frame decoded, envelope opened, entry decoded, scenario
    /// loaded), and every property held.
    Accepted,
    /// Refused with an error, as bad input should be.
    Refused,
}

/// The fuzz targets, by the name of their binary and corpus directory.
pub const TARGETS: [&str; 4] = ["frame_decoder", "envelope_open", "directory_entry", "scenario_parser"];

/// Runs `target` on `data`.
pub fn run(target: &str, data: &[u8]) -> Outcome {
    match target {
        "frame_decoder" => frame_decoder(data),
        "envelope_open" => envelope_open(data),
        "directory_entry" => directory_entry(data),
        "scenario_parser" => scenario_parser(data),
        other => panic!("no fuzz target named {other}"),
    }
}

// ---------------------------------------------------------------- frames

/// One frame decoded from the front of `data`, then the whole of `data` as
/// a stream fed to a [`FrameReader`] in pieces.
///
/// Holds: a decoded frame re-encodes (never longer: postcard's encoding is
/// minimal) and decodes back to itself; `NeedMore` asks for more than is
/// there; and the streaming reader returns exactly the frames and the error
/// that decoding the buffer frame by frame does, whatever the piece size.
pub fn frame_decoder(data: &[u8]) -> Outcome {
    let outcome = match decode_frame(data, DEFAULT_MAX_FRAME) {
        Ok(Decoded::Frame { frame, consumed }) => {
            assert!(
                consumed > LENGTH_PREFIX_LEN && consumed <= data.len(),
                "consumed {consumed} of {}",
                data.len()
            );
            let encoded = encode_frame(&frame, DEFAULT_MAX_FRAME).expect("a decoded frame re-encodes");
            assert!(
                encoded.len() <= consumed,
                "re-encoding grew from {consumed} to {}",
                encoded.len()
            );
            assert_eq!(
                decode_frame(&encoded, DEFAULT_MAX_FRAME),
                Ok(Decoded::Frame {
                    frame: frame.clone(),
                    consumed: encoded.len()
                })
            );
            let _ = (frame.kind(), frame.payload());
            Outcome::Accepted
        }
        Ok(Decoded::NeedMore { needed }) => {
            assert!(
                needed > data.len(),
                "asked for {needed} bytes with {} at hand",
                data.len()
            );
            Outcome::Refused
        }
        Err(_) => Outcome::Refused,
    };

    let expected = frames_one_by_one(data);
    let piece = 1 + usize::from(data.first().copied().unwrap_or(0) % 16);
    assert_eq!(read_in_pieces(data, piece), expected, "pieces of {piece} bytes");
    assert_eq!(read_in_pieces(data, data.len().max(1)), expected, "one piece");
    outcome
}

const LENGTH_PREFIX_LEN: usize = cablesim::wire::LENGTH_PREFIX;

/// The frames of a whole buffer, then how it ends: an error, or the bytes
/// left over for a frame still incomplete.
type StreamEnd = (Vec<Frame>, Result<usize, WireError>);

fn frames_one_by_one(data: &[u8]) -> StreamEnd {
    let mut frames = Vec::new();
    let mut rest = data;
    loop {
        match decode_frame(rest, DEFAULT_MAX_FRAME) {
            Ok(Decoded::Frame { frame, consumed }) => {
                frames.push(frame);
                rest = rest.get(consumed..).expect("consumed lies within the buffer");
            }
            Ok(Decoded::NeedMore { .. }) => return (frames, Ok(rest.len())),
            Err(err) => return (frames, Err(err)),
        }
    }
}

fn read_in_pieces(data: &[u8], piece: usize) -> StreamEnd {
    let mut reader = FrameReader::new(DEFAULT_MAX_FRAME);
    let mut frames = Vec::new();
    for chunk in data.chunks(piece) {
        reader.push(chunk);
        loop {
            match reader.next_frame() {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(err) => {
                    // A failed reader stays failed, whatever comes next.
                    reader.push(b"\0\0\0\x01\0");
                    assert_eq!(reader.next_frame(), Err(err.clone()));
                    return (frames, Err(err));
                }
            }
        }
    }
    (frames, Ok(reader.buffered()))
}

// ------------------------------------------------------------- envelopes

/// The node every fuzzed envelope is opened as.
pub const RECIPIENT: &str = "de-mfa";
/// The node the seed envelopes claim to come from.
pub const SENDER: &str = "fr-mfa";
/// Days per epoch of the forward-secret keys.
pub const EPOCH_DAYS: u32 = 7;
/// The epoch the recipient's prekeys are for: days 0 to 6.
pub const EPOCH: Epoch = 0;

const RECIPIENT_IDENTITY_SEED: [u8; 32] = [0x11; 32];
const SENDER_IDENTITY_SEED: [u8; 32] = [0x22; 32];
const GROUP_SECRET: [u8; 32] = [0x33; 32];
const STATIC_SECRET: [u8; 32] = [0x44; 32];
const EPOCH_SECRET: [u8; 32] = [0x55; 32];
/// The ML-KEM-768 seeds (d ‖ z, as two halves) of the hybrid keys.
const STATIC_KEM_SEED: [[u8; 32]; 2] = [[0x45; 32], [0x46; 32]];
const EPOCH_KEM_SEED: [[u8; 32]; 2] = [[0x56; 32], [0x57; 32]];

/// Fixed, seeded keys: the fuzzer can find a seed envelope sealed to them,
/// but never the secrets.
pub struct Keyring {
    /// The recipient in each sealing e2e mode: group, static, forward-secret,
    /// then static and forward-secret with hybrid (X25519 and ML-KEM-768)
    /// keys.
    pub nodes: [NodeKeys; 5],
    /// Every key the recipient holds, as an adversary would use them.
    pub materials: Vec<KeyMaterial>,
    /// The sender's signing key.
    pub sender: IdentityKey,
    /// The CA-certified identities of recipient and sender.
    pub trusted: TrustedIdentities,
}

/// [`NodeKeys::export_secrets`]' format, written out here because only
/// importing saved keys makes a [`NodeKeys`] with chosen secrets. `S` is
/// one agreement secret: its 32 bytes (version 1), or [`SavedHybrid`]
/// (version 2).
#[derive(Serialize)]
struct SavedKeys<S> {
    version: u8,
    name: String,
    mode: E2eMode,
    epoch_days: u32,
    devices: u32,
    group: Option<[u8; 32]>,
    statics: Vec<S>,
    epochs: Vec<(Epoch, Vec<S>)>,
}

/// A hybrid secret as saved: X25519 bytes, ML-KEM-768 seed.
#[derive(Serialize)]
struct SavedHybrid {
    x25519: [u8; 32],
    kem_seed: [[u8; 32]; 2],
}

fn recipient_keys(mode: E2eMode) -> NodeKeys {
    saved_keys(1, mode, GROUP_SECRET, STATIC_SECRET, EPOCH_SECRET)
}

fn hybrid_recipient_keys(mode: E2eMode) -> NodeKeys {
    let hybrid = |x25519, kem_seed| SavedHybrid { x25519, kem_seed };
    saved_keys(
        2,
        mode,
        GROUP_SECRET,
        hybrid(STATIC_SECRET, STATIC_KEM_SEED),
        hybrid(EPOCH_SECRET, EPOCH_KEM_SEED),
    )
}

fn saved_keys<S: Serialize>(version: u8, mode: E2eMode, group: [u8; 32], statics: S, epoch: S) -> NodeKeys {
    let saved = SavedKeys {
        version,
        name: RECIPIENT.to_owned(),
        mode,
        epoch_days: EPOCH_DAYS,
        devices: 1,
        group: (mode == E2eMode::Group).then_some(group),
        statics: if mode == E2eMode::Static {
            vec![statics]
        } else {
            Vec::new()
        },
        epochs: if mode == E2eMode::ForwardSecret {
            vec![(EPOCH, vec![epoch])]
        } else {
            Vec::new()
        },
    };
    let bytes = postcard::to_stdvec(&saved).expect("saved keys encode");
    let identity = IdentityKey::from_seed(&RECIPIENT_IDENTITY_SEED);
    NodeKeys::import_secrets(RECIPIENT, identity, &bytes).expect("the fixed keys import")
}

impl Keyring {
    /// The fixed keys.
    pub fn new() -> Self {
        let nodes = [
            recipient_keys(E2eMode::Group),
            recipient_keys(E2eMode::Static),
            recipient_keys(E2eMode::ForwardSecret),
            hybrid_recipient_keys(E2eMode::Static),
            hybrid_recipient_keys(E2eMode::ForwardSecret),
        ];
        let mut materials: Vec<KeyMaterial> = nodes.iter().flat_map(NodeKeys::copy_secrets).collect();
        // The X25519 halves of the hybrid keys: what a quantum adversary
        // recovers. They must never open anything (checked below).
        let halves: Vec<KeyMaterial> = materials
            .iter()
            .filter(|m| m.is_hybrid())
            .filter_map(KeyMaterial::x25519_half)
            .collect();
        materials.extend(halves);
        let sender = IdentityKey::from_seed(&SENDER_IDENTITY_SEED);
        let mut trusted = TrustedIdentities::new();
        trusted.insert(RECIPIENT, nodes[0].identity().public());
        trusted.insert(SENDER, sender.public());
        Keyring {
            nodes,
            materials,
            sender,
            trusted,
        }
    }

    fn sender_public(&self) -> IdentityPublic {
        self.sender.public()
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Self::new()
    }
}

fn keyring() -> &'static Keyring {
    static KEYRING: std::sync::OnceLock<Keyring> = std::sync::OnceLock::new();
    KEYRING.get_or_init(Keyring::new)
}

/// Arbitrary bytes as an envelope, opened with every key of the fixed
/// keyring (as an adversary holding them would) and accepted by the
/// recipient in each e2e mode.
///
/// Holds: a decoded envelope re-encodes to exactly the input; anything
/// that opens carries the header it was sealed with and the sender's
/// valid signature (every seed is signed, and nobody but the seed
/// generator holds the sender's key, so a forged or altered envelope that
/// opened would fail here); an accepted cable is refused as a replay the
/// second time.
pub fn envelope_open(data: &[u8]) -> Outcome {
    let Ok(envelope) = Envelope::from_bytes(data) else {
        return Outcome::Refused;
    };
    assert_eq!(envelope.to_bytes(), data, "decoding is canonical");
    let keys = keyring();
    let sender = keys.sender_public();
    let payload = CablePayload::Sealed(envelope.clone());
    let mut outcome = Outcome::Refused;
    for material in &keys.materials {
        let opened = payload.open_with(material);
        if material.describe().starts_with("X25519 half") {
            assert!(opened.is_err(), "{} opened a hybrid wrap", material.describe());
        }
        if let Ok(opened) = opened {
            assert_eq!(opened.header, envelope.header.cable);
            assert_eq!(
                opened.verify_signature(&sender),
                Ok(true),
                "opened with {}",
                material.describe()
            );
            outcome = Outcome::Accepted;
        }
    }
    let policy = AcceptPolicy {
        require_signature: true,
    };
    for node in &keys.nodes {
        let mut replay = ReplayGuard::new();
        if let Ok(opened) = payload.accept(node, Some(&sender), policy, &mut replay) {
            assert_eq!(opened.header, envelope.header.cable);
            assert!(opened.header.recipients.iter().any(|r| r == RECIPIENT));
            assert!(matches!(
                payload.accept(node, Some(&sender), policy, &mut replay),
                Err(CryptoError::Replay(_))
            ));
            outcome = Outcome::Accepted;
        }
    }
    outcome
}

// ----------------------------------------------------- directory entries

/// Arbitrary bytes as a directory entry (postcard, as `publish` and
/// `directory-answer` frames carry it), checked with and without pinning.
///
/// Holds: the entry round-trips; without pinning exactly the keys of the
/// wanted kind are taken; with pinning the entry is refused unless its
/// identity is the certified one, and then every key is accepted (signed,
/// wanted kind), refused (unsigned), or skipped (signed, other kind) —
/// and a key is accepted only if its owner's certified identity signed it.
pub fn directory_entry(data: &[u8]) -> Outcome {
    let Ok((entry, rest)) = postcard::take_from_bytes::<DirectoryEntry>(data) else {
        return Outcome::Refused;
    };
    if !rest.is_empty() {
        return Outcome::Refused;
    }
    let encoded = postcard::to_stdvec(&entry).expect("an entry encodes");
    assert_eq!(postcard::from_bytes::<DirectoryEntry>(&encoded).as_ref(), Ok(&entry));

    let trusted = &keyring().trusted;
    // The fixed kinds and those of the entry's first keys: every check
    // verifies every signature, so one pass per kind listed would make a
    // long entry slow without reaching anything new.
    let mut wanted_kinds = vec![KeyKind::Static, KeyKind::Epoch(EPOCH)];
    for key in entry.keys.iter().take(2) {
        if !wanted_kinds.contains(&key.kind) {
            wanted_kinds.push(key.kind);
        }
    }
    for node in [entry.node.as_str(), RECIPIENT] {
        for &wanted in &wanted_kinds {
            check_one(node, &entry, wanted, trusted);
        }
    }

    let mut directory = Directory::new();
    directory.publish(entry.clone());
    assert_eq!(directory.get(&entry.node), Some(&entry));
    assert_eq!(directory.len(), 1);
    Outcome::Accepted
}

fn check_one(node: &str, entry: &DirectoryEntry, wanted: KeyKind, trusted: &TrustedIdentities) {
    let loose = check_entry(node, entry, wanted, trusted, false);
    let pinned = check_entry(node, entry, wanted, trusted, true);
    if entry.node != node {
        assert!(
            loose.is_err() && pinned.is_err(),
            "an entry for {:?} used for {node:?}",
            entry.node
        );
        return;
    }
    let loose = loose.expect("without pinning only the name is checked");
    let of_kind: Vec<RecipientKey> = entry
        .keys
        .iter()
        .filter(|k| k.kind == wanted)
        .map(|k| k.recipient(node))
        .collect();
    assert_eq!(loose.accepted, of_kind);
    assert!(loose.refused.is_empty());

    let Some(certified) = trusted.get(node).filter(|id| **id == entry.identity) else {
        assert!(pinned.is_err(), "pinning took an entry whose identity is not certified");
        return;
    };
    let pinned = pinned.expect("an entry with the certified identity is checked key by key");
    // Written out rather than `PublishedKey::statement`: the check must
    // agree with the statements as specified, classical and hybrid.
    let statement = |k: &PublishedKey| match &k.kem {
        None => key_statement(node, k.kind, &k.public),
        Some(kem) => hybrid_key_statement(node, k.kind, &k.public, kem),
    };
    let signed = |k: &PublishedKey| certified.verify(&statement(k), &k.signature);
    let stale = entry.keys.iter().filter(|k| signed(k) && k.kind != wanted).count();
    assert_eq!(pinned.accepted.len() + pinned.refused.len() + stale, entry.keys.len());
    for key in &pinned.accepted {
        assert!(of_kind.contains(key));
        assert!(
            entry
                .keys
                .iter()
                .any(|k| k.public == key.public && k.kem == key.kem && k.kind == key.kind && signed(k))
        );
    }
    let unsigned: Vec<_> = entry
        .keys
        .iter()
        .filter(|k| !signed(k))
        .map(PublishedKey::key_id)
        .collect();
    let refused: Vec<_> = pinned.refused.iter().map(|r| r.key_id).collect();
    assert_eq!(refused, unsigned);
}

// ------------------------------------------------------------- scenarios

/// The file name every fuzzed scenario is loaded under.
pub const SCENARIO_SOURCE: &str = "fuzz.toml";

/// Arbitrary bytes as a scenario file (invalid UTF-8 replaced, as a lossy
/// reader would), through the loader and its validation.
///
/// Holds: an error names the file; a loaded scenario passes the checks
/// again, keeps its source, has uniquely named adversaries, and
/// re-stamping its canaries with its own seed changes nothing.
pub fn scenario_parser(data: &[u8]) -> Outcome {
    let text = match std::str::from_utf8(data) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(data),
    };
    match Scenario::from_toml_str(&text, SCENARIO_SOURCE) {
        Ok(scenario) => {
            assert_eq!(scenario.source, SCENARIO_SOURCE);
            if let Err(e) = scenario.validate() {
                panic!("a loaded scenario fails validation: {e}");
            }
            let mut names: Vec<&str> = scenario.adversaries.iter().map(|a| a.name.as_str()).collect();
            names.sort_unstable();
            let count = names.len();
            names.dedup();
            assert_eq!(names.len(), count, "adversary names are unique");
            let mut reseeded = scenario.clone();
            reseeded.set_seed(scenario.seed);
            assert_eq!(reseeded, scenario);
            Outcome::Accepted
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with(SCENARIO_SOURCE),
                "error without the file name: {message}"
            );
            Outcome::Refused
        }
    }
}

// ----------------------------------------------------------------- seeds

/// Valid inputs for every target, to start the fuzzer past parsing: named
/// `(target, file name, bytes)`. Envelopes are sealed afresh (random
/// ephemeral keys), everything else is the same on every call.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let keys = keyring();
    let mut out = Vec::new();

    let envelopes = seed_envelopes(keys);
    for (name, envelope) in &envelopes {
        out.push(("envelope_open", format!("{name}.bin"), envelope.to_bytes()));
    }

    let entries = seed_entries(keys);
    for (name, entry) in &entries {
        out.push((
            "directory_entry",
            format!("{name}.bin"),
            postcard::to_stdvec(entry).expect("entry encodes"),
        ));
    }

    let (header, content) = seed_cable(0);
    let clear = CablePayload::Clear(ClearCable::new(header, content, Some(&keys.sender)));
    let sealed = CablePayload::Sealed(envelopes[0].1.clone());
    let frames = [
        (
            "hello",
            Frame::Hello {
                node: RECIPIENT.into(),
                protocol: cablesim::wire::PROTOCOL_VERSION,
            },
        ),
        ("submit-clear", Frame::Submit { payload: clear.clone() }),
        (
            "submit-sealed",
            Frame::Submit {
                payload: sealed.clone(),
            },
        ),
        ("deliver-sealed", Frame::Deliver { payload: sealed }),
        ("deliver-clear", Frame::Deliver { payload: clear }),
        ("ack", Frame::Ack { cable: "C-0001".into() }),
        (
            "publish",
            Frame::Publish {
                entry: entries[0].1.clone(),
            },
        ),
        (
            "directory-request",
            Frame::DirectoryRequest {
                nodes: vec![RECIPIENT.into(), SENDER.into()],
            },
        ),
        (
            "directory-answer",
            Frame::DirectoryAnswer {
                entries: entries.iter().map(|(_, e)| e.clone()).collect(),
            },
        ),
        (
            "error",
            Frame::Error {
                cable: Some("C-0001".into()),
                code: ErrorCode::Replay,
                detail: "seen before".into(),
            },
        ),
        ("directory-watch", Frame::DirectoryWatch),
        ("directory-changed", Frame::DirectoryChanged),
    ];
    let mut stream = Vec::new();
    for (name, frame) in &frames {
        let bytes = encode_frame(frame, DEFAULT_MAX_FRAME).expect("seed frame encodes");
        stream.extend_from_slice(&bytes);
        out.push(("frame_decoder", format!("{name}.bin"), bytes));
    }
    out.push(("frame_decoder", "stream.bin".into(), stream));

    for builtin in BUILTIN {
        out.push((
            "scenario_parser",
            format!("{}.toml", builtin.name),
            builtin.toml.as_bytes().to_vec(),
        ));
    }
    out
}

fn seed_cable(day: u32) -> (CableHeader, CableContent) {
    let header = CableHeader {
        version: CableHeader::VERSION,
        id: format!("C-{day:04}"),
        day,
        from: SENDER.into(),
        to: vec![RECIPIENT.into()],
        recipients: vec![RECIPIENT.into(), SENDER.into()],
        classification: Classification::Confidential,
    };
    let content = CableContent {
        subject: "Fisheries talks".into(),
        body: "The delegation will accept the quota. CANARY-0001".into(),
    };
    (header, content)
}

fn seed_envelopes(keys: &Keyring) -> Vec<(&'static str, Envelope)> {
    let signer = Some(&keys.sender);
    let (header, content) = seed_cable(3);
    let group = GroupKey::from_bytes(GROUP_SECRET);
    // The sender is a recipient too, with a key of its own that no
    // keyring here holds: the envelope carries a wrap the fuzzer can move.
    let other_classical = cablesim::crypto::AgreementSecret::from_bytes([0x66; 32]);
    let other_hybrid = cablesim::crypto::AgreementSecret::hybrid_from_bytes([0x66; 32], &[0x67; 64]);
    let keys_of = |node: &NodeKeys, kind| -> Vec<RecipientKey> {
        let other = if node.agreement().is_hybrid() {
            &other_hybrid
        } else {
            &other_classical
        };
        let mut keys: Vec<RecipientKey> = node.publish().keys.iter().map(|k| k.recipient(RECIPIENT)).collect();
        keys.push(PublishedKey::signed_secret(SENDER, kind, other, &keys_sender()).recipient(SENDER));
        keys
    };
    let seal = |mode, keys: &[RecipientKey]| {
        Envelope::seal_to_keys(header.clone(), &content, mode, keys, signer).expect("seed envelope seals")
    };
    let epoch = KeyKind::Epoch(EPOCH);
    vec![
        (
            "group",
            Envelope::seal_group(header.clone(), &content, &group, signer).expect("seals"),
        ),
        (
            "static",
            seal(SealMode::Static, &keys_of(&keys.nodes[1], KeyKind::Static)),
        ),
        (
            "forward-secret",
            seal(SealMode::ForwardSecret, &keys_of(&keys.nodes[2], epoch)),
        ),
        (
            "hybrid-static",
            seal(SealMode::Static, &keys_of(&keys.nodes[3], KeyKind::Static)),
        ),
        (
            "hybrid-forward-secret",
            seal(SealMode::ForwardSecret, &keys_of(&keys.nodes[4], epoch)),
        ),
    ]
}

/// The sender's identity, which signs its own seed key (the signature is
/// not what the envelope seeds are about).
fn keys_sender() -> IdentityKey {
    IdentityKey::from_seed(&SENDER_IDENTITY_SEED)
}

fn seed_entries(keys: &Keyring) -> Vec<(&'static str, DirectoryEntry)> {
    let genuine_static = keys.nodes[1].publish();
    let genuine_epoch = keys.nodes[2].publish();
    // A ghost key: validly signed, but by the hub's identity, not the owner's.
    let mut ghost = genuine_static.clone();
    let hub = IdentityKey::from_seed(&[0x77; 32]);
    let ghost_key = cablesim::crypto::AgreementSecret::from_bytes([0x88; 32]).public();
    ghost
        .keys
        .push(PublishedKey::signed(RECIPIENT, KeyKind::Static, ghost_key, &hub));
    let sender_entry = DirectoryEntry {
        node: SENDER.into(),
        identity: keys.sender.public(),
        keys: vec![PublishedKey::signed(
            SENDER,
            KeyKind::Epoch(EPOCH + 1),
            ghost_key,
            &keys.sender,
        )],
    };
    // The hybrid entries, and one whose ML-KEM half the hub swapped for
    // its own: the signature no longer covers it, so pinning refuses it.
    let hybrid_static = keys.nodes[3].publish();
    let hybrid_epoch = keys.nodes[4].publish();
    let mut swapped = hybrid_static.clone();
    let hub_kem = cablesim::crypto::AgreementSecret::hybrid_from_bytes([0x88; 32], &[0x89; 64]);
    swapped.keys[0].kem = hub_kem.kem_public().cloned();
    vec![
        ("static", genuine_static),
        ("forward-secret", genuine_epoch),
        ("ghost", ghost),
        ("sender", sender_entry),
        ("hybrid-static", hybrid_static),
        ("hybrid-forward-secret", hybrid_epoch),
        ("hybrid-swapped-kem", swapped),
    ]
}
