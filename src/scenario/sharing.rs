//! Variants measured in another run (ARCHITECTURE.md, "Adversaries",
//! passive and active): a variant that differs from a scenario only in its
//! adversaries' windows (detected within N days) or in its nodes'
//! retention sees the very network the scenario does, if no adversary
//! changes that network: retention changes what a node holds, never what
//! it sends or receives. Its adversaries then ride along in the scenario's
//! own run as a side group ([`super::Runner::measuring_also`]), kept out of
//! the run's report, and take exactly what they take in a run of their
//! own: an endpoint of a side group under another retention reads the
//! folders every node keeps under that retention beside its own
//! ([`crate::net::NodeHandle::also_retain`]).

use std::sync::Arc;

use super::Scenario;
use super::findings::{actors, pooled_loot};
use crate::adversary::{Adversary, AdversarySpec, Analyst, BuildContext, BuildError, CableIndex, build_adversaries};
use crate::model::SecurityConfig;
use crate::net::FolderView;
use crate::report::Taken;

/// Adversaries measured beside a run, and the folders their endpoints
/// find on the nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SideGroup {
    /// The adversaries, as a scenario lists them.
    pub(super) adversaries: Vec<AdversarySpec>,
    /// The nodes' own folders, or those they would hold under another
    /// `retention_days`.
    pub(super) folders: FolderView,
}

/// The side group `variant` would be measured as in `scenario`'s run, or
/// `None` if it needs a run of its own: when it changes anything but the
/// adversaries and the retention, or when an adversary of either, before
/// or after the change, changes the network (a man in the middle, a
/// forger, a hub that adds ghost keys:
/// [`crate::adversary::AdversaryKind::changes_the_network`]). Decided from
/// the adversaries' kinds, whatever the scenario's name.
pub(super) fn side_group(scenario: &Scenario, variant: &Scenario) -> Option<SideGroup> {
    let same_network = Scenario {
        adversaries: scenario.adversaries.clone(),
        security: SecurityConfig {
            retention_days: scenario.security.retention_days,
            ..variant.security.clone()
        },
        ..variant.clone()
    } == *scenario;
    let e2e = scenario.security.e2e;
    let passive = scenario
        .adversaries
        .iter()
        .chain(&variant.adversaries)
        .all(|spec| !spec.kind.changes_the_network(e2e));
    (same_network && passive).then(|| SideGroup {
        adversaries: variant.adversaries.clone(),
        folders: folders_for(variant.security.retention_days, scenario),
    })
}

/// The folders a side group under `retention_days` reads in `scenario`'s
/// run: the nodes' own under the run's retention, else those kept beside
/// them under its own.
pub(super) fn folders_for(retention_days: Option<u32>, scenario: &Scenario) -> FolderView {
    if retention_days == scenario.security.retention_days {
        FolderView::Own
    } else {
        FolderView::Retaining(retention_days)
    }
}

/// Why `groups` cannot ride in `scenario`'s run, if they cannot: the
/// promise of a side group — it takes exactly what it takes in a run of
/// its own — holds only if no adversary of the run, its own or a side
/// group's, changes the network, and if every adversary is known by its
/// kind (one added with [`super::Runner::with_adversary`] is not).
pub(super) fn refuse_side_groups(scenario: &Scenario, groups: &[SideGroup], custom: usize) -> Option<String> {
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
        .chain(groups.iter().flat_map(|group| &group.adversaries))
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
/// escrow), as the run's own adversaries are, with the group's folders.
pub(super) fn build_side_groups(
    groups: &[SideGroup],
    context: &BuildContext<'_>,
) -> Result<Vec<Vec<Arc<dyn Adversary>>>, BuildError> {
    groups
        .iter()
        .map(|group| {
            let context = BuildContext {
                folders: group.folders,
                ..context.clone()
            };
            build_adversaries(&group.adversaries, &context)
        })
        .collect()
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

    /// The side group of `variant`'s adversaries, finding `folders`.
    fn group(variant: &Scenario, folders: FolderView) -> Option<SideGroup> {
        Some(SideGroup {
            adversaries: variant.adversaries.clone(),
            folders,
        })
    }

    #[test]
    fn a_shorter_window_of_passive_adversaries_rides_in_the_baseline_run() {
        let base = scenario(PASSIVE);
        let found = with_dwell(base.clone(), 30).unwrap();
        assert_eq!(side_group(&base, &found), group(&found, FolderView::Own));
    }

    #[test]
    fn another_retention_rides_in_the_run_and_reads_the_folders_kept_under_it() {
        let base = scenario(PASSIVE);
        let mut shorter = with_dwell(base.clone(), 30).unwrap();
        shorter.apply_set("retention_days=90").unwrap();
        let kept = group(&shorter, FolderView::Retaining(Some(90)));
        assert_eq!(side_group(&base, &shorter), kept);
        // And back: the run keeps 90 days, the variant everything.
        assert_eq!(side_group(&shorter, &base), group(&base, FolderView::Retaining(None)));
        let mut same = base.clone();
        same.apply_set("retention_days=90").unwrap();
        assert_eq!(side_group(&shorter, &same), group(&same, FolderView::Own));
    }

    #[test]
    fn a_variant_that_changes_the_network_needs_a_run_of_its_own() {
        let base = scenario(PASSIVE);
        for change in ["distribution=broadcast", "archive_days=30", "e2e=static", "cables=4"] {
            let mut variant = with_dwell(base.clone(), 30).unwrap();
            variant.apply_set("retention_days=90").unwrap();
            variant.apply_set(change).unwrap();
            assert_eq!(side_group(&base, &variant), None, "{change}");
        }
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
            let mut kept = base.clone();
            kept.apply_set("retention_days=90").unwrap();
            assert_eq!(side_group(&base, &kept), None, "{active}");
        }
    }

    #[test]
    fn fail_side_groups_beside_an_active_adversary_or_one_of_unknown_kind() {
        let passive = scenario(PASSIVE);
        let group = SideGroup {
            adversaries: with_dwell(passive.clone(), 30).unwrap().adversaries,
            folders: FolderView::Own,
        };
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

        let forger = SideGroup {
            adversaries: scenario("[[adversary]]\nkind = \"forger\"\nimpersonate = \"at-mfa\"\nfrom_day = 10\n")
                .adversaries,
            folders: FolderView::Own,
        };
        let refused = refuse_side_groups(&passive, &[group, forger], 0).unwrap();
        assert!(refused.contains("a forger adversary changes the network"), "{refused}");
    }

    #[test]
    fn a_hub_that_adds_no_ghost_keys_is_passive() {
        let mut base = scenario("[[adversary]]\nkind = \"hub\"\nfrom_day = 10\n");
        base.apply_set("e2e=off").unwrap();
        let found = with_dwell(base.clone(), 30).unwrap();
        assert_eq!(side_group(&base, &found), group(&found, FolderView::Own));
    }
}
