//! `cablesim hub --web` (README.md, "Across laptops: the hub's page"): the
//! hub's page shows the room from the hub — who is connected, what it
//! relayed, the peers it refused and their alarms — and the haul of the
//! proxies that report to it with `--report-to`, through `POST /feed`,
//! which takes a body whole or not at all, behind the page's token.

use crate::support::http;
use crate::support::processes;

use std::path::Path;
use std::sync::Arc;

use cablesim::net::{Pki, tls};
use cablesim::scenario::resolve;
use cablesim::wire::{DEFAULT_MAX_FRAME, Frame, PROTOCOL_VERSION, encode_frame};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use http::{request, split_url, state};
use processes::{Proc, certs, exchange, listening, spawn_node, temp_dir};

const SCENARIO: &str = "tests/fixtures/trio.toml";

/// A hub with its page on every address (so behind a token); returns it
/// with its address and the page's URL.
fn hub_with_page(dir: &Path) -> (Proc, String, String) {
    let (certs, data) = (
        dir.join("certs").display().to_string(),
        dir.join("data").display().to_string(),
    );
    let log = dir.join("hub.log");
    let mut hub = Proc::spawn(
        "hub",
        &[
            "hub",
            "--listen",
            "127.0.0.1:0",
            "--web",
            "0.0.0.0:0",
            "--scenario",
            SCENARIO,
            "--certs",
            &certs,
            "--data",
            &data,
            "--format",
            "json",
        ],
        &log,
    );
    let addr = listening(&mut hub);
    let url = processes::live_page_url(&log);
    (hub, addr, url)
}

/// Connects over TLS with `config`, says hello as `claimed`, and reads
/// until the hub closes.
async fn impostor(addr: &str, config: Arc<rustls::ClientConfig>, claimed: &str) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let Ok(mut stream) = tokio_rustls::TlsConnector::from(config)
        .connect(tls::hub_server_name(), tcp)
        .await
    else {
        return;
    };
    let hello = encode_frame(
        &Frame::Hello {
            node: claimed.to_owned(),
            protocol: PROTOCOL_VERSION,
        },
        DEFAULT_MAX_FRAME,
    )
    .unwrap();
    let _ = stream.write_all(&hello).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
}

fn node<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

#[test]
fn the_hubs_page_shows_the_room_and_the_proxies_haul() {
    let dir = temp_dir("web-hub");
    certs(SCENARIO, &dir.join("certs"));
    let (mut hub, addr, url) = hub_with_page(&dir);
    let (web, query) = split_url(&url);
    assert!(
        query.starts_with("?token=") && query.len() == "?token=".len() + 32,
        "{url}"
    );

    // Served until stopped: running, never a report.
    let first = state(&web, &query);
    assert_eq!(first["phase"], "running");
    assert_eq!(first["report"], false);
    assert_eq!(first["scenario"], "trio");
    assert_eq!(node(&first, "at-mfa")["connected"], false);
    assert_eq!(node(&first, "hub")["connected"], true);

    let mut at = spawn_node(&dir, SCENARIO, "at-mfa", &addr, "at-mfa");
    let mut be = spawn_node(&dir, SCENARIO, "be-mfa", &addr, "be-mfa");
    for n in [&mut at, &mut be] {
        n.send("refresh");
        n.expect_event("refreshed");
    }
    exchange(&mut at, &mut be, "seen from the hub");
    let now = state(&web, &query);
    assert_eq!(node(&now, "at-mfa")["connected"], true);
    assert_eq!(node(&now, "be-mfa")["connected"], true);
    assert_eq!(node(&now, "del-kyiv")["connected"], false);
    assert_eq!(now["counts"]["relayed"], 1);
    assert_eq!(node(&now, "hub")["received"], 1);
    assert_eq!(now["counts"]["refused"], 0);
    assert_eq!(now["alarms"]["total"], 0);
    // The hub's day, from its console.
    hub.send("day 2");
    hub.expect_event("day");
    assert_eq!(state(&web, &query)["day"], 2);

    // Two peers turned away: no certificate at all, and another node's
    // certificate claiming at-mfa's name.
    let network = resolve(SCENARIO).unwrap().network;
    let pki = Pki::load_pem(&dir.join("certs"), &network).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let anonymous = tls::client_config_with(pki.ca_cert(), None, true, tls::KeyExchange::Classical).unwrap();
        impostor(&addr, anonymous, "at-mfa").await;
        let be_creds = pki.credentials("be-mfa").unwrap();
        let wrong = tls::client_config_with(pki.ca_cert(), Some(be_creds), true, tls::KeyExchange::Classical).unwrap();
        impostor(&addr, wrong, "at-mfa").await;
    });
    // Each alarm is printed after its refusal was logged, or (the wrong
    // certificate) before the hub answered the impostor, which has read it.
    let mut kinds: Vec<String> = (0..2)
        .map(|_| hub.expect_event("alarm")["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["certificate-rejected", "identity-mismatch"]);
    let now = state(&web, &query);
    assert_eq!(now["counts"]["refused"], 2);
    assert_eq!(now["alarms"]["total"], 2);
    let mut listed: Vec<(String, Value)> = now["alarms"]["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["kind"].as_str().unwrap().to_owned(), a["attack"].clone()))
        .collect();
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        listed,
        [
            ("certificate-rejected".to_owned(), Value::from("T1557")),
            ("identity-mismatch".to_owned(), Value::from("T1557")),
        ]
    );
    // The impostor took no one's place.
    assert_eq!(node(&now, "at-mfa")["connected"], true);

    // A tap on del-kyiv's link, reporting to the page.
    let tap_log = dir.join("tap.log");
    let mut tap = Proc::spawn(
        "tap",
        &[
            "tap",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            &addr,
            "--node",
            "del-kyiv",
            "--scenario",
            SCENARIO,
            "--report-to",
            &url,
            "--format",
            "json",
        ],
        &tap_log,
    );
    let tap_addr = listening(&mut tap);
    let mut kyiv = spawn_node(&dir, SCENARIO, "del-kyiv", &tap_addr, "del-kyiv");
    for n in [&mut kyiv, &mut at] {
        n.send("refresh");
        n.expect_event("refreshed");
    }
    exchange(&mut at, &mut kyiv, "through the tap");
    tap.send("day 3");
    tap.expect_event("day");
    kyiv.send("quit");
    assert_eq!(kyiv.wait(), Some(0));
    // The tap leaves once the page took its last post (its report).
    tap.send("quit");
    assert_eq!(tap.wait(), Some(0));
    let report = tap.seen_named("report")[0]["report"].clone();
    let actor = &report["findings"]["actor"];

    let now = state(&web, &query);
    assert_eq!(now["day"], 3);
    assert_eq!(now["counts"]["relayed"], 2);
    let actors = now["actors"].as_array().unwrap();
    assert_eq!(actors.len(), 1, "{actors:?}");
    let haul = &actors[0];
    assert_eq!(haul["actor"], "tap@del-kyiv");
    assert_eq!(haul["actor"], actor["actor"]);
    assert_eq!(haul["content"], actor["content"].as_array().unwrap().len());
    assert_eq!(haul["routing"], actor["routing"].as_array().unwrap().len());
    assert_eq!(haul["traffic"], actor["traffic_frames"]);
    // Under mutual TLS and end-to-end keys, a tap counts records only.
    assert_eq!((haul["content"].as_u64(), haul["routing"].as_u64()), (Some(0), Some(0)));
    assert!(haul["traffic"].as_u64().unwrap() > 0, "{haul}");
    assert!(!std::fs::read_to_string(&tap_log).unwrap().contains("could not report"));

    for n in [&mut at, &mut be] {
        n.send("quit");
        assert_eq!(n.wait(), Some(0));
    }
    hub.send("quit");
    assert_eq!(hub.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fail_feeds_that_are_bad_too_big_or_without_the_token() {
    let dir = temp_dir("web-feed");
    certs(SCENARIO, &dir.join("certs"));
    let (mut hub, _addr, url) = hub_with_page(&dir);
    let (web, query) = split_url(&url);
    let feed = format!("/feed{query}&from=tap@at-mfa");
    let before = state(&web, &query);

    // A malformed line refuses the body whole: its good first line too.
    let body = b"{\"event\":\"day\",\"day\":4,\"rotated\":false}\n\n{\"event\":\"day\",\"day\":\"x\"}\n";
    let (status, answer) = request(&web, "POST", &feed, body);
    assert_eq!(status, 400);
    assert!(
        answer.starts_with("400: line 3: invalid type: string \"x\""),
        "{answer}"
    );
    let (status, answer) = request(&web, "POST", &feed, b"{\"event\":\"bye\"}\nnot json");
    assert_eq!(status, 400);
    assert!(answer.starts_with("400: line 2: expected ident"), "{answer}");
    assert_eq!(state(&web, &query), before);

    // Without the token: refused before the body is read.
    let (status, _) = request(&web, "POST", "/feed?from=x", body);
    assert_eq!(status, 403);
    let (status, _) = request(&web, "GET", "/state", b"");
    assert_eq!(status, 403);

    // Past the limit: 413.
    let big = vec![b' '; cablesim::web::FEED_LIMIT + 1];
    let (status, _) = request(&web, "POST", &feed, &big);
    assert_eq!(status, 413);
    assert_eq!(state(&web, &query), before);

    // And a good body is taken.
    let good = b"{\"event\":\"day\",\"day\":4,\"rotated\":false}\n";
    let (status, answer) = request(&web, "POST", &feed, good);
    assert_eq!((status, answer.as_str()), (204, ""));
    let after = state(&web, &query);
    assert_eq!(after["day"], 4);
    assert_eq!(after["seq"], before["seq"].as_u64().unwrap() + 1);

    hub.send("quit");
    assert_eq!(hub.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fail_to_report_and_the_proxy_carries_on() {
    let dir = temp_dir("web-report-to");
    // A port just freed: no page listens there.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/?token=0123", gone.local_addr().unwrap());
    drop(gone);
    let log = dir.join("tap.log");
    let mut tap = Proc::spawn(
        "tap",
        &[
            "tap",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "127.0.0.1:9",
            "--node",
            "at-mfa",
            "--report-to",
            &url,
            "--format",
            "json",
        ],
        &log,
    );
    listening(&mut tap);
    tap.send("day 1");
    tap.expect_event("day");
    tap.send("quit");
    assert_eq!(tap.wait(), Some(0));
    assert_eq!(tap.seen_named("report").len(), 1);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("could not report to the live page"), "{logged}");

    // A URL that is not the page's own is bad input, said before anything starts.
    let out = std::process::Command::new(processes::exe())
        .args([
            "tap",
            "--listen",
            "127.0.0.1:0",
            "--report-to",
            "https://192.0.2.7:8080/",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--report-to \"https://192.0.2.7:8080/\": only http:// URLs"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
