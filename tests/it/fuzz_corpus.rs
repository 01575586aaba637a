//! The fuzz targets' committed, minimised corpus replayed as a regular
//! test: every file of `fuzz/corpus/<target>/` goes through the very code
//! the libFuzzer binaries run (`fuzz/src/harness.rs`, included below), so
//! an input that once crashed, or once took a path, fails CI if it breaks
//! again. A missing or empty corpus directory fails too.
//!
//! `write_seed_corpus` (ignored) writes the valid seed inputs a fresh
//! corpus starts from: `cargo test --locked --test it --
//! --ignored fuzz_corpus::write_seed_corpus`.

use std::path::{Path, PathBuf};

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/harness.rs"]
mod harness;

use harness::{Outcome, TARGETS};

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

/// The corpus files of `target`, sorted; panics if the directory is missing.
fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = corpus_dir(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus directory {} is missing: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let files = corpus_files(target);
    assert!(!files.is_empty(), "corpus of {target} is empty");
    for file in &files {
        assert!(file.is_file(), "{} is not a file", file.display());
        let data = std::fs::read(file).unwrap();
        let result = std::panic::catch_unwind(|| harness::run(target, &data));
        let outcome = result.unwrap_or_else(|_| panic!("{target} fails on {}", file.display()));
        // The valid inputs the corpus grew from (those cmin kept under
        // their own names) must still get past parsing.
        let name = file.file_name().unwrap().to_string_lossy();
        if name.starts_with("seed-") {
            assert_eq!(outcome, Outcome::Accepted, "{target}: {name} is no longer accepted");
        }
    }
}

#[test]
fn frame_decoder_corpus_replays() {
    replay("frame_decoder");
}

#[test]
fn envelope_open_corpus_replays() {
    replay("envelope_open");
}

#[test]
fn directory_entry_corpus_replays() {
    replay("directory_entry");
}

#[test]
fn scenario_parser_corpus_replays() {
    replay("scenario_parser");
}

/// Every seed gets past parsing: each frame decodes, each envelope opens
/// for the fixed recipient, each entry decodes, each built-in loads.
#[test]
fn every_seed_is_accepted_by_its_target() {
    let seeds = harness::seeds();
    let mut per_target = [0usize; 4];
    for (target, name, data) in &seeds {
        assert_eq!(harness::run(target, data), Outcome::Accepted, "{target}/{name}");
        let index = TARGETS.iter().position(|t| t == target).unwrap();
        per_target[index] += 1;
    }
    // 12 frames (every kind, two payloads each for submit and deliver) and
    // a stream of them; group, static and forward-secret envelopes, and
    // the last two with hybrid keys; seven entries (three of them hybrid);
    // every built-in scenario.
    assert_eq!(per_target, [13, 5, 7, cablesim::scenario::BUILTIN.len()]);
}

/// Damaged inputs are refused, not accepted and not a panic: one flipped
/// byte in a sealed envelope's ciphertext, a length prefix of zero, an
/// entry cut short, and a scenario with an unknown field.
#[test]
fn damaged_seeds_are_refused() {
    let seeds = harness::seeds();
    let seed = |target: &str, name: &str| {
        seeds
            .iter()
            .find(|(t, n, _)| *t == target && n == name)
            .map(|(_, _, data)| data.clone())
            .unwrap()
    };
    let mut envelope = seed("envelope_open", "static.bin");
    let last = envelope.len() - 1;
    envelope[last] ^= 1;
    assert_eq!(harness::envelope_open(&envelope), Outcome::Refused);

    assert_eq!(harness::frame_decoder(b"\0\0\0\0hello"), Outcome::Refused);

    let entry = seed("directory_entry", "static.bin");
    assert_eq!(harness::directory_entry(&entry[..entry.len() - 1]), Outcome::Refused);

    assert_eq!(
        harness::scenario_parser(b"[scenario]\nname = \"x\"\nbogus = 1\n"),
        Outcome::Refused
    );
}

/// Writes the seeds into `fuzz/corpus/<target>/` (existing files stay).
#[test]
#[ignore = "writes files; run by hand to start a corpus"]
fn write_seed_corpus() {
    for (target, name, data) in harness::seeds() {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{name}")), data).unwrap();
    }
}
