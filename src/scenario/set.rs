//! `--set FIELD=VALUE` and `--config PRESET` applied to a loaded scenario
//! (README.md, "The command line").

use std::fmt::Display;
use std::str::FromStr;

use super::check::check;
use super::{Preset, Scenario, ScenarioError};

/// Every field `--set` accepts: the `[security]` fields (ARCHITECTURE.md,
/// "Security options"), then the scenario-level `seed`, `days` and `cables`
/// (the generated count).
pub const SET_FIELDS: [&str; 15] = [
    "transport",
    "verify_server",
    "e2e",
    "epoch_days",
    "signatures",
    "key_pinning",
    "distribution",
    "archive",
    "archive_days",
    "retention_days",
    "max_classification",
    "post_quantum",
    "seed",
    "days",
    "cables",
];

/// The `file` of errors from `--set`: they come from the command line.
const SOURCE: &str = "--set";

fn fail(reason: impl Into<String>) -> ScenarioError {
    ScenarioError::new(SOURCE, None, reason)
}

impl Scenario {
    /// Applies a preset's crypto fields (see [`Preset::apply`]).
    pub fn apply_preset(&mut self, preset: Preset) {
        preset.apply(&mut self.security);
    }

    /// Applies one `FIELD=VALUE` assignment; `FIELD` is one of
    /// [`SET_FIELDS`]. Booleans are `true`/`false`; `archive_days` and
    /// `retention_days` take a number of days or `none` (forever).
    ///
    /// A change of `days` or `cables` re-checks what depends on it (listed
    /// cables' days, adversary windows, enough nodes to generate cables).
    /// On error the scenario is left exactly as it was.
    pub fn apply_set(&mut self, assignment: &str) -> Result<(), ScenarioError> {
        let Some((field, value)) = assignment.split_once('=') else {
            return Err(fail(format!("expected FIELD=VALUE, got {assignment:?}")));
        };
        let (field, value) = (field.trim(), value.trim());
        let mut next = self.clone();
        let security = &mut next.security;
        match field {
            "transport" => security.transport = parse_named(field, value)?,
            "verify_server" => security.verify_server = parse_bool(field, value)?,
            "e2e" => security.e2e = parse_named(field, value)?,
            "epoch_days" => security.epoch_days = parse_days(field, value, 1)?,
            "signatures" => security.signatures = parse_bool(field, value)?,
            "key_pinning" => security.key_pinning = parse_bool(field, value)?,
            "distribution" => security.distribution = parse_named(field, value)?,
            "archive" => security.archive = parse_bool(field, value)?,
            "archive_days" => security.archive_days = parse_keep_days(field, value)?,
            "retention_days" => security.retention_days = parse_keep_days(field, value)?,
            "max_classification" => security.max_classification = parse_named(field, value)?,
            "post_quantum" => security.post_quantum = parse_named(field, value)?,
            "seed" => {
                let seed = value.parse().map_err(|_| {
                    fail(format!(
                        "seed: expected an integer from 0 to {}, got {value:?}",
                        u64::MAX
                    ))
                })?;
                next.set_seed(seed);
            }
            "days" => next.days = parse_days(field, value, 1)?,
            "cables" => {
                next.generated_cables = value
                    .parse()
                    .map_err(|_| fail(format!("cables: expected a number of generated cables, got {value:?}")))?;
            }
            _ => {
                return Err(fail(format!(
                    "unknown field {field:?} (expected one of {})",
                    SET_FIELDS.join(", ")
                )));
            }
        }
        if matches!(field, "days" | "cables") {
            check(&next).map_err(|problem| fail(format!("{field}={value}: {}", problem.reason)))?;
        }
        *self = next;
        Ok(())
    }
}

/// A value of one of the model's named enums, whose error lists the names.
fn parse_named<T>(field: &str, value: &str) -> Result<T, ScenarioError>
where
    T: FromStr,
    T::Err: Display,
{
    value.parse().map_err(|e| fail(format!("{field}: {e}")))
}

fn parse_bool(field: &str, value: &str) -> Result<bool, ScenarioError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(fail(format!("{field}: expected true or false, got {value:?}"))),
    }
}

fn parse_days(field: &str, value: &str, min: u32) -> Result<u32, ScenarioError> {
    value.parse().ok().filter(|&days| days >= min).ok_or_else(|| {
        fail(format!(
            "{field}: expected a whole number of days ≥ {min}, got {value:?}"
        ))
    })
}

/// A retention setting: a number of days, or `none` for "forever" (the
/// command-line spelling of leaving the key out of the file).
fn parse_keep_days(field: &str, value: &str) -> Result<Option<u32>, ScenarioError> {
    if value == "none" {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| {
        fail(format!(
            "{field}: expected a whole number of days or none, got {value:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SecurityConfig;

    fn tiny() -> Scenario {
        let text = "[scenario]\nname = \"t\"\nseed = 1\ndays = 5\ncables = 3\n[network]\nministries = 2\n";
        Scenario::from_toml_str(text, "t.toml").unwrap()
    }

    #[test]
    fn every_security_field_is_settable() {
        // The security fields first, in their canonical order, then the
        // three scenario-level ones.
        assert_eq!(SET_FIELDS[..SecurityConfig::FIELDS.len()], SecurityConfig::FIELDS);
        assert_eq!(SET_FIELDS[SecurityConfig::FIELDS.len()..], ["seed", "days", "cables"]);
    }

    #[test]
    fn fail_leaves_the_scenario_unchanged() {
        let mut s = tiny();
        let before = s.clone();
        assert!(s.apply_set("days=0").is_err());
        assert!(s.apply_set("cables=x").is_err());
        assert!(s.apply_set("no-equals-sign").is_err());
        assert_eq!(s, before);
    }

    #[test]
    fn spaces_around_the_parts_are_ignored() {
        let mut s = tiny();
        s.apply_set(" e2e = static ").unwrap();
        assert_eq!(s.security.e2e, crate::model::E2eMode::Static);
    }
}
