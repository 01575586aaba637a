//! Unit tests of what a proxy checks before it serves. Real TCP runs of
//! whole networks through proxies are in `tests/it/proxy_tcp.rs`.

use super::*;

fn opts(kind: ProxyKind, node: &str) -> ProxyOptions {
    ProxyOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        "127.0.0.1:9".parse().unwrap(),
        kind,
        node,
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cablesim-proxy-unit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn binds_port_zero_and_reports_the_real_port() {
    let proxy = Proxy::bind(opts(ProxyKind::Tap, "del-kyiv")).await.unwrap();
    assert_ne!(proxy.local_addr().port(), 0);
    assert_eq!(proxy.adversary().name(), "tap@del-kyiv");
    assert_eq!(proxy.adversary().actor(), "tap@del-kyiv");
}

#[tokio::test]
async fn fail_the_hub_has_no_link() {
    let err = Proxy::bind(opts(ProxyKind::Tap, HUB)).await.unwrap_err();
    assert!(matches!(err, ProxyError::BadNode { .. }), "{err}");
    let err = Proxy::bind(opts(ProxyKind::Tap, "Not A Name")).await.unwrap_err();
    assert!(err.to_string().contains("\"Not A Name\""), "{err}");
}

#[tokio::test]
async fn fail_a_node_outside_the_scenario() {
    let scenario = crate::scenario::resolve("hotel-wifi-mitm").unwrap();
    let mut o = opts(ProxyKind::Tap, "zz-nowhere");
    o.scenario = Some(scenario);
    let err = Proxy::bind(o).await.unwrap_err();
    assert!(err.to_string().contains("not a node of scenario"), "{err}");
}

#[tokio::test]
async fn fail_a_mitm_without_a_readable_ca() {
    let dir = scratch("no-ca");
    let _ = std::fs::remove_file(dir.join(CA_CERT_FILE));
    let err = Proxy::bind(opts(ProxyKind::Mitm { certs: dir.clone() }, "del-kyiv"))
        .await
        .unwrap_err();
    assert!(matches!(err, ProxyError::CaCert { .. }), "{err}");
    assert!(err.to_string().contains("ca.pem"), "{err}");

    std::fs::write(dir.join(CA_CERT_FILE), "not a certificate\n").unwrap();
    let err = Proxy::bind(opts(ProxyKind::Mitm { certs: dir }, "del-kyiv"))
        .await
        .unwrap_err();
    assert!(matches!(err, ProxyError::CaCert { .. }), "{err}");
}

#[tokio::test]
async fn fail_an_unwritable_capture_before_serving() {
    let mut o = opts(ProxyKind::Tap, "del-kyiv");
    o.pcap = Some(scratch("pcap").join("missing-dir").join("x.pcapng"));
    let err = Proxy::bind(o).await.unwrap_err();
    assert!(matches!(err, ProxyError::Pcap { .. }), "{err}");
}

#[tokio::test]
async fn stops_at_once_with_nothing_carried() {
    let proxy = Proxy::bind(opts(ProxyKind::Tap, "del-kyiv")).await.unwrap();
    let outcome = proxy.run(async {}).await.unwrap();
    let report = &outcome.report;
    assert_eq!(
        (report.connections, report.bytes_to_hub, report.bytes_to_node),
        (0, 0, 0)
    );
    assert_eq!(report.findings, ProxyFindings::Unattributed);
    assert!(
        outcome.to_text().contains("no scenario: no canary index"),
        "{}",
        outcome.to_text()
    );
    let json: serde_json::Value = serde_json::from_str(&outcome.to_json().unwrap()).unwrap();
    assert_eq!(json["findings"]["analysis"], "unattributed");
}
