//! `cablesim run --report FILE`: the Markdown report as a snapshot, the
//! JSON report's added fields with exact values, and the HTML report as a
//! browser sees it — self-contained, one map node per network node, and
//! rendered by headless Chromium into a page that is not blank.
//!
//! The scenario is `tests/fixtures/report-small.toml` (its header works
//! out what each actor obtains). Its seed is fixed and its adversaries'
//! evidence names no key, so the reports are the same on every run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cablesim::report::{render_html, render_markdown};
use cablesim::scenario::{Runner, Scenario};
use serde_json::json;

fn fixture() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report-small.toml")
        .display()
        .to_string()
}

/// A fresh directory of its own for each test, so tests run in parallel.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("report_files")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cablesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Runs the fixture with `--report dir/name` and returns the file's text.
fn report_file(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let out = cablesim(&["run", &fixture(), "--report", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&path).unwrap()
}

const NODES: [&str; 7] = ["hub", "at-mfa", "be-mfa", "cy-mfa", "del-kyiv", "del-washington", "hq"];

#[test]
fn the_markdown_report_reads_as_expected() {
    let dir = scratch_dir("markdown");
    let markdown = report_file(&dir, "report.md");
    insta::assert_snapshot!("report_small_markdown", markdown);
}

#[test]
fn the_json_report_has_the_network_the_adversaries_and_leaks_by_day() {
    let dir = scratch_dir("json");
    let report: serde_json::Value = serde_json::from_str(&report_file(&dir, "report.json")).unwrap();
    // The same document as `--format json` prints.
    let stdout = cablesim(&["run", &fixture(), "--format", "json"]).stdout;
    assert_eq!(report, serde_json::from_slice::<serde_json::Value>(&stdout).unwrap());

    assert_eq!(
        report["network"],
        json!([
            {"name": "hub", "role": "hub"},
            {"name": "at-mfa", "role": "ministry"},
            {"name": "be-mfa", "role": "ministry"},
            {"name": "cy-mfa", "role": "ministry"},
            {"name": "del-kyiv", "role": "mission"},
            {"name": "del-washington", "role": "mission"},
            {"name": "hq", "role": "hq"},
        ])
    );
    assert_eq!(
        report["adversaries"],
        json!([
            {"name": "endpoint@at-mfa", "kind": "endpoint", "actor": "phishers", "position": "node",
             "node": "at-mfa", "window": {"from": 3, "until": 9}, "attack": ["T1005"]},
            {"name": "tap@del-kyiv", "kind": "tap", "actor": "wiretap", "position": "link",
             "node": "del-kyiv", "window": {"from": 0, "until": null}, "attack": ["T1040"]},
        ])
    );

    let phishers = &report["actors"][0];
    assert_eq!(phishers["actor"], "phishers");
    assert_eq!(
        phishers["leaks_by_day"],
        json!([
            {"day": 1, "content": 1, "routing": 1},
            {"day": 2, "content": 1, "routing": 1},
            {"day": 8, "content": 1, "routing": 1},
        ])
    );
    assert_eq!(
        phishers["by_sender"],
        json!({
            "at-mfa": {"content": 1, "routing": 1},
            "cy-mfa": {"content": 1, "routing": 1},
            "del-kyiv": {"content": 1, "routing": 1},
        })
    );
    let endpoint_attack = json!(["T1005"]);
    assert_eq!(
        phishers["evidence"],
        json!([
            {"cable": "C1", "via": "endpoint at-mfa inbox, day 3", "attack": endpoint_attack,
             "classification": "limite", "day": 1, "from": "del-kyiv"},
            {"cable": "C2", "via": "endpoint at-mfa sent items, day 3", "attack": endpoint_attack,
             "classification": "restricted", "day": 2, "from": "at-mfa"},
            {"cable": "C6", "via": "endpoint at-mfa inbox, arrived day 8", "attack": endpoint_attack,
             "classification": "secret", "day": 8, "from": "cy-mfa"},
        ])
    );

    let wiretap = &report["actors"][1];
    assert_eq!(wiretap["actor"], "wiretap");
    assert_eq!(
        wiretap["leaks_by_day"],
        json!([{"day": 1, "content": 1, "routing": 1}, {"day": 2, "content": 1, "routing": 1}])
    );
    assert_eq!(
        wiretap["evidence"],
        json!([
            {"cable": "C1", "via": "tap del-kyiv->hub, plain", "attack": ["T1040"],
             "classification": "limite", "day": 1, "from": "del-kyiv"},
            {"cable": "C2", "via": "tap hub->del-kyiv, plain", "attack": ["T1040"],
             "classification": "restricted", "day": 2, "from": "at-mfa"},
        ])
    );
}

#[test]
fn the_html_report_is_self_contained_with_one_map_node_per_node() {
    let dir = scratch_dir("html");
    let html = report_file(&dir, "report.html");
    for external in ["http://", "https://", "src=", "href=", "url(", "@import"] {
        assert!(!html.contains(external), "the page refers to {external:?}");
    }
    assert!(
        !html.contains("{{") && !html.contains("{%"),
        "template syntax left in the page"
    );
    assert_eq!(html.matches("data-node=\"").count(), NODES.len());
    for node in NODES {
        assert_eq!(html.matches(&format!("data-node=\"{node}\"")).count(), 1, "{node}");
    }
    for section in ["id=\"map\"", "id=\"timeline\"", "id=\"leaks\"", "id=\"alarms\""] {
        assert!(html.contains(section), "no {section}");
    }
    // Every leaked cable of each actor is in the table.
    assert_eq!(html.matches("<td class=\"tag\">C1</td>").count(), 2);
    assert_eq!(html.matches("<td class=\"tag\">C6</td>").count(), 1);
    assert_balanced(&html);
}

#[test]
fn fail_an_unknown_report_extension_exits_2_before_the_run() {
    let dir = scratch_dir("unknown");
    let path = dir.join("report.pdf");
    let out = cablesim(&["run", &fixture(), "--report", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("report.pdf") && err.contains(".html, .md or .json"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no run took place");
    assert!(!path.exists());
}

#[test]
fn names_with_markup_are_escaped_in_html_and_markdown() {
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("name = \"report-small\"", "name = \"<script>alert(1)</script> | & co\"");
    let scenario = Scenario::from_toml_str(&text, "markup.toml").unwrap();
    let report = Runner::new(scenario).run_blocking().unwrap().report;

    let html = render_html(&report).unwrap();
    assert!(!html.contains("<script>"), "unescaped name in the HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; | &amp; co"));
    assert_balanced(&html);

    let markdown = render_markdown(&report).unwrap();
    assert!(markdown.starts_with("# cablesim report: \\<script>alert(1)\\</script> \\| & co\n"));
}

/// A small well-formedness check: every element opened is closed, in order,
/// except HTML's void elements; no stray `<` or `>` outside a tag.
fn assert_balanced(html: &str) {
    const VOID: [&str; 4] = ["meta", "br", "link", "img"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html.trim_start();
    assert!(rest.starts_with("<!DOCTYPE html>"), "no doctype");
    rest = &rest["<!DOCTYPE html>".len()..];
    while let Some(start) = rest.find('<') {
        assert!(
            !rest[..start].contains('>'),
            "stray '>' before {:?}",
            &rest[start..][..40.min(rest.len() - start)]
        );
        let end = rest[start..].find('>').expect("unterminated tag") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "'<' inside a tag: {tag:?}");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name == "style" && !tag.starts_with('/') {
            // CSS has its own `>` (child selectors): skip to its end.
            let close = rest[end..].find("</style>").expect("unclosed <style>") + end;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            let expected = open.pop().unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(expected, name, "</{name}> closes <{expected}>");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            open.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "never closed: {open:?}");
}

// Headless Chromium --------------------------------------------------------

/// Runs chromium headless on `url` with `args`, in a fresh profile, and
/// returns its standard output. Fails the test, saying why, if chromium is
/// missing or does not finish within a minute.
fn chromium(dir: &Path, args: &[&str], url: &str) -> Vec<u8> {
    let profile = dir.join(format!("profile-{}", args.join("-").replace(['=', ',', '/'], "_")));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .env("HOME", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start chromium ({e}): the HTML report is checked in headless Chromium; \
                 install it (Debian: apt-get install chromium; .ci/run does)"
            )
        });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium {args:?} did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "chromium {args:?} failed: {:?}", output.status);
    let _ = std::fs::remove_dir_all(&profile);
    output.stdout
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn headless_chromium_renders_the_map_and_a_page_that_is_not_blank() {
    let dir = scratch_dir("chromium");
    let page = dir.join("report.html");
    report_file(&dir, "report.html");

    // The DOM after parsing: the browser found every node of the map.
    let dom = String::from_utf8(chromium(&dir, &["--dump-dom"], &file_url(&page))).unwrap();
    assert_eq!(dom.matches("data-node=\"").count(), NODES.len(), "{dom}");
    assert!(dom.contains("<svg"), "no SVG in the rendered page");

    // A screenshot of the report against one of an empty page, taken the
    // same way. An empty page's PNG is about 5 KB (one colour compresses
    // to almost nothing); the report's, with its map, tables and text, is
    // over 100 KB. Asking for more than 20 KB and four times the empty
    // page tells a drawn page from a blank one without an image decoder.
    let blank = dir.join("blank.html");
    std::fs::write(
        &blank,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>\n",
    )
    .unwrap();
    let shot = |page: &Path, png: &Path| -> u64 {
        let screenshot = format!("--screenshot={}", png.display());
        chromium(&dir, &[screenshot.as_str(), "--window-size=1200,900"], &file_url(page));
        std::fs::metadata(png)
            .unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()))
            .len()
    };
    let blank_size = shot(&blank, &dir.join("blank.png"));
    let report_size = shot(&page, &dir.join("report.png"));
    assert!(
        report_size > 20_000 && report_size > 4 * blank_size,
        "the report's screenshot ({report_size} bytes) looks blank next to an empty page's ({blank_size} bytes): see {}",
        dir.join("report.png").display()
    );
}
