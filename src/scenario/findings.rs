//! From loot to the report: pools each actor's loot, runs the analyst,
//! and logs every leak (README.md, "Report files" and "Logs for a SIEM").

use std::collections::BTreeMap;
use std::sync::Arc;

use tracing::warn;

use crate::adversary::{Adversary, AdversarySpec, Analyst, CableIndex, Exposure, Found, Loot, Position};
use crate::model::{Classification, Day};
use crate::net::Alarm;
use crate::report::{ActorReport, AdversaryEntry, DayCounts, Evidence, LevelCounts, Placement};

/// What one actor holds so far, for a live tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorTally {
    /// Actor name.
    pub actor: String,
    /// Cables whose canary its loot contains so far.
    pub content: usize,
    /// Cables whose header it has decoded so far.
    pub routing: usize,
    /// Encrypted TLS records seen so far on the links it records: sizes
    /// and times, nothing inside.
    pub traffic: u64,
    /// `content` and `routing` by classification, lowest level first;
    /// levels with nothing are left out.
    pub by_classification: Vec<LevelTally>,
    /// The cables most recently proven read, newest last (at most
    /// [`NEWEST_LEAKS`]), with the path the analyst found.
    pub newest: Vec<LeakNote>,
}

/// How many of an actor's newest leaked cables a live tally keeps.
pub const NEWEST_LEAKS: usize = 8;

/// Cables of one classification an actor holds so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelTally {
    /// The classification.
    pub level: Classification,
    /// Cables of it read.
    pub content: usize,
    /// Cables of it whose header was decoded (content included).
    pub routing: usize,
}

/// One cable proven read, as a live tally shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakNote {
    /// Cable id.
    pub cable: String,
    /// Its classification.
    pub classification: Classification,
    /// The evidence: how the analyst recovered its canary.
    pub via: String,
}

/// Actors in the order they first appear, each with its members.
pub(super) fn actors(adversaries: &[Arc<dyn Adversary>]) -> Vec<(&str, Vec<&Arc<dyn Adversary>>)> {
    let mut out: Vec<(&str, Vec<&Arc<dyn Adversary>>)> = Vec::new();
    for adversary in adversaries {
        match out.iter_mut().find(|(actor, _)| *actor == adversary.actor()) {
            Some((_, members)) => members.push(adversary),
            None => out.push((adversary.actor(), vec![adversary])),
        }
    }
    out
}

pub(super) fn pooled_loot(members: &[&Arc<dyn Adversary>]) -> Loot {
    let mut loot = Loot::default();
    for member in members {
        loot.merge(member.loot().tag(member.name()));
    }
    loot
}

/// One report per actor, in the order actors first appear (also what an
/// adversary proxy of multi-process mode reports; README.md, "Run it across
/// laptops"). Logs one leak event per cable an actor holds, naming
/// `config`, the preset the run was measured under, when there is one.
pub(crate) fn actor_reports(
    adversaries: &[Arc<dyn Adversary>],
    index: &CableIndex,
    alarms: &[Alarm],
    config: Option<&str>,
) -> Vec<ActorReport> {
    let analyst = Analyst::new(index);
    actors(adversaries)
        .into_iter()
        .map(|(actor, members)| {
            let loot = pooled_loot(&members);
            let exposure = analyst.analyze(&loot);
            let techniques = |found: &Found| -> Vec<String> {
                let mut ids: Vec<String> = members
                    .iter()
                    .filter(|m| found.by.iter().any(|b| b == m.name()))
                    .flat_map(|m| m.attack_techniques())
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            };
            let mut by_classification: BTreeMap<Classification, LevelCounts> = BTreeMap::new();
            let mut by_day: BTreeMap<Day, DayCounts> = BTreeMap::new();
            let mut by_sender: BTreeMap<String, LevelCounts> = BTreeMap::new();
            for (id, found) in &exposure.routing {
                let level = index.classification(id).unwrap_or(Classification::Unclassified);
                let content = exposure.content.contains_key(id);
                let day = index.day(id).unwrap_or_default();
                let sender = index.sender(id).unwrap_or_default();
                let day_counts = by_day.entry(day).or_insert(DayCounts {
                    day,
                    ..DayCounts::default()
                });
                for counts in [
                    by_classification.entry(level).or_default(),
                    by_sender.entry(sender.to_owned()).or_default(),
                ] {
                    counts.routing += 1;
                    counts.content += u64::from(content);
                }
                day_counts.routing += 1;
                day_counts.content += u64::from(content);
                let exposure_kind = if content { "content" } else { "routing" };
                warn!(
                    target: "cablesim::leak",
                    actor, cable = %id, classification = %level, exposure = exposure_kind,
                    via = %found.via, attack = %techniques(found).join(","), config, "leak"
                );
            }
            // The exposure is taken apart rather than copied: a full-size
            // export proves a quarter of a million cables, and the report
            // needs their ids and evidence once, not twice.
            let Exposure {
                content: found_content,
                routing: found_routing,
                traffic_frames,
            } = exposure;
            let routing: Vec<String> = found_routing.into_keys().collect();
            let content: Vec<String> = found_content.keys().cloned().collect();
            let evidence: Vec<Evidence> = found_content
                .into_iter()
                .map(|(id, found)| Evidence {
                    attack: techniques(&found),
                    classification: index.classification(&id).unwrap_or(Classification::Unclassified),
                    day: index.day(&id).unwrap_or_default(),
                    from: index.sender(&id).unwrap_or_default().to_owned(),
                    via: found.via,
                    cable: id,
                })
                .collect();
            ActorReport {
                actor: actor.to_owned(),
                adversaries: members.iter().map(|m| m.name().to_owned()).collect(),
                content,
                routing,
                traffic_frames,
                forged_cables: loot.forged_cables.len() as u64,
                forged_accepted: loot.forged_accepted,
                alarms: alarms
                    .iter()
                    .filter(|alarm| members.iter().any(|m| m.caused(alarm)))
                    .count() as u64,
                evidence,
                by_classification,
                leaks_by_day: by_day.into_values().collect(),
                by_sender,
                attack: {
                    let mut ids: Vec<String> = members.iter().flat_map(|m| m.attack_techniques()).collect();
                    ids.sort();
                    ids.dedup();
                    ids
                },
            }
        })
        .collect()
}

/// What the report says about each adversary. Kinds come from the
/// scenario's specs; an adversary added in code has none of its own.
pub(super) fn adversary_entries(adversaries: &[Arc<dyn Adversary>], specs: &[AdversarySpec]) -> Vec<AdversaryEntry> {
    adversaries
        .iter()
        .map(|adversary| {
            let (position, node) = match adversary.position() {
                Position::Link(node) => (Placement::Link, Some(node)),
                Position::Hub => (Placement::Hub, None),
                Position::Node(node) => (Placement::Node, Some(node)),
                Position::Recordings => (Placement::Recordings, None),
            };
            let kind = specs
                .iter()
                .find(|spec| spec.name == adversary.name())
                .map_or("custom", |spec| spec.kind.as_str());
            AdversaryEntry {
                name: adversary.name().to_owned(),
                kind: kind.to_owned(),
                actor: adversary.actor().to_owned(),
                position,
                node,
                window: adversary.window(),
                attack: adversary.attack_techniques(),
            }
        })
        .collect()
}
