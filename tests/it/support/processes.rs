//! Driving real `cablesim` processes from tests: spawn with piped stdin and
//! stdout, read JSON events with a deadline, kill with SIGKILL or stop with
//! SIGTERM. Every wait is bounded, so a stuck process fails its test with
//! what it printed instead of hanging the suite.

// Each test file that includes this module uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long any single wait may take.
pub(crate) const WAIT: Duration = Duration::from_secs(60);

/// The binary under test.
pub(crate) fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_cablesim")
}

/// Where a test's first hub listens: any free loopback port, picked by
/// the hub's own bind, which it then prints. A port picked by the test
/// and handed over would be free only until someone else took it.
pub(crate) const ANY_PORT: &str = "127.0.0.1:0";

/// A fresh directory under the target's temporary directory.
pub(crate) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cablesim-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes a demo PKI for `scenario` into `dir` with `cablesim certs`.
pub(crate) fn certs(scenario: &str, dir: &Path) {
    let status = Command::new(exe())
        .args(["certs", "--scenario", scenario, "--out"])
        .arg(dir)
        .stdout(Stdio::null())
        .status()
        .expect("cablesim certs");
    assert!(status.success(), "cablesim certs failed");
}

/// `cablesim ROLE ARGS... --scenario S --certs dir/certs --data dir/data
/// --format json`, started with its stderr in `dir/LABEL.log`.
fn spawn_in(dir: &Path, scenario: &str, label: &str, role_args: &[&str]) -> Proc {
    let (certs, data) = (
        dir.join("certs").display().to_string(),
        dir.join("data").display().to_string(),
    );
    let mut args = role_args.to_vec();
    args.extend([
        "--scenario",
        scenario,
        "--certs",
        &certs,
        "--data",
        &data,
        "--format",
        "json",
    ]);
    Proc::spawn(label, &args, &dir.join(format!("{label}.log")))
}

/// A hub process for `scenario` listening on `listen` ([`ANY_PORT`], or
/// the address an earlier hub of the test printed, to restart it where
/// its nodes reconnect), with certificates in `dir/certs` and its database
/// in `dir/data`. Returned once listening, with the address it bound.
pub(crate) fn spawn_hub(dir: &Path, scenario: &str, listen: &str, label: &str) -> (Proc, String) {
    let mut hub = spawn_in(dir, scenario, label, &["hub", "--listen", listen]);
    let addr = listening(&mut hub);
    (hub, addr)
}

/// The address `process` printed in its `listening` event.
pub(crate) fn listening(process: &mut Proc) -> String {
    let event = process.expect_event("listening");
    match event["addr"].as_str() {
        Some(addr) => addr.to_owned(),
        None => process.fail(&format!("a listening event without an address: {event}")),
    }
}

/// The live page's URL a process wrote to its log (`--web`): the page is
/// served before the process listens, so it is there once it listens.
pub(crate) fn live_page_url(log: &Path) -> String {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("cablesim: live page at ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no live page URL in {}", log.display()))
}

/// Node `name` of `scenario` started against the hub at `hub`; `label`
/// names the process (and its log) in failures. Returned once connected.
pub(crate) fn spawn_node(dir: &Path, scenario: &str, name: &str, hub: &str, label: &str) -> Proc {
    let mut node = spawn_in(dir, scenario, label, &["node", "--name", name, "--hub", hub]);
    node.expect_event("connected");
    node
}

/// One running process and the events it printed.
pub(crate) struct Proc {
    pub(crate) label: String,
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<Value>,
    /// Every event read so far, in order.
    pub(crate) seen: Vec<Value>,
    pub(crate) log: PathBuf,
}

impl Proc {
    /// Starts `cablesim ARGS` with `--format json` expected among `args`;
    /// stderr goes to `log`.
    pub(crate) fn spawn(label: &str, args: &[&str], log: &Path) -> Proc {
        let stderr = std::fs::File::create(log).expect("log file");
        let mut child = Command::new(exe())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {label}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, events) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Proc {
            label: label.to_owned(),
            stdin: child.stdin.take(),
            child,
            events,
            seen: Vec::new(),
            log: log.to_owned(),
        }
    }

    /// Sends one command line.
    pub(crate) fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("{}: writing {line:?}: {e}", self.label));
    }

    /// Reads events until one satisfies `wanted`; panics after [`WAIT`].
    pub(crate) fn expect(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    self.seen.push(event.clone());
                    if wanted(&event) {
                        return event;
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.fail(&format!("no {what} within {WAIT:?}")),
                Err(RecvTimeoutError::Disconnected) => self.fail(&format!("exited before {what}")),
            }
        }
    }

    /// Waits for an event named `name`.
    pub(crate) fn expect_event(&mut self, name: &str) -> Value {
        self.expect(name, |e| e["event"] == name)
    }

    /// Every event that arrives within `quiet` of the previous one.
    pub(crate) fn drain(&mut self, quiet: Duration) {
        while let Ok(event) = self.events.recv_timeout(quiet) {
            self.seen.push(event);
        }
    }

    /// Events seen so far named `name`.
    pub(crate) fn seen_named(&self, name: &str) -> Vec<&Value> {
        self.seen.iter().filter(|e| e["event"] == name).collect()
    }

    /// The process id, to read its `/proc/PID/status`.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no goodbye, no flush, nothing after the last commit.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a clean exit; returns the exit status code.
    pub(crate) fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.wait()
    }

    /// Closes stdin (a `quit`) and waits for the exit status: stdout
    /// closing is the sign the process is gone, so no polling is needed.
    pub(crate) fn wait(&mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => self.seen.push(event),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => self.fail("did not exit"),
            }
        }
        self.child.wait().ok().and_then(|status| status.code())
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        panic!(
            "{}: {why}\nlast events: {:?}\nstderr tail:\n{}",
            self.label,
            self.seen.iter().rev().take(10).collect::<Vec<_>>(),
            tail.join("\n")
        );
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `from` sends `text` to `to` (both node processes), and `to` files it:
/// the same cable id on both sides, from `from`, with the text intact.
pub(crate) fn exchange(from: &mut Proc, to: &mut Proc, text: &str) {
    from.send(&format!("send {} -- {text}", to.label));
    let accepted = from.expect_event("accepted");
    let delivered = to.expect_event("delivered");
    assert_eq!(delivered["cable"], accepted["cable"]);
    assert_eq!(delivered["text"], text);
    assert_eq!(delivered["from"], from.label.as_str());
}

/// Cable ids in `name`'s SQLite inbox, with their multiplicity.
pub(crate) fn inbox_rows(data: &Path, name: &str) -> BTreeMap<String, usize> {
    let db = rusqlite::Connection::open(data.join(format!("{name}.sqlite"))).expect("node database");
    let mut stmt = db.prepare("SELECT id FROM inbox").expect("inbox table");
    let mut rows = BTreeMap::new();
    for id in stmt.query_map([], |row| row.get::<_, String>(0)).expect("query") {
        *rows.entry(id.expect("id")).or_default() += 1;
    }
    rows
}
