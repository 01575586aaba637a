//! What the live page shows, kept up to date one event at a time: the
//! nodes and whether they are connected, the cables sent, relayed and
//! delivered, each actor's haul as the analyst measured it, the alarms, a
//! demo's story and its table. Plain data, no I/O: the feed around it
//! decides when browsers hear about a change.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::model::Day;
use crate::net::Alarm;
use crate::report::{ActorReport, RunReport};
use crate::scenario::{ActorTally, Progress};

/// How many of the latest alarms the page lists (the total is counted).
pub const RECENT_ALARMS: usize = 12;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Nothing has happened yet (a page opened before the first day).
    Waiting,
    /// The network runs.
    Running,
    /// The run is over; the report is ready when `report` says so.
    Done,
}

/// Everything the page draws, as one JSON object: the state sent to a
/// browser, whole, each time (README.md, "The live page").
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Bumped by every change: a browser can tell states apart.
    pub seq: u64,
    /// Where the run stands.
    pub phase: Phase,
    /// Scenario name.
    pub scenario: String,
    /// The preset the run is measured under, if any.
    pub config: Option<String>,
    /// Days in the run.
    pub days: u32,
    /// Days played so far.
    pub day: u32,
    /// Every node, in the network's order.
    pub nodes: Vec<NodeState>,
    /// Cables so far.
    pub counts: Counts,
    /// Each actor's haul, as last measured.
    pub actors: Vec<ActorHaul>,
    /// Alarms so far.
    pub alarms: AlarmState,
    /// A demo's story and mitigation table (none for a plain run).
    pub story: Option<StoryState>,
    /// Whether the final report is ready to fetch.
    pub report: bool,
}

/// One node on the map.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeState {
    /// Its name (the map's `data-node`).
    pub name: String,
    /// Its role.
    pub role: String,
    /// Connected to the hub now (the hub: serving).
    pub connected: bool,
    /// Cables it sent so far.
    pub sent: u64,
    /// Cables delivered to it so far (the hub: relayed).
    pub received: u64,
}

/// Cables so far, counted from the network's own events.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Sealed and handed to the hub by their senders.
    pub sent: u64,
    /// Relayed by the hub (forgeries it was made to relay included).
    pub relayed: u64,
    /// Deliveries: one per cable and recipient that accepted it.
    pub deliveries: u64,
    /// Peers the hub refused (a certificate it would not take, a name
    /// that is not theirs, no room left).
    pub refused: u64,
}

/// One actor's haul.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ActorHaul {
    /// Actor name.
    pub actor: String,
    /// Cables read (canary found).
    pub content: u64,
    /// Cables whose header it decoded.
    pub routing: u64,
    /// Encrypted records seen.
    pub traffic: u64,
    /// Content and routing by classification.
    pub by_classification: Vec<LevelHaul>,
    /// The newest cables read, newest last.
    pub newest: Vec<LeakState>,
}

/// Content and routing of one classification.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LevelHaul {
    /// The classification.
    pub level: String,
    /// Read.
    pub content: u64,
    /// Headers seen.
    pub routing: u64,
}

/// One leaked cable with its evidence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeakState {
    /// Cable id.
    pub cable: String,
    /// Its classification.
    pub classification: String,
    /// How the analyst recovered its canary.
    pub via: String,
}

/// Alarms so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlarmState {
    /// How many.
    pub total: u64,
    /// The latest, oldest first.
    pub recent: VecDeque<AlarmLine>,
}

/// One alarm as the page lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlarmLine {
    /// Day it fired.
    pub day: Day,
    /// Who detected it.
    pub node: String,
    /// What was detected.
    pub kind: String,
    /// Its MITRE ATT&CK technique, if it has one.
    pub attack: Option<String>,
    /// Details.
    pub detail: String,
}

/// A demo: the story told so far and the mitigation table as it fills.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoryState {
    /// The incident's title.
    pub title: String,
    /// Sections told so far.
    pub sections: Vec<StorySection>,
    /// The table's columns (empty until the table starts).
    pub columns: Vec<String>,
    /// Rows measured so far.
    pub rows: Vec<Vec<String>>,
    /// Rows still running, by label.
    pub pending: Vec<String>,
    /// Every row's label in the table's order: rows measured out of
    /// order take their place in it.
    #[serde(skip)]
    pub order: Vec<String>,
}

/// One section of a demo's story.
#[derive(Debug, Clone, Serialize)]
pub struct StorySection {
    /// Its heading.
    pub title: String,
    /// Its text: paragraphs separated by blank lines.
    pub text: String,
}

/// The live state of one run (or of a hub serving a room).
#[derive(Debug, Clone)]
pub struct Board {
    snapshot: Snapshot,
    /// Node name to its place in `snapshot.nodes`.
    places: BTreeMap<String, usize>,
}

impl Board {
    /// A board for `report`'s network (a report before anything happened:
    /// its scenario, days and nodes).
    pub fn new(skeleton: &RunReport) -> Board {
        let nodes: Vec<NodeState> = skeleton
            .network
            .iter()
            .map(|n| NodeState {
                name: n.name.clone(),
                role: n.role.to_string(),
                connected: n.name == crate::model::HUB,
                sent: 0,
                received: 0,
            })
            .collect();
        let places = nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        Board {
            snapshot: Snapshot {
                seq: 0,
                phase: Phase::Waiting,
                scenario: skeleton.scenario.clone(),
                config: skeleton.config.clone(),
                days: skeleton.days,
                day: 0,
                nodes,
                counts: Counts::default(),
                actors: Vec::new(),
                alarms: AlarmState::default(),
                story: None,
                report: false,
            },
            places,
        }
    }

    /// The state as it stands.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    fn node(&mut self, name: &str) -> Option<&mut NodeState> {
        let place = *self.places.get(name)?;
        self.snapshot.nodes.get_mut(place)
    }

    fn changed(&mut self) {
        self.snapshot.seq += 1;
        if self.snapshot.phase == Phase::Waiting {
            self.snapshot.phase = Phase::Running;
        }
    }

    /// `node` connected to the hub (`true`) or left it (`false`).
    pub fn connection(&mut self, node: &str, connected: bool) {
        if let Some(state) = self.node(node) {
            state.connected = connected;
        }
        self.changed();
    }

    /// `node` sealed a cable and handed it to the hub.
    pub fn sent(&mut self, node: &str) {
        if let Some(state) = self.node(node) {
            state.sent += 1;
        }
        self.snapshot.counts.sent += 1;
        self.changed();
    }

    /// The hub relayed a cable.
    pub fn relayed(&mut self) {
        if let Some(hub) = self.node(crate::model::HUB) {
            hub.received += 1;
        }
        self.snapshot.counts.relayed += 1;
        self.changed();
    }

    /// The hub says it has relayed `total` cables so far (a hub in
    /// another process counts them itself).
    pub fn relayed_total(&mut self, total: u64) {
        if let Some(hub) = self.node(crate::model::HUB) {
            hub.received = total;
        }
        self.snapshot.counts.relayed = total;
        self.changed();
    }

    /// The hub refused a peer.
    pub fn refused(&mut self) {
        self.snapshot.counts.refused += 1;
        self.changed();
    }

    /// An actor's haul as a process measured it (a proxy's report),
    /// replacing what the board had for that actor.
    pub fn haul(&mut self, haul: ActorHaul) {
        let actors = &mut self.snapshot.actors;
        match actors.iter_mut().find(|a| a.actor == haul.actor) {
            Some(place) => *place = haul,
            None => actors.push(haul),
        }
        self.changed();
    }

    /// The page serves something that runs until stopped (a hub): it is
    /// running from the start.
    pub fn start(&mut self) {
        self.changed();
    }

    /// `node` accepted a delivery.
    pub fn delivered(&mut self, node: &str) {
        if let Some(state) = self.node(node) {
            state.received += 1;
        }
        self.snapshot.counts.deliveries += 1;
        self.changed();
    }

    /// An alarm fired.
    pub fn alarm(&mut self, line: AlarmLine) {
        let alarms = &mut self.snapshot.alarms;
        alarms.total += 1;
        if alarms.recent.len() == RECENT_ALARMS {
            alarms.recent.pop_front();
        }
        alarms.recent.push_back(line);
        self.changed();
    }

    /// The day `day` (counted from 0) has begun.
    pub fn day(&mut self, day: Day) {
        self.snapshot.day = self.snapshot.day.max(day);
        self.changed();
    }

    /// A day is over and the analyst measured the actors' haul.
    pub fn progress(&mut self, progress: &Progress) {
        self.snapshot.day = progress.day + 1;
        self.snapshot.actors = progress.actors.iter().map(haul).collect();
        self.changed();
    }

    /// A demo told one more section (the first is the story's title and
    /// introduction).
    pub fn story_section(&mut self, title: &str, text: &str) {
        let story = self.snapshot.story.get_or_insert_with(|| StoryState {
            title: title.to_owned(),
            ..StoryState::default()
        });
        story.sections.push(StorySection {
            title: title.to_owned(),
            text: text.to_owned(),
        });
        self.changed();
    }

    /// A demo's table starts: its columns, and the rows it will measure.
    pub fn story_table(&mut self, columns: Vec<String>, pending: Vec<String>) {
        let story = self.snapshot.story.get_or_insert_with(StoryState::default);
        story.columns = columns;
        story.rows.clear();
        story.order.clone_from(&pending);
        story.pending = pending;
        self.changed();
    }

    /// A demo measured one row of its table (its first cell is its label).
    pub fn story_row(&mut self, row: Vec<String>) {
        let story = self.snapshot.story.get_or_insert_with(StoryState::default);
        let place = |row: &Vec<String>| {
            let label = row.first().map(String::as_str).unwrap_or_default();
            // Rows not announced (the incident itself) come first.
            story.order.iter().position(|o| o == label).map_or(0, |i| i + 1)
        };
        let at = story.rows.partition_point(|r| place(r) <= place(&row));
        if let Some(label) = row.first() {
            story.pending.retain(|p| p != label);
        }
        story.rows.insert(at, row);
        self.changed();
    }

    /// The run is over: the final figures come from its report, and the
    /// report itself is ready to fetch.
    pub fn finish(&mut self, report: &RunReport) {
        let s = &mut self.snapshot;
        s.phase = Phase::Done;
        s.day = report.days;
        s.report = true;
        s.actors = report
            .actors
            .iter()
            .map(|actor| {
                let earlier = s.actors.iter().find(|a| a.actor == actor.actor);
                ActorHaul {
                    newest: earlier.map(|a| a.newest.clone()).unwrap_or_default(),
                    ..ActorHaul::from_report(actor)
                }
            })
            .collect();
        s.seq += 1;
    }

    /// The run failed: the page says so and stops waiting.
    pub fn fail(&mut self) {
        self.snapshot.phase = Phase::Done;
        self.snapshot.seq += 1;
    }
}

impl ActorHaul {
    /// An actor's haul as its report gives it, with no newest leaks (the
    /// caller says which to list).
    pub fn from_report(actor: &ActorReport) -> ActorHaul {
        ActorHaul {
            actor: actor.actor.clone(),
            content: actor.content.len() as u64,
            routing: actor.routing.len() as u64,
            traffic: actor.traffic_frames,
            by_classification: actor
                .by_classification
                .iter()
                .map(|(level, counts)| LevelHaul {
                    level: level.to_string(),
                    content: counts.content,
                    routing: counts.routing,
                })
                .collect(),
            newest: Vec::new(),
        }
    }
}

/// An alarm as the page lists it.
pub fn alarm_line(alarm: &Alarm) -> AlarmLine {
    AlarmLine {
        day: alarm.day,
        node: alarm.node.clone(),
        kind: alarm.kind.as_str().to_owned(),
        attack: alarm.kind.attack_technique().map(str::to_owned),
        detail: alarm.detail.clone(),
    }
}

fn haul(tally: &ActorTally) -> ActorHaul {
    ActorHaul {
        actor: tally.actor.clone(),
        content: tally.content as u64,
        routing: tally.routing as u64,
        traffic: tally.traffic,
        by_classification: tally
            .by_classification
            .iter()
            .map(|l| LevelHaul {
                level: l.level.to_string(),
                content: l.content as u64,
                routing: l.routing as u64,
            })
            .collect(),
        newest: tally
            .newest
            .iter()
            .map(|n| LeakState {
                cable: n.cable.clone(),
                classification: n.classification.to_string(),
                via: n.via.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classification, Role};
    use crate::report::NetworkNode;
    use crate::scenario::{LeakNote, LevelTally};

    fn skeleton() -> RunReport {
        let node = |name: &str, role| NetworkNode {
            name: name.to_owned(),
            role,
        };
        RunReport {
            scenario: "t".into(),
            seed: 1,
            config: None,
            security: crate::model::SecurityConfig::default(),
            days: 9,
            cables: crate::report::CableCounts::default(),
            actors: Vec::new(),
            alarms: Vec::new(),
            network: vec![
                node("hub", Role::Hub),
                node("at-mfa", Role::Ministry),
                node("del-x", Role::Mission),
            ],
            adversaries: Vec::new(),
            wire: None,
        }
    }

    #[test]
    fn each_event_changes_its_figure_and_the_sequence() {
        let mut board = Board::new(&skeleton());
        assert_eq!(board.snapshot().phase, Phase::Waiting);
        assert!(board.snapshot().nodes[0].connected, "the hub serves from the start");
        assert!(!board.snapshot().nodes[1].connected);
        board.connection("at-mfa", true);
        board.sent("at-mfa");
        board.relayed();
        board.delivered("del-x");
        board.delivered("nobody");
        let s = board.snapshot();
        assert_eq!(s.seq, 5);
        assert_eq!(s.phase, Phase::Running);
        assert_eq!(
            s.counts,
            Counts {
                sent: 1,
                relayed: 1,
                deliveries: 2,
                refused: 0
            }
        );
        assert_eq!((s.nodes[1].connected, s.nodes[1].sent), (true, 1));
        assert_eq!((s.nodes[0].received, s.nodes[2].received), (1, 1));
        board.connection("at-mfa", false);
        assert!(!board.snapshot().nodes[1].connected);
    }

    #[test]
    fn only_the_latest_alarms_are_listed_and_all_are_counted() {
        let mut board = Board::new(&skeleton());
        for day in 0..20 {
            board.alarm(AlarmLine {
                day,
                node: "at-mfa".into(),
                kind: "signature".into(),
                attack: Some("T1565.002".into()),
                detail: String::new(),
            });
        }
        let alarms = &board.snapshot().alarms;
        assert_eq!(alarms.total, 20);
        assert_eq!(alarms.recent.len(), RECENT_ALARMS);
        assert_eq!(alarms.recent.front().map(|a| a.day), Some(20 - RECENT_ALARMS as u32));
        assert_eq!(alarms.recent.back().map(|a| a.day), Some(19));
    }

    #[test]
    fn a_day_brings_the_analysts_measure() {
        let mut board = Board::new(&skeleton());
        board.progress(&Progress {
            day: 3,
            days: 9,
            sent: 4,
            withheld: 0,
            actors: vec![ActorTally {
                actor: "apt".into(),
                content: 2,
                routing: 3,
                traffic: 17,
                by_classification: vec![LevelTally {
                    level: Classification::Restricted,
                    content: 2,
                    routing: 3,
                }],
                newest: vec![LeakNote {
                    cable: "C-1".into(),
                    classification: Classification::Restricted,
                    via: "endpoint@at-mfa".into(),
                }],
            }],
        });
        let s = board.snapshot();
        assert_eq!(s.day, 4, "days played");
        let apt = &s.actors[0];
        assert_eq!((apt.content, apt.routing, apt.traffic), (2, 3, 17));
        assert_eq!(apt.by_classification[0].level, "restricted");
        assert_eq!(apt.newest[0].cable, "C-1");
    }

    #[test]
    fn table_rows_take_their_place_whatever_order_their_runs_finish_in() {
        let mut board = Board::new(&skeleton());
        board.story_section("An incident", "once");
        board.story_table(
            vec!["measure".into(), "read".into()],
            vec!["a".into(), "b".into(), "c".into()],
        );
        board.story_row(vec!["as it happened".into(), "9".into()]);
        board.story_row(vec!["c".into(), "1".into()]);
        board.story_row(vec!["a".into(), "3".into()]);
        let story = board.snapshot().story.clone().unwrap();
        assert_eq!(story.title, "An incident");
        let labels: Vec<&str> = story.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(labels, ["as it happened", "a", "c"]);
        assert_eq!(story.pending, ["b"]);
    }

    #[test]
    fn the_end_takes_the_reports_figures() {
        let mut board = Board::new(&skeleton());
        let mut report = skeleton();
        report.actors = vec![crate::report::ActorReport {
            actor: "apt".into(),
            content: vec!["C-1".into()],
            routing: vec!["C-1".into(), "C-2".into()],
            traffic_frames: 5,
            ..crate::report::ActorReport::default()
        }];
        board.finish(&report);
        let s = board.snapshot();
        assert_eq!((s.phase, s.report, s.day), (Phase::Done, true, 9));
        assert_eq!(
            (s.actors[0].content, s.actors[0].routing, s.actors[0].traffic),
            (1, 2, 5)
        );
    }
}
