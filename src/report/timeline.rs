//! The geometry of the HTML report's timeline (README.md, "Report files"): for
//! each actor, when each of its adversaries was active, and below, how many of
//! the cables sent on each day it ended up holding. Coordinates only; the SVG
//! markup lives in `templates/report.html.j2`.

use serde::Serialize;

use super::RunReport;
use super::map::round;

/// Width of the drawing, in SVG user units.
const WIDTH: f64 = 1000.0;
/// Room on the left for names.
const PLOT_LEFT: f64 = 190.0;
/// Room on the right, so the last tick's label fits.
const PLOT_RIGHT: f64 = 20.0;
/// Height of one adversary's window bar, and the gap under it.
const BAR: f64 = 14.0;
const BAR_GAP: f64 = 6.0;
/// Height of an actor's histogram of leaks by day.
const HISTOGRAM: f64 = 56.0;
/// At most this many histogram bars: beyond, days are binned, so that a
/// three-year run still has bars wide enough to see.
const MAX_BARS: u32 = 150;

/// The timeline: one band per actor, then the day axis.
#[derive(Debug, Serialize)]
pub(super) struct TimelineView {
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    axis_y: f64,
    ticks: Vec<Tick>,
    /// Days per histogram bar.
    bin_days: u32,
    bands: Vec<Band>,
}

#[derive(Debug, Serialize)]
struct Tick {
    x: f64,
    day: u32,
}

/// One actor: its adversaries' windows, then its leaks by day.
#[derive(Debug, Serialize)]
struct Band {
    actor: String,
    top: f64,
    windows: Vec<WindowBar>,
    /// Top and bottom of the histogram.
    histogram_top: f64,
    baseline: f64,
    /// The most cables in one bar: the histogram's scale.
    peak: u64,
    bars: Vec<LeakBar>,
}

#[derive(Debug, Serialize)]
struct WindowBar {
    name: String,
    /// "days 30–1094" or "day 400".
    days: String,
    x: f64,
    y: f64,
    w: f64,
    label_y: f64,
    /// Where the days are written: inside a bar long enough to hold them,
    /// else just after it, or before it at the right edge.
    days_x: f64,
    days_anchor: &'static str,
    days_inside: bool,
}

/// Cables of one bin of days: content at the bottom, headers only on top.
#[derive(Debug, Serialize)]
struct LeakBar {
    first_day: u32,
    last_day: u32,
    content: u64,
    routing_only: u64,
    x: f64,
    w: f64,
    content_y: f64,
    content_h: f64,
    routing_y: f64,
    routing_h: f64,
}

/// Lays out the timeline of the report's actors over its days.
pub(super) fn layout(report: &RunReport) -> TimelineView {
    let days = report.days.max(1);
    let plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT;
    let x_of = |day: f64| round(PLOT_LEFT + plot_width * day / f64::from(days));
    let bin_days = days.div_ceil(MAX_BARS);
    let mut y = 10.0;
    let mut bands = Vec::with_capacity(report.actors.len());
    for actor in &report.actors {
        let top = y;
        y += 22.0; // the actor's name
        let mut windows = Vec::new();
        for adversary in report.adversaries.iter().filter(|a| a.actor == actor.actor) {
            let from = adversary.window.from.min(days);
            let until = adversary.window.until.unwrap_or(days).clamp(from, days);
            let x = x_of(f64::from(from));
            // A one-day window is still drawn wide enough to see.
            let w = (x_of(f64::from(until)) - x).max(3.0);
            let days_inside = w >= 96.0;
            let (days_x, days_anchor) = if days_inside {
                (x + 6.0, "start")
            } else if x + w + 100.0 <= WIDTH - PLOT_RIGHT {
                (x + w + 6.0, "start")
            } else {
                (x - 6.0, "end")
            };
            windows.push(WindowBar {
                name: adversary.name.clone(),
                days: window_text(from, until),
                x,
                y: round(y),
                w: round(w),
                label_y: round(y + BAR - 3.0),
                days_x: round(days_x),
                days_anchor,
                days_inside,
            });
            y += BAR + BAR_GAP;
        }
        let histogram_top = y + 4.0;
        let baseline = histogram_top + HISTOGRAM;
        let mut bins: Vec<(u64, u64)> = vec![(0, 0); days.div_ceil(bin_days) as usize];
        for counts in &actor.leaks_by_day {
            if let Some(bin) = bins.get_mut((counts.day / bin_days) as usize) {
                bin.0 += counts.content;
                bin.1 += counts.routing.saturating_sub(counts.content);
            }
        }
        let peak = bins.iter().map(|(c, r)| c + r).max().unwrap_or(0);
        let scale = if peak == 0 { 0.0 } else { HISTOGRAM / peak as f64 };
        let bars = bins
            .iter()
            .enumerate()
            .filter(|(_, (c, r))| c + r > 0)
            .map(|(i, &(content, routing_only))| {
                let first_day = i as u32 * bin_days;
                let last_day = (first_day + bin_days).min(days) - 1;
                let x = x_of(f64::from(first_day));
                let w = (x_of(f64::from(last_day + 1)) - x - 1.0).max(1.0);
                let content_h = content as f64 * scale;
                let routing_h = routing_only as f64 * scale;
                LeakBar {
                    first_day,
                    last_day,
                    content,
                    routing_only,
                    x,
                    w: round(w),
                    content_y: round(baseline - content_h),
                    content_h: round(content_h),
                    routing_y: round(baseline - content_h - routing_h),
                    routing_h: round(routing_h),
                }
            })
            .collect();
        bands.push(Band {
            actor: actor.actor.clone(),
            top,
            windows,
            histogram_top: round(histogram_top),
            baseline: round(baseline),
            peak,
            bars,
        });
        y = baseline + 26.0;
    }
    let axis_y = y;
    let step = tick_step(days);
    let ticks = (0..=days)
        .step_by(step as usize)
        .map(|day| Tick {
            x: x_of(f64::from(day)),
            day,
        })
        .collect();
    TimelineView {
        width: WIDTH,
        height: round(axis_y + 30.0),
        plot_left: PLOT_LEFT,
        plot_right: WIDTH - PLOT_RIGHT,
        axis_y: round(axis_y),
        ticks,
        bin_days,
        bands,
    }
}

/// The window `[from, until)` in words, days counted inclusively.
pub(super) fn window_text(from: u32, until: u32) -> String {
    if until <= from + 1 {
        format!("day {from}")
    } else {
        format!("days {from}–{}", until - 1)
    }
}

/// A round number of days between ticks, about ten ticks in all.
fn tick_step(days: u32) -> u32 {
    [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]
        .into_iter()
        .find(|step| days / step <= 10)
        .unwrap_or(days.div_ceil(10).max(1))
}
