//! The live tally (`Runner::with_progress`, what `cablesim demo` shows
//! under its bar): measured every day, it shows an adversary's haul from
//! the very day its window opens, and grows with it day by day.

use std::sync::{Arc, Mutex};

use cablesim::scenario::{Progress, Runner, Scenario};

/// at-mfa sends bg-mfa one cable a day, days 0 to 7, plus the adversaries.
fn scenario(adversaries: &str, security: &str) -> Scenario {
    let mut text =
        String::from("[scenario]\nname = \"daily\"\nseed = 3\ndays = 8\ncables = 0\n\n[network]\nministries = 3\n\n");
    text.push_str(&format!("[security]\n{security}\n"));
    for day in 0..8 {
        text.push_str(&format!(
            "\n[[cable]]\nid = \"D{day}\"\nday = {day}\nfrom = \"at-mfa\"\nto = [\"bg-mfa\"]\n\
             classification = \"limite\"\nsubject = \"day {day}\"\nbody = \"the cable of day {day}\"\n"
        ));
    }
    text.push_str(adversaries);
    Scenario::from_toml_str(&text, "daily.toml").unwrap()
}

/// One day's tally of the first actor: (day, content, routing).
type Tally = (u32, usize, usize);

/// Runs `scenario` with a tally every day; returns each day's tally, and
/// the final report's (content, routing).
fn daily(scenario: Scenario) -> (Vec<Tally>, (usize, usize)) {
    let seen: Arc<Mutex<Vec<Tally>>> = Arc::default();
    let log = seen.clone();
    let report = Runner::new(scenario)
        .with_progress(1, move |p: &Progress| {
            let actor = &p.actors[0];
            log.lock().unwrap().push((p.day, actor.content, actor.routing));
        })
        .run_blocking()
        .unwrap()
        .report;
    let seen = seen.lock().unwrap().clone();
    (seen, (report.actors[0].content.len(), report.actors[0].routing.len()))
}

#[test]
fn malware_shows_in_the_tally_on_the_day_it_lands_and_every_day_after() {
    // Malware on bg-mfa from day 4: that day it finds the inbox (the
    // cables of days 0-3) and reads day 4's as it arrives, so day d holds
    // d + 1 cables from day 4 on, and nothing before.
    let (seen, last) = daily(scenario(
        "\n[[adversary]]\nkind = \"endpoint\"\nat = \"bg-mfa\"\nfrom_day = 4\n",
        "distribution = \"need-to-know\"",
    ));
    let expected: Vec<Tally> = (0..8u32)
        .map(|d| {
            let held = if d < 4 { 0 } else { d as usize + 1 };
            (d, held, held)
        })
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(last, (8, 8), "the last tally is the report's");
}

#[test]
fn a_wiretap_on_a_plain_link_counts_each_cable_the_day_it_crosses() {
    // A tap on at-mfa's link from day 3, no encryption at all: it reads
    // each day's cable as at-mfa submits it, from day 3 on — one more a
    // day, and none of the earlier ones.
    let (seen, last) = daily(scenario(
        "\n[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nfrom_day = 3\n",
        "transport = \"plain\"\ne2e = \"off\"\nsignatures = false\ndistribution = \"need-to-know\"",
    ));
    let expected: Vec<Tally> = (0..8u32)
        .map(|d| {
            let held = if d < 3 { 0 } else { d as usize - 2 };
            (d, held, held)
        })
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(last, (5, 5), "the last tally is the report's");
}

#[test]
fn a_key_stolen_late_opens_traffic_recorded_earlier_in_the_tally_too() {
    // Static e2e keys over a plain link: the tap records sealed cables
    // from day 0 and reads none of them until the key thief copies
    // bg-mfa's key on day 5; from then on every cable recorded so far
    // opens (its headers were seen all along).
    let (seen, last) = daily(scenario(
        "\n[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nactor = \"apt\"\n\
         \n[[adversary]]\nkind = \"key-thief\"\nat = \"bg-mfa\"\non_day = 5\nactor = \"apt\"\n",
        "transport = \"plain\"\ne2e = \"static\"\ndistribution = \"need-to-know\"",
    ));
    let expected: Vec<Tally> = (0..8u32)
        .map(|d| {
            let routing = d as usize + 1;
            (d, if d < 5 { 0 } else { routing }, routing)
        })
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(last, (8, 8), "the last tally is the report's");
}

#[test]
fn the_tally_counts_by_classification_and_keeps_the_newest_leaks_with_their_evidence() {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = seen.clone();
    let report = Runner::new(scenario(
        "\n[[adversary]]\nkind = \"endpoint\"\nat = \"bg-mfa\"\nfrom_day = 4\n",
        "distribution = \"need-to-know\"",
    ))
    .with_progress(1, move |p: &Progress| log.lock().unwrap().push(p.clone()))
    .run_blocking()
    .unwrap()
    .report;
    let seen = seen.lock().unwrap();
    let last = &seen.last().unwrap().actors[0];
    assert_eq!(last.by_classification.len(), 1);
    let limite = last.by_classification[0];
    assert_eq!(
        (limite.level.to_string(), limite.content, limite.routing),
        ("limite".to_owned(), 8, 8)
    );
    // Day 4 found the inbox (D0 to D4, in id order), then one a day.
    let newest: Vec<&str> = last.newest.iter().map(|n| n.cable.as_str()).collect();
    assert_eq!(newest, ["D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7"]);
    // The evidence is the report's, cable by cable.
    for note in &last.newest {
        let evidence = report.actors[0]
            .evidence
            .iter()
            .find(|e| e.cable == note.cable)
            .unwrap();
        assert_eq!(note.via, evidence.via, "{}", note.cable);
    }
    assert_eq!(seen[3].actors[0].newest.len(), 0, "nothing before day 4");
}

#[test]
fn a_wiretap_under_tls_counts_encrypted_records_from_its_first_day_to_the_reports_figure() {
    let seen: Arc<Mutex<Vec<u64>>> = Arc::default();
    let log = seen.clone();
    let report = Runner::new(scenario(
        "\n[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nfrom_day = 3\n",
        "distribution = \"need-to-know\"",
    ))
    .with_progress(1, move |p: &Progress| log.lock().unwrap().push(p.actors[0].traffic))
    .run_blocking()
    .unwrap()
    .report;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[..3], [0, 0, 0], "nothing before the tap's first day");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    // One submit and one acknowledgement a day at least: it grows daily.
    assert!(seen.windows(2).skip(3).all(|w| w[0] < w[1]), "{seen:?}");
    // The last tally is taken when the last day is over; the report is
    // made after the nodes leave, and a node leaving TLS sends one more
    // encrypted record (its close_notify alert), and the hub may answer
    // with its own.
    let last = seen.last().copied().unwrap();
    let closing = report.actors[0].traffic_frames - last;
    assert!(
        (1..=2).contains(&closing),
        "tally {last}, report {}",
        report.actors[0].traffic_frames
    );
    assert_eq!(report.actors[0].content.len(), 0);
}

#[test]
fn a_display_that_measures_at_most_every_interval_carries_the_last_measure_and_ends_with_the_reports() {
    // An interval longer than the run: the analyst measures after the
    // first day and after the last, and the days between carry the first
    // measure; the day itself is given every day.
    let seen: Arc<Mutex<Vec<Tally>>> = Arc::default();
    let log = seen.clone();
    let report = Runner::new(scenario(
        "\n[[adversary]]\nkind = \"endpoint\"\nat = \"bg-mfa\"\nfrom_day = 4\n",
        "distribution = \"need-to-know\"",
    ))
    .measuring_at_most_every(std::time::Duration::from_secs(3600))
    .with_progress(1, move |p: &Progress| {
        let actor = &p.actors[0];
        log.lock().unwrap().push((p.day, actor.content, actor.routing));
    })
    .run_blocking()
    .unwrap()
    .report;
    let expected: Vec<Tally> = (0..8u32).map(|d| if d < 7 { (d, 0, 0) } else { (d, 8, 8) }).collect();
    assert_eq!(*seen.lock().unwrap(), expected);
    assert_eq!(report.actors[0].content.len(), 8);
}
