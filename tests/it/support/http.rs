//! A test's HTTP client for the live page: raw HTTP/1.0 over a blocking
//! socket (a 1.0 client gets every body delimited by the close, event
//! streams included, so nothing here decodes chunks), and the URL a
//! `--web` process prints on stderr.

// Each test file that includes this module uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::ChildStderr;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::Value;

/// How long any read may wait.
const READ_WAIT: Duration = Duration::from_secs(120);

/// `http://HOST:PORT/?token=T` split into the address and the query
/// (`?token=T`, or empty).
pub(crate) fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (addr, path) = rest.split_once('/').expect("a path");
    let query = path.strip_prefix('?').map(|q| format!("?{q}")).unwrap_or_default();
    (addr.to_owned(), query)
}

/// Reads `stderr` in a thread: the receiver gets the page's URL (from
/// `cablesim: live page at URL`), and every line goes to `log` as well.
pub(crate) fn page_url(stderr: ChildStderr) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("[child] {line}");
            if let Some(url) = line.strip_prefix("cablesim: live page at ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    rx
}

fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    stream.set_read_timeout(Some(READ_WAIT)).unwrap();
    stream
}

/// One request; returns the status and the body.
pub(crate) fn request(addr: &str, method: &str, target: &str, body: &[u8]) -> (u16, String) {
    let mut stream = connect(addr);
    let head = format!(
        "{method} {target} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before it reads a large body: a write
    // error then is not the test's failure.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, body.to_owned())
}

/// `GET target`.
pub(crate) fn get(addr: &str, target: &str) -> (u16, String) {
    request(addr, "GET", target, b"")
}

/// The state now (`GET /state`), as JSON.
pub(crate) fn state(addr: &str, query: &str) -> Value {
    let (status, body) = get(addr, &format!("/state{query}"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("/state: {e}: {body}"))
}

/// An open event stream (`GET /events`).
pub(crate) struct Events {
    lines: std::io::Lines<BufReader<TcpStream>>,
}

impl Events {
    /// Opens the stream and reads past the response head.
    pub(crate) fn open(addr: &str, query: &str) -> Events {
        let mut stream = connect(addr);
        write!(stream, "GET /events{query} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut lines = BufReader::new(stream).lines();
        let status = lines.next().expect("a status line").unwrap();
        assert!(status.contains(" 200 "), "{status}");
        for line in lines.by_ref() {
            if line.unwrap().is_empty() {
                break;
            }
        }
        Events { lines }
    }

    /// The next state, or `None` once the stream has ended.
    pub(crate) fn next_state(&mut self) -> Option<Value> {
        let mut event = String::new();
        for line in self.lines.by_ref() {
            let line = line.expect("reading the event stream");
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_owned();
            } else if let Some(data) = line.strip_prefix("data: ")
                && event == "state"
            {
                return Some(serde_json::from_str(data).unwrap_or_else(|e| panic!("a state: {e}: {data}")));
            }
        }
        None
    }

    /// Reads states until the final one (`"report": true`) and returns
    /// every state read, the final one last.
    pub(crate) fn until_the_report(&mut self) -> Vec<Value> {
        let mut states = Vec::new();
        while let Some(state) = self.next_state() {
            let last = state["report"] == true;
            states.push(state);
            if last {
                return states;
            }
        }
        panic!("the stream ended before the report: {:?}", states.last());
    }
}
