//! Scenario files (README.md, "Scenario files"), presets and `--set`
//! (README.md, "The command line"), and the built-in catalog
//! (`cablesim list`): what loads, what it yields, and every way a file can be
//! refused, each with the line a user has to fix.

use cablesim::adversary::AdversaryKind;
use cablesim::model::{
    Classification, DayWindow, Distribution, E2eMode, Network, PostQuantum, Role, SecurityConfig, Transport, recipients,
};
use cablesim::scenario::{self, BUILTIN, Preset, SET_FIELDS, Scenario, ScenarioError};

const EVERY_TABLE: &str = include_str!("../fixtures/every-table.toml");

/// A valid head: 3 ministries (at-mfa, be-mfa, bg-mfa), 2 missions
/// (del-washington, del-moscow) and hq, 60 days, 10 generated cables.
/// Malformed variants append to it, so their lines start at 11.
const HEAD: &str = "\
[scenario]
name = \"t\"
seed = 1
days = 60
cables = 10

[network]
ministries = 3
missions = 2
hq = true
";

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml_str(text, "bad.toml")
}

/// Asserts that `text` is refused at `line`, that this line of the text
/// contains `marker` (so the expected number is checked against the text
/// itself), and that the reason mentions every one of `names`.
#[track_caller]
fn refused_at(text: &str, line: usize, marker: &str, names: &[&str]) -> ScenarioError {
    let at = text.lines().nth(line - 1).unwrap_or_default();
    assert!(
        at.contains(marker),
        "line {line} of the test text is {at:?}, not a line with {marker:?}"
    );
    let err = load(text).expect_err("the scenario should be refused");
    assert_eq!(err.file, "bad.toml");
    assert_eq!(err.line, Some(line), "{err}");
    for name in names {
        assert!(
            err.reason.contains(name),
            "reason {:?} does not name {name:?}",
            err.reason
        );
    }
    assert_eq!(err.to_string(), format!("bad.toml:{line}: {}", err.reason));
    err
}

fn with(extra: &str) -> String {
    format!("{HEAD}{extra}")
}

// ---------------------------------------------------------------- loading

#[test]
fn every_table_example_loads_exactly() {
    let s = Scenario::from_toml_str(EVERY_TABLE, "every-table.toml").unwrap();
    assert_eq!(s.name, "tiny");
    assert_eq!(s.description, "one line");
    assert_eq!(s.source, "every-table.toml");
    assert_eq!((s.seed, s.days, s.generated_cables), (7, 60, 40));

    let nodes: Vec<(&str, Role, Option<bool>)> = s
        .network
        .nodes()
        .iter()
        .map(|n| (n.name.as_str(), n.role, n.verify_server))
        .collect();
    assert_eq!(
        nodes,
        [
            ("hub", Role::Hub, None),
            ("at-mfa", Role::Ministry, None),
            ("be-mfa", Role::Ministry, None),
            ("bg-mfa", Role::Ministry, None),
            ("cy-mfa", Role::Ministry, Some(false)),
            ("del-moscow", Role::Mission, None),
            ("del-washington", Role::Mission, None),
            ("hq", Role::Hq, None),
        ]
    );

    let expected = SecurityConfig {
        distribution: Distribution::Broadcast,
        ..SecurityConfig::default()
    };
    assert_eq!(s.security, expected);

    assert_eq!(s.cables.len(), 1);
    let cable = &s.cables[0];
    assert_eq!(cable.id, "C-1");
    assert_eq!(cable.day, 3);
    assert_eq!(cable.from, "del-washington");
    assert_eq!(cable.to, ["cy-mfa"]);
    assert_eq!(cable.classification, Classification::Limite);
    assert_eq!(cable.subject, "Meeting readout");
    assert!(cable.canary.starts_with("CNRY-"));
    assert_eq!(cable.body, format!("...\n\nRegistry reference: {}\n", cable.canary));

    assert_eq!(s.adversaries.len(), 1);
    let a = &s.adversaries[0];
    assert_eq!(a.name, "endpoint@cy-mfa");
    assert_eq!(a.kind, AdversaryKind::Endpoint);
    assert_eq!(a.at.as_deref(), Some("cy-mfa"));
    assert_eq!((a.window.from, a.window.until), (10, Some(40)));
    assert_eq!(a.actor, "apt");
    assert_eq!(a.impersonate, None);
    assert!(a.to.is_empty());

    let generator = s.generator().unwrap();
    assert_eq!(generator.count(), 40);
    assert!(generator.cables().all(|c| c.id != "C-1" && c.canary != cable.canary));
}

#[test]
fn loading_is_deterministic_and_the_file_loads_from_disk() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/every-table.toml");
    let a = Scenario::load(path).unwrap();
    let b = scenario::resolve(path).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.source, path);
    let inline = Scenario::from_toml_str(EVERY_TABLE, path).unwrap();
    assert_eq!(a, inline);
}

#[test]
fn fail_unreadable_file_has_no_line() {
    let err = Scenario::load("/nonexistent/scenario.toml").unwrap_err();
    assert_eq!(err.file, "/nonexistent/scenario.toml");
    assert_eq!(err.line, None);
    assert!(err.reason.contains("cannot read"), "{err}");
    assert!(err.to_string().starts_with("/nonexistent/scenario.toml: "));
}

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let s = load("[scenario]\nname = \"bare\"\nseed = 3\ndays = 1\n").unwrap();
    assert_eq!(s.description, "");
    assert_eq!(s.generated_cables, 0);
    assert_eq!(s.network.len(), 1);
    assert_eq!(s.security, SecurityConfig::default());
    assert!(s.cables.is_empty() && s.adversaries.is_empty());
    assert_eq!(s.generator().unwrap().cables().count(), 0);
}

#[test]
fn every_security_field_is_read() {
    let s = load(&with(
        "[security]
transport = \"tls\"
verify_server = false
e2e = \"static\"
epoch_days = 3
signatures = false
key_pinning = false
distribution = \"need-to-know\"
archive = false
archive_days = 30
retention_days = 14
max_classification = \"confidential\"
post_quantum = \"e2e\"
",
    ))
    .unwrap();
    assert_eq!(
        s.security,
        SecurityConfig {
            transport: Transport::Tls,
            verify_server: false,
            e2e: E2eMode::Static,
            epoch_days: 3,
            signatures: false,
            key_pinning: false,
            distribution: Distribution::NeedToKnow,
            archive: false,
            archive_days: Some(30),
            retention_days: Some(14),
            max_classification: Classification::Confidential,
            post_quantum: PostQuantum::E2e,
        }
    );
}

#[test]
fn mix_weights_reach_the_generator() {
    let s = load(&with("[scenario.mix]\nsecret = 1\n").replace("cables = 10", "cables = 50")).unwrap();
    assert!(
        s.generator()
            .unwrap()
            .cables()
            .all(|c| c.classification == Classification::Secret)
    );
    assert_eq!(s.mix.weight(Classification::Limite), 0);
}

#[test]
fn a_listed_node_overrides_the_generated_one_of_its_name() {
    let s = load(&with(
        "[[node]]\nname = \"del-moscow\"\nrole = \"mission\"\nverify_server = false\n\n[[node]]\nname = \"council\"\nrole = \"hq\"\n",
    ))
    .unwrap();
    assert_eq!(s.network.len(), 1 + 3 + 2 + 1 + 1);
    assert_eq!(s.network.get("del-moscow").unwrap().verify_server, Some(false));
    assert_eq!(s.network.get("del-washington").unwrap().verify_server, None);
    assert_eq!(s.network.get("council").unwrap().role, Role::Hq);
}

#[test]
fn adversaries_get_unique_names_and_default_actors() {
    let s = load(&with(
        "[[adversary]]
kind = \"tap\"
at = \"at-mfa\"

[[adversary]]
kind = \"tap\"
at = \"at-mfa\"
actor = \"crew\"

[[adversary]]
kind = \"tap\"
at = \"be-mfa\"

[[adversary]]
kind = \"insider\"
on_day = 5

[[adversary]]
kind = \"key-thief\"
at = \"at-mfa\"
on_day = 7
actor = \"crew\"

[[adversary]]
kind = \"hub\"
until_day = 900

[[adversary]]
kind = \"forger\"
impersonate = \"hq\"
to = [\"at-mfa\", \"del-moscow\"]

[[adversary]]
kind = \"forger\"
impersonate = \"hq\"
",
    ))
    .unwrap();
    let got: Vec<(&str, &str)> = s
        .adversaries
        .iter()
        .map(|a| (a.name.as_str(), a.actor.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("tap@at-mfa", "tap@at-mfa"),
            ("tap@at-mfa #2", "crew"),
            ("tap@be-mfa", "tap@be-mfa"),
            ("insider", "insider"),
            ("key-thief@at-mfa", "crew"),
            ("hub", "hub"),
            ("forger", "forger"),
            ("forger #2", "forger #2"),
        ]
    );
    let insider = &s.adversaries[3];
    assert!(insider.window.contains(5) && !insider.window.contains(4) && !insider.window.contains(6));
    assert_eq!(insider.day(), 5);
    // until_day past the end of the run is allowed and kept as written.
    assert_eq!(s.adversaries[5].window.until, Some(900));
    assert_eq!(s.adversaries[5].window.from, 0);
    assert_eq!(s.adversaries[6].impersonate.as_deref(), Some("hq"));
    assert_eq!(s.adversaries[6].to, ["at-mfa", "del-moscow"]);
    assert!(s.adversaries[7].to.is_empty());
}

// ---------------------------------------------------------------- catalog

#[test]
fn coreu_2018_is_the_eu_28_institutions_and_delegations() {
    let s = scenario::resolve("coreu-2018").unwrap();
    assert_eq!(s.name, "coreu-2018");
    assert_eq!(s.source, "builtin:coreu-2018");
    let net = &s.network;
    let ministries: Vec<&str> = net.names_with_role(Role::Ministry).collect();
    assert_eq!(ministries.len(), 28);
    assert_eq!(ministries.first(), Some(&"at-mfa"));
    assert_eq!(ministries.last(), Some(&"uk-mfa"));
    assert!(ministries.contains(&"cy-mfa"));
    assert_eq!(
        net.names_with_role(Role::Hq).collect::<Vec<_>>(),
        ["commission", "council", "eeas"]
    );
    let missions: Vec<&str> = net.names_with_role(Role::Mission).collect();
    assert!((5..=8).contains(&missions.len()), "{missions:?}");
    assert!(missions.iter().all(|m| m.starts_with("del-")));
    assert_eq!(net.len(), 1 + 28 + 3 + missions.len());

    assert_eq!(s.security.distribution, Distribution::Broadcast);
    assert_eq!(s.security.max_classification, Classification::Restricted);
    assert!((1000..=1200).contains(&s.days), "about three years, got {}", s.days);

    let generator = s.generator().unwrap();
    let (mut sent, mut withheld) = (0, 0);
    for cable in generator.cables() {
        match cable.classification {
            Classification::Limite | Classification::Restricted => sent += 1,
            Classification::Confidential | Classification::Secret => withheld += 1,
            Classification::Unclassified => panic!("COREU-2018 generates no unclassified cable"),
        }
        // Broadcast: every ministry, Cyprus's included, receives it.
        let r = recipients(&cable.from, &cable.to, net, s.security.distribution);
        assert!(cable.from == "cy-mfa" || r.iter().any(|n| n == "cy-mfa"));
    }
    assert!((1200..=1400).contains(&sent), "{sent} limite/restricted cables");
    assert_eq!(sent + withheld, generator.count());
}

#[test]
fn every_builtin_is_listed_with_a_summary_and_resolves() {
    assert!(BUILTIN.iter().any(|b| b.name == "coreu-2018"));
    for builtin in BUILTIN {
        assert!(!builtin.summary.is_empty() && !builtin.summary.contains('\n'));
        assert_eq!(scenario::resolve(builtin.name).unwrap(), builtin.load().unwrap());
        assert_eq!(scenario::builtin(builtin.name), Some(builtin));
    }
}

#[test]
fn fail_unknown_scenario_name_lists_the_builtins() {
    let err = scenario::resolve("nowhere-1999").unwrap_err();
    assert_eq!(err.file, "nowhere-1999");
    assert_eq!(err.line, None);
    for builtin in BUILTIN {
        assert!(err.reason.contains(builtin.name), "{err}");
    }
}

#[test]
fn coreu_2018_carries_the_phishing_incident() {
    let s = scenario::resolve("coreu-2018").unwrap();
    assert_eq!(s.adversaries.len(), 1);
    let incident = &s.adversaries[0];
    assert_eq!(incident.name, "endpoint@cy-mfa");
    assert_eq!(incident.actor, "phishers");
    assert_eq!(incident.window.from, 30);
    assert_eq!(incident.window.until, None, "to the end: about three years");
}

// ---------------------------------------------------------------- presets

fn unusual_security() -> SecurityConfig {
    // Every field away from both its default and any preset value, so that
    // a preset touching more than it should shows up.
    SecurityConfig {
        transport: Transport::Tls,
        verify_server: false,
        e2e: E2eMode::Static,
        epoch_days: 3,
        signatures: false,
        key_pinning: false,
        distribution: Distribution::Broadcast,
        archive: false,
        archive_days: Some(9),
        retention_days: Some(4),
        max_classification: Classification::Limite,
        post_quantum: PostQuantum::Transport,
    }
}

#[test]
fn presets_set_exactly_the_documented_fields() {
    use PostQuantum::{Both, Off};
    let cases = [
        (Preset::Plaintext, Transport::Plain, E2eMode::Off, false, false, Off),
        (Preset::HopTls, Transport::Mtls, E2eMode::Off, false, false, Off),
        (Preset::E2eGroup, Transport::Mtls, E2eMode::Group, true, true, Off),
        (Preset::E2eStatic, Transport::Mtls, E2eMode::Static, true, true, Off),
        (Preset::E2eFs, Transport::Mtls, E2eMode::ForwardSecret, true, true, Off),
        (Preset::E2ePq, Transport::Mtls, E2eMode::ForwardSecret, true, true, Both),
    ];
    assert_eq!(cases.len(), Preset::ALL.len());
    for (preset, transport, e2e, signatures, key_pinning, post_quantum) in cases {
        let mut got = unusual_security();
        preset.apply(&mut got);
        let want = SecurityConfig {
            transport,
            e2e,
            signatures,
            key_pinning,
            post_quantum,
            ..unusual_security()
        };
        assert_eq!(got, want, "{preset}");

        let mut s = load(HEAD).unwrap();
        s.security = unusual_security();
        s.apply_preset(preset);
        assert_eq!(s.security, want);
    }
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        names,
        ["plaintext", "hop-tls", "e2e-group", "e2e-static", "e2e-fs", "e2e-pq"]
    );
    assert_eq!("e2e-fs".parse(), Ok(Preset::E2eFs));
    let err = "aes".parse::<Preset>().unwrap_err().to_string();
    assert!(names.iter().all(|n| err.contains(n)), "{err}");
}

// ---------------------------------------------------------------- --set

#[test]
fn set_changes_each_kind_of_field() {
    let mut s = load(HEAD).unwrap();
    for assignment in [
        "transport=plain",
        "verify_server=false",
        "e2e=group",
        "epoch_days=14",
        "signatures=false",
        "key_pinning=false",
        "distribution=broadcast",
        "archive=false",
        "archive_days=30",
        "retention_days=10",
        "max_classification=limite",
        "post_quantum=both",
    ] {
        s.apply_set(assignment).unwrap_or_else(|e| panic!("{assignment}: {e}"));
    }
    assert_eq!(
        s.security,
        SecurityConfig {
            transport: Transport::Plain,
            verify_server: false,
            e2e: E2eMode::Group,
            epoch_days: 14,
            signatures: false,
            key_pinning: false,
            distribution: Distribution::Broadcast,
            archive: false,
            archive_days: Some(30),
            retention_days: Some(10),
            max_classification: Classification::Limite,
            post_quantum: PostQuantum::Both,
        }
    );
    s.apply_set("archive_days=none").unwrap();
    s.apply_set("retention_days=none").unwrap();
    assert_eq!((s.security.archive_days, s.security.retention_days), (None, None));
    s.apply_set("verify_server=true").unwrap();
    assert!(s.security.verify_server);

    s.apply_set("days=365").unwrap();
    s.apply_set("cables=251287").unwrap();
    assert_eq!((s.days, s.generated_cables), (365, 251_287));
    assert_eq!(s.generator().unwrap().count(), 251_287);
    s.apply_set("seed=18446744073709551615").unwrap();
    assert_eq!(s.seed, u64::MAX);
    assert_eq!(SET_FIELDS.len(), 15);
}

#[test]
fn set_seed_restamps_listed_cables_as_a_reload_would() {
    let mut s = Scenario::from_toml_str(EVERY_TABLE, "x.toml").unwrap();
    let old = s.cables[0].canary.clone();
    s.apply_set("seed=99").unwrap();
    let reloaded = Scenario::from_toml_str(&EVERY_TABLE.replace("seed = 7", "seed = 99"), "x.toml").unwrap();
    assert_eq!(s, reloaded);
    assert_ne!(s.cables[0].canary, old);
    assert!(!s.cables[0].body.contains(&old));
}

#[track_caller]
fn set_refused(s: &mut Scenario, assignment: &str, names: &[&str]) {
    let before = s.clone();
    let err = s.apply_set(assignment).expect_err(assignment);
    assert_eq!(err.file, "--set");
    assert_eq!(err.line, None);
    for name in names {
        assert!(
            err.reason.contains(name),
            "{assignment}: reason {:?} does not name {name:?}",
            err.reason
        );
    }
    assert_eq!(*s, before, "{assignment} changed the scenario although refused");
}

#[test]
fn fail_set_unknown_field_or_bad_value() {
    let mut s = Scenario::from_toml_str(EVERY_TABLE, "x.toml").unwrap();
    set_refused(
        &mut s,
        "retention=30",
        &["retention", "retention_days", "transport", "cables"],
    );
    set_refused(&mut s, "name=other", &["name"]);
    set_refused(&mut s, "e2e", &["FIELD=VALUE", "e2e"]);
    set_refused(&mut s, "transport=ssl", &["transport", "ssl", "mtls"]);
    set_refused(&mut s, "e2e=pgp", &["e2e", "pgp", "forward-secret"]);
    set_refused(&mut s, "distribution=all", &["distribution", "all", "need-to-know"]);
    set_refused(
        &mut s,
        "max_classification=top-secret",
        &["max_classification", "top-secret", "limite"],
    );
    set_refused(
        &mut s,
        "post_quantum=kyber",
        &["post_quantum", "kyber", "transport, e2e, both"],
    );
    set_refused(&mut s, "verify_server=yes", &["verify_server", "yes", "true or false"]);
    set_refused(&mut s, "archive=1", &["archive", "true or false"]);
    set_refused(&mut s, "epoch_days=0", &["epoch_days", "≥ 1"]);
    set_refused(&mut s, "epoch_days=week", &["epoch_days", "week"]);
    set_refused(&mut s, "archive_days=forever", &["archive_days", "forever", "none"]);
    set_refused(&mut s, "retention_days=-1", &["retention_days", "-1"]);
    set_refused(&mut s, "seed=-1", &["seed", "-1"]);
    set_refused(&mut s, "cables=many", &["cables", "many"]);
    set_refused(&mut s, "days=0", &["days"]);
}

#[test]
fn fail_set_days_that_cut_off_a_cable_or_a_window() {
    let mut s = Scenario::from_toml_str(EVERY_TABLE, "x.toml").unwrap();
    // The listed cable is on day 3; the adversary starts on day 10.
    set_refused(&mut s, "days=3", &["days=3", "C-1", "day = 3"]);
    set_refused(&mut s, "days=10", &["days=10", "from_day = 10"]);
    // Until_day 40 past the end is fine: it means "to the end".
    s.apply_set("days=11").unwrap();
    assert_eq!(s.days, 11);
}

#[test]
fn fail_set_cables_without_enough_nodes() {
    let mut s = load("[scenario]\nname = \"one\"\nseed = 1\ndays = 5\n\n[network]\nministries = 1\n").unwrap();
    set_refused(&mut s, "cables=5", &["cables", "at least two nodes"]);
    s.apply_set("cables=0").unwrap();
}

#[test]
fn fail_set_cables_that_would_reuse_a_listed_id() {
    let text = with(
        "[[cable]]\nid = \"C-000020\"\nday = 0\nfrom = \"hq\"\nto = [\"at-mfa\"]\nclassification = \"limite\"\nsubject = \"s\"\nbody = \"b\"\n",
    );
    let mut s = load(&text).unwrap();
    set_refused(&mut s, "cables=20", &["C-000020", "generated"]);
    s.apply_set("cables=19").unwrap();
}

// ---------------------------------------------------------------- malformed files

#[test]
fn fail_not_toml() {
    let text = "[scenario\nname = \"t\"\n";
    refused_at(text, 1, "[scenario", &["]"]);
    let text = with("[security]\ntransport = = \"tls\"\n");
    refused_at(&text, 12, "transport = =", &[]);
}

#[test]
fn fail_unknown_field_in_each_table() {
    refused_at(&with("bogus = 1\n"), 11, "bogus", &["bogus"]);
    refused_at(&with("[bogus]\nx = 1\n"), 11, "[bogus]", &["bogus"]);
    refused_at(
        &HEAD.replace("cables = 10", "cables = 10\ncabels = 3"),
        6,
        "cabels",
        &["cabels"],
    );
    refused_at(&with("[scenario.mix]\nlimited = 3\n"), 12, "limited", &["limited"]);
    refused_at(
        &HEAD.replace("hq = true", "hq = true\nembassies = 4"),
        11,
        "embassies",
        &["embassies"],
    );
    refused_at(
        &with("[[node]]\nname = \"cy-mfa\"\nrole = \"ministry\"\nverify = false\n"),
        14,
        "verify =",
        &["verify"],
    );
    refused_at(&with("[security]\nretention = 30\n"), 12, "retention", &["retention"]);
    refused_at(
        &with(
            "[[cable]]\nid = \"C-1\"\nday = 0\nfrom = \"hq\"\nto = [\"at-mfa\"]\nclassification = \"limite\"\nsubject = \"s\"\nbody = \"b\"\ncc = [\"be-mfa\"]\n",
        ),
        19,
        "cc =",
        &["cc"],
    );
    refused_at(
        &with("[[adversary]]\nkind = \"endpoint\"\nat = \"at-mfa\"\nstart_day = 4\n"),
        14,
        "start_day",
        &["start_day"],
    );
}

#[test]
fn fail_wrong_value_type_or_missing_key() {
    refused_at(&HEAD.replace("days = 60", "days = \"sixty\""), 4, "days", &["sixty"]);
    refused_at(&HEAD.replace("days = 60", "days = -1"), 4, "days", &["-1"]);
    refused_at(
        &with("[security]\narchive_days = \"none\"\n"),
        12,
        "archive_days",
        &["none"],
    );
    refused_at(&HEAD.replace("days = 60\n", ""), 1, "[scenario]", &["days"]);
}

#[test]
fn fail_absurd_generated_node_count() {
    refused_at(
        &HEAD.replace("missions = 2", "missions = 1000000000000"),
        9,
        "missions",
        &["missions = 1000000000000"],
    );
}

#[test]
fn fail_zero_days() {
    refused_at(&HEAD.replace("days = 60", "days = 0"), 4, "days", &["days = 0"]);
}

#[test]
fn fail_zero_epoch_days() {
    refused_at(&with("[security]\nepoch_days = 0\n"), 12, "epoch_days", &["epoch_days"]);
}

#[test]
fn fail_mix_with_every_weight_zero() {
    refused_at(
        &with("[scenario.mix]\nlimite = 0\n"),
        11,
        "[scenario.mix]",
        &["scenario.mix", "zero"],
    );
}

#[test]
fn fail_unknown_enumerated_values() {
    refused_at(
        &with("[[node]]\nname = \"x-mfa\"\nrole = \"embassy\"\n"),
        13,
        "role",
        &["role", "embassy", "mission"],
    );
    refused_at(
        &with("[security]\ne2e = \"pgp\"\n"),
        12,
        "e2e",
        &["e2e", "pgp", "forward-secret"],
    );
    refused_at(
        &with("[security]\ntransport = \"ssl\"\n"),
        12,
        "transport",
        &["transport", "ssl", "mtls"],
    );
    refused_at(
        &with("[security]\ndistribution = \"everyone\"\n"),
        12,
        "distribution",
        &["distribution", "everyone", "broadcast"],
    );
    refused_at(
        &with("[security]\nmax_classification = \"top-secret\"\n"),
        12,
        "max_classification",
        &["max_classification", "top-secret"],
    );
    refused_at(
        &with("[security]\npost_quantum = \"kyber\"\n"),
        12,
        "post_quantum",
        &["post_quantum", "kyber", "off, transport, e2e, both"],
    );
    refused_at(
        &with(&cable("C-1", 0, "hq", "[\"at-mfa\"]").replace("\"limite\"", "\"cosmic\"")),
        16,
        "classification",
        &["classification", "cosmic"],
    );
}

#[test]
fn fail_duplicate_listed_node() {
    let err = refused_at(
        &with("[[node]]\nname = \"x-mfa\"\nrole = \"ministry\"\n\n[[node]]\nname = \"x-mfa\"\nrole = \"ministry\"\n"),
        16,
        "x-mfa",
        &["x-mfa", "twice", "line 12"],
    );
    assert!(err.reason.contains("line 12"));
}

#[test]
fn fail_invalid_node_names() {
    for bad in ["Cy-MFA", "cy mfa", "-cy", "cy_mfa", ""] {
        refused_at(
            &with(&format!("[[node]]\nname = \"{bad}\"\nrole = \"ministry\"\n")),
            12,
            "name",
            &[&format!("{bad:?}"), "a-z"],
        );
    }
    refused_at(
        &with("[[node]]\nname = \"hub\"\nrole = \"ministry\"\n"),
        12,
        "name",
        &["hub"],
    );
    refused_at(
        &with("[[node]]\nname = \"relay\"\nrole = \"hub\"\n"),
        13,
        "role",
        &["role", "hub"],
    );
}

#[test]
fn fail_override_with_another_role() {
    refused_at(
        &with("[[node]]\nname = \"be-mfa\"\nrole = \"mission\"\n"),
        13,
        "role",
        &["be-mfa", "ministry", "mission"],
    );
}

/// A valid `[[cable]]` whose lines are, from its header: id +1, day +2,
/// from +3, to +4, classification +5.
fn cable(id: &str, day: u32, from: &str, to: &str) -> String {
    format!(
        "[[cable]]\nid = \"{id}\"\nday = {day}\nfrom = \"{from}\"\nto = {to}\nclassification = \"limite\"\nsubject = \"s\"\nbody = \"b\"\n\n"
    )
}

#[test]
fn fail_duplicate_cable_id() {
    let text = with(&(cable("C-1", 0, "hq", "[\"at-mfa\"]") + &cable("C-1", 1, "hq", "[\"be-mfa\"]")));
    refused_at(&text, 21, "id", &["C-1", "duplicate"]);
}

#[test]
fn fail_cable_id_of_a_generated_cable() {
    let text = with(&cable("C-000010", 0, "hq", "[\"at-mfa\"]"));
    refused_at(&text, 12, "id", &["C-000010", "generated"]);
    // One past the generated range is free.
    load(&with(&cable("C-000011", 0, "hq", "[\"at-mfa\"]"))).unwrap();
}

#[test]
fn fail_cable_from_unknown_node() {
    refused_at(
        &with(&cable("C-1", 0, "fr-mfa", "[\"at-mfa\"]")),
        14,
        "from",
        &["from", "fr-mfa"],
    );
}

#[test]
fn fail_cable_from_hub() {
    refused_at(
        &with(&cable("C-1", 0, "hub", "[\"at-mfa\"]")),
        14,
        "from",
        &["from", "hub"],
    );
}

#[test]
fn fail_cable_to_unknown_node() {
    let text = with(&cable("C-1", 0, "hq", "[\n  \"at-mfa\",\n  \"xx-mfa\",\n]"));
    refused_at(&text, 17, "xx-mfa", &["to", "xx-mfa"]);
}

#[test]
fn fail_cable_to_hub() {
    refused_at(&with(&cable("C-1", 0, "hq", "[\"hub\"]")), 15, "to", &["to", "hub"]);
}

#[test]
fn fail_cable_with_empty_to() {
    refused_at(&with(&cable("C-1", 0, "hq", "[]")), 15, "to", &["to", "empty"]);
}

#[test]
fn fail_cable_to_its_sender() {
    refused_at(
        &with(&cable("C-1", 0, "hq", "[\"at-mfa\", \"hq\"]")),
        15,
        "to",
        &["to", "\"hq\"", "sender"],
    );
}

#[test]
fn fail_cable_to_the_same_node_twice() {
    refused_at(
        &with(&cable("C-1", 0, "hq", "[\"at-mfa\", \"at-mfa\"]")),
        15,
        "to",
        &["at-mfa", "twice"],
    );
}

#[test]
fn fail_cable_day_past_the_run() {
    refused_at(
        &with(&cable("C-1", 60, "hq", "[\"at-mfa\"]")),
        13,
        "day",
        &["day = 60", "days = 60"],
    );
    load(&with(&cable("C-1", 59, "hq", "[\"at-mfa\"]"))).unwrap();
}

#[test]
fn fail_too_few_nodes_for_generated_cables() {
    let text = HEAD.replace("ministries = 3\nmissions = 2\nhq = true", "ministries = 1");
    refused_at(&text, 5, "cables", &["cables = 10", "at least two nodes", "found 1"]);
    load(&text.replace("cables = 10", "cables = 0")).unwrap();
}

/// An `[[adversary]]` table from its lines.
fn adversary(lines: &[&str]) -> String {
    format!("[[adversary]]\n{}\n", lines.join("\n"))
}

#[test]
fn fail_unknown_adversary_kind() {
    refused_at(
        &with(&adversary(&["kind = \"spy\"", "at = \"at-mfa\""])),
        12,
        "kind",
        &["kind", "spy", "endpoint"],
    );
}

#[test]
fn fail_node_kind_without_at() {
    for kind in ["tap", "mitm", "endpoint"] {
        refused_at(
            &with(&adversary(&[&format!("kind = \"{kind}\"")])),
            12,
            "kind",
            &[kind, "`at`"],
        );
    }
    refused_at(
        &with(&adversary(&["kind = \"key-thief\"", "on_day = 3"])),
        12,
        "kind",
        &["key-thief", "`at`"],
    );
}

#[test]
fn fail_at_on_a_kind_without_node() {
    refused_at(
        &with(&adversary(&["kind = \"hub\"", "at = \"at-mfa\""])),
        13,
        "at",
        &["hub", "at-mfa"],
    );
    refused_at(
        &with(&adversary(&["kind = \"insider\"", "on_day = 3", "at = \"at-mfa\""])),
        14,
        "at",
        &["insider", "at"],
    );
}

#[test]
fn fail_at_unknown_node() {
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"fr-mfa\""])),
        13,
        "at",
        &["at", "fr-mfa"],
    );
}

#[test]
fn fail_at_the_hub() {
    refused_at(
        &with(&adversary(&["kind = \"endpoint\"", "at = \"hub\""])),
        13,
        "at",
        &["at = \"hub\""],
    );
}

#[test]
fn fail_single_day_kind_without_on_day() {
    refused_at(
        &with(&adversary(&["kind = \"insider\""])),
        12,
        "kind",
        &["insider", "on_day"],
    );
}

#[test]
fn fail_single_day_kind_with_a_window() {
    refused_at(
        &with(&adversary(&[
            "kind = \"key-thief\"",
            "at = \"at-mfa\"",
            "from_day = 3",
            "on_day = 3",
        ])),
        14,
        "from_day",
        &["key-thief", "from_day", "on_day"],
    );
    refused_at(
        &with(&adversary(&["kind = \"insider\"", "on_day = 3", "until_day = 9"])),
        14,
        "until_day",
        &["insider", "until_day"],
    );
}

#[test]
fn fail_quantum_with_an_end_a_node_or_an_on_day() {
    // A quantum computer, once built, stays: from_day only.
    refused_at(
        &with(&adversary(&["kind = \"quantum\"", "from_day = 3", "until_day = 9"])),
        14,
        "until_day",
        &["quantum", "until_day"],
    );
    refused_at(
        &with(&adversary(&["kind = \"quantum\"", "on_day = 3"])),
        13,
        "on_day",
        &["quantum", "on_day"],
    );
    let err = load(&with(&adversary(&["kind = \"quantum\"", "at = \"at-mfa\""]))).unwrap_err();
    assert!(err.reason.contains("at"), "{err}");
}

#[test]
fn a_quantum_computer_may_arrive_after_the_run() {
    let s = load(&with(&adversary(&["kind = \"quantum\"", "from_day = 9999"]))).unwrap();
    assert_eq!(s.adversaries[0].window, DayWindow::new(9999, None));
}

#[test]
fn fail_window_kind_with_on_day() {
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"at-mfa\"", "on_day = 3"])),
        14,
        "on_day",
        &["tap", "on_day", "from_day"],
    );
}

#[test]
fn fail_empty_window() {
    refused_at(
        &with(&adversary(&["kind = \"hub\"", "from_day = 40", "until_day = 10"])),
        14,
        "until_day",
        &["until_day = 10", "from_day = 40"],
    );
    refused_at(
        &with(&adversary(&["kind = \"hub\"", "from_day = 10", "until_day = 10"])),
        14,
        "until_day",
        &["until_day = 10"],
    );
    refused_at(
        &with(&adversary(&["kind = \"hub\"", "until_day = 0"])),
        13,
        "until_day",
        &["until_day = 0"],
    );
}

#[test]
fn fail_window_starting_after_the_run() {
    refused_at(
        &with(&adversary(&["kind = \"hub\"", "from_day = 60"])),
        13,
        "from_day",
        &["from_day = 60", "days = 60"],
    );
    load(&with(&adversary(&[
        "kind = \"hub\"",
        "from_day = 59",
        "until_day = 1000",
    ])))
    .unwrap();
}

#[test]
fn fail_on_day_after_the_run() {
    refused_at(
        &with(&adversary(&["kind = \"key-thief\"", "at = \"at-mfa\"", "on_day = 60"])),
        14,
        "on_day",
        &["on_day = 60", "days = 60"],
    );
}

#[test]
fn fail_forger_without_impersonate() {
    refused_at(
        &with(&adversary(&["kind = \"forger\""])),
        12,
        "kind",
        &["forger", "impersonate"],
    );
}

#[test]
fn fail_forger_impersonating_an_unknown_node_or_the_hub() {
    for who in ["fr-mfa", "hub"] {
        refused_at(
            &with(&adversary(&["kind = \"forger\"", &format!("impersonate = \"{who}\"")])),
            13,
            "impersonate",
            &["impersonate", who],
        );
    }
}

#[test]
fn fail_forger_to_unknown_node() {
    refused_at(
        &with(&adversary(&[
            "kind = \"forger\"",
            "impersonate = \"hq\"",
            "to = [",
            "  \"at-mfa\",",
            "  \"fr-mfa\",",
            "]",
        ])),
        16,
        "fr-mfa",
        &["to", "fr-mfa"],
    );
}

#[test]
fn fail_impersonate_or_to_on_another_kind() {
    refused_at(
        &with(&adversary(&[
            "kind = \"endpoint\"",
            "at = \"at-mfa\"",
            "impersonate = \"hq\"",
        ])),
        14,
        "impersonate",
        &["endpoint", "impersonate"],
    );
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"at-mfa\"", "to = []"])),
        14,
        "to",
        &["tap", "`to`"],
    );
}

// ---------------------------------------------------------------- programmatic edits

#[test]
fn validate_guards_a_scenario_edited_in_code() {
    let mut s = Scenario::from_toml_str(EVERY_TABLE, "x.toml").unwrap();
    s.validate().unwrap();
    s.adversaries[0].at = Some("fr-mfa".into());
    let err = s.validate().unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("x.toml", None));
    assert!(err.reason.contains("fr-mfa"), "{err}");

    let mut s = Scenario::from_toml_str(EVERY_TABLE, "x.toml").unwrap();
    s.network = Network::generated(1, 0, false);
    let err = s.validate().unwrap_err();
    assert!(err.reason.contains("cables"), "{err}");
    assert!(s.generator().is_err());
}

// ---------------------------------------------------------------- ATT&CK

#[test]
fn an_attack_list_replaces_the_kinds_techniques() {
    let listed = load(&with(&adversary(&[
        "kind = \"endpoint\"",
        "at = \"at-mfa\"",
        "attack = [\"T1078\", \"T1213.002\"]",
    ])))
    .unwrap();
    assert_eq!(listed.adversaries[0].attack, ["T1078", "T1213.002"]);
    assert_eq!(listed.adversaries[0].attack_techniques(), ["T1078", "T1213.002"]);
    let default = load(&with(&adversary(&["kind = \"endpoint\"", "at = \"at-mfa\""]))).unwrap();
    assert!(default.adversaries[0].attack.is_empty());
    assert_eq!(default.adversaries[0].attack_techniques(), ["T1005"]);
}

#[test]
fn every_builtin_incident_names_the_techniques_its_reporting_supports() {
    // The teaching scenarios have no incident record: their kinds' own.
    let expected: [(&str, &[&str]); 8] = [
        ("coreu-2018", &["T1566", "T1078", "T1213"]),
        ("cablegate-2010", &["T1078", "T1213", "T1119", "T1052"]),
        ("darroch-2019", &["T1078", "T1213"]),
        ("ivbb-2018", &["T1005"]),
        ("harvest-now-decrypt-later", &[]),
        ("stolen-keys-later", &[]),
        ("hotel-wifi-mitm", &[]),
        ("forged-instruction", &[]),
    ];
    let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
    assert_eq!(names, expected.map(|(name, _)| name));
    for (name, attack) in expected {
        let s = scenario::resolve(name).unwrap();
        assert!(!s.adversaries.is_empty(), "{name}");
        for spec in &s.adversaries {
            assert_eq!(spec.attack, attack, "{name}: {}", spec.name);
            // `cablesim explain KIND` names every technique a built-in
            // tags its kind with.
            let text = cablesim::adversary::explain(spec.kind);
            for id in spec.attack_techniques() {
                assert!(text.contains(&id), "explain {} lacks {id} of {name}", spec.kind);
            }
        }
    }
    // The insider of 2019 was a person, not phishing malware.
    let darroch = scenario::resolve("darroch-2019").unwrap();
    assert!(
        darroch.adversaries[0]
            .attack_techniques()
            .iter()
            .all(|id| !id.starts_with("T1566"))
    );
}

#[test]
fn fail_attack_entries_that_are_not_technique_ids() {
    let listed = |entries: &[&str]| {
        let mut lines = vec!["kind = \"endpoint\"", "at = \"at-mfa\"", "attack = ["];
        lines.extend_from_slice(entries);
        lines.push("]");
        with(&adversary(&lines))
    };
    // Line 11 is `[[adversary]]`, 14 `attack = [`, entries from 15.
    refused_at(
        &listed(&["\"T1566\",", "\"T1566.02\","]),
        16,
        "T1566.02",
        &["endpoint@at-mfa", "attack \"T1566.02\"", "four digits", ".NNN"],
    );
    refused_at(&listed(&["\"T15660\","]), 15, "T15660", &["\"T15660\"", "four digits"]);
    refused_at(&listed(&["\"t1566\","]), 15, "t1566", &["\"t1566\"", "capital T"]);
    refused_at(
        &listed(&["\"T1078\",", "\"T1213\",", "\"T1078\","]),
        17,
        "T1078",
        &["\"T1078\"", "listed twice"],
    );
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"at-mfa\"", "attack = []"])),
        14,
        "attack",
        &["attack = []", "leave `attack` out"],
    );
    // Not a list of strings: toml's own error, at the value.
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"at-mfa\"", "attack = \"T1040\""])),
        14,
        "attack",
        &["sequence"],
    );
    refused_at(
        &with(&adversary(&["kind = \"tap\"", "at = \"at-mfa\"", "attack = [1040]"])),
        14,
        "attack",
        &["string"],
    );
}
