//! Rule 6 of ARCHITECTURE.md: an adversary in the middle of del-kyiv's link,
//! which carries C1 (kyiv sends), C2 (to kyiv) and C7 (kyiv sends).

use crate::support::world;

use cablesim::net::AlarmKind;
use world::{actor, config, content, ids, routing, run};

const MITM_KYIV: &str = "[[adversary]]\nkind = \"mitm\"\nat = \"del-kyiv\"\nactor = \"wifi\"\n";

fn with_verify(transport: &str, e2e: &str, verify: bool) -> String {
    format!("{}verify_server = {verify}\n", config(transport, e2e))
}

#[tokio::test(start_paused = true)]
async fn on_a_plain_link_it_is_a_tap() {
    let report = run(&config("plain", "off"), MITM_KYIV).await;
    assert_eq!(content(&report, "wifi"), ids(&["C1", "C2", "C7"]));
    let report = run(&config("plain", "forward-secret"), MITM_KYIV).await;
    assert_eq!(content(&report, "wifi"), ids(&[]));
    assert_eq!(routing(&report, "wifi"), ids(&["C1", "C2", "C7"]));
}

#[tokio::test(start_paused = true)]
async fn a_node_that_verifies_the_hub_refuses_it_once_and_it_sees_traffic_only() {
    for transport in ["tls", "mtls"] {
        let report = run(&with_verify(transport, "off", true), MITM_KYIV).await;
        assert_eq!(content(&report, "wifi"), ids(&[]), "{transport}");
        assert_eq!(routing(&report, "wifi"), ids(&[]), "{transport}");
        assert!(actor(&report, "wifi").traffic_frames > 0, "{transport}");
        let refused: Vec<_> = report
            .alarms
            .iter()
            .filter(|a| a.kind == AlarmKind::CertificateRejected)
            .collect();
        assert_eq!(refused.len(), 1, "{transport}: {refused:?}");
        assert_eq!(refused[0].node, "del-kyiv");
        assert_eq!(actor(&report, "wifi").alarms, 1, "{transport}");
        assert_eq!(report.cables.delivered, report.cables.sent, "{transport}: nothing lost");
    }
}

#[tokio::test(start_paused = true)]
async fn tls_without_server_verification_is_read_both_ways() {
    let report = run(&with_verify("tls", "off", false), MITM_KYIV).await;
    assert_eq!(content(&report, "wifi"), ids(&["C1", "C2", "C7"]));
    let evidence = &actor(&report, "wifi").evidence[0];
    assert_eq!(evidence.via, "mitm (TLS intercepted) del-kyiv->hub");
    // End-to-end encryption still holds inside the intercepted TLS.
    let report = run(&with_verify("tls", "forward-secret", false), MITM_KYIV).await;
    assert_eq!(content(&report, "wifi"), ids(&[]));
    assert_eq!(routing(&report, "wifi"), ids(&["C1", "C2", "C7"]));
    assert!(report.alarms.is_empty(), "{:?}", report.alarms);
}

#[tokio::test(start_paused = true)]
async fn mtls_without_server_verification_stops_it_without_the_nodes_key() {
    let report = run(&with_verify("mtls", "off", false), MITM_KYIV).await;
    assert_eq!(content(&report, "wifi"), ids(&[]));
    assert_eq!(routing(&report, "wifi"), ids(&[]));
    assert!(actor(&report, "wifi").traffic_frames > 0);
    // The hub refused the MITM's certificate-less connection on both of its
    // attempts (the first connection, and the reset at the start of day 0).
    let refused: Vec<_> = report
        .alarms
        .iter()
        .filter(|a| a.kind == AlarmKind::CertificateRejected)
        .collect();
    assert_eq!(
        refused.iter().map(|a| a.node.as_str()).collect::<Vec<_>>(),
        ["hub", "hub"]
    );
    assert_eq!(actor(&report, "wifi").alarms, 2);
}

#[tokio::test(start_paused = true)]
async fn mtls_without_server_verification_falls_with_a_stolen_client_key() {
    let thief = "[[adversary]]\nkind = \"key-thief\"\nat = \"del-kyiv\"\non_day = 0\nactor = \"wifi\"\n";
    let report = run(&with_verify("mtls", "off", false), &format!("{MITM_KYIV}{thief}")).await;
    assert_eq!(content(&report, "wifi"), ids(&["C1", "C2", "C7"]));
}
