//! The built-in scenarios (`cablesim list`; README.md, "For trainers: a
//! 45-minute session"): the files of `examples/scenarios/`, embedded in the
//! binary so that `cablesim run coreu-2018` works from anywhere, while the
//! files stay readable and copyable as starting points for new scenarios.

use std::path::Path;

use super::{Scenario, ScenarioError};

/// A scenario shipped with cablesim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// The name to run it by.
    pub name: &'static str,
    /// One line for `cablesim list`.
    pub summary: &'static str,
    /// The scenario file's text.
    pub toml: &'static str,
}

impl Builtin {
    /// Parses and validates the built-in; its source is `builtin:NAME`.
    pub fn load(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml_str(self.toml, &format!("builtin:{}", self.name))
    }
}

/// Every built-in scenario, in the order `cablesim list` shows them: the
/// four real incidents, COREU first, then the teaching scenarios.
/// Each summary is its file's `description`, which a test checks.
pub const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "coreu-2018",
        summary: "EU COREU, 2018: one phished ministry reads three years of broadcast cables",
        toml: include_str!("../../examples/scenarios/coreu-2018.toml"),
    },
    Builtin {
        name: "cablegate-2010",
        summary: "US cables, 2010: one insider bulk-exports a central plaintext archive of 274 posts",
        toml: include_str!("../../examples/scenarios/cablegate-2010.toml"),
    },
    Builtin {
        name: "darroch-2019",
        summary: "UK telegrams, 2019: an insider recipient in Whitehall harvests two years of widely read diptels",
        toml: include_str!("../../examples/scenarios/darroch-2019.toml"),
    },
    Builtin {
        name: "ivbb-2018",
        summary: "German IVBB, 2018: intruders hold the shared government backbone's position for a year",
        toml: include_str!("../../examples/scenarios/ivbb-2018.toml"),
    },
    Builtin {
        name: "harvest-now-decrypt-later",
        summary: "Teaching: a state records two years of encrypted traffic and opens it with a quantum computer a decade later",
        toml: include_str!("../../examples/scenarios/harvest-now-decrypt-later.toml"),
    },
    Builtin {
        name: "stolen-keys-later",
        summary: "Teaching: a year of recorded ciphertext opens when a static key is stolen years later",
        toml: include_str!("../../examples/scenarios/stolen-keys-later.toml"),
    },
    Builtin {
        name: "hotel-wifi-mitm",
        summary: "Teaching: a delegation on hotel Wi-Fi that skips certificate checks is read by a man in the middle",
        toml: include_str!("../../examples/scenarios/hotel-wifi-mitm.toml"),
    },
    Builtin {
        name: "forged-instruction",
        summary: "Teaching: forged instructions in headquarters' name are accepted when cables are not signed",
        toml: include_str!("../../examples/scenarios/forged-instruction.toml"),
    },
];

/// An exercise shipped with cablesim (README.md, "For trainers: a
/// 45-minute session"): a scenario
/// file with an `[exercise]` table and the `[[expect]]` entries that grade
/// it, which `cablesim exercise start` copies out and `cablesim check`
/// compares a participant's copy with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinExercise {
    /// The exercise's name: its file's name and its `[scenario] name`,
    /// by which a participant's copy is matched to it.
    pub name: &'static str,
    /// The exercise file's text.
    pub toml: &'static str,
}

impl BuiltinExercise {
    /// Parses and validates the exercise; its source is `exercise:NAME`.
    pub fn load(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml_str(self.toml, &format!("exercise:{}", self.name))
    }
}

/// Every exercise, in the order `cablesim exercise list` shows them (the
/// order of the trainer session): the
/// files of `examples/exercises/` (their answers, in `answers/`, are not
/// embedded: a participant finds them in the repository, after trying).
pub const EXERCISES: &[BuiltinExercise] = &[
    BuiltinExercise {
        name: "coreu-broadcast",
        toml: include_str!("../../examples/exercises/coreu-broadcast.toml"),
    },
    BuiltinExercise {
        name: "coreu-detection",
        toml: include_str!("../../examples/exercises/coreu-detection.toml"),
    },
    BuiltinExercise {
        name: "late-intruder",
        toml: include_str!("../../examples/exercises/late-intruder.toml"),
    },
    BuiltinExercise {
        name: "hotel-wifi",
        toml: include_str!("../../examples/exercises/hotel-wifi.toml"),
    },
    BuiltinExercise {
        name: "forged-instruction",
        toml: include_str!("../../examples/exercises/forged-instruction.toml"),
    },
    BuiltinExercise {
        name: "ghost-key",
        toml: include_str!("../../examples/exercises/ghost-key.toml"),
    },
    BuiltinExercise {
        name: "harvest",
        toml: include_str!("../../examples/exercises/harvest.toml"),
    },
];

/// The exercise of this name.
pub fn exercise(name: &str) -> Option<&'static BuiltinExercise> {
    EXERCISES.iter().find(|e| e.name == name)
}

/// The built-in of this name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.name == name)
}

/// A built-in scenario by name, else a scenario file by path. A built-in
/// name wins over a file of the same name in the working directory, so
/// that `cablesim run coreu-2018` means the same thing everywhere.
pub fn resolve(name_or_path: &str) -> Result<Scenario, ScenarioError> {
    if let Some(builtin) = builtin(name_or_path) {
        return builtin.load();
    }
    if Path::new(name_or_path).exists() {
        return Scenario::load(name_or_path);
    }
    let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
    Err(ScenarioError::new(
        name_or_path,
        None,
        format!(
            "no built-in scenario and no file of this name (built-in scenarios: {})",
            names.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_under_its_name() {
        for builtin in BUILTIN {
            let scenario = builtin.load().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(scenario.name, builtin.name);
            assert_eq!(scenario.source, format!("builtin:{}", builtin.name));
            assert_eq!(scenario.description, builtin.summary);
            scenario.generator().unwrap();
        }
    }

    #[test]
    fn every_exercise_loads_under_its_name() {
        for exercise in EXERCISES {
            let scenario = exercise.load().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(scenario.name, exercise.name);
            assert_eq!(scenario.source, format!("exercise:{}", exercise.name));
            let table = scenario
                .exercise
                .unwrap_or_else(|| panic!("{}: no [exercise]", exercise.name));
            assert!(!table.task.is_empty(), "{}", exercise.name);
            assert!(!scenario.expectations.is_empty(), "{}: nothing to check", exercise.name);
        }
    }

    #[test]
    fn fail_unknown_name_lists_the_builtins() {
        let err = resolve("coreu-2019").unwrap_err();
        assert_eq!(err.file, "coreu-2019");
        assert_eq!(err.line, None);
        assert!(err.reason.contains("coreu-2018"), "{err}");
    }
}
