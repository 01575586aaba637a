//! Rule 2 of ARCHITECTURE.md: a wiretap on a node's link. What it gets depends
//! on the transport and the end-to-end mode; see `support/world.rs` for the
//! cables and their recipients.

use crate::support::world;

use world::{actor, config, content, ids, routing, run};

const TAP_BE: &str = "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nactor = \"spy\"\n";

#[tokio::test(start_paused = true)]
async fn plain_links_without_e2e_give_away_everything_on_the_link() {
    let report = run(&config("plain", "off"), TAP_BE).await;
    // Need-to-know, be-mfa sends C3 and receives C5 and C7.
    assert_eq!(content(&report, "spy"), ids(&["C3", "C5", "C7"]));
    assert_eq!(routing(&report, "spy"), ids(&["C3", "C5", "C7"]));
    assert_eq!(actor(&report, "spy").traffic_frames, 0);
    let evidence = &actor(&report, "spy").evidence;
    assert_eq!(evidence[0].cable, "C3");
    assert_eq!(evidence[0].via, "tap be-mfa->hub, plain");
    assert_eq!(evidence[0].attack, ["T1040"]);
}

#[tokio::test(start_paused = true)]
async fn under_broadcast_the_same_tap_sees_every_cable() {
    let report = run(
        &format!("{}distribution = \"broadcast\"", config("plain", "off")),
        TAP_BE,
    )
    .await;
    // be-mfa is in R(c) of every cable it does not send, and sends C3.
    assert_eq!(content(&report, "spy"), ids(&world::ALL));
}

#[tokio::test(start_paused = true)]
async fn plain_links_with_e2e_leak_routing_only() {
    for e2e in ["group", "static", "forward-secret"] {
        let report = run(&config("plain", e2e), TAP_BE).await;
        assert_eq!(content(&report, "spy"), ids(&[]), "{e2e}");
        assert_eq!(routing(&report, "spy"), ids(&["C3", "C5", "C7"]), "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn tls_links_leak_traffic_only() {
    for transport in ["tls", "mtls"] {
        for e2e in ["off", "forward-secret"] {
            let report = run(&config(transport, e2e), TAP_BE).await;
            let spy = actor(&report, "spy");
            assert_eq!(content(&report, "spy"), ids(&[]), "{transport}/{e2e}");
            assert_eq!(routing(&report, "spy"), ids(&[]), "{transport}/{e2e}");
            assert!(spy.traffic_frames > 0, "{transport}/{e2e}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_tls_tap_counts_one_record_per_frame() {
    // From day 1, with e2e off, nothing but cables crosses be-mfa's link:
    // C3 (submit + ack), C5 and C7 (deliver + ack each) = 6 records, and
    // at the end of the run the node's close_notify alert = 7 (the node
    // stops reading before the hub's answering alert arrives).
    let spec = "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nfrom_day = 1\nactor = \"spy\"\n";
    let report = run(&config("tls", "off"), spec).await;
    assert_eq!(actor(&report, "spy").traffic_frames, 7);
}

#[tokio::test(start_paused = true)]
async fn a_window_limits_the_capture_to_its_days() {
    let spec = "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nfrom_day = 4\nuntil_day = 8\nactor = \"spy\"\n";
    let report = run(&config("plain", "off"), spec).await;
    // Days 4..8 on be-mfa's link: C3 (day 4) and C5 (day 7); not C7 (day 9).
    assert_eq!(content(&report, "spy"), ids(&["C3", "C5"]));
}
