//! The matrix as a text table: one row per configuration, one column per
//! actor, each cell "content/routing/forged/alarms", where forged counts
//! distinct forged cables accepted (the JSON has the acceptances too); then
//! what the configuration cost on the wire, classical or hybrid.

use std::fmt::Write;

use super::wire::grouped;
use super::{Matrix, WireCosts};

/// A table a trainer can put on a slide.
pub fn render_matrix(matrix: &Matrix) -> String {
    let actors = matrix.actors();
    let cell_text = |config: &str, actor: &str| -> String {
        matrix.cell(config, actor).map_or_else(
            || "-".to_owned(),
            |c| format!("{}/{}/{}/{}", c.content, c.routing, c.forged_cables, c.alarms),
        )
    };
    let config_width = matrix.configs.iter().map(String::len).chain([6]).max().unwrap_or(6);
    let mut columns: Vec<(String, Vec<String>)> = actors
        .iter()
        .map(|actor| {
            let cells = matrix.configs.iter().map(|config| cell_text(config, actor)).collect();
            ((*actor).to_owned(), cells)
        })
        .collect();
    if !matrix.wire.is_empty() {
        let wire = |show: fn(&WireCosts) -> String| -> Vec<String> {
            matrix
                .configs
                .iter()
                .map(|config| matrix.wire(config).map_or_else(|| "-".to_owned(), show))
                .collect()
        };
        columns.push(("B/key".to_owned(), wire(per_key)));
        columns.push(("handshake B".to_owned(), wire(per_handshake)));
    }
    let widths: Vec<usize> = columns
        .iter()
        .map(|(name, cells)| cells.iter().map(String::len).chain([name.len()]).max().unwrap_or(1))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}: cells are content/routing/forged/alarms per actor (forged: forged cables accepted)",
        matrix.scenario
    );
    if !matrix.wire.is_empty() {
        let _ = writeln!(
            out,
            "B/key: envelope bytes per recipient key; handshake B: bytes of one TLS handshake, both ways"
        );
    }
    let _ = write!(out, "{:<config_width$}", "config");
    for ((name, _), width) in columns.iter().zip(&widths) {
        let _ = write!(out, "  {name:>width$}");
    }
    out.push('\n');
    for (row, config) in matrix.configs.iter().enumerate() {
        let _ = write!(out, "{config:<config_width$}");
        for ((_, cells), width) in columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>width$}", cells[row]);
        }
        out.push('\n');
    }
    out
}

/// "66 classical", "1,155 hybrid", "group" or "-" (no envelopes).
fn per_key(wire: &WireCosts) -> String {
    match (wire.wrap_mean(), wire.e2e_agreement.as_deref()) {
        (Some(bytes), Some(agreement)) => format!("{} {}", grouped(bytes), kind(agreement.contains("ML-KEM"))),
        (None, Some("group key")) => "group".to_owned(),
        _ => "-".to_owned(),
    }
}

/// "1,696 classical", "3,964 hybrid" or "-" (no TLS).
fn per_handshake(wire: &WireCosts) -> String {
    match (wire.handshake_mean(), wire.tls_group.as_deref()) {
        (Some(bytes), Some(group)) => format!("{} {}", grouped(bytes), kind(group.contains("MLKEM"))),
        _ => "-".to_owned(),
    }
}

fn kind(hybrid: bool) -> &'static str {
    if hybrid { "hybrid" } else { "classical" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{MatrixCell, MatrixWire};

    fn wire(config: &str, wire: WireCosts) -> MatrixWire {
        MatrixWire {
            config: config.to_owned(),
            wire,
        }
    }

    #[test]
    fn classical_and_hybrid_rows_side_by_side() {
        let fs = WireCosts {
            envelopes: 2,
            envelope_bytes: 300,
            wraps: 4,
            wrap_bytes: 264,
            handshakes: 2,
            handshake_bytes: 3392,
            tls_group: Some("X25519".into()),
            e2e_agreement: Some("X25519".into()),
        };
        let pq = WireCosts {
            wrap_bytes: 4620,
            handshake_bytes: 7928,
            tls_group: Some("X25519MLKEM768".into()),
            e2e_agreement: Some("X25519 + ML-KEM-768".into()),
            ..fs.clone()
        };
        let group = WireCosts {
            wraps: 0,
            wrap_bytes: 0,
            e2e_agreement: Some("group key".into()),
            ..fs.clone()
        };
        let configs = ["plaintext", "e2e-group", "e2e-fs", "e2e-pq"];
        let matrix = Matrix {
            scenario: "small".into(),
            configs: configs.iter().map(|c| (*c).to_owned()).collect(),
            cells: configs
                .iter()
                .map(|config| MatrixCell {
                    config: (*config).to_owned(),
                    actor: "tap".into(),
                    content: 1,
                    routing: 2,
                    traffic_frames: 3,
                    forged_cables: 0,
                    forged_accepted: 0,
                    alarms: 0,
                })
                .collect(),
            wire: vec![
                wire("plaintext", WireCosts::default()),
                wire("e2e-group", group),
                wire("e2e-fs", fs),
                wire("e2e-pq", pq),
            ],
        };
        assert_eq!(
            render_matrix(&matrix),
            "scenario small: cells are content/routing/forged/alarms per actor (forged: forged cables accepted)\n\
             B/key: envelope bytes per recipient key; handshake B: bytes of one TLS handshake, both ways\n\
             config         tap         B/key      handshake B\n\
             plaintext  1/2/0/0             -                -\n\
             e2e-group  1/2/0/0         group  1,696 classical\n\
             e2e-fs     1/2/0/0  66 classical  1,696 classical\n\
             e2e-pq     1/2/0/0  1,155 hybrid     3,964 hybrid\n"
        );
    }

    #[test]
    fn a_matrix_without_wire_costs_has_no_such_columns() {
        let matrix = Matrix {
            scenario: "old".into(),
            configs: vec!["e2e-fs".into()],
            cells: Vec::new(),
            wire: Vec::new(),
        };
        assert_eq!(
            render_matrix(&matrix),
            "scenario old: cells are content/routing/forged/alarms per actor (forged: forged cables accepted)\n\
             config\n\
             e2e-fs\n"
        );
    }
}
