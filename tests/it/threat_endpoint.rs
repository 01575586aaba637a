//! Rule 1 of ARCHITECTURE.md: malware on a node reads what the node holds when
//! it lands and everything to or from the node while it stays, whatever the
//! crypto; retention and distribution decide how much that is.

use crate::support::world;

use world::{content, ids, routing, run};

const ENDPOINT_CY_FROM_6: &str = "[[adversary]]\nkind = \"endpoint\"\nat = \"cy-mfa\"\nfrom_day = 6\nactor = \"apt\"\n";

#[tokio::test(start_paused = true)]
async fn endpoint_under_broadcast_reads_everything_the_ministry_holds() {
    for e2e in ["off", "group", "static", "forward-secret"] {
        let report = run(
            &format!("distribution = \"broadcast\"\ne2e = \"{e2e}\""),
            ENDPOINT_CY_FROM_6,
        )
        .await;
        // H(cy, 6) = cy ∈ {from} ∪ R(c), day < 6: C1, C2, C3, C4.
        // Window 6..12: C5 (cy ∈ R), C6 (cy sends), C7 (cy ∈ R).
        assert_eq!(
            content(&report, "apt"),
            ids(&["C1", "C2", "C3", "C4", "C5", "C6", "C7"]),
            "{e2e}"
        );
        assert_eq!(routing(&report, "apt"), content(&report, "apt"), "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn endpoint_under_need_to_know_reads_only_its_own_traffic() {
    let report = run("distribution = \"need-to-know\"", ENDPOINT_CY_FROM_6).await;
    // H(cy, 6) = C3 (cy ∈ R); window: C6 (cy sends).
    assert_eq!(content(&report, "apt"), ids(&["C3", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn retention_limits_what_the_malware_finds_on_arrival() {
    // retention 2 days: on day 6 the node still holds cables of days 5 and 4? kept iff 6 - day < 2: day 5 only.
    let report = run("distribution = \"broadcast\"\nretention_days = 2", ENDPOINT_CY_FROM_6).await;
    // H(cy, 6) with retention = C4 (day 5); window: C5, C6, C7.
    assert_eq!(content(&report, "apt"), ids(&["C4", "C5", "C6", "C7"]));
    let report = run(
        "distribution = \"need-to-know\"\nretention_days = 2",
        ENDPOINT_CY_FROM_6,
    )
    .await;
    // H(cy, 6) with retention: C3 is day 4 (6 - 4 = 2, not kept); window: C6.
    assert_eq!(content(&report, "apt"), ids(&["C6"]));
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_window_that_ends_stops_the_live_feed() {
    let spec = "[[adversary]]\nkind = \"endpoint\"\nat = \"be-mfa\"\nfrom_day = 3\nuntil_day = 8\nactor = \"apt\"\n";
    let report = run("distribution = \"broadcast\"", spec).await;
    // H(be, 3): C1, C2 (be ∈ R). Window 3..8: C3 (be sends), C4, C5. Not C6, C7.
    assert_eq!(content(&report, "apt"), ids(&["C1", "C2", "C3", "C4", "C5"]));
}

#[tokio::test(start_paused = true)]
async fn withheld_cables_never_leak() {
    // max confidential: C6 (secret) is never sent, so even its sender's
    // malware cannot report it as a leak of this network.
    let report = run(
        "distribution = \"broadcast\"\nmax_classification = \"confidential\"",
        ENDPOINT_CY_FROM_6,
    )
    .await;
    assert_eq!(report.cables.withheld, 1);
    assert_eq!(content(&report, "apt"), ids(&["C1", "C2", "C3", "C4", "C5", "C7"]));
}
