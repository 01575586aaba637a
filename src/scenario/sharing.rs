//! Variants measured in the baseline's run (ARCHITECTURE.md, "Adversaries",
//! passive and active): a variant that differs from its scenario only in its
//! adversaries' windows (detected within N days) sees the very network the
//! scenario does, if no adversary changes that network. Its adversaries
//! then ride along in the scenario's own run as a side group
//! ([`super::Runner::measuring_also`]), kept out of the run's report, and
//! take exactly what they take in a run of their own.

use std::collections::BTreeSet;
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
    let (mut content, mut routing, mut forged_accepted) = (BTreeSet::new(), BTreeSet::new(), 0);
    for (_, members) in actors(adversaries) {
        let loot = pooled_loot(&members);
        let exposure = analyst.analyze(&loot);
        content.extend(exposure.content.into_keys());
        routing.extend(exposure.routing.into_keys());
        forged_accepted += loot.forged_accepted;
    }
    Taken {
        content: content.len() as u64,
        routing: routing.len() as u64,
        forged_accepted,
    }
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
    fn a_hub_that_adds_no_ghost_keys_is_passive() {
        let mut base = scenario("[[adversary]]\nkind = \"hub\"\nfrom_day = 10\n");
        base.apply_set("e2e=off").unwrap();
        let found = with_dwell(base.clone(), 30).unwrap();
        assert_eq!(side_group(&base, &found), Some(found.adversaries.clone()));
    }
}
