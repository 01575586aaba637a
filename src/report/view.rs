//! What the HTML and Markdown reports show, computed once from a
//! [`RunReport`]: words for windows and positions, tables capped to a size
//! a browser opens, and the map and timeline geometry. The templates only
//! lay this out.

use serde::Serialize;

use super::{ActorReport, CableCounts, Placement, RunReport};
use crate::model::{Classification, Role};

/// The most rows a report table shows. A Cablegate-size run leaks a quarter
/// of a million cables: all of them would make an HTML page no browser
/// opens comfortably, and the JSON report has them all anyway.
pub const MAX_TABLE_ROWS: usize = 500;

/// Everything a report template reads.
#[derive(Debug, Serialize)]
pub(super) struct View {
    scenario: String,
    seed: u64,
    days: u32,
    config: Option<String>,
    cables: CableCounts,
    /// The wire cost line of the text report, if the run measured it.
    wire: Option<String>,
    /// `max_classification`: cables above it were withheld.
    ceiling: Classification,
    security: Vec<Setting>,
    network: NetworkSummary,
    adversaries: Vec<AdversaryRow>,
    actors: Vec<ActorView>,
    leaks: Table<LeakRow>,
    alarms: Table<AlarmRow>,
    map: super::map::MapView,
    timeline: super::timeline::TimelineView,
    max_rows: usize,
}

/// One `[security]` field and its effective value.
#[derive(Debug, Serialize)]
struct Setting {
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct NetworkSummary {
    nodes: usize,
    hq: usize,
    ministries: usize,
    missions: usize,
}

#[derive(Debug, Serialize)]
struct AdversaryRow {
    name: String,
    kind: String,
    actor: String,
    /// "link del-kyiv–hub", "hub", "node cy-mfa".
    position: String,
    window: String,
    attack: String,
}

#[derive(Debug, Serialize)]
struct ActorView {
    actor: String,
    adversaries: String,
    attack: String,
    levels: Vec<LevelRow>,
    content: usize,
    routing: usize,
    /// Content as a whole percentage of the cables sent.
    content_percent: u64,
    traffic_frames: u64,
    forged_cables: u64,
    forged_accepted: u64,
    alarms: u64,
}

#[derive(Debug, Serialize)]
struct LevelRow {
    level: Classification,
    content: u64,
    routing: u64,
}

/// The first [`MAX_TABLE_ROWS`] rows of a table, and how many were left out.
#[derive(Debug, Serialize)]
struct Table<T> {
    rows: Vec<T>,
    total: usize,
    omitted: usize,
}

impl<T> Table<T> {
    /// The first rows of `all`, which holds `total` rows: counted by the
    /// caller so that the rows beyond the cap are never built.
    fn capped(all: impl Iterator<Item = T>, total: usize) -> Table<T> {
        let rows: Vec<T> = all.take(MAX_TABLE_ROWS).collect();
        Table {
            omitted: total.saturating_sub(rows.len()),
            rows,
            total,
        }
    }
}

#[derive(Debug, Serialize)]
struct LeakRow {
    actor: String,
    cable: String,
    day: u32,
    classification: Classification,
    from: String,
    via: String,
    attack: String,
}

#[derive(Debug, Serialize)]
struct AlarmRow {
    day: u32,
    node: String,
    kind: String,
    attack: String,
    detail: String,
}

impl View {
    /// The view of `report`.
    pub(super) fn new(report: &RunReport) -> View {
        let count = |role: Role| report.network.iter().filter(|n| n.role == role).count();
        let leaks = report.actors.iter().flat_map(|actor| {
            actor.evidence.iter().map(move |e| LeakRow {
                actor: actor.actor.clone(),
                cable: e.cable.clone(),
                day: e.day,
                classification: e.classification,
                from: e.from.clone(),
                via: e.via.clone(),
                attack: e.attack.join(", "),
            })
        });
        let leak_count = report.actors.iter().map(|a| a.evidence.len()).sum();
        View {
            scenario: report.scenario.clone(),
            seed: report.seed,
            days: report.days,
            config: report.config.clone(),
            cables: report.cables,
            wire: report.wire.as_ref().map(super::WireCosts::sentence),
            ceiling: report.security.max_classification,
            security: settings(report),
            network: NetworkSummary {
                nodes: report.network.len(),
                hq: count(Role::Hq),
                ministries: count(Role::Ministry),
                missions: count(Role::Mission),
            },
            adversaries: report
                .adversaries
                .iter()
                .map(|a| adversary_row(a, report.days))
                .collect(),
            actors: report
                .actors
                .iter()
                .map(|a| actor_view(a, report.cables.sent))
                .collect(),
            leaks: Table::capped(leaks, leak_count),
            alarms: Table::capped(
                report.alarms.iter().map(|alarm| AlarmRow {
                    day: alarm.day,
                    node: alarm.node.clone(),
                    kind: alarm.kind.as_str().to_owned(),
                    attack: alarm.kind.attack_technique().unwrap_or("").to_owned(),
                    detail: alarm.detail.clone(),
                }),
                report.alarms.len(),
            ),
            map: super::map::layout(report),
            timeline: super::timeline::layout(report),
            max_rows: MAX_TABLE_ROWS,
        }
    }
}

/// The effective `[security]` fields, in the order the report serializes
/// them, with "not set" for an absent (unlimited) value.
fn settings(report: &RunReport) -> Vec<Setting> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&report.security) else {
        return Vec::new();
    };
    fields
        .into_iter()
        .map(|(name, value)| Setting {
            name,
            value: match value {
                serde_json::Value::String(text) => text,
                serde_json::Value::Null => "not set".to_owned(),
                other => other.to_string(),
            },
        })
        .collect()
}

fn adversary_row(adversary: &super::AdversaryEntry, days: u32) -> AdversaryRow {
    let node = adversary.node.as_deref().unwrap_or(crate::model::HUB);
    let position = match adversary.position {
        Placement::Link => format!("link {node}–hub"),
        Placement::Hub => "hub".to_owned(),
        Placement::Node => format!("node {node}"),
        Placement::Recordings => "its actor's recordings".to_owned(),
    };
    let until = adversary.window.until.unwrap_or(days).min(days);
    AdversaryRow {
        name: adversary.name.clone(),
        kind: adversary.kind.clone(),
        actor: adversary.actor.clone(),
        position,
        window: super::timeline::window_text(adversary.window.from, until),
        attack: adversary.attack.join(", "),
    }
}

fn actor_view(actor: &ActorReport, sent: u64) -> ActorView {
    let content = actor.content.len();
    ActorView {
        actor: actor.actor.clone(),
        adversaries: actor.adversaries.join(", "),
        attack: actor.attack.join(", "),
        levels: actor
            .by_classification
            .iter()
            .map(|(level, counts)| LevelRow {
                level: *level,
                content: counts.content,
                routing: counts.routing,
            })
            .collect(),
        content,
        routing: actor.routing.len(),
        content_percent: (content as u64 * 100).checked_div(sent).unwrap_or(0),
        traffic_frames: actor.traffic_frames,
        forged_cables: actor.forged_cables,
        forged_accepted: actor.forged_accepted,
        alarms: actor.alarms,
    }
}
