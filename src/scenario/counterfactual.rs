//! What-if changes to an incident that are not `[security]` fields: the
//! same scenario, replayed as if the defenders had acted differently.
//!
//! Presets and `--set` change how the network is built; the changes here
//! change the adversaries instead. The first is detection: an intrusion
//! that is found and cleaned up after a number of days is an adversary
//! window that ends then (ARCHITECTURE.md, "Adversaries").

use super::{Scenario, ScenarioError};

/// The scenario as if every intrusion had been detected and ended `days`
/// days after it began: each adversary that acts over a window gets
/// `until_day = from_day + days`, unless its window already ends earlier.
///
/// The single-day kinds (`key-thief`, `insider`) are left alone: what they
/// take, they take on their one day, so dwell time means nothing to them.
/// A window may end after the scenario's last day, as an open one does.
///
/// Errors when `days` is 0: a window that ends as it starts is empty, and
/// the scenario rules reject it (README.md, "Scenario files").
///
/// ```
/// use cablesim::scenario::{Scenario, with_dwell};
///
/// let scenario = Scenario::from_toml_str(r#"
///     [scenario]
///     name = "phished"
///     seed = 1
///     days = 400
///     cables = 10
///     [network]
///     ministries = 2
///     [[adversary]]
///     kind = "endpoint"
///     at = "be-mfa"
///     from_day = 30
/// "#, "inline.toml")?;
/// let found = with_dwell(scenario, 30)?;
/// assert_eq!(found.adversaries[0].window.until, Some(60));
/// # Ok::<(), cablesim::scenario::ScenarioError>(())
/// ```
pub fn with_dwell(mut scenario: Scenario, days: u32) -> Result<Scenario, ScenarioError> {
    for spec in scenario.adversaries.iter_mut().filter(|spec| !spec.kind.single_day()) {
        let detected = spec.window.from.saturating_add(days);
        spec.window.until = Some(spec.window.until.map_or(detected, |until| until.min(detected)));
    }
    scenario
        .validate()
        .map_err(|e| ScenarioError::new(e.file, e.line, format!("dwell time of {days} days: {}", e.reason)))?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Scenario {
        let text = r#"
            [scenario]
            name = "several"
            seed = 1
            days = 200
            cables = 5
            [network]
            ministries = 3
            [[adversary]]
            kind = "endpoint"
            at = "be-mfa"
            from_day = 10
            [[adversary]]
            kind = "tap"
            at = "bg-mfa"
            from_day = 20
            until_day = 35
            [[adversary]]
            kind = "key-thief"
            at = "at-mfa"
            on_day = 50
            [[adversary]]
            kind = "hub"
        "#;
        Scenario::from_toml_str(text, "inline.toml").unwrap()
    }

    #[test]
    fn every_window_ends_dwell_days_after_it_starts() {
        let before = incident();
        let after = with_dwell(before.clone(), 30).unwrap();
        let windows: Vec<(u32, Option<u32>)> = after
            .adversaries
            .iter()
            .map(|a| (a.window.from, a.window.until))
            .collect();
        // The open endpoint window closes at 10 + 30; the tap's own end (35)
        // comes before 20 + 30 and stays; the key thief keeps its one day;
        // the hub, active from day 0, is found on day 30.
        assert_eq!(windows, [(10, Some(40)), (20, Some(35)), (50, Some(51)), (0, Some(30))]);
        // Nothing else moves.
        assert_eq!(after.security, before.security);
        assert_eq!(after.days, before.days);
    }

    #[test]
    fn fail_zero_days_is_an_empty_window() {
        let err = with_dwell(incident(), 0).unwrap_err();
        assert!(err.reason.contains("dwell time of 0 days"), "{err}");
        assert!(err.reason.contains("empty"), "{err}");
    }
}
