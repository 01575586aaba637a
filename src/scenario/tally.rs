//! The live tally of a run: what each actor holds, measured every day as
//! the loot grows, by the same analyst as the final report. Each piece of
//! loot is analysed once: the documents, payloads and captured frames that
//! are new since the last measurement, with every key held so far.
//!
//! Loot only grows (an adversary never gives back what it took), so the
//! cables proven so far stay proven and new material can only add to
//! them. The one exception is a new key: it may open ciphertext captured
//! long before, so after a new key the payloads and captures are read
//! again from the start; loot that does not look like the old loot plus
//! more is measured again from the start altogether.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::findings::{ActorTally, LeakNote, LevelTally, NEWEST_LEAKS, actors};
use crate::adversary::{
    Adversary, Analyst, CableIndex, Capture, CaptureBytes, CaptureKind, Loot, count_whole_records, looks_like_tls,
};
use crate::model::Classification;
use crate::wire::{DEFAULT_MAX_FRAME, LENGTH_PREFIX};

/// Every actor's progress, kept from one measurement to the next.
#[derive(Default)]
pub(super) struct LiveTally {
    actors: HashMap<String, ActorProgress>,
}

/// What one actor's loot proved so far, and how much of each member's
/// loot has been analysed (members grow independently, so their pooled
/// loot is not the old pool plus more).
#[derive(Default)]
struct ActorProgress {
    keys: usize,
    members: HashMap<String, MemberProgress>,
    content: BTreeSet<String>,
    routing: BTreeSet<String>,
    /// `content` and `routing` counted by classification as they grow.
    levels: BTreeMap<Classification, (usize, usize)>,
    newest: VecDeque<LeakNote>,
}

/// How much of one adversary's loot has been analysed.
#[derive(Default)]
struct MemberProgress {
    documents: usize,
    payloads: usize,
    captures: HashMap<CaptureKey, CaptureProgress>,
}

/// Which stream a capture is, from one measurement to the next: who took
/// it, where, and which of the captures with that name it is.
type CaptureKey = (String, String, usize);

/// How far into one captured byte stream the analyst has read.
#[derive(Default)]
struct CaptureProgress {
    /// Bytes analysed: always up to the end of a whole frame, so a frame
    /// (and the canary in it) is never cut in two.
    read: usize,
    /// The stream is TLS records: a wiretap learns sizes and times from
    /// it (the tally counts its records as traffic), and never a cable.
    encrypted: bool,
    /// The stream stopped being frames: the rest is searched for canaries
    /// as it comes, like the analyst searches the whole capture.
    raw: bool,
    /// Encrypted records counted so far in an encrypted stream.
    records: u64,
}

impl LiveTally {
    /// What each actor holds now.
    pub(super) fn measure(&mut self, adversaries: &[Arc<dyn Adversary>], index: &CableIndex) -> Vec<ActorTally> {
        let analyst = Analyst::new(index);
        actors(adversaries)
            .into_iter()
            .map(|(actor, members)| {
                let loots: Vec<(String, Loot)> = members
                    .iter()
                    .map(|m| (m.name().to_owned(), m.loot().tag(m.name())))
                    .collect();
                let progress = self.actors.entry(actor.to_owned()).or_default();
                let keys = loots.iter().map(|(_, loot)| loot.keys.len()).sum::<usize>();
                let grew = loots
                    .iter()
                    .all(|(name, loot)| progress.members.get(name).is_none_or(|member| member.grew_into(loot)));
                if !grew {
                    *progress = ActorProgress::default();
                } else if keys != progress.keys {
                    // What was proven stays proven; what is encrypted is
                    // read again with the new keys. Cables read in the
                    // clear need no key: they are not read again.
                    for member in progress.members.values_mut() {
                        member.payloads = 0;
                        member.captures.clear();
                    }
                }
                progress.keys = keys;
                // Every key held, with only what is new of the rest.
                let mut news = Loot::default();
                for (name, loot) in loots {
                    news.keys.extend(loot.keys.iter().cloned());
                    news.merge(progress.members.entry(name).or_default().take_news(loot));
                }
                let exposure = analyst.analyze(&news);
                progress.absorb(exposure, index);
                ActorTally {
                    actor: actor.to_owned(),
                    content: progress.content.len(),
                    routing: progress.routing.len(),
                    traffic: progress
                        .members
                        .values()
                        .flat_map(|m| m.captures.values())
                        .map(|c| c.records)
                        .sum(),
                    by_classification: progress
                        .levels
                        .iter()
                        .map(|(&level, &(content, routing))| LevelTally {
                            level,
                            content,
                            routing,
                        })
                        .collect(),
                    newest: progress.newest.iter().cloned().collect(),
                }
            })
            .collect()
    }
}

impl ActorProgress {
    /// Adds what one measurement proved: new cables join the sets, their
    /// classifications' counts and, for those read, the newest leaks.
    fn absorb(&mut self, exposure: crate::adversary::Exposure, index: &CableIndex) {
        let level = |id: &str| index.classification(id).unwrap_or(Classification::Unclassified);
        for id in exposure.routing.into_keys() {
            let level = level(&id);
            if self.routing.insert(id) {
                self.levels.entry(level).or_default().1 += 1;
            }
        }
        for (id, found) in exposure.content {
            let classification = level(&id);
            if self.content.insert(id.clone()) {
                self.levels.entry(classification).or_default().0 += 1;
                if self.newest.len() == NEWEST_LEAKS {
                    self.newest.pop_front();
                }
                self.newest.push_back(LeakNote {
                    cable: id,
                    classification,
                    via: found.via,
                });
            }
        }
    }
}

impl MemberProgress {
    /// Whether `loot` can be what was analysed before plus more.
    fn grew_into(&self, loot: &Loot) -> bool {
        loot.documents.len() >= self.documents
            && loot.payloads.len() >= self.payloads
            && keyed(&loot.captures).all(|(key, capture)| {
                self.captures
                    .get(&key)
                    .is_none_or(|seen| capture.bytes.len() >= seen.read)
            })
    }

    /// The part of `loot` not analysed yet (keys left out: the caller
    /// pools them), and the progress moved past it.
    fn take_news(&mut self, loot: Loot) -> Loot {
        let captures: Vec<Capture> = keyed(&loot.captures)
            .filter_map(|(key, capture)| self.news_of(key, capture))
            .collect();
        let news = Loot {
            documents: loot.documents.into_iter().skip(self.documents).collect(),
            payloads: loot.payloads.into_iter().skip(self.payloads).collect(),
            captures,
            ..Loot::default()
        };
        self.documents += news.documents.len();
        self.payloads += news.payloads.len();
        news
    }

    /// The bytes of `capture` not read yet, up to the end of its last
    /// whole frame, as a capture of their own.
    fn news_of(&mut self, key: CaptureKey, capture: &Capture) -> Option<Capture> {
        let progress = self.captures.entry(key).or_default();
        let bytes = capture.bytes.contiguous();
        if progress.read == 0 && capture.kind == CaptureKind::Wire && looks_like_tls(&bytes) {
            progress.encrypted = true;
        }
        if progress.encrypted {
            // Counted from the record headers, whole records only: the
            // rest of a record cut off here is counted next time.
            let (count, used) = count_whole_records(bytes.get(progress.read..).unwrap_or_default());
            progress.records += count.encrypted;
            progress.read += used;
            return None;
        }
        let start = progress.read;
        let mut end = start;
        while !progress.raw {
            let Some(prefix) = bytes.get(end..end + LENGTH_PREFIX) else {
                break;
            };
            let mut len = [0u8; LENGTH_PREFIX];
            len.copy_from_slice(prefix);
            let len = u32::from_be_bytes(len) as usize;
            if len == 0 || len > DEFAULT_MAX_FRAME {
                progress.raw = true;
            } else if end + LENGTH_PREFIX + len <= bytes.len() {
                end += LENGTH_PREFIX + len;
            } else {
                break;
            }
        }
        if progress.raw {
            end = bytes.len();
        }
        progress.read = end;
        let new = bytes.get(start..end).filter(|new| !new.is_empty())?;
        Some(Capture {
            by: capture.by.clone(),
            via: capture.via.clone(),
            kind: capture.kind,
            bytes: CaptureBytes::from(new),
            link: capture.link.clone(),
        })
    }
}

/// Each capture with the key that finds it again at the next measurement.
fn keyed(captures: &[Capture]) -> impl Iterator<Item = (CaptureKey, &Capture)> {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    captures.iter().map(move |capture| {
        let n = seen.entry((capture.by.as_str(), capture.via.as_str())).or_default();
        let key = (capture.by.clone(), capture.via.clone(), *n);
        *n += 1;
        (key, capture)
    })
}
