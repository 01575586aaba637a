//! The live page in a real browser (headless Chromium, `support/browser.rs`),
//! driving the real binary: `cablesim run --web --web-wait` and `cablesim
//! demo --web --web-wait` print the page's address, the browser opens it,
//! the run starts, and the page is watched as it fills in and then becomes
//! the report in place (README.md, "The live page").
//!
//! Every figure the page ends on is checked against the report the same
//! command prints, not against numbers written here. Every wait is bounded
//! by a deadline; none is a fixed sleep.

use crate::support::browser;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use browser::Browser;
use cablesim::net::AlarmKind;
use cablesim::scenario::{Scenario, Story};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// The longest any one step may take: the binary to say its address, the
/// page to get somewhere, the process to exit. Generous, for a 2-core
/// machine running several browsers at once; a page that gets there
/// returns as soon as it does.
const DEADLINE: Duration = Duration::from_secs(120);

/// What the binary says on stderr once the page is served.
const LIVE_PAGE_AT: &str = "cablesim: live page at ";

/// The first 8 bytes of every PNG file.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A fresh directory of its own for each test.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web_page").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cablesim ARGS` running with its live page served.
struct Cablesim {
    child: Child,
    url: String,
    stdout: JoinHandle<String>,
    /// Every line on stderr so far, for the failures to show.
    stderr: Arc<Mutex<Vec<String>>>,
    drained: JoinHandle<()>,
}

/// What the command left when it exited.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: Vec<String>,
}

impl Cablesim {
    /// Starts `cablesim ARGS` and returns once it printed the page's
    /// address. Both pipes are drained for as long as it runs, so a chatty
    /// log never blocks it; it is killed if the test fails first.
    async fn start(args: &[&str]) -> Cablesim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cablesim"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start cablesim {args:?}: {e}"));
        let mut out = child.stdout.take().expect("stdout");
        let stdout = tokio::spawn(async move {
            let mut text = String::new();
            out.read_to_string(&mut text).await.expect("stdout is UTF-8");
            text
        });
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let mut seen = Vec::new();
        let url = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = lines.next_line().await.expect("stderr is UTF-8") {
                if let Some(url) = line.strip_prefix(LIVE_PAGE_AT) {
                    return Some(url.trim().to_owned());
                }
                seen.push(line);
            }
            None
        })
        .await
        .unwrap_or_else(|_| panic!("cablesim {args:?} gave no address within {DEADLINE:?}"))
        .unwrap_or_else(|| panic!("cablesim {args:?} exited without serving a page; stderr: {seen:#?}"));
        let stderr = Arc::new(Mutex::new(seen));
        let log = stderr.clone();
        let drained = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                log.lock().unwrap().push(line);
            }
        });
        Cablesim {
            child,
            url,
            stdout,
            stderr,
            drained,
        }
    }

    /// Waits for the command to exit (after the page fetched the report).
    async fn finish(mut self) -> Finished {
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("cablesim did not exit within {DEADLINE:?}"))
            .expect("wait for cablesim");
        self.drained.await.expect("stderr reader");
        Finished {
            status,
            stdout: self.stdout.await.expect("stdout reader"),
            stderr: self.stderr.lock().unwrap().clone(),
        }
    }

    /// `wait_until` the page gets to `condition`; when the time is up, a
    /// failure that says where the page stood (its title, phase and last
    /// states) and where the command did (running or exited, and the end
    /// of its log).
    async fn wait_for(&mut self, browser: &Browser, condition: &str) {
        let Err(e) = browser.try_wait_until(condition, DEADLINE).await else {
            return;
        };
        let page = browser
            .eval_json(
                "return {title: document.title, phase: document.body.dataset.phase, \
                 said: document.getElementById('phase')?.textContent, \
                 states: (window.cablesimStates || []).length, \
                 last: (window.cablesimStates || []).slice(-3)}",
            )
            .await;
        let process = self.child.try_wait();
        let log = self.stderr.lock().unwrap().clone();
        let tail = &log[log.len().saturating_sub(20)..];
        panic!("{e}\nthe page: {page}\ncablesim: {process:?}, its log ends {tail:#?}");
    }
}

impl Finished {
    /// The JSON report of a `--format json` run, once it succeeded.
    fn report(&self) -> Value {
        assert!(self.status.success(), "{}: {:#?}", self.status, self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("the report is not JSON ({e}): {}", self.stdout))
    }
}

/// The figures one entry of `window.cablesimStates` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
struct Applied {
    seq: u64,
    day: u64,
    sent: u64,
    content: u64,
    alarms: u64,
}

/// Every state the page applied, in order. The list belongs to the window,
/// so it is still there after the page became the report.
async fn states(browser: &Browser) -> Vec<Applied> {
    let states = browser.eval_json("return window.cablesimStates").await;
    serde_json::from_value(states.clone()).unwrap_or_else(|e| panic!("window.cablesimStates ({e}): {states}"))
}

/// Checks that `pick` of `states` never goes down and takes at least 3
/// different values before the last state; returns the last.
fn grows(states: &[Applied], name: &str, pick: impl Fn(&Applied) -> u64) -> u64 {
    let values: Vec<u64> = states.iter().map(pick).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{name} went down: {values:?}");
    let before_last: BTreeSet<u64> = values[..values.len() - 1].iter().copied().collect();
    assert!(
        before_last.len() >= 3,
        "{name} took only {before_last:?} before the end: {values:?}"
    );
    *values.last().expect("at least one state")
}

/// A number the report gives.
fn number(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not a count: {value}"))
}

/// The JS expression: the page is still the live page (not yet the
/// report, which has an `#alarms` section of its own).
fn live(scenario: &str) -> String {
    format!("document.title === 'cablesim live: {scenario}'")
}

/// The JS expression: the page has become the report of `scenario`.
fn became_report(scenario: &str) -> String {
    format!("document.title === 'cablesim report: {scenario}' && document.body.dataset.phase === 'done'")
}

/// Where the mid-run screenshot goes: the repository's `docs/` (which the
/// README shows) when `CABLESIM_SCREENSHOT` is set, else a scratch file,
/// so that an ordinary test run leaves the committed picture alone.
fn screenshot_path(scratch: &Path) -> PathBuf {
    if std::env::var_os("CABLESIM_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        docs.join("live-page.png")
    } else {
        scratch.join("live-page.png")
    }
}

/// COREU, the whole built-in incident, watched from the first day to the
/// report: the map's nodes, the counters and the haul growing, a
/// screenshot mid-run, and the final state equal to the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coreu_live_page_grows_to_the_reports_figures_and_becomes_the_report() {
    let scratch = scratch_dir("coreu");
    let browser = Browser::start().await;
    let mut run = Cablesim::start(&["run", "coreu-2018", "--web", "--web-wait", "--format", "json"]).await;
    browser.goto(&run.url).await;
    assert_eq!(
        browser.eval_json("return document.title").await,
        "cablesim live: coreu-2018"
    );

    let names = "return [...document.querySelectorAll('svg .node[data-node]')].map(e => e.dataset.node)";
    let on_the_map: Vec<String> = serde_json::from_value(browser.eval_json(names).await).unwrap();

    // Mid-run: a year in, well before the end, and a leak listed. The
    // figures are read in the same script that finds the condition true,
    // so they are the page's at one moment, before the report replaced it.
    let mid_run = format!(
        "(() => {{
            const value = (css) => Number(document.querySelector(css).dataset.value);
            const day = value('#day');
            const leaks = document.querySelectorAll('.haul .newest li').length;
            if (!({live}) || document.body.dataset.phase !== 'running'
                || day < 365 || day > 900 || leaks === 0) return false;
            window.testMidRun = {{
                day, leaks,
                sent: value('#count-sent'),
                deliveries: value('#count-deliveries'),
                content: value('.haul[data-actor=\"phishers\"] [data-count=\"content\"]'),
            }};
            return true;
        }})()",
        live = live("coreu-2018"),
    );
    run.wait_for(&browser, &mid_run).await;
    let shot = screenshot_path(&scratch);
    browser.screenshot(&shot).await;
    let mid = browser.eval_json("return window.testMidRun").await;

    run.wait_for(&browser, &became_report("coreu-2018")).await;
    let applied = states(&browser).await;
    // The report has the same map.
    assert_eq!(browser.count("svg .node[data-node]").await, on_the_map.len());
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    let finished = run.finish().await;
    let report = finished.report();

    // One mark per node of the network, each node once.
    let network: BTreeSet<String> = report["network"]
        .as_array()
        .expect("network")
        .iter()
        .map(|node| node["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(on_the_map.len(), report["network"].as_array().unwrap().len());
    assert_eq!(on_the_map.iter().cloned().collect::<BTreeSet<_>>(), network);

    let days = number(&report["days"]);
    let sent = number(&report["cables"]["sent"]);
    let deliveries = number(&report["cables"]["deliveries"]);
    let actors = report["actors"].as_array().expect("actors");
    assert_eq!(actors.len(), 1, "COREU has one actor");
    assert_eq!(actors[0]["actor"], "phishers");
    let content = actors[0]["content"].as_array().expect("content").len() as u64;
    let alarms = report["alarms"].as_array().expect("alarms").len() as u64;

    // The figures grew and ended exactly where the report ends.
    assert_eq!(grows(&applied, "day", |s| s.day), days);
    assert_eq!(grows(&applied, "sent", |s| s.sent), sent);
    assert_eq!(grows(&applied, "content", |s| s.content), content);
    assert_eq!(applied.last().unwrap().alarms, alarms);
    assert!(applied.windows(2).all(|w| w[0].seq < w[1].seq), "{applied:?}");

    // Mid-run, each counter was on its way: above nothing, below the end.
    for (name, end) in [("sent", sent), ("deliveries", deliveries), ("content", content)] {
        let now = number(&mid[name]);
        assert!(0 < now && now < end, "mid-run {name} {now} of {end}: {mid}");
    }

    let png = std::fs::read(&shot).unwrap();
    assert_eq!(png[..8], PNG_SIGNATURE, "{} is not a PNG", shot.display());
    assert_eq!(
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        1600,
        "the window's width"
    );
    eprintln!(
        "coreu: {} states, mid-run {mid}, end day {days} sent {sent} deliveries {deliveries} content {content} alarms {alarms}; screenshot {}",
        applied.len(),
        shot.display()
    );
}

/// Forged instructions in headquarters' name, under signatures: every
/// ministry refuses each one with an alarm. Long enough (400 days, about
/// 2 s alone) that the alarms are on the page while the run goes on.
const FORGERIES: &str = r#"
[scenario]
name = "forged-broadcast"
description = "forged instructions refused with alarms"
seed = 1917
days = 400
cables = 1200

[network]
ministries = 6
missions = 3
hq = true

[security]
e2e = "forward-secret"
signatures = true
distribution = "broadcast"

[[adversary]]
kind = "forger"
impersonate = "hq"
from_day = 10
until_day = 390
actor = "forger"
"#;

/// Alarms appear on the page as they are raised, each with the ATT&CK id
/// of its kind, and the count ends at the report's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_appear_with_their_attack_ids_while_the_run_goes_on() {
    let scratch = scratch_dir("alarms");
    let file = scratch.join("forged-broadcast.toml");
    std::fs::write(&file, FORGERIES).unwrap();
    let browser = Browser::start().await;
    let mut run = Cablesim::start(&["run", file.to_str().unwrap(), "--web", "--web-wait", "--format", "json"]).await;
    browser.goto(&run.url).await;

    // The alarm list of the live page, as one moment saw it.
    let seen = format!(
        "(() => {{
            const attacks = [...document.querySelectorAll('#alarms li .attack')].map(e => e.textContent);
            if (!({live}) || attacks.length === 0) return false;
            window.testAlarms = {{
                attacks,
                count: Number(document.getElementById('count-alarms').dataset.value),
                phase: document.body.dataset.phase,
            }};
            return true;
        }})()",
        live = live("forged-broadcast"),
    );
    run.wait_for(&browser, &seen).await;
    let mid = browser.eval_json("return window.testAlarms").await;

    run.wait_for(&browser, &became_report("forged-broadcast")).await;
    let applied = states(&browser).await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    let report = run.finish().await.report();
    let alarms = report["alarms"].as_array().expect("alarms");
    let kinds: BTreeSet<AlarmKind> = alarms
        .iter()
        .map(|alarm| serde_json::from_value(alarm["kind"].clone()).expect("an alarm kind"))
        .collect();
    let expected: BTreeSet<String> = kinds
        .iter()
        .map(|kind| kind.attack_technique().expect("an ATT&CK id").to_owned())
        .collect();
    assert_eq!(kinds, BTreeSet::from([AlarmKind::Signature]));
    assert_eq!(expected, BTreeSet::from(["T1565.002".to_owned()]));

    let listed: BTreeSet<String> = serde_json::from_value(mid["attacks"].clone()).unwrap();
    assert_eq!(listed, expected, "{mid}");
    let total = alarms.len() as u64;
    let then = number(&mid["count"]);
    assert!(0 < then && then <= total, "{then} alarms counted of {total}: {mid}");
    assert_eq!(grows(&applied, "alarms", |s| s.alarms), total);
    assert_eq!(applied.last().unwrap().sent, number(&report["cables"]["sent"]));
    assert_eq!(applied.last().unwrap().day, number(&report["days"]));
    eprintln!("alarms: {} states, seen {mid}, report {total}", applied.len());
}

/// A small broadcast network with malware on one ministry halfway
/// through: every standard mitigation gives a different figure.
const INCIDENT: &str = include_str!("../fixtures/small-incident.toml");

/// The figures a terminal row of the demo's table gives after `label`.
fn terminal_row(stdout: &str, label: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with(&format!("{label}  ")))
        .unwrap_or_else(|| panic!("the demo printed no row {label:?}:\n{stdout}"));
    let rest = line.trim_start()[label.len()..].split_whitespace();
    rest.take(2).map(str::to_owned).collect()
}

/// `demo --web`: the story's title, then the mitigation table filling in,
/// and the whole story still there under the report at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_story_and_mitigation_table_stay_on_the_report() {
    let scratch = scratch_dir("demo");
    let file = scratch.join("small-incident.toml");
    std::fs::write(&file, INCIDENT).unwrap();
    let scenario = Scenario::from_toml_str(INCIDENT, "small-incident.toml").unwrap();
    let story = Story::of(&scenario);
    let browser = Browser::start().await;
    let mut run = Cablesim::start(&["demo", file.to_str().unwrap(), "--web", "--web-wait"]).await;
    browser.goto(&run.url).await;

    let title = serde_json::to_string(&story.title).unwrap();
    run.wait_for(
        &browser,
        &format!("document.querySelector('#story h2')?.textContent === {title}"),
    )
    .await;
    run.wait_for(&browser, &became_report("small-incident")).await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    // The final page: the report, with the story under it.
    assert_eq!(browser.count("body > main #story").await, 1);
    assert_eq!(browser.text("#story h2").await, story.title);
    let rows = browser
        .eval_json(
            "return [...document.querySelectorAll('#story table tr')].map(tr => [...tr.cells].map(c => c.textContent))",
        )
        .await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
    let labels: Vec<&str> = std::iter::once("as it happened")
        .chain(story.mitigations.iter().map(|m| m.label))
        .collect();
    assert_eq!(
        rows.len(),
        1 + labels.len(),
        "header, as it happened, one per mitigation: {rows:?}"
    );
    assert_eq!(rows[0], ["measure", "cables read", "headers seen", "measured in"]);
    let firsts: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    assert_eq!(firsts, labels);
    // The retention and detection rows ride in the incident's run, need to
    // know with retention in need to know's; every other row has a run of
    // its own.
    let measured_in: Vec<&str> = rows[1..].iter().map(|row| row[3].as_str()).collect();
    let (own, incident) = ("its own run", "the incident's run");
    let need_to_know = "the run of \"need-to-know distribution\"";
    assert_eq!(
        measured_in,
        [own, own, incident, incident, own, need_to_know],
        "{rows:?}"
    );
    let story_text = browser.text("#story").await;
    assert!(!story_text.contains("(running)"), "{story_text}");
    assert_eq!(browser.count("#story .pending").await, 0);

    let finished = run.finish().await;
    assert!(finished.status.success(), "{}: {:#?}", finished.status, finished.stderr);
    // Each row says what the terminal's table says.
    for (row, label) in rows[1..].iter().zip(&labels) {
        let printed = if *label == "as it happened" {
            terminal_row(&finished.stdout, "none (as it happened)")
        } else if row[3] == "its own run" {
            terminal_row(&finished.stdout, label)
        } else if row[3] == "the incident's run" {
            terminal_row(&finished.stdout, &format!("{label} †"))
        } else {
            terminal_row(&finished.stdout, &format!("{label} ‡"))
        };
        assert_eq!(row[1..3], printed[..], "row {label:?}");
    }
    // The mitigations differ from one another: the table teaches something.
    let figures: BTreeSet<&str> = rows[2..].iter().map(|row| row[1].as_str()).collect();
    assert_eq!(figures.len(), story.mitigations.len(), "{rows:?}");
    eprintln!("demo: {rows:?}");
}
