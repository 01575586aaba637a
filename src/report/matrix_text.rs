//! The matrix as a text table: one row per configuration, one column per
//! actor, each cell "content/routing/forged/alarms", where forged counts
//! distinct forged cables accepted (the JSON has the acceptances too).

use std::fmt::Write;

use super::Matrix;

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
    let widths: Vec<usize> = actors
        .iter()
        .map(|actor| {
            matrix
                .configs
                .iter()
                .map(|config| cell_text(config, actor).len())
                .chain([actor.len()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}: cells are content/routing/forged/alarms per actor (forged: forged cables accepted)",
        matrix.scenario
    );
    let _ = write!(out, "{:<config_width$}", "config");
    for (actor, width) in actors.iter().zip(&widths) {
        let _ = write!(out, "  {actor:>width$}");
    }
    out.push('\n');
    for config in &matrix.configs {
        let _ = write!(out, "{config:<config_width$}");
        for (actor, width) in actors.iter().zip(&widths) {
            let _ = write!(out, "  {:>width$}", cell_text(config, actor));
        }
        out.push('\n');
    }
    out
}
