//! `[[expect]]` answered with real runs (README.md, "Scenario files"):
//! every operator and measure, `leaked`/`not_leaked`, `actor = "*"`, and
//! how many runs a file costs.
//!
//! The world is tiny, so every figure can be worked out by hand from
//! ARCHITECTURE.md, "The rules a run must produce":
//!
//! ```text
//! nodes: hub, at-mfa, be-mfa (ministries), del-kyiv (mission); days = 4
//! as written: transport plain, e2e off, signatures off, need-to-know
//!
//! id  day  from      to        R(c)
//! C1  0    at-mfa    be-mfa    be
//! C2  1    be-mfa    del-kyiv  kyiv
//! C3  2    del-kyiv  at-mfa    at
//! C4  3    at-mfa    del-kyiv  kyiv
//!
//! phishers  endpoint@be-mfa, days 0-3
//! tappers   tap@del-kyiv, days 1-3
//! forgers   forger impersonating del-kyiv to at-mfa and be-mfa, day 1 only
//! ```

use cablesim::scenario::{
    ActorVerdict, Checked, Comparison, ConfigChoice, Measure, Op, Preset, RunError, Scenario, Verdict,
    check_expectations,
};

const WORLD: &str = r#"
[scenario]
name = "tiny"
seed = 3
days = 4

[security]
transport = "plain"
e2e = "off"
signatures = false

[[node]]
name = "at-mfa"
role = "ministry"
[[node]]
name = "be-mfa"
role = "ministry"
[[node]]
name = "del-kyiv"
role = "mission"

[[cable]]
id = "C1"
day = 0
from = "at-mfa"
to = ["be-mfa"]
classification = "limite"
subject = "one"
body = "The first cable."
[[cable]]
id = "C2"
day = 1
from = "be-mfa"
to = ["del-kyiv"]
classification = "limite"
subject = "two"
body = "The second cable."
[[cable]]
id = "C3"
day = 2
from = "del-kyiv"
to = ["at-mfa"]
classification = "restricted"
subject = "three"
body = "The third cable."
[[cable]]
id = "C4"
day = 3
from = "at-mfa"
to = ["del-kyiv"]
classification = "limite"
subject = "four"
body = "The fourth cable."

[[adversary]]
kind = "endpoint"
at = "be-mfa"
actor = "phishers"

[[adversary]]
kind = "tap"
at = "del-kyiv"
from_day = 1
actor = "tappers"
"#;

const FORGER: &str = r#"
[[adversary]]
kind = "forger"
impersonate = "del-kyiv"
to = ["at-mfa", "be-mfa"]
from_day = 1
until_day = 2
actor = "forgers"
"#;

/// The world with the forger, then `expect`.
fn check(expect: &str) -> Checked {
    check_world(&format!("{WORLD}{FORGER}{expect}"))
}

fn check_world(text: &str) -> Checked {
    let scenario = Scenario::from_toml_str(text, "tiny.toml").unwrap();
    check_expectations(&scenario).unwrap()
}

fn comparison(measure: Measure, op: Op, value: u64) -> Comparison {
    Comparison { measure, op, value }
}

/// `(name, config, passed)` of every verdict, in order.
fn outcomes(checked: &Checked) -> Vec<(&str, String, bool)> {
    checked
        .verdicts
        .iter()
        .map(|v| (v.expectation.as_str(), v.config.to_string(), v.passed))
        .collect()
}

#[test]
fn every_operator_passes_and_fails_on_the_same_count() {
    // phishers, endpoint@be-mfa over the whole run (Rule 1): H(be, 0) is
    // empty, and be-mfa is in {from} ∪ R(c) of C1 (to be) and C2 (from
    // be): content = {C1, C2}, 2 cables.
    let mut text = String::new();
    for (i, content) in [
        "\"== 2\"", "\"== 3\"", "\"< 3\"", "\"< 2\"", "\"<= 2\"", "\"<= 1\"", "\"> 1\"", "\"> 2\"", "\">= 2\"",
        "\">= 3\"", "2", "3",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!(
            "[[expect]]\nname = \"e{i}\"\nactor = \"phishers\"\ncontent = {content}\n"
        ));
    }
    let checked = check(&text);
    assert_eq!(checked.runs, 1);
    let passed: Vec<bool> = checked.verdicts.iter().map(|v| v.passed).collect();
    assert_eq!(
        passed,
        [
            true, false, true, false, true, false, true, false, true, false, true, false
        ]
    );
    for v in &checked.verdicts {
        assert_eq!(v.config, ConfigChoice::AsWritten);
        assert_eq!(v.actors.len(), 1);
        let measured = v.actors[0].measured[0];
        assert_eq!((measured.1, measured.2), (2, v.passed), "{}", v.expectation);
    }
    // The bare integer is "==".
    assert_eq!(
        checked.verdicts[11].actors[0].measured[0].0,
        comparison(Measure::Content, Op::Eq, 3)
    );
}

#[test]
fn each_of_the_six_measures_is_measured_exactly() {
    let checked = check(
        r#"
[[expect]]
name = "content and routing as written"
actor = "tappers"
content = 3
routing = 3
traffic_frames = 0

[[expect]]
name = "traffic under hop-tls"
actor = "tappers"
configs = ["hop-tls"]
content = 0
routing = 0
traffic_frames = 7

[[expect]]
name = "forgeries believed"
actor = "forgers"
forged_cables = 1
forged_accepted = 2
alarms = 0

[[expect]]
name = "forgeries refused"
actor = "forgers"
configs = ["e2e-fs"]
forged_cables = 0
forged_accepted = 0
alarms = 2
"#,
    );
    // tappers, tap@del-kyiv from day 1 (Rule 2): the cables of days 1-3
    // with del-kyiv in {from} ∪ R(c) are C2 (to kyiv), C3 (from kyiv) and
    // C4 (to kyiv). Plain links without e2e give content and routing for
    // all three; plain frames are no TLS records, so no traffic.
    //
    // Under hop-tls (mTLS, e2e off) the tap sees only TLS records. From
    // day 1 nothing but cables crosses kyiv's link: C2 deliver + ack, C3
    // submit + ack, C4 deliver + ack = 6 records, and the node's
    // close_notify at the end of the run = 7.
    //
    // forgers (Rule 7): one forged cable on day 1, to at-mfa and be-mfa.
    // As written signatures are off and e2e is off, so both accept it:
    // 1 forged cable, 2 acceptances, no alarm. Under e2e-fs every cable is
    // signed: both recipients refuse it, one alarm each.
    assert_eq!(checked.runs, 3);
    let measured: Vec<Vec<(Measure, u64)>> = checked
        .verdicts
        .iter()
        .map(|v| {
            v.actors[0]
                .measured
                .iter()
                .map(|&(c, value, _)| (c.measure, value))
                .collect()
        })
        .collect();
    use Measure::*;
    assert_eq!(
        measured,
        [
            vec![(Content, 3), (Routing, 3), (TrafficFrames, 0)],
            vec![(Content, 0), (Routing, 0), (TrafficFrames, 7)],
            vec![(ForgedCables, 1), (ForgedAccepted, 2), (Alarms, 0)],
            vec![(ForgedCables, 0), (ForgedAccepted, 0), (Alarms, 2)],
        ]
    );
    assert!(checked.passed(), "{:#?}", checked.verdicts);
}

#[test]
fn a_failing_measure_reports_what_was_measured() {
    let checked = check(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nconfigs = [\"e2e-fs\"]\ncontent = \"<= 1\"\nalarms = 0\n",
    );
    // Rule 1: an endpoint reads what its node reads, whatever the crypto:
    // still C1 and C2 under e2e-fs.
    assert_eq!(
        checked.verdicts,
        [Verdict {
            expectation: "n".into(),
            config: ConfigChoice::Preset(Preset::E2eFs),
            passed: false,
            actors: vec![ActorVerdict {
                actor: "phishers".into(),
                measured: vec![
                    (comparison(Measure::Content, Op::Le, 1), 2, false),
                    (comparison(Measure::Alarms, Op::Eq, 0), 0, true),
                ],
                missing: vec![],
                unexpected: vec![],
            }],
        }]
    );
}

#[test]
fn leaked_and_not_leaked_pass_and_fail_with_the_differing_ids() {
    let checked = check(
        r#"
[[expect]]
name = "the tap reads kyiv's cables"
actor = "tappers"
configs = ["as-written", "e2e-fs"]
leaked = ["C2", "C3"]
not_leaked = ["C1"]

[[expect]]
name = "wrong guesses"
actor = "tappers"
leaked = ["C1", "C2"]
not_leaked = ["C3", "C4"]
"#,
    );
    // As written the tap reads C2, C3 and C4 (see the six measures); not
    // C1, sent on day 0 between two ministries. Under e2e-fs it reads
    // nothing: C2 and C3 are missing.
    assert_eq!(checked.runs, 2);
    let ids: Vec<(bool, Vec<String>, Vec<String>)> = checked
        .verdicts
        .iter()
        .map(|v| (v.passed, v.actors[0].missing.clone(), v.actors[0].unexpected.clone()))
        .collect();
    let s = |list: &[&str]| list.iter().map(|id| id.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ids,
        [
            (true, s(&[]), s(&[])),
            (false, s(&["C2", "C3"]), s(&[])),
            (false, s(&["C1"]), s(&["C3", "C4"])),
        ]
    );
}

#[test]
fn every_actor_must_pass() {
    // Without the forger: phishers hold 2 cables, tappers 3 (see above).
    let checked = check_world(&format!(
        "{WORLD}[[expect]]\nname = \"at most two\"\nactor = \"*\"\ncontent = \"<= 2\"\n"
    ));
    let verdict = &checked.verdicts[0];
    assert!(!verdict.passed);
    let actors: Vec<(&str, u64, bool)> = verdict
        .actors
        .iter()
        .map(|a| (a.actor.as_str(), a.measured[0].1, a.passed()))
        .collect();
    assert_eq!(actors, [("phishers", 2, true), ("tappers", 3, false)]);

    let checked = check_world(&format!(
        "{WORLD}[[expect]]\nname = \"at most three\"\nactor = \"*\"\ncontent = \"<= 3\"\n"
    ));
    assert!(checked.verdicts[0].passed);
    assert_eq!(checked.verdicts[0].actors.len(), 2);
}

#[test]
fn five_expectations_under_one_config_share_one_run() {
    let checked = check(
        r#"
[[expect]]
name = "a"
actor = "phishers"
configs = ["e2e-fs"]
content = 2
[[expect]]
name = "b"
actor = "tappers"
configs = ["e2e-fs"]
content = 0
[[expect]]
name = "c"
actor = "forgers"
configs = ["e2e-fs"]
forged_accepted = 0
[[expect]]
name = "d"
actor = "*"
configs = ["e2e-fs"]
routing = "<= 2"
[[expect]]
name = "e"
actor = "phishers"
configs = ["e2e-fs"]
leaked = ["C1", "C2"]
"#,
    );
    assert_eq!(checked.runs, 1);
    assert_eq!(checked.seconds.len(), 1);
    assert_eq!(checked.seconds[0].0, ConfigChoice::Preset(Preset::E2eFs));
    assert!(checked.seconds_of(ConfigChoice::Preset(Preset::E2eFs)) > 0.0);
    assert_eq!(checked.seconds_of(ConfigChoice::AsWritten), 0.0);
    let e2e_fs = "e2e-fs".to_owned();
    assert_eq!(
        outcomes(&checked),
        [
            ("a", e2e_fs.clone(), true),
            ("b", e2e_fs.clone(), true),
            ("c", e2e_fs.clone(), true),
            ("d", e2e_fs.clone(), true),
            ("e", e2e_fs, true),
        ]
    );
}

#[test]
fn distinct_configs_are_run_once_each_and_verdicts_keep_file_order() {
    let checked = check(
        r#"
[[expect]]
name = "first"
actor = "phishers"
content = 2

[[expect]]
name = "second"
actor = "tappers"
configs = ["e2e-fs", "as-written"]
content = 3

[[expect]]
name = "third"
actor = "forgers"
configs = ["plaintext", "e2e-fs"]
forged_accepted = 2
"#,
    );
    // {as written, e2e-fs, e2e-fs, plaintext} (as written twice too):
    // three runs. plaintext sets what the file already has, but it is a
    // configuration of its own and gets its own run.
    assert_eq!(checked.runs, 3);
    let configs: Vec<String> = checked.seconds.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(configs, ["as written", "e2e-fs", "plaintext"]);
    // Tappers under e2e-fs read nothing; forgers under e2e-fs are refused.
    assert_eq!(
        outcomes(&checked),
        [
            ("first", "as written".to_owned(), true),
            ("second", "e2e-fs".to_owned(), false),
            ("second", "as written".to_owned(), true),
            ("third", "plaintext".to_owned(), true),
            ("third", "e2e-fs".to_owned(), false),
        ]
    );
}

#[test]
fn a_file_without_expectations_makes_no_run() {
    let checked = check_world(WORLD);
    assert_eq!(checked.runs, 0);
    assert_eq!(checked.verdicts, []);
    assert!(checked.passed());
}

#[test]
fn the_every_table_fixture_expectation_holds() {
    // The endpoint at cy-mfa arrives on day 10 and finds C-1, received on
    // day 3 and kept forever (no retention): Rule 1, whatever the crypto.
    // An endpoint reads; it raises no alarm.
    let checked = check_world(include_str!("../fixtures/every-table.toml"));
    assert_eq!(checked.runs, 2);
    assert_eq!(
        outcomes(&checked),
        [
            (
                "the apt reads the listed cable under every preset",
                "as written".to_owned(),
                true
            ),
            (
                "the apt reads the listed cable under every preset",
                "e2e-fs".to_owned(),
                true
            ),
        ]
    );
}

#[test]
fn fail_a_run_that_cannot_take_place_is_an_error_not_a_verdict() {
    // A program that edits a loaded scenario past the file rules (here, to
    // zero days with cables to generate) gets the run's error back.
    let text = "[scenario]\nname = \"t\"\nseed = 1\ndays = 2\ncables = 2\n[network]\nministries = 2\n\
        [[adversary]]\nkind = \"hub\"\n[[expect]]\nname = \"n\"\nactor = \"hub\"\ncontent = 0\n";
    let mut scenario = Scenario::from_toml_str(text, "t.toml").unwrap();
    scenario.days = 0;
    let err = check_expectations(&scenario).unwrap_err();
    assert!(matches!(err, RunError::Scenario(_)), "{err}");
    assert!(err.to_string().starts_with("t.toml: cables: "), "{err}");
}
