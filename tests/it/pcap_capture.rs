//! Captures for Wireshark (README.md, "Captures for Wireshark"), as tshark sees
//! them: `cablesim run --pcap` writes TCP streams tshark reads without a
//! complaint, cables in the clear under `plaintext`, readable under `hop-tls`
//! only with the TLS secrets the file carries, and unreadable under `e2e-fs`
//! even then.
//!
//! These tests run tshark. `.ci/run` installs it; elsewhere, install it
//! (`apt-get install tshark`) or they fail saying so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use cablesim::net::{LinkTap, SendOutcome};
use cablesim::report::pcap::{FIRST_CLIENT_PORT, PcapRecorder, TlsKeyLog, node_address};
use cablesim::scenario::{Hooks, InProcessNetwork, Preset, Scenario};

/// Every cable body of the scenario ends with it.
const PHRASE: &str = "PELICAN ORCHARD";
const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/capture.toml");
/// Nodes of the scenario, each with one connection when nothing resets it.
const NODES: usize = 3;

/// A fresh directory for one test's files.
fn workdir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pcap_capture").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cablesim run` on the scenario under `preset`, writing a capture
/// and a key log into `dir`; returns their paths.
fn capture(preset: &str, dir: &Path) -> (PathBuf, PathBuf) {
    capture_with(preset, &[], dir)
}

/// [`capture`], with more arguments for `cablesim run`.
fn capture_with(preset: &str, extra: &[&str], dir: &Path) -> (PathBuf, PathBuf) {
    let (pcap, keys) = (dir.join("links.pcapng"), dir.join("keys.txt"));
    let output = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["run", SCENARIO, "--config", preset, "--pcap"])
        .arg(&pcap)
        .arg("--keylog")
        .arg(&keys)
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (pcap, keys)
}

/// tshark's standard output for `args`.
fn tshark(args: &[&str]) -> String {
    run_tool("tshark", args)
}

fn run_tool(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {tool} ({e}): the capture tests need Wireshark's command-line tools; \
             install them with `apt-get install tshark` (.ci/run does)"
        )
    });
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Wireshark 4.0 offers decrypted TLS payloads to every heuristic
/// dissector, and the RDP multi-transport one claims any record starting
/// with a zero byte — as every cable frame does (a big-endian length) —
/// then reports it malformed. `cablesim dissector` claims the port before
/// heuristics run; without it the tests switch that one dissector off.
const NOT_RDP: [&str; 2] = ["--disable-protocol", "rdpmt"];

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Asserts tshark reports no warning or error on `pcap`, with IP and TCP
/// checksum validation on: nothing malformed, no bad checksum, no TCP
/// sequence or acknowledgement anomaly.
fn assert_clean(pcap: &Path) {
    let expert = tshark(&[
        "-r",
        path(pcap),
        NOT_RDP[0],
        NOT_RDP[1],
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-q",
        "-z",
        "expert,warn",
    ]);
    assert_eq!(expert.trim(), "", "tshark's expert information for {}", pcap.display());
}

/// How many TCP streams (connections) tshark finds.
fn tcp_streams(pcap: &Path) -> usize {
    let streams = tshark(&["-r", path(pcap), "-T", "fields", "-e", "tcp.stream"]);
    let mut streams: Vec<&str> = streams.lines().collect();
    streams.sort();
    streams.dedup();
    streams.len()
}

/// How many packets carry `PHRASE` in their bytes on the wire.
fn frames_with_phrase(pcap: &Path) -> usize {
    let filter = format!("frame contains \"{PHRASE}\"");
    tshark(&["-r", path(pcap), "-Y", &filter]).lines().count()
}

/// Every TLS payload tshark could decrypt, in order, concatenated.
fn decrypted(pcap: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["-r", path(pcap), NOT_RDP[0], NOT_RDP[1]];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-Y", "tls", "-T", "fields", "-e", "data.data"]);
    tshark(&args)
        .split(['\n', ','])
        .filter(|hex| !hex.is_empty())
        .flat_map(|hex| hex::decode(hex).unwrap())
        .collect()
}

fn has_phrase(bytes: &[u8]) -> bool {
    bytes.windows(PHRASE.len()).any(|w| w == PHRASE.as_bytes())
}

#[test]
fn plaintext_links_show_every_cable_in_clean_tcp_streams() {
    let dir = workdir("plaintext");
    let (pcap, keys) = capture("plaintext", &dir);
    assert_clean(&pcap);
    assert_eq!(tcp_streams(&pcap), NODES);
    assert!(frames_with_phrase(&pcap) > 0, "the cable text is on the wire");
    // No TLS, so no secrets.
    assert_eq!(std::fs::read_to_string(keys).unwrap(), "");
}

#[test]
fn hop_tls_hides_cables_until_the_embedded_secrets_decrypt_them() {
    let dir = workdir("hop-tls");
    let (pcap, keys) = capture("hop-tls", &dir);
    assert_clean(&pcap);
    assert_eq!(tcp_streams(&pcap), NODES);
    assert_eq!(frames_with_phrase(&pcap), 0, "TLS hides the text on the wire");

    // The secrets block in the file is all tshark needs.
    assert!(has_phrase(&decrypted(&pcap, &[])));

    // Without it, nothing decrypts; the --keylog file does the same job.
    let bare = dir.join("no-secrets.pcapng");
    run_tool("editcap", &["--discard-all-secrets", path(&pcap), path(&bare)]);
    assert!(decrypted(&bare, &[]).is_empty());
    let keylog = format!("tls.keylog_file:{}", path(&keys));
    assert!(has_phrase(&decrypted(&bare, &["-o", &keylog])));

    // One TLS session per connection, and the key log has each of them.
    let hellos = tshark(&[
        "-r",
        path(&pcap),
        "-Y",
        "tls.handshake.type == 1",
        "-T",
        "fields",
        "-e",
        "tls.handshake.random",
    ]);
    let mut sessions: Vec<String> = hellos.lines().map(|r| r.replace(':', "")).collect();
    sessions.sort();
    let keys = std::fs::read_to_string(keys).unwrap();
    let mut logged: Vec<String> = keys
        .lines()
        .map(|line| line.split(' ').nth(1).unwrap().to_owned())
        .collect();
    logged.sort();
    logged.dedup();
    assert_eq!(sessions.len(), NODES);
    assert_eq!(logged, sessions);
}

/// The hybrid group changes only the key shares: TLS 1.3's key schedule,
/// and so the secrets a key log holds, are the same, and tshark decrypts
/// as before.
#[test]
fn post_quantum_transport_links_still_decrypt_with_the_embedded_secrets() {
    let dir = workdir("hop-tls-post-quantum");
    let (pcap, _) = capture_with("hop-tls", &["--set", "post_quantum=transport"], &dir);
    assert_clean(&pcap);
    assert_eq!(tcp_streams(&pcap), NODES);
    assert_eq!(frames_with_phrase(&pcap), 0, "TLS hides the text on the wire");
    // Every ServerHello chose X25519MLKEM768 (0x11EC = 4588).
    let chosen = tshark(&[
        "-r",
        path(&pcap),
        "-Y",
        "tls.handshake.type == 2",
        "-T",
        "fields",
        "-e",
        "tls.handshake.extensions_key_share_group",
    ]);
    assert_eq!(chosen.lines().collect::<Vec<_>>(), ["4588"; NODES]);
    assert!(has_phrase(&decrypted(&pcap, &[])));
}

#[test]
fn e2e_fs_cables_stay_unreadable_after_tls_is_decrypted() {
    let dir = workdir("e2e-fs");
    let (pcap, _) = capture("e2e-fs", &dir);
    assert_clean(&pcap);
    assert_eq!(tcp_streams(&pcap), NODES);
    assert_eq!(frames_with_phrase(&pcap), 0);
    let inside_tls = decrypted(&pcap, &[]);
    assert!(!inside_tls.is_empty(), "TLS is decrypted");
    assert!(!has_phrase(&inside_tls), "but the cables inside are sealed end to end");
}

#[tokio::test]
async fn a_reconnection_shows_as_a_new_tcp_stream() {
    let mut scenario = Scenario::load(SCENARIO).unwrap();
    scenario.apply_preset(Preset::HopTls);
    let recorder = Arc::new(PcapRecorder::for_network(
        &scenario.network,
        scenario.security.transport,
    ));
    let secrets = Arc::new(TlsKeyLog::new());
    let hooks = Hooks {
        link_taps: scenario
            .network
            .endpoints()
            .map(|n| (n.name.clone(), recorder.clone() as Arc<dyn LinkTap>))
            .collect(),
        key_log: Some(secrets.clone()),
        ..Hooks::default()
    };
    let net = InProcessNetwork::start(&scenario.network, &scenario.security, &hooks)
        .await
        .unwrap();
    // A reset link: del-kyiv connects again, then sends a cable over the
    // new connection, under a TLS session of its own.
    net.reconnect("del-kyiv").await.unwrap();
    let cable = scenario.cables.iter().find(|c| c.from == "del-kyiv").unwrap().clone();
    assert_eq!(net.nodes["del-kyiv"].send(cable).await.unwrap(), SendOutcome::Accepted);
    net.hub.wait_idle().await;
    for node in net.nodes.values() {
        node.shutdown().await;
    }

    let pcap = workdir("reconnection").join("links.pcapng");
    recorder.write(&pcap, &secrets).unwrap();
    assert_clean(&pcap);
    assert_eq!(recorder.connections(), NODES + 1);
    assert_eq!(tcp_streams(&pcap), NODES + 1);
    let kyiv = node_address(2).to_string();
    let filter = format!("ip.src == {kyiv} && tcp.flags.syn == 1");
    let ports = tshark(&["-r", path(&pcap), "-Y", &filter, "-T", "fields", "-e", "tcp.srcport"]);
    let expected = [FIRST_CLIENT_PORT, FIRST_CLIENT_PORT + 1].map(|p| p.to_string());
    assert_eq!(ports.lines().collect::<Vec<_>>(), expected);
    assert!(has_phrase(&decrypted(&pcap, &[])));
}
