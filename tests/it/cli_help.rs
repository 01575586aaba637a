//! The help of `cablesim` and of each command is exactly what
//! `tests/golden/help/` holds: the words, the order of the flags and the
//! usage line. The flags several commands share are declared once and
//! given each command's own words (see `src/cli/flags.rs`); this is what
//! shows that every command got its words. After an intended change,
//! regenerate the files with `BLESS=1 cargo test --locked --test it cli_help::`
//! and review the diff.

use std::path::PathBuf;

use assert_cmd::Command;

/// Every command `cablesim --help` lists (but `help`).
const COMMANDS: [&str; 15] = [
    "demo",
    "run",
    "check",
    "matrix",
    "explain",
    "exercise",
    "list",
    "certs",
    "hub",
    "node",
    "tap",
    "mitm",
    "network",
    "bench",
    "dissector",
];

/// What `cablesim ARGS` prints on stdout and stderr, and its exit status.
fn output_of(args: &[&str]) -> (String, String, Option<i32>) {
    let output = Command::cargo_bin("cablesim")
        .unwrap()
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code(),
    )
}

/// `cablesim ARGS --help` prints exactly `tests/golden/help/NAME.txt` and
/// exits 0 (or, with `BLESS`, the file is written).
fn golden_help(name: &str, args: &[&str]) {
    let args: Vec<&str> = args.iter().copied().chain(["--help"]).collect();
    let (stdout, stderr, status) = output_of(&args);
    assert_eq!(status, Some(0), "{args:?}: {stderr}");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/help")
        .join(format!("{name}.txt"));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &stdout).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", path.display()));
    assert_eq!(
        stdout,
        expected,
        "`cablesim {}` differs from {}",
        args.join(" "),
        path.display()
    );
}

#[test]
fn the_program_help_lists_every_command() {
    golden_help("top", &[]);
    let (stdout, _, _) = output_of(&["--help"]);
    let listed: Vec<&str> = stdout
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let mut expected = COMMANDS.to_vec();
    expected.push("help");
    assert_eq!(listed, expected);
}

#[test]
fn every_command_help_is_unchanged() {
    for command in COMMANDS {
        golden_help(command, &[command]);
    }
}

/// The subcommands of `exercise` have helps of their own.
#[test]
fn every_exercise_subcommand_help_is_unchanged() {
    for subcommand in ["list", "start"] {
        golden_help(&format!("exercise-{subcommand}"), &["exercise", subcommand]);
    }
}

/// The missing flags are named in the order the usage line gives them.
#[test]
fn fail_hub_without_its_flags_names_them_in_usage_order() {
    let (stdout, stderr, status) = output_of(&["hub"]);
    assert_eq!(status, Some(2));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "cablesim: missing --scenario <SCENARIO>, --certs <CERTS>, --data <DATA>\n"
    );
}

#[test]
fn fail_node_without_its_flags_names_them_in_usage_order() {
    let (_, stderr, status) = output_of(&["node", "--scenario", "coreu-2018"]);
    assert_eq!(status, Some(2));
    assert_eq!(
        stderr,
        "cablesim: missing --name <NAME>, --certs <CERTS>, --data <DATA>\n"
    );
}
