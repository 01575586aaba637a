//! The live page's server, over real sockets: what it serves, the token
//! it requires off loopback, a browser that connects late, and one that
//! connects and never reads (README.md, "The live page").
//!
//! The client is a few lines of HTTP/1.1 over a TCP stream: enough to
//! send a GET and read the answer, and to not read at all.

use std::net::SocketAddr;
use std::time::Duration;

use cablesim::report::RunReport;
use cablesim::scenario::{Scenario, planned_report};
use cablesim::web::{LiveFeed, STATE_INTERVAL, WebServer, alarm_line};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SCENARIO: &str = r#"
[scenario]
name = "web"
seed = 7
days = 6
cables = 12
[network]
ministries = 3
missions = 1
[[adversary]]
kind = "endpoint"
at = "at-mfa"
"#;

fn planned() -> RunReport {
    let scenario = Scenario::from_toml_str(SCENARIO, "web.toml").unwrap();
    planned_report(&scenario, None).unwrap()
}

async fn serve(addr: &str) -> (WebServer, LiveFeed, SocketAddr) {
    let planned = planned();
    let page = cablesim::report::render_live_page(&planned, &serde_json::json!({})).unwrap();
    let feed = LiveFeed::new(&planned);
    let server = WebServer::start(addr.parse().unwrap(), page, feed.clone())
        .await
        .unwrap();
    let url = server.url().to_owned();
    let port: u16 = url
        .split(':')
        .nth(2)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL");
    (server, feed, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Sends a GET for `path` and reads the whole answer. HTTP/1.0: the
/// server sends the body as it is, not in chunks, and closes the
/// connection after it.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The `data:` lines of an event stream, parsed.
fn states(stream: &str) -> Vec<serde_json::Value> {
    stream
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("a JSON state"))
        .collect()
}

#[tokio::test]
async fn on_loopback_the_page_the_state_and_then_the_report() {
    let (_server, feed, addr) = serve("127.0.0.1:0").await;
    let (status, page) = get(addr, "/").await;
    assert_eq!(status, 200);
    // The report's map: one element per node of the network (the hub, 3
    // ministries, 1 mission), and nothing fetched from anywhere else.
    assert_eq!(page.matches("<g class=\"node ").count(), 5, "{page}");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "an external reference"
    );
    let (status, state) = get(addr, "/state").await;
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["phase"], "waiting");
    assert_eq!(state["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(state["days"], 6);
    let (status, _) = get(addr, "/report").await;
    assert_eq!(status, 404, "no report before the end");

    feed.update(|board| {
        board.connection("at-mfa", true);
        board.sent("at-mfa");
        board.relayed();
        board.delivered("be-mfa");
        board.delivered("bg-mfa");
    });
    let (_, state) = get(addr, "/state").await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["phase"], "running");
    assert_eq!(state["seq"], 5);
    assert_eq!(
        state["counts"],
        serde_json::json!({"sent": 1, "relayed": 1, "deliveries": 2, "refused": 0})
    );

    let mut report = planned();
    report.cables.sent = 1;
    feed.finish(&report).unwrap();
    let (status, html) = get(addr, "/report").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>cablesim report: web</title>"), "{html}");
    let (_, state) = get(addr, "/state").await;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(
        (state["phase"].as_str(), state["report"].as_bool()),
        (Some("done"), Some(true))
    );
}

#[tokio::test]
async fn fail_without_the_token_off_loopback() {
    let (server, _feed, addr) = serve("0.0.0.0:0").await;
    let token = server
        .url()
        .split_once("?token=")
        .expect("a token in the URL")
        .1
        .to_owned();
    assert_eq!(token.len(), 32);
    for path in ["/", "/state", "/events", "/report", "/?token=", "/state?token=0123"] {
        let (status, body) = get(addr, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("needs the token"), "{path}: {body}");
    }
    let (status, _) = get(addr, &format!("/?token={token}")).await;
    assert_eq!(status, 200);
    let (status, _) = get(addr, &format!("/state?token={token}")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_late_browser_gets_the_current_state_then_the_stream_to_the_end() {
    let (_server, feed, addr) = serve("127.0.0.1:0").await;
    feed.update(|board| {
        board.connection("be-mfa", true);
        board.sent("be-mfa");
    });
    let alarm = cablesim::net::Alarm {
        day: 2,
        node: "bg-mfa".into(),
        kind: cablesim::net::AlarmKind::Signature,
        detail: "a forged cable".into(),
        cable: None,
        link: None,
    };
    let reader = tokio::spawn(async move { get(addr, "/events").await });
    // The first state goes out at once, whatever changed before.
    feed.wait_for_a_page().await;
    feed.update(|board| board.alarm(alarm_line(&alarm)));
    feed.finish(&planned()).unwrap();
    let (status, stream) = reader.await.unwrap();
    assert_eq!(status, 200);
    let states = states(&stream);
    let first = states.first().expect("a first state");
    assert_eq!(first["counts"]["sent"], 1);
    assert_eq!(first["nodes"][2]["name"], "be-mfa");
    assert_eq!(first["nodes"][2]["connected"], true);
    // The stream ends with the final state, which has the alarm and its
    // ATT&CK id.
    let last = states.last().unwrap();
    assert_eq!(last["report"], true);
    assert_eq!(last["alarms"]["total"], 1);
    assert_eq!(last["alarms"]["recent"][0]["attack"], "T1565.002");
    assert_eq!(states.iter().filter(|s| s["report"] == true).count(), 1);
}

#[tokio::test]
async fn a_browser_that_never_reads_costs_nothing_and_skips_to_the_latest_state() {
    let (_server, feed, addr) = serve("127.0.0.1:0").await;
    // Connects, asks for the stream, and reads nothing for now.
    let mut sleeper = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /events HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    sleeper.write_all(request.as_bytes()).await.unwrap();
    feed.wait_for_a_page().await;
    // A whole run's worth of events while it sleeps.
    const EVENTS: u64 = 100_000;
    let started = std::time::Instant::now();
    for _ in 0..EVENTS {
        feed.update(|board| board.delivered("be-mfa"));
    }
    // Everyone else is served as usual.
    let (status, state) = get(addr, "/state").await;
    assert_eq!(status, 200);
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["counts"]["deliveries"], EVENTS);
    feed.finish(&planned()).unwrap();
    let intervals = started.elapsed().as_millis() / STATE_INTERVAL.as_millis();
    // Now it reads: not a state per event queued for it, only the states
    // that went out at most once per interval (the first at once, one per
    // interval begun since, the final one), and then the latest.
    let mut stream = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), sleeper.read_to_end(&mut stream))
        .await
        .expect("the stream ends after the final state")
        .unwrap();
    let states = states(&String::from_utf8_lossy(&stream));
    let most = 2 + usize::try_from(intervals).unwrap() + 1;
    assert!(
        states.len() <= most,
        "{} states queued for a browser that never read ({} intervals)",
        states.len(),
        intervals
    );
    let last = states.last().unwrap();
    assert_eq!(last["counts"]["deliveries"], EVENTS);
    assert_eq!(last["report"], true);
}

#[tokio::test]
async fn a_page_sent_the_final_state_is_waited_for_until_it_fetches_the_report() {
    use futures_util::FutureExt;

    let (_server, feed, addr) = serve("127.0.0.1:0").await;
    feed.finish(&planned()).unwrap();
    // The page gets the final state and its stream ends, all before the
    // run begins to wait for the pages: it still counts, as it fetches the
    // report next.
    let (status, stream) = get(addr, "/events").await;
    assert_eq!(status, 200);
    assert_eq!(states(&stream).last().unwrap()["report"], true);
    assert_eq!(feed.pages(), 1);
    let mut waiting = Box::pin(feed.wait_for_pages(Duration::from_secs(60)));
    assert!(
        (&mut waiting).now_or_never().is_none(),
        "the run would leave before the page fetched the report"
    );
    let (status, _) = get(addr, "/report").await;
    assert_eq!(status, 200);
    tokio::time::timeout(Duration::from_secs(60), waiting)
        .await
        .expect("fetching the report ends the wait");
}
