//! The hub's page in a real browser (headless Chromium): the room lights
//! up as nodes connect, and a refused peer shows in the refused counter
//! and the alarm list, with no error on the page's console.

use crate::support::browser;
use crate::support::processes;

use std::time::Duration;

use browser::Browser;
use cablesim::net::{Pki, tls};
use cablesim::scenario::resolve;
use processes::{Proc, certs, listening, spawn_node, temp_dir};

const SCENARIO: &str = "tests/fixtures/trio.toml";
const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_page_lights_up_and_counts_the_refused() {
    let dir = temp_dir("web-hub-browser");
    certs(SCENARIO, &dir.join("certs"));
    let (certs_dir, data) = (
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
            "--scenario",
            SCENARIO,
            "--certs",
            &certs_dir,
            "--data",
            &data,
            "--format",
            "json",
        ],
        &log,
    );
    let addr = listening(&mut hub);
    let url = processes::live_page_url(&log);

    let browser = Browser::start().await;
    browser.goto(&url).await;
    browser
        .wait_until("document.body.dataset.phase === 'running'", WAIT)
        .await;
    assert_eq!(browser.count(".node.connected[data-node='at-mfa']").await, 0);
    assert_eq!(browser.attr("#refused", "hidden").await.as_deref(), Some("true"));

    let mut at = spawn_node(&dir, SCENARIO, "at-mfa", &addr, "at-mfa");
    browser
        .wait_until(
            "document.querySelector(\".node[data-node='at-mfa']\").classList.contains('connected')",
            WAIT,
        )
        .await;

    // Another node's certificate, claiming at-mfa's name.
    let network = resolve(SCENARIO).unwrap().network;
    let pki = Pki::load_pem(&dir.join("certs"), &network).unwrap();
    let wrong = tls::client_config_with(
        pki.ca_cert(),
        Some(pki.credentials("be-mfa").unwrap()),
        true,
        tls::KeyExchange::Classical,
    )
    .unwrap();
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut stream = tokio_rustls::TlsConnector::from(wrong)
        .connect(tls::hub_server_name(), tcp)
        .await
        .unwrap();
    let hello = cablesim::wire::encode_frame(
        &cablesim::wire::Frame::Hello {
            node: "at-mfa".into(),
            protocol: cablesim::wire::PROTOCOL_VERSION,
        },
        cablesim::wire::DEFAULT_MAX_FRAME,
    )
    .unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, &hello).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer).await;

    browser
        .wait_until("document.getElementById('count-refused').dataset.value === '1'", WAIT)
        .await;
    assert_eq!(browser.attr("#refused", "hidden").await, None);
    browser
        .wait_until("document.getElementById('count-alarms').dataset.value === '1'", WAIT)
        .await;
    assert_eq!(browser.text("#alarms li .attack").await, "T1557");
    assert!(browser.text("#alarms li").await.contains("identity-mismatch"));
    // The impostor took no one's place.
    assert_eq!(browser.count(".node.connected[data-node='at-mfa']").await, 1);
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    at.send("quit");
    assert_eq!(at.wait(), Some(0));
    hub.send("quit");
    assert_eq!(hub.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
