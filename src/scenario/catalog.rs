//! The built-in scenarios (DESIGN §11b): the files of
//! `examples/scenarios/`, embedded in the binary so that `cablesim run
//! coreu-2018` works from anywhere, while the files stay readable and
//! copyable as starting points for new scenarios.

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

/// Every built-in scenario, by name.
pub const BUILTIN: &[Builtin] = &[Builtin {
    name: "coreu-2018",
    summary: "EU COREU, 2018: one phished ministry reads three years of broadcast cables",
    toml: include_str!("../../examples/scenarios/coreu-2018.toml"),
}];

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
    fn fail_unknown_name_lists_the_builtins() {
        let err = resolve("coreu-2019").unwrap_err();
        assert_eq!(err.file, "coreu-2019");
        assert_eq!(err.line, None);
        assert!(err.reason.contains("coreu-2018"), "{err}");
    }
}
