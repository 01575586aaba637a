//! The run report's wire costs (README.md, "Report files") are measured
//! from the run: the envelopes the senders sealed, the bytes each
//! recipient key's wrap adds to them, and the TLS handshakes of the nodes,
//! classical against hybrid.

use cablesim::report::{RunReport, WireCosts, render_json, render_text};
use cablesim::scenario::{Runner, Scenario};

/// Three ministries, every name six bytes long ("xx-mfa"), 20 cables
/// broadcast to the two others, none withheld: 20 envelopes of two wraps
/// each, and three nodes that connect once.
fn scenario(security: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "wire-costs"
seed = 5
days = 10
cables = 20

[network]
ministries = 3

[security]
distribution = "broadcast"
max_classification = "secret"
{security}
"#
    );
    Scenario::from_toml_str(&text, "inline.toml").unwrap()
}

fn run(security: &str) -> RunReport {
    Runner::new(scenario(security)).run_blocking().unwrap().report
}

/// The line of the text report that tells the wire costs.
fn wire_line(report: &RunReport) -> String {
    let text = render_text(report);
    text.lines().find(|l| l.starts_with("Wire cost:")).unwrap().to_owned()
}

const CLASSICAL: &str = r#"e2e = "forward-secret""#;
const HYBRID: &str = "e2e = \"forward-secret\"\npost_quantum = \"both\"";

#[test]
fn classical_and_hybrid_wraps_and_handshakes() {
    let classical = run(CLASSICAL);
    let hybrid = run(HYBRID);
    let (c, h) = (classical.wire.clone().unwrap(), hybrid.wire.clone().unwrap());

    // One wrap, as postcard encodes it (forward-secret, epoch 0 or 1):
    //   recipient  1 (length) + 6 ("bg-mfa")          =     7
    //   key id     8 (a fixed array: no length)        =     8
    //   epoch      1 (Some) + 1 (varint below 128)     =     2
    //   secret     1 (length 48) + 48 (WRAP_LEN)       =    49  -> 66
    //   hybrid     2 (length 1,136) + 1,136
    //              (HYBRID_WRAP_LEN: 1,088 ML-KEM-768
    //              ciphertext + 48)                    = 1,138  -> 1,155
    assert_eq!((c.envelopes, c.wraps, c.wrap_bytes), (20, 40, 40 * 66));
    assert_eq!((h.envelopes, h.wraps, h.wrap_bytes), (20, 40, 40 * 1155));
    // Everything else in the envelopes is the same (same seed, same
    // cables): they differ by the wraps alone, 1,089 bytes each.
    assert_eq!(h.envelope_bytes - c.envelope_bytes, 40 * 1089);
    assert_eq!(c.envelope_bytes, 30_642);
    assert_eq!(c.e2e_agreement.as_deref(), Some("X25519"));
    assert_eq!(h.e2e_agreement.as_deref(), Some("X25519 + ML-KEM-768"));

    // Each node's one handshake. The hybrid one differs only in its key
    // exchange:
    //   ClientHello key share   X25519MLKEM768 1,216 bytes vs X25519 32: +1,184
    //   ClientHello groups      one offered vs three (X25519, P-256,
    //                           P-384), two bytes each:                   -4
    //   ServerHello key share   1,120 bytes vs 32:                        +1,088
    // Every length field around them is fixed-width and no record passes
    // its limit, so the handshake grows by exactly 2,268 bytes.
    assert_eq!((c.handshakes, h.handshakes), (3, 3));
    assert_eq!(h.handshake_bytes - c.handshake_bytes, 3 * 2268);
    // The classical handshake as measured (rustls of Cargo.lock, TLS 1.3,
    // Ed25519 certificates of fixed length for six-byte names): 1,694
    // bytes both ways.
    assert_eq!(c.handshake_bytes, 3 * 1694);
    assert_eq!(c.tls_group.as_deref(), Some("X25519"));
    assert_eq!(h.tls_group.as_deref(), Some("X25519MLKEM768"));

    assert_eq!(
        wire_line(&classical),
        "Wire cost: envelopes 1,532 B on average, 66 B per recipient key (X25519); \
         TLS handshakes 1,694 B each (X25519), 3 handshakes."
    );
    assert_eq!(
        wire_line(&hybrid),
        "Wire cost: envelopes 3,710 B on average, 1,155 B per recipient key (X25519 + ML-KEM-768); \
         TLS handshakes 3,962 B each (X25519MLKEM768), 3 handshakes."
    );
}

#[test]
fn static_wraps_carry_no_epoch() {
    // As above, with the epoch absent: one byte (None) instead of two.
    let wire = run(r#"e2e = "static""#).wire.unwrap();
    assert_eq!((wire.envelopes, wire.wraps, wire.wrap_bytes), (20, 40, 40 * 65));
}

#[test]
fn group_mode_has_no_per_recipient_wraps() {
    let report = run(r#"e2e = "group""#);
    let wire = report.wire.clone().unwrap();
    assert_eq!((wire.envelopes, wire.wraps, wire.wrap_bytes), (20, 0, 0));
    assert_eq!(wire.e2e_agreement.as_deref(), Some("group key"));
    assert!(
        wire_line(&report).contains("no per-recipient wraps (group key)"),
        "{}",
        wire_line(&report)
    );
}

#[test]
fn no_envelopes_and_no_tls_are_said_so() {
    let report = run("e2e = \"off\"\ntransport = \"plain\"");
    assert_eq!(report.wire, Some(WireCosts::default()));
    assert_eq!(
        wire_line(&report),
        "Wire cost: no envelopes (cables travel without end-to-end encryption); no TLS handshakes."
    );
}

#[test]
fn the_figures_are_the_same_in_every_run() {
    // Fresh keys and certificates every run, the same bytes on the wire.
    let first = render_json(&run(HYBRID)).unwrap();
    for _ in 0..3 {
        assert_eq!(render_json(&run(HYBRID)).unwrap(), first);
    }
}
