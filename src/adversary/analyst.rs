//! The analyst (sans-IO): turns an actor's loot into evidence the way a real
//! attacker would — decode captured bytes with the real wire decoder, try every
//! stolen key with the real envelope code, and look for canaries in whatever
//! plaintext comes out (ARCHITECTURE.md, "The rules a run must produce").
//!
//! Nothing here knows which configuration "should" leak: a cable counts as
//! content only if its canary is found in recovered bytes, as routing only
//! if its header was decoded from captured material.

use std::collections::{BTreeMap, HashMap};

use super::loot::{CaptureKind, Loot, StolenKey};
use super::tls_records::{count_records, looks_like_tls};

mod recorded_tls;
use crate::crypto::{CablePayload, GROUP_RECIPIENT, KeyId, KeyMaterial};
use crate::model::{Cable, Canaries, Classification, Day};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, FrameReader};

/// What the analyst knows about the run's cables: their canaries (to prove
/// a leak) and their classification, day and sender (to report it).
/// Adversaries never see this; it is the referee's table.
#[derive(Debug, Clone, Default)]
pub struct CableIndex {
    canaries: Canaries,
    facts: HashMap<String, CableFacts>,
}

/// What a report says about a cable besides its id.
#[derive(Debug, Clone)]
struct CableFacts {
    classification: Classification,
    day: Day,
    from: String,
}

impl CableIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a cable of the run.
    pub fn register(&mut self, cable: &Cable) -> Result<(), crate::model::DuplicateCanary> {
        self.canaries.insert(&cable.canary, &cable.id)?;
        let facts = CableFacts {
            classification: cable.classification,
            day: cable.day,
            from: cable.from.clone(),
        };
        self.facts.insert(cable.id.clone(), facts);
        Ok(())
    }

    /// The classification of a registered cable.
    pub fn classification(&self, id: &str) -> Option<Classification> {
        self.facts.get(id).map(|f| f.classification)
    }

    /// The day a registered cable is sent: a leak's place on a timeline.
    pub fn day(&self, id: &str) -> Option<Day> {
        self.facts.get(id).map(|f| f.day)
    }

    /// The node a registered cable is sent from: whose cables leaked.
    pub fn sender(&self, id: &str) -> Option<&str> {
        self.facts.get(id).map(|f| f.from.as_str())
    }

    /// Ids of registered cables whose canary occurs in `bytes`.
    pub fn find_canaries(&self, bytes: &[u8]) -> Vec<String> {
        self.canaries.find_in(bytes)
    }

    /// Number of registered cables.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// Whether no cable is registered.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }
}

/// How a cable was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path, for people: "tap del-kyiv->hub, plain".
    pub via: String,
    /// The adversaries whose loot made it possible (the capture, and the
    /// stolen key if one was needed).
    pub by: Vec<String>,
}

/// What one actor's loot proves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Cables whose canary was recovered, with how (the smallest `via` of
    /// all the ways found, so the report does not depend on timing).
    pub content: BTreeMap<String, Found>,
    /// Cables whose header was decoded (content included), with how.
    pub routing: BTreeMap<String, Found>,
    /// Encrypted TLS records seen on captured links.
    pub traffic_frames: u64,
}

impl Exposure {
    fn found(map: &mut BTreeMap<String, Found>, id: &str, via: &str, by: &[&str]) {
        if map.get(id).is_some_and(|existing| existing.via.as_str() <= via) {
            return;
        }
        let found = Found {
            via: via.to_owned(),
            by: by.iter().map(|b| (*b).to_owned()).collect(),
        };
        map.insert(id.to_owned(), found);
    }
}

/// Reads loot against the run's cable index.
pub struct Analyst<'a> {
    index: &'a CableIndex,
}

impl<'a> Analyst<'a> {
    /// An analyst for the cables of `index`.
    pub fn new(index: &'a CableIndex) -> Self {
        Analyst { index }
    }

    /// Everything `loot` proves.
    pub fn analyze(&self, loot: &Loot) -> Exposure {
        let mut exposure = Exposure::default();
        for doc in &loot.documents {
            let by = [doc.by.as_str()];
            self.note_routing(&mut exposure, &doc.header.id, &doc.via, &by);
            self.search(&mut exposure, [doc.content.body.as_bytes()], &doc.via, &by);
            self.search(&mut exposure, [doc.content.subject.as_bytes()], &doc.via, &by);
        }
        // Payloads decoded from captures join the ones held as objects.
        // A quantum computer's recovered keys are tried like stolen ones:
        // whether they open anything is the envelope code's answer.
        let recovered = loot.quantum.iter().flat_map(|q| q.keys.iter());
        let keys = KeyRing::new(loot.keys.iter().chain(recovered));
        for held in &loot.payloads {
            self.examine(&mut exposure, &keys, &held.payload, &held.via, &[held.by.as_str()]);
        }
        self.open_recorded_tls(&mut exposure, &keys, loot);
        for capture in &loot.captures {
            if capture.kind == CaptureKind::Wire {
                // A recorded link direction is one piece: not copied here.
                let stream = capture.bytes.contiguous();
                if looks_like_tls(&stream) {
                    // Encrypted: sizes and counts are all a wiretap gets.
                    exposure.traffic_frames += count_records(&stream).encrypted;
                    continue;
                }
            }
            let via = match capture.kind {
                CaptureKind::Wire => format!("{}, plain", capture.via),
                CaptureKind::Decrypted | CaptureKind::Stored => capture.via.clone(),
            };
            let pieces: Vec<&[u8]> = capture.bytes.pieces().collect();
            self.read_plain_stream(&mut exposure, &keys, &pieces, &via, &[capture.by.as_str()]);
        }
        // Routing always includes content: a recovered cable shows its header.
        let Exposure { content, routing, .. } = &mut exposure;
        for (id, found) in content.iter() {
            let by: Vec<&str> = found.by.iter().map(String::as_str).collect();
            Exposure::found(routing, id, &found.via, &by);
        }
        exposure
    }

    /// A byte stream of frames in the clear (a plain link, an archive
    /// export, a TLS session opened): canaries anywhere in it, and every
    /// cable frame examined.
    fn read_plain_stream(&self, exposure: &mut Exposure, keys: &KeyRing<'_>, pieces: &[&[u8]], via: &str, by: &[&str]) {
        self.search(exposure, pieces.iter().copied(), via, by);
        // Frame by frame, piece by piece, without keeping them or copying
        // the capture: an archive export can hold hundreds of thousands of
        // cables. As `decode_stream`, up to the first undecodable byte:
        // past it the reader would only buffer the rest of the capture.
        let mut reader = FrameReader::new(DEFAULT_MAX_FRAME);
        'pieces: for piece in pieces.iter().copied() {
            reader.push(piece);
            loop {
                match reader.next_frame() {
                    Ok(Some(Frame::Submit { payload } | Frame::Deliver { payload })) => {
                        self.examine(exposure, keys, &payload, via, by);
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(_) => break 'pieces,
                }
            }
        }
    }

    /// Routing from a payload's header; content from its plaintext, with
    /// every stolen key its wraps could be for. Skipped when the cable is
    /// already proven by a path that sorts first (the evidence kept is the
    /// smallest `via`, whatever the order material comes in).
    fn examine(&self, exposure: &mut Exposure, keys: &KeyRing<'_>, payload: &CablePayload, via: &str, by: &[&str]) {
        let id = &payload.header().id;
        self.note_routing(exposure, id, via, by);
        if exposure.content.get(id).is_some_and(|known| known.via.as_str() <= via) {
            return;
        }
        match payload {
            CablePayload::Clear(clear) => self.search(exposure, [clear.content.body.as_bytes()], via, by),
            CablePayload::Sealed(_) => {
                for key in keys.candidates(payload) {
                    if let Ok(opened) = payload.open_with(&key.key) {
                        let via = format!("{via}; opened with {} ({})", key.key.describe(), key.via);
                        let mut by = by.to_vec();
                        by.push(&key.by);
                        self.search(exposure, [opened.content.body.as_bytes()], &via, &by);
                        break;
                    }
                }
            }
        }
    }

    /// Canaries in the concatenation of `pieces` become content.
    fn search<'p>(&self, exposure: &mut Exposure, pieces: impl IntoIterator<Item = &'p [u8]>, via: &str, by: &[&str]) {
        for id in self.index.canaries.find_in_pieces(pieces) {
            Exposure::found(&mut exposure.content, &id, via, by);
        }
    }

    fn note_routing(&self, exposure: &mut Exposure, id: &str, via: &str, by: &[&str]) {
        // Forged or unknown cables are not the run's cables: not a leak.
        if self.index.classification(id).is_some() {
            Exposure::found(&mut exposure.routing, id, via, by);
        }
    }
}

/// Every frame of a captured byte stream, decoded with the same decoder
/// the hub and the nodes use, up to the first undecodable byte.
pub fn decode_stream(bytes: &[u8]) -> Vec<Frame> {
    let mut reader = FrameReader::new(DEFAULT_MAX_FRAME);
    reader.push(bytes);
    let mut frames = Vec::new();
    while let Ok(Some(frame)) = reader.next_frame() {
        frames.push(frame);
    }
    frames
}

/// Stolen keys indexed by what a wrap names, so that opening an envelope
/// tries only the keys its wraps could be for.
struct KeyRing<'k> {
    by_wrap: HashMap<(String, KeyId), Vec<&'k StolenKey>>,
}

impl<'k> KeyRing<'k> {
    fn new(keys: impl IntoIterator<Item = &'k StolenKey>) -> Self {
        let mut by_wrap: HashMap<(String, KeyId), Vec<&'k StolenKey>> = HashMap::new();
        for key in keys {
            let owner = match &key.key {
                KeyMaterial::Group(_) => GROUP_RECIPIENT.to_owned(),
                other => other.owner().to_owned(),
            };
            if let Some(id) = key.key.key_id() {
                by_wrap.entry((owner, id)).or_default().push(key);
            }
        }
        // Deterministic order of attempts: by provenance.
        for candidates in by_wrap.values_mut() {
            candidates.sort_by(|a, b| a.via.cmp(&b.via));
        }
        KeyRing { by_wrap }
    }

    fn candidates(&self, payload: &CablePayload) -> Vec<&'k StolenKey> {
        let CablePayload::Sealed(envelope) = payload else {
            return Vec::new();
        };
        let mut out: Vec<&'k StolenKey> = Vec::new();
        for wrap in &envelope.header.wraps {
            if let Some(keys) = self.by_wrap.get(&(wrap.recipient.clone(), wrap.key_id)) {
                out.extend(keys.iter().copied());
            }
        }
        out
    }
}
