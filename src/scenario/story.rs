//! The words `cablesim demo` tells an incident with: what the network was,
//! what happened, which measures to replay it under, and what it teaches
//! (README.md, "For trainers: a 45-minute session"). The facts come from
//! the comments at the top of each built-in scenario file; the figures
//! never come from here, only from runs.
//!
//! A scenario without a story of its own gets one built from its
//! description and settings, replayed under [`STANDARD_MITIGATIONS`].

use super::Scenario;
use super::demo::{Mitigation, STANDARD_MITIGATIONS};
use super::stories::TOLD;
use crate::model::Role;

/// An incident told for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// The heading.
    pub title: String,
    /// Paragraphs told before the run: the network and the incident.
    pub intro: Vec<String>,
    /// The measures the incident is replayed under, in table order.
    pub mitigations: &'static [Mitigation],
    /// The closing paragraph.
    pub lessons: String,
}

impl Story {
    /// The story of `scenario`, by its name, or one built from its
    /// description. The intro always ends with the setup as the scenario
    /// actually has it, so that a story cannot drift from its file.
    pub fn of(scenario: &Scenario) -> Story {
        let mut story = match TOLD.iter().find(|told| told.name == scenario.name) {
            Some(told) => Story {
                title: told.title.to_owned(),
                intro: told.intro.iter().map(|p| (*p).to_owned()).collect(),
                mitigations: told.mitigations,
                lessons: told.lessons.to_owned(),
            },
            None => Story {
                title: format!("{}: {}", scenario.name, scenario.description),
                intro: Vec::new(),
                mitigations: STANDARD_MITIGATIONS,
                lessons: GENERIC_LESSONS.to_owned(),
            },
        };
        story.intro.push(setup(scenario));
        story
    }
}

/// One paragraph with what a run of `scenario` is made of.
pub fn setup(scenario: &Scenario) -> String {
    let nodes: Vec<String> = [
        (Role::Ministry, "ministry", "ministries"),
        (Role::Hq, "headquarters", "headquarters"),
        (Role::Mission, "mission", "missions"),
    ]
    .into_iter()
    .filter_map(
        |(role, one, many)| match scenario.network.names_with_role(role).count() {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        },
    )
    .collect();
    let s = &scenario.security;
    let adversaries: Vec<String> = scenario
        .adversaries
        .iter()
        .map(|spec| {
            let window = if spec.kind.single_day() {
                format!("on day {}", spec.window.from)
            } else {
                match spec.window.until {
                    Some(until) => format!("days {} to {}", spec.window.from, until - 1),
                    None => format!("from day {} on", spec.window.from),
                }
            };
            format!("{} {window}", spec.name)
        })
        .collect();
    format!(
        "The run: {} simulated days, {} cables, {} around the hub; \
         {} distribution; transport {}, end-to-end encryption {}, signatures {}; the hub archive {}; \
         inboxes kept {}. Adversaries: {}.",
        scenario.days,
        scenario.generated_cables + scenario.cables.len() as u64,
        nodes.join(", "),
        s.distribution,
        s.transport,
        s.e2e,
        if s.signatures { "on" } else { "off" },
        match (s.archive, s.archive_days) {
            (false, _) => "off".to_owned(),
            (true, None) => "kept forever".to_owned(),
            (true, Some(days)) => format!("kept {days} days"),
        },
        s.retention_days
            .map_or("forever".to_owned(), |days| format!("{days} days")),
        if adversaries.is_empty() {
            "none".to_owned()
        } else {
            adversaries.join(", ")
        }
    )
}

const GENERIC_LESSONS: &str = "Encryption on the wire is necessary and far from sufficient. What decides a leak \
    is where the plaintext lives, who holds which keys, how widely each cable is distributed and how long it is \
    kept, and how soon an intrusion is found: compare the rows above, each measured from a run.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adversary::AdversaryKind;
    use crate::report::{Comparison, ComparisonRow, Palette, Taken, render_comparison};

    #[test]
    fn every_told_story_names_a_scenario_file_and_its_mitigations_apply() {
        // By file rather than by the catalog: a story is keyed by the name
        // inside the file it tells, so a typo in either shows up here.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
        for told in TOLD {
            let path = dir.join(format!("{}.toml", told.name));
            let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(scenario.name, told.name);
            let story = Story::of(&scenario);
            assert_eq!(story.title, told.title);
            for mitigation in story.mitigations {
                mitigation.apply(&scenario).unwrap();
                assert!(mitigation.label.chars().count() <= 32, "{}", mitigation.label);
            }
            // Every label marked as in the baseline, and a forgeries column
            // where the incident is a forgery: the widest the table gets,
            // where no label may need cutting.
            let forger = scenario.adversaries.iter().any(|a| a.kind == AdversaryKind::Forger);
            let taken = Taken {
                forged_accepted: u64::from(forger),
                ..Taken::default()
            };
            let table = Comparison {
                scenario: scenario.name.clone(),
                baseline: taken,
                rows: story
                    .mitigations
                    .iter()
                    .map(|m| ComparisonRow {
                        label: m.label.to_owned(),
                        taken,
                        in_baseline: true,
                        shared: false,
                        shared_run: None,
                    })
                    .collect(),
            };
            let text = render_comparison(&table, Palette::new(false));
            assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
            assert!(!text.contains('…'), "a label is cut: {text}");
        }
    }

    #[test]
    fn a_scenario_without_a_story_is_told_from_its_description() {
        let text = "[scenario]\nname = \"mine\"\ndescription = \"a tapped mission\"\nseed = 1\ndays = 9\n\
                    cables = 3\n[network]\nministries = 2\nmissions = 1\n\
                    [[adversary]]\nkind = \"tap\"\nat = \"del-washington\"\nfrom_day = 2\nuntil_day = 5\n";
        let scenario = Scenario::from_toml_str(text, "mine.toml").unwrap();
        let story = Story::of(&scenario);
        assert_eq!(story.title, "mine: a tapped mission");
        assert_eq!(story.mitigations, STANDARD_MITIGATIONS);
        let setup = story.intro.last().unwrap();
        assert!(
            setup.contains("9 simulated days, 3 cables, 2 ministries, 1 mission around"),
            "{setup}"
        );
        assert!(setup.contains("tap@del-washington days 2 to 4"), "{setup}");
    }
}
