//! `cablesim check` and `cablesim exercise` as a CI job and a participant
//! meet them: the lines, the exit statuses, the JUnit file as a JUnit
//! reader nobody here wrote (Python's junitparser) reads it, and exercise
//! locks refusing a changed field, in the file or through `--set`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cablesim::scenario::{BUILTIN, EXERCISES};

fn cablesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture exercise: three expectations, one failing as written.
fn fixture() -> String {
    root()
        .join("tests/fixtures/exercise-broadcast.toml")
        .display()
        .to_string()
}

/// An empty scratch directory of this test's own.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("check_cli").join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fixture's text with `from` replaced by `to`, written to `dir/name`.
fn edited_fixture(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(fixture()).unwrap();
    assert!(text.contains(from), "{from:?} is not in the fixture");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path.display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The fixture's expectations, as `check` prints them for `file`: the
/// first fails as written (the phished ministry reads every broadcast
/// cable), the other holds under both its configurations.
fn fixture_lines(file: &str) -> String {
    format!(
        "FAIL  {file}: the phishers read fewer than 10 cables [as written] \
         phishers content < 10 (measured 42); leaked C-900002 (expected not leaked)\n\
         PASS  {file}: the phishers still read the fisheries cable [as written] phishers leaked C-900001 (as expected)\n\
         PASS  {file}: the phishers still read the fisheries cable [e2e-fs] phishers leaked C-900001 (as expected)\n"
    )
}

#[test]
fn check_prints_a_line_per_verdict_and_exits_1_when_one_fails() {
    let file = fixture();
    let out = cablesim(&["check", &file]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{}3 expectations in 1 file: 2 passed, 1 failed (2 runs)\n",
            fixture_lines(&file)
        )
    );
    assert_eq!(stderr(&out), "cablesim: 1 of 3 expectations failed\n");
}

#[test]
fn check_exits_0_when_every_expectation_holds() {
    let dir = scratch_dir("pass");
    let file = edited_fixture(&dir, "pass.toml", "content = \"< 10\"", "content = \"<= 42\"");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("not_leaked = [\"C-900002\"]\n", "")).unwrap();
    let out = cablesim(&["check", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "PASS  {file}: the phishers read fewer than 10 cables [as written] phishers content <= 42 (measured 42)\n\
             PASS  {file}: the phishers still read the fisheries cable [as written] phishers leaked C-900001 (as expected)\n\
             PASS  {file}: the phishers still read the fisheries cable [e2e-fs] phishers leaked C-900001 (as expected)\n\
             3 expectations in 1 file: 3 passed, 0 failed (2 runs)\n"
        )
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn set_applies_to_every_file_before_the_runs() {
    // Need-to-know: the phished ministry receives only the cables addressed
    // to it, so the fisheries cable between two other ministries is no
    // longer read; 19 are, still not fewer than 10.
    let file = fixture();
    let out = cablesim(&["check", &file, "--set", "distribution=need-to-know"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "FAIL  {file}: the phishers read fewer than 10 cables [as written] phishers content < 10 (measured 19)\n\
             FAIL  {file}: the phishers still read the fisheries cable [as written] phishers not leaked C-900001 (expected leaked)\n\
             FAIL  {file}: the phishers still read the fisheries cable [e2e-fs] phishers not leaked C-900001 (expected leaked)\n\
             3 expectations in 1 file: 0 passed, 3 failed (2 runs)\n"
        )
    );
}

/// The check as a CI server reads it: junitparser counts the suites, the
/// tests and the failures, and reads each case's name, class and message.
#[test]
fn junit_is_read_by_junitparser() {
    let dir = scratch_dir("junit");
    let pass = edited_fixture(&dir, "pass.toml", "content = \"< 10\"", "content = \">= 1\"");
    let junit = dir.join("threats.xml");
    let out = cablesim(&["check", &fixture(), &pass, "--junit", junit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("6 expectations in 2 files: 4 passed, 2 failed (4 runs)\n"),
        "{}",
        stdout(&out)
    );
    let script = r#"
import sys
try:
    from junitparser import JUnitXml, Failure
except ImportError:
    print("junitparser is missing: .ci/run installs it (python3 -m pip install --user junitparser==5.0.3)")
    sys.exit(3)
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml)
print("suites", len(suites), "tests", xml.tests, "failures", xml.failures, "errors", xml.errors)
for suite in suites:
    print("suite", suite.name, "tests", suite.tests, "failures", suite.failures)
    for case in suite:
        failures = [r for r in case.result if isinstance(r, Failure)]
        timed = "timed" if case.time > 0 else "untimed"
        verdict = "FAIL " + failures[0].message if failures else "PASS"
        print(" ", case.classname, "|", case.name, "|", timed, "|", verdict)
"#;
    let parsed = Command::new("python3")
        .args(["-c", script, junit.to_str().unwrap()])
        .output()
        .unwrap_or_else(|e| panic!("python3 cannot be started ({e}): .ci/run installs python3's junitparser"));
    assert_eq!(parsed.status.code(), Some(0), "{}{}", stdout(&parsed), stderr(&parsed));
    let fixture = fixture();
    assert_eq!(
        stdout(&parsed),
        format!(
            "suites 2 tests 6 failures 2 errors 0\n\
             suite {fixture} tests 3 failures 1\n  \
             exercise-broadcast | the phishers read fewer than 10 cables [as written] | timed | \
             FAIL phishers content < 10 (measured 42); leaked C-900002 (expected not leaked)\n  \
             exercise-broadcast | the phishers still read the fisheries cable [as written] | timed | PASS\n  \
             exercise-broadcast | the phishers still read the fisheries cable [e2e-fs] | timed | PASS\n\
             suite {pass} tests 3 failures 1\n  \
             exercise-broadcast | the phishers read fewer than 10 cables [as written] | timed | \
             FAIL phishers leaked C-900002 (expected not leaked)\n  \
             exercise-broadcast | the phishers still read the fisheries cable [as written] | timed | PASS\n  \
             exercise-broadcast | the phishers still read the fisheries cable [e2e-fs] | timed | PASS\n"
        )
    );
}

#[test]
fn fail_a_file_without_expectations_has_nothing_to_check() {
    let file = root().join("tests/fixtures/small.toml").display().to_string();
    let out = cablesim(&["check", &fixture(), &file]);
    assert_eq!(out.status.code(), Some(2));
    // Every file is loaded before the first run: nothing ran.
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!("cablesim: {file}: nothing to check: the file has no [[expect]] entry\n")
    );
}

#[test]
fn fail_a_malformed_expectation_names_the_file_and_line() {
    let dir = scratch_dir("malformed");
    let file = edited_fixture(&dir, "bad.toml", "content = \"< 10\"", "content = \"<= ten\"");
    let out = cablesim(&["check", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "cablesim: {file}:58: [[expect]] \"the phishers read fewer than 10 cables\": content: \"<= ten\" is not a \
             comparison: write an operator (==, <, <=, >, >=) and a whole number, such as \"<= 100\", or a bare number \
             such as 3 for \"== 3\"\n"
        )
    );
}

#[test]
fn fail_an_unwritable_junit_path_before_any_run() {
    let dir = scratch_dir("unwritable");
    let junit = dir.join("no-such-directory").join("threats.xml");
    let out = cablesim(&["check", &fixture(), "--junit", junit.to_str().unwrap()]);
    assert_refused_unwritable_junit(&out, &junit);
}

/// The built-in scenarios in CI: every file of `examples/scenarios/` is a
/// built-in with the file's very text, so its expectations are the ones
/// `exercises.rs` judges (on runs the suite shares), and `check` takes
/// every one of them: each loads, keeps its locks and has something to
/// check. A JUnit path that cannot be written is refused after every file
/// is loaded and before the first run, so this makes no run.
#[test]
fn every_shipped_scenario_is_a_builtin_that_check_takes() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/scenarios"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut builtins: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
    builtins.sort_unstable();
    let stems: Vec<String> = files
        .iter()
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(stems, builtins);
    for (file, name) in files.iter().zip(&builtins) {
        let builtin = BUILTIN.iter().find(|b| b.name == *name).unwrap();
        assert_eq!(std::fs::read_to_string(file).unwrap(), builtin.toml, "{name}");
    }

    let junit = scratch_dir("shipped").join("no-such-directory").join("threats.xml");
    let mut args: Vec<&str> = vec!["check"];
    args.extend(files.iter().map(|path| path.to_str().unwrap()));
    args.extend(["--junit", junit.to_str().unwrap()]);
    let out = cablesim(&args);
    assert_refused_unwritable_junit(&out, &junit);
}

/// `check` refused `junit`, a path in a directory that does not exist,
/// as an input error (status 2) before writing anything to stdout.
fn assert_refused_unwritable_junit(out: &Output, junit: &Path) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert_eq!(stdout(out), "");
    assert_eq!(
        stderr(out),
        format!(
            "cablesim: --junit {}: cannot create the file: No such file or directory (os error 2)\n",
            junit.display()
        )
    );
}

#[test]
fn fail_no_file_is_a_usage_error() {
    let out = cablesim(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "cablesim: missing <FILE>...\n");
}

/// `exercise start` then `check`: the exercise as shipped fails its goal,
/// and the answer given through `--set` (an open field) passes it.
#[test]
fn an_exercise_started_fails_until_answered() {
    let dir = scratch_dir("started");
    let out = cablesim(&["exercise", "start", "coreu-broadcast", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = dir.join("coreu-broadcast.toml").display().to_string();
    let out = cablesim(&["check", &file]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "FAIL  {file}: the phishers read at most 50 cables [as written] phishers content <= 50 (measured 215)\n\
             1 expectation in 1 file: 0 passed, 1 failed (1 run)\n"
        )
    );
    let out = cablesim(&["check", &file, "--set", "distribution=need-to-know"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "PASS  {file}: the phishers read at most 50 cables [as written] phishers content <= 50 (measured 20)\n\
             1 expectation in 1 file: 1 passed, 0 failed (1 run)\n"
        )
    );
}

#[test]
fn fail_a_copy_of_an_exercise_that_changes_a_locked_field() {
    let dir = scratch_dir("locked");
    let exercise = std::fs::read_to_string(root().join("examples/exercises/coreu-broadcast.toml")).unwrap();
    let file = dir.join("mine.toml");
    let changed = exercise
        .replacen(
            "max_classification = \"restricted\"",
            "max_classification = \"secret\"",
            1,
        )
        .replacen("from_day = 30", "from_day = 300", 1);
    assert_ne!(changed, exercise);
    std::fs::write(&file, changed).unwrap();
    let out = cablesim(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "cablesim: {}: changes what the exercise coreu-broadcast locks (put it back as the exercise has it): \
             adversary[endpoint@cy-mfa].window.from: the exercise has 30, this file 300; \
             max_classification: the exercise has restricted, this file secret\n",
            file.display()
        )
    );
}

#[test]
fn fail_set_of_a_locked_field_is_refused_too() {
    let dir = scratch_dir("locked-set");
    let out = cablesim(&["exercise", "start", "coreu-broadcast", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = dir.join("coreu-broadcast.toml").display().to_string();
    let out = cablesim(&["check", &file, "--set", "days=100"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "cablesim: {file}: changes what the exercise coreu-broadcast locks (put it back as the exercise has it): \
             scenario.days: the exercise has 365, this file 100\n"
        )
    );
}

#[test]
fn exercise_list_shows_each_exercise_and_its_task() {
    let out = cablesim(&["exercise", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected: String = EXERCISES
        .iter()
        .map(|entry| {
            let task = entry.load().unwrap().exercise.unwrap().task;
            format!("  {:<20} {task}\n", entry.name)
        })
        .collect();
    assert_eq!(stdout(&out), expected);
    assert_eq!(stdout(&out).lines().count(), 7);
}

#[test]
fn exercise_start_writes_the_file_and_never_overwrites_it() {
    let dir = scratch_dir("start").join("work").join("nested");
    let out = cablesim(&["exercise", "start", "forged-instruction", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.join("forged-instruction.toml");
    let shipped = std::fs::read_to_string(root().join("examples/exercises/forged-instruction.toml")).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), shipped);
    let exercise = cablesim::scenario::exercise("forged-instruction")
        .unwrap()
        .load()
        .unwrap()
        .exercise
        .unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "wrote {}: the exercise forged-instruction\n\n\
             task: {}\n\
             hint: {}\n\n\
             Edit the file, then check it:\n  \
             cablesim check {}\n",
            path.display(),
            exercise.task,
            exercise.hint.unwrap(),
            path.display()
        )
    );
    // The participant's work is never overwritten.
    std::fs::write(&path, "my work").unwrap();
    let out = cablesim(&["exercise", "start", "forged-instruction", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "cablesim: {} exists already: remove it to start over, or choose another directory\n",
            path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my work");
}

#[test]
fn fail_an_unknown_exercise_lists_the_exercises() {
    let dir = scratch_dir("unknown");
    let out = cablesim(&["exercise", "start", "coreu", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "cablesim: coreu: no exercise of this name (exercises: coreu-broadcast, coreu-detection, late-intruder, hotel-wifi, \
         forged-instruction, ghost-key, harvest)\n"
    );
    assert!(!dir.join("coreu.toml").exists());
}
