//! Live views of runs in progress on a terminal. They draw only on a
//! terminal: in a pipe or a file they are hidden, and the caller prints
//! the final figures as plain lines instead.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::style::Palette;

/// What one actor holds at some point of a run, as the analyst measured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding<'a> {
    /// Actor name.
    pub actor: &'a str,
    /// Cables whose canary it holds.
    pub content: usize,
    /// Cables whose header it holds.
    pub routing: usize,
}

/// The draw target: standard output on a terminal, nothing otherwise.
/// Standard output rather than indicatif's default of standard error,
/// because the bar belongs to the story printed there.
fn target(live: bool) -> ProgressDrawTarget {
    if live {
        ProgressDrawTarget::stdout()
    } else {
        ProgressDrawTarget::hidden()
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants of this file: a failure is a typo here,
    // and the default style is still a working display.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A bar of the days played, followed by a live tally of what each actor
/// holds so far.
#[derive(Debug)]
pub struct DayBar {
    bar: ProgressBar,
}

impl DayBar {
    /// A bar for a run of `days` days; `live` says whether standard output
    /// is a terminal to draw on.
    pub fn new(days: u32, live: bool, palette: Palette) -> DayBar {
        // `wide_msg` takes what the terminal has left, cutting the tally
        // rather than wrapping the line.
        let template = if palette.colors() {
            "  [{bar:24.red/dim}] day {pos:>4}/{len}  {wide_msg:.red}"
        } else {
            "  [{bar:24}] day {pos:>4}/{len}  {wide_msg}"
        };
        let bar = ProgressBar::with_draw_target(Some(u64::from(days)), target(live))
            .with_style(style(template).progress_chars("#>-"));
        DayBar { bar }
    }

    /// `days_done` days are played and the actors hold `holdings`.
    pub fn update(&self, days_done: u32, holdings: &[Holding<'_>]) {
        self.bar.set_position(u64::from(days_done));
        self.bar.set_message(holdings_text(holdings));
    }

    /// Removes the bar, leaving the line free for the final figures.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// "apt: 12 cables, 40 headers; spies: ...", or "nothing yet".
pub fn holdings_text(holdings: &[Holding<'_>]) -> String {
    if holdings.is_empty() {
        return "no adversary".to_owned();
    }
    holdings
        .iter()
        .map(|h| {
            format!(
                "{}: {}, {}",
                h.actor,
                counted(h.content, "cable"),
                counted(h.routing, "header")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "1 cable", "2 cables".
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A spinner for runs without a bar of their own, counting those done.
#[derive(Debug)]
pub struct RunsSpinner {
    bar: ProgressBar,
}

impl RunsSpinner {
    /// A spinner over `runs` runs, described by `what`.
    pub fn new(runs: usize, what: &str, live: bool, palette: Palette) -> RunsSpinner {
        let template = if palette.colors() {
            "  {spinner:.green} {prefix} {pos}/{len} {wide_msg:.dim}"
        } else {
            "  {spinner} {prefix} {pos}/{len} {wide_msg}"
        };
        let bar = ProgressBar::with_draw_target(Some(runs as u64), target(live)).with_style(style(template));
        bar.set_prefix(what.to_owned());
        // Ticks keep the spinner turning while the runs work; hidden
        // targets skip the drawing.
        bar.enable_steady_tick(Duration::from_millis(120));
        RunsSpinner { bar }
    }

    /// One run has finished: `label`.
    pub fn done(&self, label: &str) {
        self.bar.inc(1);
        self.bar.set_message(format!("done: {label}"));
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdings_read_as_a_sentence() {
        let h = [
            Holding {
                actor: "apt",
                content: 3,
                routing: 5,
            },
            Holding {
                actor: "spy",
                content: 0,
                routing: 1,
            },
        ];
        assert_eq!(holdings_text(&h), "apt: 3 cables, 5 headers; spy: 0 cables, 1 header");
    }

    #[test]
    fn hidden_bars_keep_the_day_the_tally_and_the_runs_done() {
        // Hidden (not a terminal), the bars draw nothing but must still
        // hold what a terminal would show: the day played, the tally, the
        // runs finished.
        let bar = DayBar::new(10, false, Palette::new(false));
        assert!(bar.bar.is_hidden());
        assert_eq!(bar.bar.length(), Some(10));
        let apt = Holding {
            actor: "apt",
            content: 1,
            routing: 2,
        };
        bar.update(5, &[apt]);
        assert_eq!(bar.bar.position(), 5);
        assert_eq!(bar.bar.message(), "apt: 1 cable, 2 headers");
        bar.update(7, &[]);
        assert_eq!(bar.bar.position(), 7);
        assert_eq!(bar.bar.message(), "no adversary");
        assert!(!bar.bar.is_finished());
        bar.finish();
        assert!(bar.bar.is_finished());

        let spinner = RunsSpinner::new(2, "runs", false, Palette::new(false));
        assert_eq!(
            (spinner.bar.prefix(), spinner.bar.length()),
            ("runs".to_owned(), Some(2))
        );
        assert_eq!(spinner.bar.position(), 0);
        spinner.done("a");
        assert_eq!(
            (spinner.bar.position(), spinner.bar.message()),
            (1, "done: a".to_owned())
        );
        spinner.done("b");
        assert_eq!(
            (spinner.bar.position(), spinner.bar.message()),
            (2, "done: b".to_owned())
        );
        spinner.finish();
        assert!(spinner.bar.is_finished());
    }
}
