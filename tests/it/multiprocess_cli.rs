//! Bad input to the processes of the multi-process mode: each refusal
//! exits with status 2 and one line naming the option or file and the
//! reason; a bad command on a running node's stdin is answered with an
//! error event and the node carries on.

use crate::support::processes;

use std::process::Command;

use processes::{ANY_PORT, Proc, certs, exe, spawn_hub, spawn_node, temp_dir};

const SCENARIO: &str = "tests/fixtures/trio.toml";

fn refused(args: &[&str]) -> String {
    let out = Command::new(exe()).args(args).output().expect("cablesim runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "cablesim {args:?}: {stderr}");
    stderr
}

#[test]
fn a_node_that_is_not_in_the_network_is_refused() {
    let stderr = refused(&[
        "node",
        "--name",
        "xx-mfa",
        "--scenario",
        SCENARIO,
        "--certs",
        "certs",
        "--data",
        "/tmp/unused",
    ]);
    assert!(
        stderr.contains(r#"--name "xx-mfa" is not a node of the scenario's network (nodes: at-mfa, be-mfa, del-kyiv)"#),
        "{stderr}"
    );
}

#[test]
fn a_missing_certificate_directory_names_the_file() {
    let dir = temp_dir("cli-nocerts");
    let missing = dir.join("nowhere");
    let stderr = refused(&[
        "hub",
        "--scenario",
        SCENARIO,
        "--certs",
        &missing.display().to_string(),
        "--data",
        &dir.join("data").display().to_string(),
    ]);
    assert!(stderr.contains("nowhere/ca.pem: missing"), "{stderr}");
}

#[test]
fn a_participant_needs_only_their_own_key() {
    let dir = temp_dir("cli-ownkey");
    let certs_dir = dir.join("certs");
    certs(SCENARIO, &certs_dir);
    // be-mfa's laptop: no other node's key, no hub key.
    for other in ["at-mfa", "del-kyiv", "hub"] {
        std::fs::remove_file(certs_dir.join(format!("{other}.key.pem"))).unwrap();
    }
    let stderr = refused(&[
        "hub",
        "--scenario",
        SCENARIO,
        "--listen",
        ANY_PORT,
        "--certs",
        &certs_dir.display().to_string(),
        "--data",
        &dir.join("data").display().to_string(),
    ]);
    assert!(stderr.contains("hub.key.pem: missing"), "{stderr}");

    // be-mfa starts with only its own key: it waits for the hub, and says
    // so, rather than failing on the certificates. Nothing listens on port
    // 0: every connection there is refused, whatever else runs.
    let certs_arg = certs_dir.display().to_string();
    let data = dir.join("data").display().to_string();
    let hub = "127.0.0.1:0";
    let mut node = Proc::spawn(
        "be-mfa",
        &[
            "node",
            "--name",
            "be-mfa",
            "--scenario",
            SCENARIO,
            "--hub",
            hub,
            "--certs",
            &certs_arg,
            "--data",
            &data,
            "--format",
            "json",
        ],
        &dir.join("be-mfa.log"),
    );
    let waiting = node.expect_event("unreachable");
    assert_eq!(waiting["hub"], hub);
    assert!(
        waiting["reason"].as_str().unwrap().contains("Connection refused"),
        "{waiting}"
    );
    assert_eq!(
        node.terminate(),
        Some(0),
        "SIGTERM while waiting for the hub is a clean exit"
    );
}

#[test]
fn a_proxy_with_a_bad_address_is_refused() {
    let stderr = refused(&["tap", "--listen", "localhost", "--upstream", "127.0.0.1:4433"]);
    assert!(
        stderr.contains(r#"--listen "localhost": not an IP:PORT address"#),
        "{stderr}"
    );
}

#[test]
fn a_bad_command_is_answered_and_the_node_carries_on() {
    let dir = temp_dir("cli-badcommand");
    certs(SCENARIO, &dir.join("certs"));
    let (mut hub, addr) = spawn_hub(&dir, SCENARIO, ANY_PORT, "hub");
    let mut node = spawn_node(&dir, SCENARIO, "at-mfa", &addr, "at-mfa");
    for (line, expected) in [
        ("sned be-mfa -- hi", "stdin line 1: unknown command \"sned\""),
        ("send be-mfa", "stdin line 2: send needs `-- TEXT` after the addressees"),
        (
            "send xx-mfa -- hi",
            "unknown addressee(s) [\"xx-mfa\"]: not in the scenario's network",
        ),
        ("idle", "idle is not a node command"),
    ] {
        node.send(line);
        let error = node.expect_event("error");
        assert!(
            error["detail"].as_str().unwrap().starts_with(expected),
            "{line}: {error}"
        );
    }
    node.send("sync");
    node.expect_event("synced");
    node.send("quit");
    node.expect_event("bye");
    assert_eq!(node.wait(), Some(0));
    hub.send("day 3");
    assert_eq!(hub.expect_event("day")["day"], 3);
    hub.send("day 1");
    assert_eq!(
        hub.expect_event("error")["detail"],
        "the hub is on day 3; days only move forward"
    );
    hub.send("play 3");
    let error = hub.expect_event("error");
    assert_eq!(error["detail"], "play is not a hub command");
    hub.send("quit");
    assert_eq!(hub.wait(), Some(0));
}
