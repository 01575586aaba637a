//! From loot to the report: pools each actor's loot, runs the analyst,
//! and logs every leak (DESIGN §9, §10).

use std::collections::BTreeMap;
use std::sync::Arc;

use tracing::warn;

use crate::adversary::{Adversary, Analyst, CableIndex, Found, Loot};
use crate::model::Classification;
use crate::net::Alarm;
use crate::report::{ActorReport, Evidence, LevelCounts};

/// One report per actor, in the order actors first appear.
pub(super) fn actor_reports(
    adversaries: &[Arc<dyn Adversary>],
    index: &CableIndex,
    alarms: &[Alarm],
) -> Vec<ActorReport> {
    let mut actors: Vec<&str> = Vec::new();
    for adversary in adversaries {
        if !actors.contains(&adversary.actor()) {
            actors.push(adversary.actor());
        }
    }
    let analyst = Analyst::new(index);
    actors
        .into_iter()
        .map(|actor| {
            let members: Vec<&Arc<dyn Adversary>> = adversaries.iter().filter(|a| a.actor() == actor).collect();
            let mut loot = Loot::default();
            for member in &members {
                loot.merge(member.loot().tag(member.name()));
            }
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
            for (id, found) in &exposure.routing {
                let level = index.classification(id).unwrap_or(Classification::Unclassified);
                let counts = by_classification.entry(level).or_default();
                counts.routing += 1;
                let exposure_kind = if exposure.content.contains_key(id) {
                    counts.content += 1;
                    "content"
                } else {
                    "routing"
                };
                warn!(
                    target: "cablesim::leak",
                    actor, cable = %id, classification = %level, exposure = exposure_kind,
                    via = %found.via, attack = %techniques(found).join(","), "leak"
                );
            }
            ActorReport {
                actor: actor.to_owned(),
                adversaries: members.iter().map(|m| m.name().to_owned()).collect(),
                content: exposure.content.keys().cloned().collect(),
                routing: exposure.routing.keys().cloned().collect(),
                traffic_frames: exposure.traffic_frames,
                forged_accepted: loot.forged_accepted,
                alarms: alarms
                    .iter()
                    .filter(|alarm| members.iter().any(|m| m.caused(alarm)))
                    .count() as u64,
                evidence: exposure
                    .content
                    .iter()
                    .map(|(id, found)| Evidence {
                        cable: id.clone(),
                        via: found.via.clone(),
                        attack: techniques(found),
                    })
                    .collect(),
                by_classification,
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
