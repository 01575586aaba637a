//! One incident under several mitigations, side by side (`cablesim demo`): the
//! figures, and the table a trainer puts on the screen.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::RunReport;
use super::style::{Palette, TERMINAL_WIDTH, Tone};

/// What the attackers of one run took, all actors together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// Distinct cables whose canary some actor recovered.
    pub content: u64,
    /// Distinct cables whose header some actor decoded (content included).
    pub routing: u64,
    /// Acceptances of forged cables, all actors together: one per forged
    /// cable and recipient that believed it, which is what a mitigation
    /// such as need-to-know distribution can cut.
    pub forged_accepted: u64,
}

impl Taken {
    /// The union over the report's actors: a cable two actors both hold
    /// was taken once, which is what the victims care about.
    pub fn of(report: &RunReport) -> Taken {
        Taken::union(report.actors.iter().map(|actor| {
            (
                actor.content.iter().map(String::as_str),
                actor.routing.iter().map(String::as_str),
                actor.forged_accepted,
            )
        }))
    }

    /// The figures of several actors together, each given as the ids of
    /// the cables whose content and whose routing it took, and its count
    /// of forged cables accepted: distinct ids over all actors, and the
    /// sum of the acceptances (each is a recipient's, so none is counted
    /// twice).
    pub fn union<'a, C, R>(actors: impl IntoIterator<Item = (C, R, u64)>) -> Taken
    where
        C: IntoIterator<Item = &'a str>,
        R: IntoIterator<Item = &'a str>,
    {
        let (mut content, mut routing, mut forged_accepted) = (BTreeSet::new(), BTreeSet::new(), 0);
        for (taken, read, forged) in actors {
            content.extend(taken);
            routing.extend(read);
            forged_accepted += forged;
        }
        Taken {
            content: content.len() as u64,
            routing: routing.len() as u64,
            forged_accepted,
        }
    }
}

/// One mitigation's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// What was changed, in a few words.
    pub label: String,
    /// What the attackers took with the change.
    pub taken: Taken,
    /// The change was already part of the baseline configuration, so the
    /// row is the baseline run: shown, because a trainer is asked about it.
    pub in_baseline: bool,
    /// The change only shortened passive adversaries' windows or changed
    /// the nodes' retention, so the row was measured in another run, as
    /// extra actors, rather than in a run of its own: the same figures,
    /// one run fewer. The baseline's run, or [`ComparisonRow::shared_run`].
    #[serde(default)]
    pub shared: bool,
    /// When [`ComparisonRow::shared`], the row whose run it was measured
    /// in, by label: one that differs from it only so. `None`: the
    /// baseline's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_run: Option<String>,
}

/// The same incident, first as it happened, then under each mitigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Scenario name.
    pub scenario: String,
    /// What the attackers took in the incident as it happened.
    pub baseline: Taken,
    /// One row per mitigation, in the order they were listed.
    pub rows: Vec<ComparisonRow>,
}

impl Comparison {
    /// The change against the baseline, in percent, of what the attack
    /// was after: the cables taken (content), or for an attack that took
    /// none, the forgeries accepted. `None` when the baseline has neither.
    pub fn change_percent(&self, row: &ComparisonRow) -> Option<f64> {
        let (base, now) = if self.baseline.content > 0 {
            (self.baseline.content, row.taken.content)
        } else {
            (self.baseline.forged_accepted, row.taken.forged_accepted)
        };
        (base > 0).then(|| (now as f64 - base as f64) * 100.0 / base as f64)
    }

    /// Whether the row took exactly what the baseline took: as many
    /// cables, and as many forgeries accepted.
    pub fn unchanged(&self, row: &ComparisonRow) -> bool {
        row.taken.content == self.baseline.content && row.taken.forged_accepted == self.baseline.forged_accepted
    }

    /// Whether some run had forgeries accepted, which earns them a column.
    fn has_forgeries(&self) -> bool {
        self.baseline.forged_accepted > 0 || self.rows.iter().any(|row| row.taken.forged_accepted > 0)
    }
}

/// The change column: "same" when nothing moved, whole percents otherwise,
/// with a decimal below 1 % so that a small change never shows as "0%".
fn percent(change: Option<f64>) -> String {
    match change {
        None => "n/a".to_owned(),
        Some(0.0) => "same".to_owned(),
        Some(p) if p.abs() < 1.0 => format!("{p:+.1}%"),
        Some(p) => format!("{p:+.0}%"),
    }
}

/// `label` cut to `width` characters, an ellipsis marking the cut: a label
/// longer than its column must not push the table past 80 columns.
fn fit(label: &str, width: usize) -> String {
    if label.chars().count() <= width {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The label of the baseline row.
const BASELINE: &str = "none (as it happened)";

/// A figure column: its two header lines and its width.
struct Column {
    title: &'static str,
    subtitle: &'static str,
    width: usize,
}

const CONTENT: Column = Column {
    title: "cables taken",
    subtitle: "(content)",
    width: 12,
};
const ROUTING: Column = Column {
    title: "headers seen",
    subtitle: "(routing)",
    width: 12,
};
// Acceptances, not cables: the column must not read "24 forged cables"
// when four forgeries were each believed by six ministries.
const FORGED: Column = Column {
    title: "acceptances",
    subtitle: "(forged)",
    width: 11,
};
const CHANGE: Column = Column {
    title: "change",
    subtitle: "vs baseline",
    width: 11,
};

/// The table: mitigation, cables taken (content), headers seen (routing),
/// acceptances of forgeries when there were any, and the change against
/// the baseline. The label column takes what the figures leave of
/// [`TERMINAL_WIDTH`] columns: 37 characters, or 24 with forgeries. Rows
/// that cut the take are green, rows that leave it as it was are red; a
/// `*` marks a change already in the baseline, a `†` a row measured in the
/// baseline's run, each explained under the table.
pub fn render_comparison(comparison: &Comparison, palette: Palette) -> String {
    let mut columns = vec![CONTENT, ROUTING];
    if comparison.has_forgeries() {
        columns.push(FORGED);
    }
    columns.push(CHANGE);
    let label_width = TERMINAL_WIDTH - 2 - columns.iter().map(|c| c.width + 2).sum::<usize>();
    let line = |label: &str, cells: &[String]| {
        let label = fit(label, label_width);
        let mut text = format!("  {label:<label_width$}");
        for (cell, column) in cells.iter().zip(&columns) {
            text.push_str(&format!("  {cell:>width$}", width = column.width));
        }
        text
    };
    let mut out = String::new();
    let titles: Vec<String> = columns.iter().map(|c| c.title.to_owned()).collect();
    let subtitles: Vec<String> = columns.iter().map(|c| c.subtitle.to_owned()).collect();
    let rules: Vec<String> = columns.iter().map(|c| "-".repeat(c.width)).collect();
    for (text, tone) in [
        (line("mitigation", &titles), Tone::Heading),
        (line("", &subtitles), Tone::Heading),
        (line(&"-".repeat(label_width), &rules), Tone::Dim),
    ] {
        out.push_str(&palette.paint(&text, tone));
        out.push('\n');
    }
    let figures = |taken: Taken, change: String| {
        let mut cells = vec![taken.content.to_string(), taken.routing.to_string()];
        if columns.len() == 4 {
            cells.push(taken.forged_accepted.to_string());
        }
        cells.push(change);
        cells
    };
    let text = line(BASELINE, &figures(comparison.baseline, "-".to_owned()));
    out.push_str(&palette.paint(&text, Tone::Bad));
    out.push('\n');
    for row in &comparison.rows {
        let label = match (row.in_baseline, row.shared, &row.shared_run) {
            (true, _, _) => format!("{} {ALREADY}", row.label),
            (false, true, None) => format!("{} {SHARED}", row.label),
            (false, true, Some(_)) => format!("{} {SHARED_WITH_A_ROW}", row.label),
            (false, false, _) => row.label.clone(),
        };
        let change = comparison.change_percent(row);
        let text = line(&label, &figures(row.taken, percent(change)));
        let tone = match change {
            Some(p) if p < 0.0 => Tone::Good,
            Some(0.0) => Tone::Bad,
            _ => Tone::Plain,
        };
        out.push_str(&palette.paint(&text, tone));
        out.push('\n');
    }
    if comparison.rows.iter().any(|row| row.in_baseline) {
        out.push_str(&palette.paint(
            &format!("  {ALREADY} already in the baseline configuration: the figures are its run's"),
            Tone::Dim,
        ));
        out.push('\n');
    }
    let shared = comparison.rows.iter().filter(|row| row.shared && !row.in_baseline);
    if shared.clone().any(|row| row.shared_run.is_none()) {
        out.push_str(&palette.paint(
            &format!("  {SHARED} measured in the baseline's run: only attackers' windows or retention change"),
            Tone::Dim,
        ));
        out.push('\n');
    }
    let mut hosts: Vec<&str> = Vec::new();
    for host in shared.filter_map(|row| row.shared_run.as_deref()) {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    for host in hosts {
        out.push_str(&palette.paint(
            &format!(
                "  {SHARED_WITH_A_ROW} measured in an earlier row's run, {host:?}:\n    only attackers' windows or \
                 retention differ"
            ),
            Tone::Dim,
        ));
        out.push('\n');
    }
    out
}

/// Marks a row whose change the baseline already has.
const ALREADY: char = '*';
/// Marks a row measured in the baseline's run ([`ComparisonRow::shared`]).
const SHARED: char = '†';
/// Marks a row measured in another row's run ([`ComparisonRow::shared_run`]).
const SHARED_WITH_A_ROW: char = '‡';

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison() -> Comparison {
        let row = |label: &str, content, in_baseline| ComparisonRow {
            label: label.to_owned(),
            taken: Taken {
                content,
                routing: content,
                forged_accepted: 0,
            },
            in_baseline,
            shared: false,
            shared_run: None,
        };
        Comparison {
            scenario: "s".to_owned(),
            baseline: Taken {
                content: 1000,
                routing: 1000,
                forged_accepted: 0,
            },
            rows: vec![
                row("need-to-know distribution", 50, false),
                row("end-to-end encryption (e2e-fs)", 1000, true),
                row("retention", 995, false),
            ],
        }
    }

    #[test]
    fn changes_are_percents_of_the_baseline() {
        let c = comparison();
        assert_eq!(c.change_percent(&c.rows[0]), Some(-95.0));
        assert!(c.unchanged(&c.rows[1]));
        assert_eq!(percent(c.change_percent(&c.rows[0])), "-95%");
        assert_eq!(percent(c.change_percent(&c.rows[1])), "same");
        assert_eq!(percent(c.change_percent(&c.rows[2])), "-0.5%");
        assert_eq!(percent(None), "n/a");
    }

    #[test]
    fn the_table_fits_80_columns_and_marks_the_baseline_settings() {
        let text = render_comparison(&comparison(), Palette::new(false));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("end-to-end encryption (e2e-fs) *"), "{text}");
        assert!(text.contains("* already in the baseline"), "{text}");
        assert!(!text.contains('\x1b'));
        assert!(!text.contains("acceptances"), "{text}");
    }

    #[test]
    fn a_row_measured_in_the_baseline_run_is_marked_and_explained() {
        let mut c = comparison();
        assert!(!render_comparison(&c, Palette::new(false)).contains('†'));
        c.rows[2].shared = true;
        let text = render_comparison(&c, Palette::new(false));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("  retention †  "), "{text}");
        assert!(!text.contains('‡'), "{text}");
        assert!(
            text.ends_with(
                "  * already in the baseline configuration: the figures are its run's\n  \
                 † measured in the baseline's run: only attackers' windows or retention change\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_row_measured_in_another_rows_run_is_marked_and_names_it() {
        let mut c = comparison();
        let host = "a label of thirty-five characters..";
        c.rows[0].label = host.to_owned();
        c.rows[2].shared = true;
        c.rows[2].shared_run = Some(host.to_owned());
        let text = render_comparison(&c, Palette::new(false));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("  retention ‡  "), "{text}");
        assert!(!text.contains('†'), "{text}");
        assert!(
            text.ends_with(&format!(
                "  ‡ measured in an earlier row's run, \"{host}\":\n    only attackers' windows or retention \
                 differ\n"
            )),
            "{text}"
        );
    }

    #[test]
    fn forgeries_get_a_column_and_the_change_when_nothing_was_taken() {
        let mut c = comparison();
        c.baseline = Taken {
            content: 0,
            routing: 0,
            forged_accepted: 20,
        };
        c.rows[0].taken = Taken::default();
        c.rows[1].taken = c.baseline;
        assert_eq!(c.change_percent(&c.rows[0]), Some(-100.0));
        assert!(c.unchanged(&c.rows[1]));
        let text = render_comparison(&c, Palette::new(false));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("acceptances"), "{text}");
        assert!(text.contains("(forged)"), "{text}");
        // Labels too long for the narrower column are cut, not overflowed.
        assert!(text.contains("end-to-end encryption (…"), "{text}");
    }
}
