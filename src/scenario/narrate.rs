//! `cablesim demo`: an incident told in the terminal (README.md, "The command
//! line"). The story, the run with a bar and a live tally of what the attackers
//! hold, the same incident under each mitigation side by side, the lessons.
//!
//! The words come from [`Story`]; every figure comes from a run — the live
//! tally from the analyst during the run ([`Runner::with_progress`]), the
//! table from [`Replays`]: runs of their own, and rows measured in the
//! incident's own run where only passive attackers' windows change.

use std::io::Write;
use std::sync::Arc;

use super::demo::{DemoError, OwnRuns, Replays, Sharing};
use super::story::Story;
use super::{DISPLAY_MEASURE_INTERVAL, Progress, Runner, Scenario};
use crate::report::{
    Comparison, ComparisonRow, DayBar, Holding, Palette, RunReport, RunsSpinner, TERMINAL_WIDTH, Taken, Tone, counted,
    render_comparison, render_section, wrap,
};

/// Who else follows a demo as it is told (the live page): the story's
/// sections, the run's live tally, and the table's rows as their runs
/// finish. Every figure is the same as the terminal's.
pub trait DemoWatcher: Send + Sync {
    /// A section of the story, its paragraphs separated by blank lines.
    fn section(&self, title: &str, text: &str);
    /// A day of the incident's run is over.
    fn progress(&self, progress: &Progress);
    /// The incident's run is over (its report is the demo's report).
    fn baseline(&self, report: &RunReport);
    /// The table starts: the incident as it happened, and the measures
    /// about to be replayed, by label.
    fn table(&self, baseline: Taken, labels: &[&str]);
    /// One measure is measured (rows come in the order runs finish; those
    /// measured in the incident's run first): its figures, and whether
    /// they come from the incident's run or another row's
    /// ([`ComparisonRow::shared`], [`ComparisonRow::shared_run`],
    /// [`ComparisonRow::in_baseline`]).
    fn row(&self, row: &ComparisonRow);
}

/// Tells `scenario`'s story to `out`: standard output, normally. `live`
/// says whether standard output is a terminal, where a bar and a spinner
/// show the runs as they go; otherwise only the text and the table are
/// written. Colours follow `palette`.
///
/// Needs a tokio runtime: the mitigation runs are spawned on it, at the
/// same time as the incident's run (after it when a watcher follows: the
/// live page counts every send and delivery it hears, and must hear the
/// incident's only). Returns the comparison it printed.
pub async fn tell(
    scenario: &Scenario,
    palette: Palette,
    live: bool,
    out: &mut (impl Write + Send),
) -> Result<Comparison, DemoError> {
    tell_watched(scenario, palette, live, out, None)
        .await
        .map(|told| told.comparison)
}

/// A demo told: its table, the incident's report, and every other run it
/// performed.
pub struct Told {
    /// The mitigation table.
    pub comparison: Comparison,
    /// The incident's report: the demo's report.
    pub report: RunReport,
    /// The runs of their own the table took, besides the incident's.
    pub runs: OwnRuns,
}

/// [`tell`], followed as it goes by `watcher`; returns the incident's
/// report and the other runs too.
pub async fn tell_watched(
    scenario: &Scenario,
    palette: Palette,
    live: bool,
    out: &mut (impl Write + Send),
    watcher: Option<Arc<dyn DemoWatcher>>,
) -> Result<Told, DemoError> {
    let story = Story::of(scenario);
    out.write_all(render_section(&story.title, &story.intro, palette).as_bytes())?;
    if let Some(w) = &watcher {
        w.section(&story.title, &story.intro.join("\n\n"));
    }

    let mut replays = Replays::plan(scenario, story.mitigations, Sharing::Shared)?;
    if watcher.is_none() {
        replays.start();
    }

    out.write_all(heading("The incident, day by day", palette).as_bytes())?;
    // Everything written so far must be on the screen before the bar
    // starts drawing under it.
    out.flush()?;
    let bar = Arc::new(DayBar::new(scenario.days, live, palette));
    let shown = bar.clone();
    let follower = watcher.clone();
    // The day every day, the haul measured twice a second: the room
    // sees it start about when the adversary's window opens, and grow.
    let runner = Runner::new(scenario.clone())
        .measuring_at_most_every(DISPLAY_MEASURE_INTERVAL)
        .with_progress(1, move |progress: &Progress| {
            if let Some(w) = &follower {
                w.progress(progress);
            }
            let holdings: Vec<Holding<'_>> = progress
                .actors
                .iter()
                .map(|tally| Holding {
                    actor: &tally.actor,
                    content: tally.content,
                    routing: tally.routing,
                })
                .collect();
            shown.update(progress.day + 1, &holdings);
        });
    let outcome = replays.baseline(runner).run().await.map_err(|source| DemoError::Run {
        run: "baseline".to_owned(),
        source,
    })?;
    let baseline = outcome.report;
    bar.finish();
    if let Some(w) = &watcher {
        w.baseline(&baseline);
        w.section("The incident, day by day", &holdings(&baseline, Palette::new(false)));
        w.section(
            "What would have stopped it",
            "The same incident, replayed under each measure; every figure comes from a run.",
        );
        let labels: Vec<&str> = story.mitigations.iter().map(|m| m.label).collect();
        w.table(Taken::of(&baseline), &labels);
    }
    let mut told = holdings(&baseline, palette);
    told.push('\n');
    told.push_str(&heading("What would have stopped it", palette));
    let runs = story.mitigations.len();
    for line in wrap(
        &format!(
            "The same incident, replayed under each of {runs} measures and set side by side; every figure \
             comes from a run."
        ),
        TERMINAL_WIDTH,
        "",
    ) {
        told.push_str(&line);
        told.push('\n');
    }
    told.push('\n');
    out.write_all(told.as_bytes())?;
    out.flush()?;

    let spinner = Arc::new(RunsSpinner::new(runs, "replaying", live, palette));
    let progress = spinner.clone();
    let follower = watcher.clone();
    let (comparison, runs) = replays
        .finish_with_runs(&baseline, &outcome.also, move |row| {
            progress.done(&row.label);
            if let Some(w) = &follower {
                w.row(row);
            }
        })
        .await?;
    spinner.finish();

    let mut told = render_comparison(&comparison, palette);
    told.push('\n');
    told.push_str(&verdicts(&story, &comparison));
    if let Some(w) = &watcher {
        let verdicts = verdicts(&story, &comparison);
        if !verdicts.is_empty() {
            w.section("What changed nothing", &verdicts);
        }
        w.section("What it teaches", &story.lessons);
    }
    told.push_str(&render_section("What it teaches", &[story.lessons], palette));
    out.write_all(told.as_bytes())?;
    out.flush()?;
    Ok(Told {
        comparison,
        report: baseline,
        runs,
    })
}

/// What each actor holds at the end of the run.
fn holdings(report: &RunReport, palette: Palette) -> String {
    let c = &report.cables;
    let withheld = if c.withheld > 0 {
        format!(
            " ({} above {} were withheld for another system)",
            c.withheld, report.security.max_classification
        )
    } else {
        String::new()
    };
    let mut told = String::new();
    for line in wrap(
        &format!(
            "After {} days, {} of {} cables were sent{withheld}. The attackers hold:",
            report.days, c.sent, c.total
        ),
        TERMINAL_WIDTH,
        "",
    ) {
        told.push_str(&line);
        told.push('\n');
    }
    for actor in &report.actors {
        // An actor left unnamed is named after its one adversary: naming
        // it twice would say nothing.
        let members = actor.adversaries.join(", ");
        let who = if members == actor.actor {
            members
        } else {
            format!("{} ({members})", actor.actor)
        };
        let line = format!(
            "  {who}: {} (content), {} (routing)",
            counted(actor.content.len(), "cable"),
            counted(actor.routing.len(), "header"),
        );
        told.push_str(&palette.paint(&line, Tone::Bad));
        told.push('\n');
    }
    if report.actors.is_empty() {
        told.push_str("  nothing: the scenario has no adversary.\n");
    }
    told
}

/// A sentence for each measure a run showed to change nothing, followed by
/// a blank line if there was any: the words are the story's, the verdict
/// is the measurement's.
fn verdicts(story: &Story, comparison: &Comparison) -> String {
    let mut told = String::new();
    for (mitigation, row) in story.mitigations.iter().zip(&comparison.rows) {
        if comparison.unchanged(row) && comparison.change_percent(row).is_some() {
            let sentence = format!("{} {}", mitigation.label, mitigation.if_unchanged);
            for line in wrap(&sentence, TERMINAL_WIDTH, "  ") {
                told.push_str(&line);
                told.push('\n');
            }
        }
    }
    if !told.is_empty() {
        told.push('\n');
    }
    told
}

fn heading(title: &str, palette: Palette) -> String {
    render_section(title, &[], palette)
}
