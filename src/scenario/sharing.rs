//! Variants measured in the baseline's run (ARCHITECTURE.md, "Adversaries",
//! passive and active): a variant that differs from its scenario only in its
//! adversaries' windows (detected within N days) sees the very network the
//! scenario does, if no adversary changes that network. Its adversaries
//! then ride along in the scenario's own run as a side group
//! ([`super::Runner::measuring_also`]), kept out of the run's report, and
//! take exactly what they take in a run of their own.

use std::sync::Arc;

use super::Scenario;
use super::findings::{actors, pooled_loot};
use crate::adversary::{Adversary, AdversarySpec, Analyst, BuildContext, BuildError, CableIndex, build_adversaries};
use crate::report::Taken;

/// The adversaries `variant` would be measured with in `scenario`'s run,
/// or `None` if it needs a run of its own: when it changes anything but
/// the adversaries, or when an adversary of either, before or after the
/// change, changes the network (a man in the middle, a forger, a hub that
/// adds ghost keys: [`crate::adversary::AdversaryKind::changes_the_network`]).
/// Decided from the adversaries' kinds, whatever the scenario's name.
pub(super) fn side_group(scenario: &Scenario, variant: &Scenario) -> Option<Vec<AdversarySpec>> {
    let same_network = Scenario {
        adversaries: scenario.adversaries.clone(),
        ..variant.clone()
    } == *scenario;
    let e2e = scenario.security.e2e;
    let passive = scenario
        .adversaries
        .iter()
        .chain(&variant.adversaries)
        .all(|spec| !spec.kind.changes_the_network(e2e));
    (same_network && passive).then(|| variant.adversaries.clone())
}

/// Why `groups` cannot ride in `scenario`'s run, if they cannot: the
/// promise of a side group — it takes exactly what it takes in a run of
/// its own — holds only if no adversary of the run, its own or a side
/// group's, changes the network, and if every adversary is known by its
/// kind (one added with [`super::Runner::with_adversary`] is not).
pub(super) fn refuse_side_groups(scenario: &Scenario, groups: &[Vec<AdversarySpec>], custom: usize) -> Option<String> {
    if groups.is_empty() {
        return None;
    }
    if custom > 0 {
        return Some(format!(
            "a side group is measured only beside adversaries known to be passive, and this run has {custom} of \
             its own kind (with_adversary)"
        ));
    }
    let e2e = scenario.security.e2e;
    let active = scenario
        .adversaries
        .iter()
        .chain(groups.iter().flatten())
        .find(|spec| spec.kind.changes_the_network(e2e))?;
    Some(format!(
        "a side group is measured only beside passive adversaries, and a {} adversary changes the network \
         under this scenario's end-to-end setting",
        active.kind
    ))
}

/// One set of adversaries per side group, each built on its own, so that
/// its actors pool keys and loot only among themselves, as in a run of
/// their own; built against the run's context (its clock, CA and key
/// escrow), as the run's own adversaries are.
pub(super) fn build_side_groups(
    groups: &[Vec<AdversarySpec>],
    context: &BuildContext<'_>,
) -> Result<Vec<Vec<Arc<dyn Adversary>>>, BuildError> {
    groups.iter().map(|specs| build_adversaries(specs, context)).collect()
}

/// What `adversaries` took, all actors together: the figures
/// [`Taken::of`] reads from a report, from the same analyst on the same
/// pooled loot, without a report (and without logging leaks: these actors
/// are not the run's).
pub(super) fn taken_by(adversaries: &[Arc<dyn Adversary>], index: &CableIndex) -> Taken {
    let analyst = Analyst::new(index);
    let found: Vec<_> = actors(adversaries)
        .into_iter()
        .map(|(_, members)| {
            let loot = pooled_loot(&members);
            (analyst.analyze(&loot), loot.forged_accepted)
        })
        .collect();
    Taken::union(found.iter().map(|(exposure, forged)| {
        (
            exposure.content.keys().map(String::as_str),
            exposure.routing.keys().map(String::as_str),
            *forged,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::with_dwell;

    fn scenario(adversaries: &str) -> Scenario {
        let text = format!(
            "[scenario]\nname = \"t\"\nseed = 1\ndays = 100\ncables = 3\n[network]\nministries = 3\n\
             [security]\ne2e = \"forward-secret\"\n{adversaries}"
        );
        Scenario::from_toml_str(&text, "t.toml").unwrap()
    }

    const PASSIVE: &str = "[[adversary]]\nkind = \"endpoint\"\nat = \"be-mfa\"\nfrom_day = 10\n\
                           [[adversary]]\nkind = \"tap\"\nat = \"bg-mfa\"\nfrom_day = 5\nactor = \"x\"\n\
                           [[adversary]]\nkind = \"key-thief\"\nat = \"bg-mfa\"\non_day = 50\nactor = \"x\"\n\
                           [[adversary]]\nkind = \"insider\"\non_day = 60\n\
                           [[adversary]]\nkind = \"quantum\"\nfrom_day = 70\nactor = \"x\"\n";

    #[test]
    fn a_shorter_window_of_passive_adversaries_rides_in_the_baseline_run() {
        let base = scenario(PASSIVE);
        let found = with_dwell(base.clone(), 30).unwrap();
        assert_eq!(side_group(&base, &found), Some(found.adversaries.clone()));
    }

    #[test]
    fn a_variant_that_changes_the_network_needs_a_run_of_its_own() {
        let base = scenario(PASSIVE);
        let mut variant = with_dwell(base.clone(), 30).unwrap();
        variant.apply_set("retention_days=90").unwrap();
        assert_eq!(side_group(&base, &variant), None);
    }

    #[test]
    fn an_active_adversary_refuses_sharing_even_beside_passive_ones() {
        for active in [
            "[[adversary]]\nkind = \"mitm\"\nat = \"be-mfa\"\nfrom_day = 10\n",
            "[[adversary]]\nkind = \"forger\"\nimpersonate = \"at-mfa\"\nfrom_day = 10\n",
            "[[adversary]]\nkind = \"hub\"\nfrom_day = 10\n",
        ] {
            let base = scenario(&format!("{PASSIVE}{active}"));
            let found = with_dwell(base.clone(), 30).unwrap();
            assert_eq!(side_group(&base, &found), None, "{active}");
        }
    }

    #[test]
    fn fail_side_groups_beside_an_active_adversary_or_one_of_unknown_kind() {
        let passive = scenario(PASSIVE);
        let group = with_dwell(passive.clone(), 30).unwrap().adversaries;
        assert_eq!(refuse_side_groups(&passive, std::slice::from_ref(&group), 0), None);
        assert_eq!(
            refuse_side_groups(&passive, &[], 3),
            None,
            "no side group, nothing to refuse"
        );
        let custom = refuse_side_groups(&passive, std::slice::from_ref(&group), 1).unwrap();
        assert!(custom.contains("1 of its own kind"), "{custom}");

        let with_mitm = scenario(&format!("{PASSIVE}[[adversary]]\nkind = \"mitm\"\nat = \"be-mfa\"\n"));
        let refused = refuse_side_groups(&with_mitm, std::slice::from_ref(&group), 0).unwrap();
        assert!(refused.contains("a mitm adversary changes the network"), "{refused}");

        let forger =
            scenario("[[adversary]]\nkind = \"forger\"\nimpersonate = \"at-mfa\"\nfrom_day = 10\n").adversaries;
        let refused = refuse_side_groups(&passive, &[group, forger], 0).unwrap();
        assert!(refused.contains("a forger adversary changes the network"), "{refused}");
    }

    #[test]
    fn a_hub_that_adds_no_ghost_keys_is_passive() {
        let mut base = scenario("[[adversary]]\nkind = \"hub\"\nfrom_day = 10\n");
        base.apply_set("e2e=off").unwrap();
        let found = with_dwell(base.clone(), 30).unwrap();
        assert_eq!(side_group(&base, &found), Some(found.adversaries.clone()));
    }
}
