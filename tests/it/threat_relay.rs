//! Rule 3 of ARCHITECTURE.md: an adversary controlling the hub — its frames,
//! its archive, and the key directory it serves (the "ghost" key).

use crate::support::world;

use cablesim::net::AlarmKind;
use world::{actor, config, content, ids, routing, run};

const HUB_FROM_5: &str = "[[adversary]]\nkind = \"hub\"\nfrom_day = 5\nactor = \"relay\"\n";

#[tokio::test(start_paused = true)]
async fn without_e2e_the_hub_reads_its_archive_and_everything_it_relays() {
    // Archive as of day 5: C1, C2, C3. Relayed from day 5: C4, C5, C6, C7.
    let report = run(&config("mtls", "off"), HUB_FROM_5).await;
    assert_eq!(content(&report, "relay"), ids(&world::ALL));
    let with_archive_days = run(&format!("{}archive_days = 2", config("mtls", "off")), HUB_FROM_5).await;
    // Kept on day 5 iff 5 - day < 2: only C3 (day 4) of the older cables.
    assert_eq!(
        content(&with_archive_days, "relay"),
        ids(&["C3", "C4", "C5", "C6", "C7"])
    );
    let no_archive = run(&format!("{}archive = false", config("mtls", "off")), HUB_FROM_5).await;
    assert_eq!(content(&no_archive, "relay"), ids(&["C4", "C5", "C6", "C7"]));
}

#[tokio::test(start_paused = true)]
async fn with_pinning_the_ghost_key_is_refused_and_yields_nothing() {
    for e2e in ["static", "forward-secret"] {
        let report = run(&format!("{}key_pinning = true", config("mtls", e2e)), HUB_FROM_5).await;
        assert_eq!(content(&report, "relay"), ids(&[]), "{e2e}");
        assert_eq!(routing(&report, "relay"), ids(&world::ALL), "{e2e}");
        // Each sender refuses the ghost in each recipient entry it uses:
        // hq for C4 (wash), wash for C5 (hq, be), cy for C6 (at), kyiv for
        // C7 (be) = 5 alarms, all during the hub's window.
        let pinning: Vec<_> = report
            .alarms
            .iter()
            .filter(|a| a.kind == AlarmKind::KeyPinning)
            .collect();
        assert_eq!(pinning.len(), 5, "{e2e}: {pinning:?}");
        assert_eq!(actor(&report, "relay").alarms, 5, "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_pinning_the_ghost_key_reads_every_cable_of_the_window() {
    for e2e in ["static", "forward-secret"] {
        let report = run(&format!("{}key_pinning = false", config("mtls", e2e)), HUB_FROM_5).await;
        // Sealed for the ghost too: C4..C7. The archived C1..C3 were
        // sealed before the ghost existed: routing only.
        assert_eq!(content(&report, "relay"), ids(&["C4", "C5", "C6", "C7"]), "{e2e}");
        assert_eq!(routing(&report, "relay"), ids(&world::ALL), "{e2e}");
        assert!(
            report.alarms.is_empty(),
            "{e2e}: the ghost is silent: {:?}",
            report.alarms
        );
    }
}

#[tokio::test(start_paused = true)]
async fn under_group_the_hub_has_no_key() {
    let report = run(&format!("{}key_pinning = false", config("mtls", "group")), HUB_FROM_5).await;
    assert_eq!(content(&report, "relay"), ids(&[]));
    assert_eq!(routing(&report, "relay"), ids(&world::ALL));
}
