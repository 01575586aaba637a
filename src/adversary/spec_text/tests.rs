//! The `--adversary` grammar's cases: every example of the table in
//! `spec_text.rs`, and what each malformed spec is refused with.

use super::*;
use crate::model::Node;

const DAYS: u32 = 60;

fn net() -> Network {
    Network::new([
        Node::new("hq", Role::Hq),
        Node::new("at-mfa", Role::Ministry),
        Node::new("cy-mfa", Role::Ministry),
        Node::new("del-kyiv", Role::Mission),
    ])
    .unwrap()
}

fn parse_ok(text: &str) -> AdversarySpec {
    parse_adversary_spec(text, &net(), DAYS, 0).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn problem(text: &str) -> SpecProblem {
    parse_adversary_spec(text, &net(), DAYS, 0).expect_err(text).problem
}

fn spec(
    name: &str,
    kind: AdversaryKind,
    at: Option<&str>,
    window: DayWindow,
    actor: &str,
    impersonate: Option<&str>,
) -> AdversarySpec {
    AdversarySpec {
        name: name.into(),
        kind,
        at: at.map(Into::into),
        window,
        actor: actor.into(),
        impersonate: impersonate.map(Into::into),
        to: Vec::new(),
        attack: Vec::new(),
    }
}

#[test]
fn a_command_line_adversary_gets_its_kinds_techniques() {
    let spec = parse_ok("endpoint@cy-mfa:10-40/apt");
    assert!(spec.attack.is_empty());
    assert_eq!(spec.attack_techniques(), ["T1005"]);
    assert_eq!(parse_ok("hub:0-9").attack_techniques(), ["T1557", "T1213"]);
}

#[test]
fn node_window_and_actor() {
    assert_eq!(
        parse_ok("endpoint@cy-mfa:10-40/apt"),
        spec(
            "endpoint@cy-mfa",
            AdversaryKind::Endpoint,
            Some("cy-mfa"),
            DayWindow::new(10, Some(40)),
            "apt",
            None
        )
    );
}

#[test]
fn node_alone_is_the_whole_run_and_its_own_actor() {
    assert_eq!(
        parse_ok("tap@del-kyiv"),
        spec(
            "tap@del-kyiv",
            AdversaryKind::Tap,
            Some("del-kyiv"),
            DayWindow::new(0, None),
            "tap@del-kyiv",
            None
        )
    );
}

#[test]
fn node_and_actor_without_window() {
    let s = parse_ok("mitm@del-kyiv/crew");
    assert_eq!(s.window, DayWindow::new(0, None));
    assert_eq!(s.actor, "crew");
    assert_eq!(s.name, "mitm@del-kyiv");
}

#[test]
fn open_ended_windows() {
    assert_eq!(parse_ok("tap@at-mfa:10-").window, DayWindow::new(10, None));
    assert_eq!(parse_ok("tap@at-mfa:-40").window, DayWindow::new(0, Some(40)));
    assert_eq!(parse_ok("tap@at-mfa:-").window, DayWindow::new(0, None));
    // An until past the run is allowed, as in a file: it ends with the run.
    assert_eq!(parse_ok("tap@at-mfa:5-999").window, DayWindow::new(5, Some(999)));
}

#[test]
fn hub_kinds_with_and_without_window() {
    assert_eq!(
        parse_ok("hub:5-20"),
        spec(
            "hub",
            AdversaryKind::Hub,
            None,
            DayWindow::new(5, Some(20)),
            "hub",
            None
        )
    );
    assert_eq!(
        parse_ok("hub"),
        spec("hub", AdversaryKind::Hub, None, DayWindow::new(0, None), "hub", None)
    );
    assert_eq!(parse_ok("hub/gov").actor, "gov");
}

#[test]
fn single_day_kinds() {
    assert_eq!(
        parse_ok("key-thief@at-mfa:12"),
        spec(
            "key-thief@at-mfa",
            AdversaryKind::KeyThief,
            Some("at-mfa"),
            DayWindow::single(12),
            "key-thief@at-mfa",
            None
        )
    );
    assert_eq!(
        parse_ok("insider:30/leaker"),
        spec(
            "insider",
            AdversaryKind::Insider,
            None,
            DayWindow::single(30),
            "leaker",
            None
        )
    );
    assert_eq!(parse_ok("insider:59").day(), 59);
}

#[test]
fn forger_node_is_the_impersonated_one() {
    assert_eq!(
        parse_ok("forger@del-kyiv:3-9"),
        spec(
            "forger",
            AdversaryKind::Forger,
            None,
            DayWindow::new(3, Some(9)),
            "forger",
            Some("del-kyiv")
        )
    );
}

#[test]
fn bare_forger_impersonates_hq_or_the_first_node() {
    assert_eq!(parse_ok("forger").impersonate.as_deref(), Some("hq"));
    let no_hq = Network::new([Node::new("de-mfa", Role::Ministry), Node::new("be-mfa", Role::Ministry)]).unwrap();
    let s = parse_adversary_spec("forger", &no_hq, DAYS, 0).unwrap();
    assert_eq!(s.impersonate.as_deref(), Some("be-mfa"));
}

#[test]
fn actor_is_free_text() {
    assert_eq!(parse_ok("tap@at-mfa:1-2/apt@29:x").actor, "apt@29:x");
}

#[test]
fn surrounding_spaces_are_ignored() {
    assert_eq!(parse_ok(" hub:1- ").window, DayWindow::new(1, None));
}

#[test]
fn repeats_are_numbered_like_the_file_loader() {
    let specs = parse_adversary_specs(
        &[
            "tap@at-mfa",
            "tap@at-mfa:3-/x",
            "tap@cy-mfa",
            "tap@at-mfa:5-",
            "tap@at-mfa:6-/tap@at-mfa",
        ],
        &net(),
        DAYS,
    )
    .unwrap();
    let names: Vec<_> = specs.iter().map(|s| (s.name.as_str(), s.actor.as_str())).collect();
    assert_eq!(
        names,
        [
            ("tap@at-mfa", "tap@at-mfa"),
            ("tap@at-mfa #2", "x"),
            ("tap@cy-mfa", "tap@cy-mfa"),
            ("tap@at-mfa #3", "tap@at-mfa #3"),
            ("tap@at-mfa #4", "tap@at-mfa"),
        ]
    );
}

#[test]
fn fail_empty_parts() {
    assert_eq!(problem(""), SpecProblem::Empty("spec"));
    assert_eq!(problem("   "), SpecProblem::Empty("spec"));
    assert_eq!(problem("@at-mfa"), SpecProblem::Empty("adversary kind"));
    assert_eq!(problem("tap@"), SpecProblem::Empty("node after '@'"));
    assert_eq!(problem("hub:"), SpecProblem::Empty("day or window after ':'"));
    assert_eq!(problem("tap@at-mfa/"), SpecProblem::Empty("actor after '/'"));
}

#[test]
fn fail_unknown_kind() {
    assert_eq!(problem("sniffer@at-mfa"), SpecProblem::UnknownKind("sniffer".into()));
    assert_eq!(problem("Tap@at-mfa"), SpecProblem::UnknownKind("Tap".into()));
}

#[test]
fn fail_node_required() {
    for kind in [AdversaryKind::Tap, AdversaryKind::Mitm, AdversaryKind::Endpoint] {
        assert_eq!(problem(&format!("{kind}:1-2")), SpecProblem::NodeRequired(kind));
    }
    assert_eq!(
        problem("key-thief:4"),
        SpecProblem::NodeRequired(AdversaryKind::KeyThief)
    );
}

#[test]
fn fail_node_not_allowed() {
    assert_eq!(
        problem("hub@at-mfa"),
        SpecProblem::NodeNotAllowed {
            kind: AdversaryKind::Hub,
            node: "at-mfa".into()
        }
    );
    assert_eq!(
        problem("insider@at-mfa:3"),
        SpecProblem::NodeNotAllowed {
            kind: AdversaryKind::Insider,
            node: "at-mfa".into()
        }
    );
}

#[test]
fn fail_unknown_node_and_hub() {
    assert_eq!(problem("tap@xx-mfa"), SpecProblem::UnknownNode("xx-mfa".into()));
    assert_eq!(problem("forger@xx-mfa"), SpecProblem::UnknownNode("xx-mfa".into()));
    assert_eq!(problem("tap@hub"), SpecProblem::AtHub);
    assert_eq!(problem("forger@hub"), SpecProblem::ImpersonateHub);
}

#[test]
fn fail_bare_forger_without_nodes() {
    let empty = Network::new([]).unwrap();
    let err = parse_adversary_spec("forger", &empty, DAYS, 0).unwrap_err();
    assert_eq!(err.problem, SpecProblem::NothingToImpersonate);
}

#[test]
fn fail_single_day_kinds_need_one_day() {
    assert_eq!(problem("insider"), SpecProblem::DayRequired(AdversaryKind::Insider));
    assert_eq!(
        problem("key-thief@at-mfa"),
        SpecProblem::DayRequired(AdversaryKind::KeyThief)
    );
    assert_eq!(
        problem("insider:3-5"),
        SpecProblem::WindowNotAllowed {
            kind: AdversaryKind::Insider,
            window: "3-5".into()
        }
    );
    assert_eq!(
        problem("key-thief@at-mfa:-5"),
        SpecProblem::WindowNotAllowed {
            kind: AdversaryKind::KeyThief,
            window: "-5".into()
        }
    );
}

#[test]
fn quantum_takes_the_day_it_arrives_and_its_actor() {
    assert_eq!(
        parse_ok("quantum:30/state"),
        spec(
            "quantum",
            AdversaryKind::Quantum,
            None,
            DayWindow::new(30, None),
            "state",
            None
        )
    );
    assert_eq!(parse_ok("quantum").window, DayWindow::new(0, None));
    assert_eq!(parse_ok("quantum:30-").window, DayWindow::new(30, None));
    // After the run: allowed, and it will find nothing.
    assert_eq!(parse_ok("quantum:600").window, DayWindow::new(600, None));
    assert!(parse_ok("quantum:3").attack_techniques().is_empty());
}

#[test]
fn fail_quantum_has_no_end_and_no_node() {
    assert_eq!(
        problem("quantum:3-9"),
        SpecProblem::UntilNotAllowed {
            kind: AdversaryKind::Quantum,
            window: "3-9".into()
        }
    );
    assert_eq!(
        problem("quantum:-9"),
        SpecProblem::UntilNotAllowed {
            kind: AdversaryKind::Quantum,
            window: "-9".into()
        }
    );
    assert_eq!(
        problem("quantum@at-mfa:3"),
        SpecProblem::NodeNotAllowed {
            kind: AdversaryKind::Quantum,
            node: "at-mfa".into()
        }
    );
    assert_eq!(problem("quantum:x"), SpecProblem::BadDay("x".into()));
}

#[test]
fn fail_window_kinds_refuse_a_single_day() {
    assert_eq!(
        problem("tap@at-mfa:7"),
        SpecProblem::DayNotAllowed {
            kind: AdversaryKind::Tap,
            day: "7".into()
        }
    );
}

#[test]
fn fail_bad_day_numbers() {
    assert_eq!(problem("insider:x"), SpecProblem::BadDay("x".into()));
    assert_eq!(problem("insider:+3"), SpecProblem::BadDay("+3".into()));
    assert_eq!(problem("tap@at-mfa:1-2-3"), SpecProblem::BadDay("2-3".into()));
    assert_eq!(problem("hub:a-4"), SpecProblem::BadDay("a".into()));
    assert_eq!(problem("hub:99999999999-"), SpecProblem::BadDay("99999999999".into()));
}

#[test]
fn fail_empty_window() {
    assert_eq!(problem("hub:5-5"), SpecProblem::EmptyWindow { from: 5, until: 5 });
    assert_eq!(
        problem("tap@at-mfa:9-3"),
        SpecProblem::EmptyWindow { from: 9, until: 3 }
    );
    assert_eq!(problem("hub:-0"), SpecProblem::EmptyWindow { from: 0, until: 0 });
}

#[test]
fn fail_past_the_end_of_the_run() {
    assert_eq!(problem("hub:60-"), SpecProblem::PastTheEnd { day: 60, days: DAYS });
    assert_eq!(problem("insider:60"), SpecProblem::PastTheEnd { day: 60, days: DAYS });
}

#[test]
fn error_names_the_spec_its_position_and_the_problem() {
    let err = parse_adversary_spec("tap@xx-mfa:1-2", &net(), DAYS, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--adversary #2 \"tap@xx-mfa:1-2\": \"xx-mfa\" is not a node of the network"
    );
    let err = parse_adversary_specs(&["hub", "insider"], &net(), DAYS).unwrap_err();
    assert_eq!(err.position, 1);
    assert_eq!(
        err.to_string(),
        "--adversary #2 \"insider\": kind insider acts on a single day: write insider:DAY"
    );
}
