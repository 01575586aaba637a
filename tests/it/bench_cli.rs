//! `cablesim bench`'s report: every figure present, finite and positive,
//! every ratio the quotient of the figures printed beside it, each section
//! in the text form, and bad options refused by the command with exit 2
//! and the option named. No assertion on speed: timings vary by machine.
//!
//! The JSON and the text are two renderings of one report, so both are
//! read from one bench (the library's `bench::run`, which the command
//! prints with `--format json` or as text): a bench makes whole scenario
//! runs and a demo, the longest work in the suite.

use std::process::{Command, Output};
use std::sync::LazyLock;

use cablesim::bench::{BenchOptions, BenchReport};
use serde_json::Value;

/// A small bench, every part exercised (`--recipients 3 --size 512
/// --cables 20`): a quick one, whose scenario and demo rows run coreu-2018
/// with a tenth of its cables (150) over a tenth of its days (110), on all
/// its nodes.
static SMALL: LazyLock<BenchReport> = LazyLock::new(|| {
    let options = BenchOptions::new(3, 512, 20).unwrap();
    cablesim::bench::run(&options).unwrap_or_else(|e| panic!("{e}"))
});

fn cablesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The number at `path`, checked to be positive and finite.
fn figure(report: &Value, path: &[&str]) -> f64 {
    let value = path.iter().fold(report, |v, key| &v[key]);
    let n = value
        .as_f64()
        .unwrap_or_else(|| panic!("{} is not a number: {value}", path.join(".")));
    assert!(n.is_finite() && n > 0.0, "{} = {n}", path.join("."));
    n
}

/// `ratio` is `numerator / denominator` up to floating-point rounding, and
/// its target verdict agrees with it.
fn assert_ratio(report: &Value, ratio: &[&str], numerator: &[&str], denominator: &[&str], target: &[&str]) {
    let r = figure(report, ratio);
    let quotient = figure(report, numerator) / figure(report, denominator);
    assert!(
        (r - quotient).abs() <= 1e-9 * quotient.abs(),
        "{} = {r}, but the quotient is {quotient}",
        ratio.join(".")
    );
    let target = path_of(report, target);
    let bound = target["value"].as_f64().unwrap();
    let met = match target["op"].as_str().unwrap() {
        "<=" => r <= bound,
        ">=" => r >= bound,
        op => panic!("unknown target op {op}"),
    };
    assert_eq!(target["met"], met, "{}: {target}", ratio.join("."));
}

fn path_of<'a>(report: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(report, |v, key| &v[key])
}

#[test]
fn json_has_every_figure_and_ratios_are_the_quotients_of_the_figures() {
    // Through text, as `--format json` prints it: each figure in its
    // shortest exact form.
    let json = serde_json::to_string_pretty(&*SMALL).unwrap();
    let report: Value = serde_json::from_str(&json).expect("one JSON object");

    assert_eq!(report["options"]["recipients"], 3);
    assert_eq!(report["options"]["size"], 512);
    assert_eq!(report["options"]["cables"], 20);
    assert_eq!(report["rate_rounds"], 3);

    let machine = &report["machine"];
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as u64;
    assert_eq!(machine["cores"].as_u64(), Some(cores), "{machine}");
    for backend in ["x25519", "aead", "signature", "tls_suite", "ml_kem", "age"] {
        let name = machine[backend].as_str().unwrap_or_default();
        assert!(!name.is_empty(), "machine.{backend}: {machine}");
    }
    assert!(machine["x25519"].as_str().unwrap().contains("X25519"), "{machine}");
    assert!(machine["signature"].as_str().unwrap().contains("Ed25519"), "{machine}");
    assert!(
        machine["ml_kem"].as_str().unwrap().contains("libcrux-ml-kem"),
        "{machine}"
    );
    assert!(
        machine["tls_suite"].as_str().unwrap().starts_with("TLS13_"),
        "{machine}"
    );

    // `cargo test` builds the binary with `age-compare` (the crate's
    // dev-dependency on itself), so age is measured here.
    assert_eq!(
        report["envelope"]["age_not_measured"],
        Value::Null,
        "the binary under test was built without age-compare"
    );
    assert_eq!(report["envelope"]["ours_samples"], 20);
    let age_samples = report["envelope"]["age_samples"].as_u64().unwrap();
    assert!((5..=20).contains(&age_samples), "{age_samples}");
    // The hub and forwarder rounds move at least 2000 cables, for a
    // steady ratio.
    assert_eq!(report["forwarder"]["cables"], 2000);
    // One chunk of cables per core, never more chunks than cables.
    assert_eq!(report["limit"]["threads"].as_u64(), Some(cores.min(20)));
    figure(&report, &["limit", "cables_per_s"]);
    // The network with e2e off: reported beside the ratios, in none of them.
    figure(&report, &["pipeline", "hop_only_cables_per_s"]);

    assert_ratio(
        &report,
        &["envelope", "ratio_vs_age"],
        &["envelope", "ours_us"],
        &["envelope", "age_us"],
        &["envelope", "target"],
    );
    assert_ratio(
        &report,
        &["pipeline", "ratio_vs_limit"],
        &["pipeline", "cables_per_s"],
        &["limit", "cables_per_s"],
        &["pipeline", "target"],
    );
    // The limit is a ceiling: a pipeline round faster than the limit's own
    // best raises it, so the ratio never passes 1.
    let limit = &report["limit"];
    assert!(figure(&report, &["pipeline", "ratio_vs_limit"]) <= 1.0, "{report}");
    let measured = figure(&report, &["limit", "measured_cables_per_s"]);
    let ceiling = figure(&report, &["limit", "cables_per_s"]);
    assert_eq!(limit["raised_by_pipeline"], ceiling > measured, "{limit}");
    assert!(ceiling >= measured, "{limit}");
    assert_ratio(
        &report,
        &["forwarder", "hub_vs_forwarder"],
        &["forwarder", "hub_cables_per_s"],
        &["forwarder", "cables_per_s"],
        &["forwarder", "target"],
    );
    assert_ratio(
        &report,
        &["forwarder", "hub_vs_per_frame_forwarder"],
        &["forwarder", "hub_cables_per_s"],
        &["forwarder", "per_frame_cables_per_s"],
        &["forwarder", "per_frame_target"],
    );
    assert_eq!(report["envelope"]["target"]["value"], 0.5);
    assert_eq!(report["pipeline"]["target"]["value"], 0.7);
    assert_eq!(report["forwarder"]["target"]["value"], 0.7);
    assert_eq!(report["forwarder"]["per_frame_target"]["value"], 0.9);
    // The durable hub against the in-memory hub of its own rounds (taking
    // turns with them), not the forwarder section's earlier figure.
    assert_ratio(
        &report,
        &["durable", "durable_vs_memory"],
        &["durable", "cables_per_s"],
        &["durable", "memory_cables_per_s"],
        &["durable", "target"],
    );
    assert_eq!(report["durable"]["target"]["value"], 0.5);

    // Post-quantum: ratios of its own figures, and sizes exact.
    assert_ratio(
        &report,
        &["post_quantum", "envelope_ratio"],
        &["post_quantum", "hybrid_envelope_us"],
        &["envelope", "ours_us"],
        &["post_quantum", "envelope_target"],
    );
    assert_ratio(
        &report,
        &["post_quantum", "run_ratio"],
        &["post_quantum", "hybrid_run_s"],
        &["post_quantum", "classical_run_s"],
        &["post_quantum", "run_target"],
    );
    assert_eq!(report["post_quantum"]["envelope_target"]["value"], 1.6);
    assert_eq!(report["post_quantum"]["run_target"]["value"], 1.5);
    let q = &report["post_quantum"];
    let bytes = |name: &str| q[name].as_u64().unwrap_or_else(|| panic!("{name}: {q}"));
    // Each of the 3 recipient keys: the 1,088-byte ML-KEM ciphertext and a
    // longer length prefix.
    assert_eq!(
        bytes("hybrid_envelope_bytes") - bytes("classical_envelope_bytes"),
        3 * 1089
    );
    assert_eq!(q["extra_bytes_per_recipient"], 1089.0);
    // The ML-KEM key and ciphertext in the two shares, one group offered
    // instead of three.
    assert_eq!(
        bytes("hybrid_handshake_bytes") - bytes("classical_handshake_bytes"),
        1184 + 1088 - 4
    );
    figure(&report, &["post_quantum", "classical_handshake_us"]);
    figure(&report, &["post_quantum", "hybrid_handshake_us"]);

    // The scenario rows: the post-quantum section's two runs, each beside
    // the floor of its own work, counted exactly.
    let rows = report["scenario"].as_array().expect("scenario rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, config, run) in [
        (&rows[0], "e2e-fs", "classical_run_s"),
        (&rows[1], "e2e-pq", "hybrid_run_s"),
    ] {
        assert_eq!(row["scenario"], "coreu-2018");
        assert_eq!(row["config"], config);
        assert_eq!(row["run_s"], report["post_quantum"][run], "one run, not two");
        let (run_s, floor_s) = (row["run_s"].as_f64().unwrap(), row["floor_s"].as_f64().unwrap());
        assert!(floor_s.is_finite() && floor_s > 0.0, "{row}");
        // JSON carries each figure to its shortest exact form, so the
        // quotient of the printed figures may differ in the last bit.
        let ratio = row["run_vs_floor"].as_f64().unwrap();
        assert!((ratio - run_s / floor_s).abs() <= 1e-9 * ratio, "{row}");
        assert_eq!(row["target"]["op"], "<=");
        assert_eq!(row["target"]["value"], 1.3);
        assert_eq!(row["target"]["met"], run_s / floor_s <= 1.3, "{row}");
        assert_eq!(row["threads"].as_u64(), Some(cores), "{row}");
        assert_eq!(row["rounds"], 1, "a quick bench times one round");
        // A quick bench runs COREU with 150 cables over its first 110 days
        // (`--set days=110 --set cables=150`): 129 of them at or below its
        // `max_classification`, sent and delivered 4,001 times (what
        // `cablesim run coreu-2018 --set days=110 --set cables=150`
        // reports); 37 nodes, each publishing a key for each of the 16
        // weeks of 110 days (days 0-6 to 105-109), and each connecting once.
        assert_eq!(row["days"], 110, "{row}");
        let work = &row["work"];
        assert_eq!(work["cables"], 129, "{work}");
        assert_eq!(work["deliveries"], 4001, "{work}");
        assert_eq!(work["wraps"], 4001, "{work}");
        assert_eq!(work["key_publications"], 37 * 16, "{work}");
        assert_eq!(work["handshakes"], 37, "{work}");
    }
    assert_eq!(rows[0]["work"]["entry_checks"], rows[1]["work"]["entry_checks"]);

    // The demo row: COREU's demo in a quick bench (150 cables over 110
    // days), its three runs (the incident's, need to know's and
    // plaintext's: retention and detection ride in the incident's, need to
    // know with retention in need to know's), beside one run and the sum
    // of those runs' floors.
    let demo = &report["demo"];
    assert_eq!(demo["scenario"], "coreu-2018");
    assert_eq!(demo["cables"], 150);
    assert_eq!(demo["days"], 110);
    assert_eq!(demo["runs"], 3, "{demo}");
    assert_eq!(
        demo["shared"],
        serde_json::json!([
            "90-day retention",
            "detected within 30 days",
            "need-to-know + 90-day retention"
        ])
    );
    assert_eq!(demo["rounds"], 1);
    assert_ratio(
        &report,
        &["demo", "demo_vs_run"],
        &["demo", "demo_s"],
        &["demo", "run_s"],
        &["demo", "run_target"],
    );
    assert_ratio(
        &report,
        &["demo", "demo_vs_floors"],
        &["demo", "demo_s"],
        &["demo", "floors_s"],
        &["demo", "floors_target"],
    );
    assert_eq!(demo["run_target"]["value"], 2.0);
    assert_eq!(demo["floors_target"]["value"], 1.3);
}

#[test]
fn text_has_every_section_and_explains_age() {
    let text = SMALL.render_text();
    for section in [
        "\nenvelope ",
        "\nlimit ",
        "\npipeline ",
        "\nforwarder ",
        "\ndurable ",
        "durable_vs_memory",
        "\npost-quantum ",
        "\nscenario ",
        "run_vs_floor",
        "\ndemo ",
        "demo_vs_run",
        "demo_vs_floors",
        "envelope_ratio",
        "run_ratio",
        "per recipient key",
        "ratio_vs_age",
        "ratio_vs_limit",
        "hub_vs_forwarder",
        "hub_vs_per_frame_forwarder",
        "per frame ",
        "hub cables/s",
        "e2e off",
        "O(N²)",
        "unwrap_stanza",
        "backends: ",
        " cores",
    ] {
        assert!(text.contains(section), "no {section:?} in:\n{text}");
    }
    assert_eq!(text.matches("target ").count(), 11, "{text}");
}

#[test]
fn bad_options_exit_2_naming_the_option() {
    for (args, option) in [
        (&["--recipients", "0"][..], "--recipients"),
        (&["--recipients", "100000"][..], "--recipients"),
        (&["--size", "0"][..], "--size"),
        (&["--size", "999999999"][..], "--size"),
        (&["--cables", "0"][..], "--cables"),
        (&["--recipients=-3"][..], "--recipients"),
        (&["--format", "yaml"][..], "--format"),
    ] {
        let mut all = vec!["bench"];
        all.extend(args);
        let out = cablesim(&all);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(option), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing measured, nothing printed");
    }
}
