//! The supply-chain policy holds even where `cargo deny` is not installed:
//! every exception in deny.toml says why, the crates it bans are absent
//! from Cargo.lock, every cargo command CI runs is `--locked`, and CI
//! compiles the fuzz targets.

use std::path::PathBuf;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn deny_config() -> toml::Table {
    repo_file("deny.toml").parse().expect("deny.toml is TOML")
}

fn entries<'a>(config: &'a toml::Table, section: &str, key: &str) -> &'a [toml::Value] {
    config[section][key]
        .as_array()
        .unwrap_or_else(|| panic!("[{section}] {key} is a list"))
}

/// Names of the packages Cargo.lock pins.
fn locked_packages() -> Vec<String> {
    let lock: toml::Table = repo_file("Cargo.lock").parse().expect("Cargo.lock is TOML");
    lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_ban_and_skip_in_deny_toml_gives_its_reason() {
    let config = deny_config();
    let mut checked = 0;
    for key in ["deny", "skip", "skip-tree"] {
        for entry in entries(&config, "bans", key) {
            let reason = entry.get("reason").and_then(|r| r.as_str()).unwrap_or("");
            assert!(
                !reason.trim().is_empty(),
                "[bans] {key} entry without a reason: {entry}"
            );
            checked += 1;
        }
    }
    // Five banned crates, the benchmark reference's tree, and four second
    // versions that only libcrux-ml-kem's verification builds would
    // compile; a new entry is counted here on purpose, so adding one means
    // reading this file.
    assert_eq!(checked, 10);
    assert!(
        entries(&config, "licenses", "exceptions").is_empty(),
        "licence exceptions need a reason, which cargo-deny's format has no field for: write it beside the entry and update this test"
    );
}

#[test]
fn banned_and_unmaintained_crates_are_not_in_the_lockfile() {
    let config = deny_config();
    let banned: Vec<&str> = entries(&config, "bans", "deny")
        .iter()
        .map(|entry| entry["crate"].as_str().unwrap())
        .collect();
    for unmaintained in ["rustls-pemfile", "serde_yaml", "serde_yml"] {
        assert!(banned.contains(&unmaintained), "deny.toml must ban {unmaintained}");
    }
    let locked = locked_packages();
    assert!(
        locked.iter().any(|name| name == "cablesim"),
        "the lockfile is the crate's own"
    );
    let present: Vec<&&str> = banned
        .iter()
        .filter(|name| locked.iter().any(|l| l == **name))
        .collect();
    assert!(present.is_empty(), "banned crates in Cargo.lock: {present:?}");
}

#[test]
fn every_cargo_command_in_ci_is_locked() {
    let script = repo_file(".ci/run");
    let mut commands = 0;
    for (number, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("echo") {
            continue;
        }
        // Each cargo invocation on the line, e.g. after `||`.
        for invocation in line.split("cargo ").skip(1) {
            let subcommand = invocation.split_whitespace().next().unwrap_or("");
            // `fmt` reads no dependencies.
            if subcommand == "fmt" {
                continue;
            }
            let until_next = invocation.split("&&").next().unwrap().split("||").next().unwrap();
            assert!(
                until_next.contains("--locked"),
                ".ci/run line {}: `cargo {until_next}` is not --locked",
                number + 1
            );
            commands += 1;
        }
    }
    // clippy (the fuzz targets among its workspace), cargo-deny's install
    // and check, the tests (the built-in scenarios' threat tests among
    // them) and the two examples: a new command is counted here on
    // purpose, so adding one means reading this test.
    assert_eq!(commands, 6, "cargo commands in .ci/run");
}

/// The fuzz targets are compiled in CI by clippy alone: `fuzz/` must stay a
/// workspace member, kept out of the default members (`cargo test` and a
/// trainer's `cargo run` never build libFuzzer), and `.ci/run`'s clippy
/// must reach the whole workspace and every target, without compiling
/// libFuzzer's runtime, which only a fuzzer's link needs.
#[test]
fn ci_compiles_the_fuzz_targets_through_the_workspace_clippy() {
    let manifest: toml::Table = repo_file("Cargo.toml").parse().expect("Cargo.toml is TOML");
    let workspace = manifest["workspace"].as_table().expect("a [workspace] table");
    let names = |key: &str| -> Vec<&str> {
        workspace[key]
            .as_array()
            .unwrap_or_else(|| panic!("[workspace] {key} is a list"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    assert_eq!(names("members"), [".", "fuzz"]);
    assert_eq!(names("default-members"), ["."]);
    let fuzz: toml::Table = repo_file("fuzz/Cargo.toml").parse().expect("fuzz/Cargo.toml is TOML");
    assert!(
        fuzz.get("workspace").is_none(),
        "fuzz/ must not be a workspace of its own"
    );

    let script = repo_file(".ci/run");
    let clippy: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("cargo clippy"))
        .collect();
    assert_eq!(clippy.len(), 1, "{clippy:?}");
    for flag in ["--workspace", "--all-targets", "--no-default-features", "-D warnings"] {
        assert!(clippy[0].contains(flag), ".ci/run's clippy lacks {flag}: {}", clippy[0]);
    }
    // `--no-default-features` may leave out only libFuzzer's runtime: the
    // fuzz crate's one default feature, and none of cablesim's.
    let features = |manifest: &toml::Table| manifest.get("features").and_then(|f| f.as_table()).cloned();
    assert!(
        features(&manifest).is_none_or(|f| !f.contains_key("default")),
        "cablesim has default features, which CI's clippy would leave out"
    );
    let fuzz_features = features(&fuzz).expect("fuzz/Cargo.toml has [features]");
    assert_eq!(
        fuzz_features["default"].as_array().unwrap(),
        &[toml::Value::from("libfuzzer")]
    );
    assert_eq!(
        fuzz_features["libfuzzer"].as_array().unwrap(),
        &[toml::Value::from("libfuzzer-sys/link_libfuzzer")]
    );
}
