//! Driving headless Chromium from tests through chromedriver (WebDriver):
//! open a page, read its DOM, run scripts, wait for a condition, collect
//! the console's errors and take a screenshot. Every wait is bounded, so a
//! page that never gets there fails its test with what was last seen
//! instead of hanging the suite.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` does).

// Each test file that includes this module uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// How long chromedriver may take to start and answer, and a session to open.
const START: Duration = Duration::from_secs(60);

/// How often `wait_until` looks again: often enough that a test waits at
/// most this long past the moment the page got there.
const POLL: Duration = Duration::from_millis(50);

/// The chromedriver binary (Debian's `chromium-driver` package).
const CHROMEDRIVER: &str = "chromedriver";

/// The command line chromium gets. Headless, no sandbox (CI runs as root
/// in a container), and nothing that reaches out to the network on its
/// own, so a run needs no network and sees only the pages it opens.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--window-size=1600,1000",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// One headless Chromium, driven by its own chromedriver. Dropping it ends
/// the session (chromium quits) and stops chromedriver.
pub(crate) struct Browser {
    client: Client,
    driver: Child,
    port: u16,
    session: String,
    /// Every SEVERE console entry read so far: chromedriver hands each log
    /// entry out once, so they are kept here to be returned every time.
    errors: Mutex<Vec<String>>,
}

impl Browser {
    /// Starts chromedriver on a loopback port of its own choosing and opens
    /// a headless session with the browser's console log enabled.
    pub(crate) async fn start() -> Browser {
        let (driver, port) = spawn_chromedriver();
        let mut guard = DriverGuard(Some(driver));
        wait_ready(port).await;

        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), json!({ "args": CHROMIUM_ARGS }));
        // The console's entries, read back by `console_errors`.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let url = format!("http://127.0.0.1:{port}");
        let client = tokio::time::timeout(
            START,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&url),
        )
        .await
        .unwrap_or_else(|_| panic!("chromedriver did not open a session within {START:?}"))
        .unwrap_or_else(|e| panic!("chromedriver could not start chromium ({e}); is `chromium` installed?"));
        let session = client
            .session_id()
            .await
            .expect("session id")
            .expect("chromedriver gave the session no id");
        Browser {
            client,
            driver: guard.0.take().expect("driver"),
            port,
            session,
            errors: Mutex::new(Vec::new()),
        }
    }

    /// Opens `url` and returns once it has loaded.
    pub(crate) async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// How many elements match `css`.
    pub(crate) async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("cannot look for `{css}`: {e}"))
            .len()
    }

    /// The rendered text of the first element matching `css`.
    pub(crate) async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("cannot read the text of `{css}`: {e}"))
    }

    /// Attribute `name` of the first element matching `css`, `None` if the
    /// element does not carry it.
    pub(crate) async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"))
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("cannot read `{name}` of `{css}`: {e}"))
    }

    /// Runs `script` in the page and returns what it returns, as JSON.
    /// `script` is a function body, as WebDriver runs it: `return x` gives
    /// the value (and without a `return`, the value is `null`).
    pub(crate) async fn eval_json(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the JavaScript expression `condition` is truthy in the
    /// page, looking again every 50 ms; fails the test, saying what it was
    /// waiting for, if `timeout` passes first.
    pub(crate) async fn wait_until(&self, condition: &str, timeout: Duration) {
        if let Err(e) = self.try_wait_until(condition, timeout).await {
            panic!("{e}");
        }
    }

    /// `wait_until`, with the timeout as an error instead of a failed test.
    /// The error names the condition, the timeout and the last value seen
    /// (or the exception the expression last threw).
    pub(crate) async fn try_wait_until(&self, condition: &str, timeout: Duration) -> Result<(), String> {
        let script = format!("return Boolean({condition});");
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.client.execute(&script, Vec::new()).await {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(value) => format!("last value: {value}"),
                // A condition over something not there yet may throw until
                // it is; what it threw is reported if it never stops.
                Err(e) => format!("last error: {e}"),
            };
            if Instant::now() >= deadline {
                return Err(format!(
                    "timed out after {timeout:?} waiting for `{condition}` ({last})"
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The console entries of level SEVERE the pages logged since the
    /// session started (`console.error`, uncaught exceptions, failed loads),
    /// each as chromedriver gives its message.
    pub(crate) async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("cannot read the browser's console log: {e}"));
        let entries = entries
            .as_array()
            .unwrap_or_else(|| panic!("console log is not a list: {entries}"));
        let mut errors = self.errors.lock().expect("console errors");
        for entry in entries {
            if entry["level"] == "SEVERE" {
                let message = entry["message"].as_str().unwrap_or_default();
                errors.push(message.to_string());
            }
        }
        errors.clone()
    }

    /// Writes a PNG of the visible page to `path`.
    pub(crate) async fn screenshot(&self, path: &Path) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session is what makes chromedriver quit chromium; a
        // chromedriver killed with its session open would leave chromium
        // running. `Drop` cannot await, so this one request is plain
        // blocking HTTP/1.1 on loopback, bounded by socket timeouts.
        end_session(self.port, &self.session);
        stop(&mut self.driver);
    }
}

/// Chromedriver's console log: the legacy (pre-W3C) log command, which
/// chromedriver still serves under `/se/log` in W3C mode. Each entry is
/// returned once: a second read gives only what was logged since.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("the log is read within a session");
        base_url.join(&format!("session/{session}/se/log"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// Stops chromedriver if `Browser::start` fails after spawning it.
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            stop(child);
        }
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Starts chromedriver with `--port=0` and reads the port it bound from
/// its first lines ("... started successfully on port N."): a port picked
/// here and handed over would be free only until someone else took it.
fn spawn_chromedriver() -> (Child, u16) {
    let mut child = Command::new(CHROMEDRIVER)
        .args(["--port=0", "--log-level=WARNING"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {CHROMEDRIVER} ({e}): the live page is checked in headless \
                 Chromium through chromedriver; install it (Debian: apt-get install chromium \
                 chromium-driver; .ci/run does)"
            )
        });
    let lines = read_lines(child.stdout.take().expect("chromedriver stdout"));
    let deadline = Instant::now() + START;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(port) = started_on(&line) {
                    return (child, port);
                }
                seen.push(line);
            }
            Err(RecvTimeoutError::Timeout) => {
                stop(&mut child);
                panic!("chromedriver did not say its port within {START:?}; it printed {seen:#?}");
            }
            Err(RecvTimeoutError::Disconnected) => {
                stop(&mut child);
                panic!("chromedriver exited before saying its port; it printed {seen:#?}");
            }
        }
    }
}

/// The port in chromedriver's "ChromeDriver was started successfully on
/// port 37367." line.
fn started_on(line: &str) -> Option<u16> {
    let rest = line.split("started successfully on port ").nth(1)?;
    rest.trim().trim_end_matches('.').parse().ok()
}

/// Reads `out` line by line on a thread of its own, which also keeps the
/// pipe drained for as long as chromedriver runs.
fn read_lines(out: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            // The receiver is gone once the port was read; keep draining.
            let _ = tx.send(line);
        }
    });
    rx
}

/// Polls chromedriver's `/status` until it says it is ready, for at most
/// `START`.
async fn wait_ready(port: u16) {
    let deadline = Instant::now() + START;
    loop {
        let last = match tokio::task::spawn_blocking(move || http(port, "GET", "/status")).await {
            Ok(Ok(body)) if body.contains("\"ready\":true") => return,
            Ok(Ok(body)) => body,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            panic!("chromedriver on port {port} not ready within {START:?}: {last}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `DELETE /session/ID`: chromedriver quits chromium.
fn end_session(port: u16, session: &str) {
    let _ = http(port, "DELETE", &format!("/session/{session}"));
}

/// One bodiless HTTP/1.1 request to chromedriver on loopback, returning
/// the whole response. Blocking, with socket timeouts, for the two places
/// that cannot go through the WebDriver client: before a session exists,
/// and in `Drop`.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(START))?;
    stream.set_write_timeout(Some(START))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // Chromedriver keeps the connection open whatever the request says, so
    // the response ends where its Content-Length says, not at EOF.
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(std::io::Error::other)?;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(head + &String::from_utf8_lossy(&body))
}
