//! The headless-Chromium harness of `support/browser.rs`, checked on
//! static pages before anything relies on it: it counts and reads
//! elements, runs scripts, reports exactly the console's errors, writes a
//! real PNG, and waits for a condition or says clearly what never came.

use crate::support::browser;

use std::path::PathBuf;
use std::time::Duration;

use browser::Browser;
use serde_json::json;

/// A fresh directory of its own for each test, so tests run in parallel.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser_harness")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `html` as `dir/NAME.html` and returns its `file://` URL.
fn page(dir: &std::path::Path, name: &str, html: &str) -> String {
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, html).unwrap();
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// The 8 bytes every PNG file starts with.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

const LIST: &str = r#"<!doctype html><title>harness</title>
<ul id="cables">
  <li class="cable" data-value="412">C-000412</li>
  <li class="cable" data-value="413">C-000413</li>
  <li class="cable">C-000414</li>
</ul>
<p id="day" data-value="1095">day 1,095</p>"#;

#[tokio::test]
async fn counts_reads_and_runs_scripts_on_a_page() {
    let dir = scratch_dir("reads");
    let browser = Browser::start().await;
    browser.goto(&page(&dir, "list", LIST)).await;

    assert_eq!(browser.count("li.cable").await, 3);
    assert_eq!(browser.count("li.cable[data-value]").await, 2);
    assert_eq!(browser.count("svg [data-node]").await, 0);
    assert_eq!(browser.text("#day").await, "day 1,095");
    assert_eq!(browser.text("#cables li:last-child").await, "C-000414");
    assert_eq!(browser.attr("#day", "data-value").await.as_deref(), Some("1095"));
    assert_eq!(browser.attr("#cables li:last-child", "data-value").await, None);
    assert_eq!(
        browser
            .eval_json(
                "return {title: document.title, \
                 values: [...document.querySelectorAll('[data-value]')] \
                     .map(e => Number(e.dataset.value))}"
            )
            .await,
        json!({"title": "harness", "values": [412, 413, 1095]})
    );
    // A script without `return` gives null, as WebDriver has it.
    assert_eq!(browser.eval_json("window.cablesimStates = [];").await, json!(null));
    assert_eq!(browser.eval_json("return window.cablesimStates").await, json!([]));

    // `data:` URLs work as well as files.
    browser.goto("data:text/html,<ol><li>a</li><li>b</li></ol>").await;
    assert_eq!(browser.count("ol li").await, 2);
    assert_eq!(browser.text("ol li").await, "a");
}

#[tokio::test]
async fn console_errors_are_the_severe_entries_and_only_those() {
    let dir = scratch_dir("console");
    let browser = Browser::start().await;

    browser.goto(&page(&dir, "clean", LIST)).await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    // Info and warnings are not errors.
    let chatty = "<p>ok</p><script>console.log('fine'); console.info('i'); \
                  console.warn('careful'); console.debug('d')</script>";
    browser.goto(&page(&dir, "chatty", chatty)).await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    let failing = page(&dir, "error", "<p>ok</p><script>console.error('x')</script>");
    browser.goto(&failing).await;
    let errors = browser.console_errors().await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    // chromedriver's form: the page's URL, line:column, the quoted message.
    assert!(errors[0].starts_with(&failing), "{errors:?}");
    assert!(errors[0].ends_with(" \"x\""), "{errors:?}");

    // An exception nobody caught is an error too; the earlier one stays
    // (chromedriver hands each entry out once, the harness keeps them).
    let throwing = page(&dir, "throw", "<p>ok</p><script>throw new Error('y')</script>");
    browser.goto(&throwing).await;
    let errors = browser.console_errors().await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].ends_with(" \"x\""), "{errors:?}");
    assert!(errors[1].starts_with(&throwing), "{errors:?}");
    assert!(errors[1].ends_with(" Uncaught Error: y"), "{errors:?}");
    assert_eq!(browser.console_errors().await, errors);
}

/// Width and height from a PNG's header, after checking it is one: the
/// signature, then the IHDR chunk (4 bytes length, "IHDR", width and
/// height big-endian).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(png[..8], PNG_SIGNATURE, "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "not a PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (width, height)
}

#[tokio::test]
async fn screenshot_is_a_png_of_the_viewport_showing_the_page() {
    let dir = scratch_dir("screenshot");
    let browser = Browser::start().await;
    let mut shots = Vec::new();
    for (name, html) in [("blank", ""), ("list", LIST)] {
        browser.goto(&page(&dir, name, html)).await;
        let path = dir.join(format!("{name}.png"));
        browser.screenshot(&path).await;
        shots.push(std::fs::read(&path).unwrap());
    }
    let (blank, list) = (&shots[0], &shots[1]);

    // The window is 1600 wide (--window-size); the screenshot is its
    // viewport, the height less what headless keeps for itself.
    let viewport = browser
        .eval_json("return [window.innerWidth, window.innerHeight]")
        .await;
    let (width, height) = png_size(list);
    assert_eq!(json!([width, height]), viewport);
    assert_eq!(width, 1600);
    assert_eq!(png_size(blank), (width, height));
    // The text is in the picture: the same viewport with text on it
    // compresses to more than the blank one (about 10.6 kB against 6 kB
    // with chromium 156; the exact sizes follow chromium's encoder).
    assert!(
        list.len() > blank.len() + 1024,
        "list {} bytes, blank {} bytes",
        list.len(),
        blank.len()
    );
}

/// The page sets `data-phase="done"` 300 ms after it loaded.
const LATE: &str = r#"<body data-phase="running"><script>
  setTimeout(() => { document.body.dataset.phase = "done"; }, 300);
</script></body>"#;

#[tokio::test]
async fn wait_until_returns_once_the_condition_holds() {
    let dir = scratch_dir("wait");
    let browser = Browser::start().await;
    browser.goto(&page(&dir, "late", LATE)).await;
    assert_eq!(browser.attr("body", "data-phase").await.as_deref(), Some("running"));
    browser
        .wait_until("document.body.dataset.phase === 'done'", Duration::from_secs(30))
        .await;
    assert_eq!(browser.attr("body", "data-phase").await.as_deref(), Some("done"));
    // A condition that already holds returns at once.
    browser.wait_until("document.title === ''", Duration::ZERO).await;
}

#[tokio::test]
async fn fail_wait_until_times_out_naming_the_condition_and_the_last_value() {
    let dir = scratch_dir("wait-timeout");
    let browser = Browser::start().await;
    browser.goto(&page(&dir, "list", LIST)).await;

    let timeout = Duration::from_millis(300);
    let three = browser
        .try_wait_until("document.querySelectorAll('li').length", timeout)
        .await;
    assert_eq!(three, Ok(()), "3 is truthy");
    let four = browser
        .try_wait_until("document.querySelectorAll('li').length === 4", timeout)
        .await;
    assert_eq!(
        four,
        Err("timed out after 300ms waiting for \
             `document.querySelectorAll('li').length === 4` (last value: false)"
            .to_string())
    );
    // A condition that throws reports what it threw.
    let error = browser
        .try_wait_until("window.feed.seq > 0", timeout)
        .await
        .unwrap_err();
    assert!(
        error.starts_with("timed out after 300ms waiting for `window.feed.seq > 0` (last error: "),
        "{error}"
    );
    assert!(error.contains("Cannot read properties of undefined"), "{error}");
}

#[tokio::test]
#[should_panic(expected = "timed out after 100ms waiting for `false` (last value: false)")]
async fn fail_wait_until_fails_the_test_when_the_time_is_up() {
    let browser = Browser::start().await;
    browser.goto("data:text/html,<p>never</p>").await;
    browser.wait_until("false", Duration::from_millis(100)).await;
}
