//! The board from the events processes print (`multiprocess::control`):
//! how the page of `cablesim network` follows its children, and how the
//! hub's page hears the proxies that report to it. Each event says who
//! printed it; only what an event states is shown, nothing is inferred.

use super::board::{ActorHaul, Board, LeakState, alarm_line};
use crate::multiprocess::control::Event;
use crate::multiprocess::proxy::ProxyReport;

/// How many of a proxy's cables read the page lists (its newest).
const NEWEST: usize = 5;

/// Applies what `child` (a node's name, `hub`, a proxy) printed to the
/// board. Events the page has no place for change nothing.
pub fn board_from_event(board: &mut Board, child: &str, event: &Event) {
    match event {
        Event::Connected { .. } | Event::Reconnected => board.connection(child, true),
        Event::Accepted { .. } => board.sent(child),
        Event::Delivered { .. } => board.delivered(child),
        Event::Alarm(alarm) => board.alarm(alarm_line(alarm)),
        // Day N begun: N days played; day N played: N + 1.
        Event::Day { day, .. } => board.day(*day),
        Event::Played { day, .. } => board.day(day.saturating_add(1)),
        Event::Relayed { total } => board.relayed_total(*total),
        Event::Report { report } => {
            // A report that is not a proxy's says nothing the page shows.
            if let Ok(report) = serde_json::from_value::<ProxyReport>(report.clone()) {
                board.haul(proxy_haul(&report));
            }
        }
        Event::Listening { .. }
        | Event::Unreachable { .. }
        | Event::Waiting { .. }
        | Event::Error { .. }
        | Event::Refreshed
        | Event::Idle
        | Event::Synced
        | Event::Wire { .. }
        | Event::Bye => {}
    }
}

/// A proxy's haul: the analyst's figures for its actor when a scenario
/// gave the canaries; without one, only what it counted on the wire
/// (headers in the clear, encrypted records), and nothing read.
fn proxy_haul(report: &ProxyReport) -> ActorHaul {
    match report.actor_report() {
        Some(actor) => ActorHaul {
            newest: actor
                .evidence
                .iter()
                .rev()
                .take(NEWEST)
                .rev()
                .map(|e| LeakState {
                    cable: e.cable.clone(),
                    classification: e.classification.to_string(),
                    via: e.via.clone(),
                })
                .collect(),
            ..ActorHaul::from_report(actor)
        },
        None => ActorHaul {
            actor: report.actor.clone(),
            content: 0,
            routing: report.observed.cable_ids_in_clear.len() as u64,
            traffic: report.observed.tls_records_encrypted,
            by_classification: Vec::new(),
            newest: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Classification;
    use crate::net::{Alarm, AlarmKind};
    use crate::scenario::{ScenarioArgs, planned_report};
    use crate::web::LevelHaul;

    /// The board of the three-node fixture: hub, at-mfa, be-mfa, del-kyiv.
    fn board() -> Board {
        let (scenario, _) = ScenarioArgs::named("tests/fixtures/trio.toml").prepare().unwrap();
        Board::new(&planned_report(&scenario, None).unwrap())
    }

    fn apply(board: &mut Board, child: &str, line: &str) {
        let event: Event = serde_json::from_str(line).unwrap();
        board_from_event(board, child, &event);
    }

    fn node<'a>(board: &'a Board, name: &str) -> &'a crate::web::NodeState {
        board.snapshot().nodes.iter().find(|n| n.name == name).unwrap()
    }

    #[test]
    fn node_events_light_the_map_and_count() {
        let mut board = board();
        assert!(!node(&board, "at-mfa").connected);
        apply(&mut board, "at-mfa", r#"{"event":"connected","hub":"127.0.0.1:1"}"#);
        apply(&mut board, "be-mfa", r#"{"event":"reconnected"}"#);
        assert!(node(&board, "at-mfa").connected && node(&board, "be-mfa").connected);
        apply(
            &mut board,
            "at-mfa",
            r#"{"event":"accepted","cable":"C-1","to":["be-mfa"]}"#,
        );
        apply(
            &mut board,
            "at-mfa",
            r#"{"event":"accepted","cable":"C-2","to":["be-mfa"]}"#,
        );
        apply(
            &mut board,
            "be-mfa",
            r#"{"event":"delivered","cable":"C-1","from":"at-mfa","classification":"limite","subject":"s","text":"t"}"#,
        );
        apply(&mut board, "hub", r#"{"event":"relayed","total":2}"#);
        let s = board.snapshot();
        assert_eq!(
            s.counts,
            crate::web::Counts {
                sent: 2,
                relayed: 2,
                deliveries: 1,
                refused: 0
            }
        );
        assert_eq!((node(&board, "at-mfa").sent, node(&board, "at-mfa").received), (2, 0));
        assert_eq!((node(&board, "be-mfa").sent, node(&board, "be-mfa").received), (0, 1));
        assert_eq!(node(&board, "hub").received, 2);
        // Relayed is a running total, not an increment.
        apply(&mut board, "hub", r#"{"event":"relayed","total":5}"#);
        assert_eq!(board.snapshot().counts.relayed, 5);
        assert_eq!(board.snapshot().seq, 7);
    }

    #[test]
    fn days_alarms_and_silent_events() {
        let mut board = board();
        apply(&mut board, "hub", r#"{"event":"day","day":3,"rotated":false}"#);
        assert_eq!(board.snapshot().day, 3);
        apply(
            &mut board,
            "at-mfa",
            r#"{"event":"played","day":3,"sent":1,"withheld":0,"failed":0}"#,
        );
        assert_eq!(board.snapshot().day, 4);
        // An earlier day never moves the count back.
        apply(&mut board, "be-mfa", r#"{"event":"day","day":2,"rotated":true}"#);
        assert_eq!(board.snapshot().day, 4);
        let alarm = Event::Alarm(Alarm {
            day: 4,
            node: "be-mfa".into(),
            kind: AlarmKind::CertificateRejected,
            detail: "no".into(),
            cable: None,
            link: None,
        });
        board_from_event(&mut board, "be-mfa", &alarm);
        let alarms = &board.snapshot().alarms;
        assert_eq!(alarms.total, 1);
        assert_eq!(alarms.recent[0].kind, "certificate-rejected");
        assert_eq!(alarms.recent[0].node, "be-mfa");
        assert_eq!(alarms.recent[0].attack.as_deref(), Some("T1557"));
        let seq = board.snapshot().seq;
        for line in [
            r#"{"event":"listening","addr":"127.0.0.1:1"}"#,
            r#"{"event":"idle"}"#,
            r#"{"event":"synced"}"#,
            r#"{"event":"refreshed"}"#,
            r#"{"event":"bye"}"#,
            r#"{"event":"error","detail":"x"}"#,
            r#"{"event":"report","report":{"not":"a proxy"}}"#,
        ] {
            apply(&mut board, "at-mfa", line);
        }
        assert_eq!(board.snapshot().seq, seq);
        assert!(board.snapshot().actors.is_empty());
    }

    #[test]
    fn a_proxy_report_is_its_actors_haul() {
        use crate::report::{ActorReport, Evidence, LevelCounts};
        let mut board = board();
        let unattributed: ProxyReport = serde_json::from_value(serde_json::json!({
            "adversary": "tap@at-mfa", "kind": "tap", "actor": "tap@at-mfa", "node": "at-mfa",
            "window": {"from": 0, "until": null}, "attack": ["T1040"],
            "listen": "127.0.0.1:2", "upstream": "127.0.0.1:1", "transport": "mtls",
            "transport_from_scenario": false, "connections": 1, "failed_connections": 0,
            "bytes_to_hub": 10, "bytes_to_node": 20, "pcap": null,
            "observed": {"frames": 0, "tls_records_encrypted": 9, "tls_records_clear": 4,
                         "cable_ids_in_clear": ["C-1", "C-2"], "canary_tokens": 0},
            "findings": {"analysis": "unattributed"}
        }))
        .unwrap();
        let event = Event::Report {
            report: serde_json::to_value(&unattributed).unwrap(),
        };
        board_from_event(&mut board, "tap@at-mfa", &event);
        assert_eq!(
            board.snapshot().actors,
            [ActorHaul {
                actor: "tap@at-mfa".into(),
                content: 0,
                routing: 2,
                traffic: 9,
                by_classification: vec![],
                newest: vec![],
            }]
        );

        let evidence = |cable: &str| Evidence {
            cable: cable.into(),
            via: "tap at-mfa<->hub, plain".into(),
            attack: vec!["T1040".into()],
            classification: Classification::Restricted,
            day: 1,
            from: "at-mfa".into(),
        };
        let mut actor: ActorReport = serde_json::from_value(serde_json::json!({
            "actor": "tap@at-mfa", "adversaries": ["tap@at-mfa"], "content": [], "routing": [],
            "traffic_frames": 0, "forged_cables": 0, "forged_accepted": 0, "alarms": 0,
            "evidence": [], "by_classification": {}, "attack": [], "leaks_by_day": [], "by_sender": {}
        }))
        .unwrap();
        let ids: Vec<String> = (1..=7).map(|i| format!("C-{i}")).collect();
        actor.content = ids.clone();
        actor.routing = ids.clone();
        actor.traffic_frames = 3;
        actor.evidence = ids.iter().map(|id| evidence(id)).collect();
        actor
            .by_classification
            .insert(Classification::Restricted, LevelCounts { content: 7, routing: 7 });
        let mut attributed = unattributed.clone();
        attributed.findings = crate::multiprocess::proxy::ProxyFindings::Attributed {
            scenario: "trio".into(),
            seed: 11,
            cables: 7,
            actor: Box::new(actor),
        };
        let event = Event::Report {
            report: serde_json::to_value(&attributed).unwrap(),
        };
        board_from_event(&mut board, "tap@at-mfa", &event);
        // The same actor: replaced, not added.
        let actors = &board.snapshot().actors;
        assert_eq!(actors.len(), 1);
        assert_eq!((actors[0].content, actors[0].routing, actors[0].traffic), (7, 7, 3));
        assert_eq!(
            actors[0].by_classification,
            [LevelHaul {
                level: "restricted".into(),
                content: 7,
                routing: 7
            }]
        );
        let newest: Vec<&str> = actors[0].newest.iter().map(|l| l.cable.as_str()).collect();
        assert_eq!(newest, ["C-3", "C-4", "C-5", "C-6", "C-7"]);
        assert_eq!(actors[0].newest[0].via, "tap at-mfa<->hub, plain");
        assert_eq!(actors[0].newest[0].classification, "restricted");
    }
}
