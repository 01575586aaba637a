//! The `demo` row: `cablesim demo coreu-2018` as a pipe gets it (the story,
//! the incident's run, the mitigation table), timed whole, beside one plain
//! run of the same scenario and the sum of the crypto floors of the
//! distinct runs the demo performed ([`crypto_floor`]). Rows that only
//! shorten passive attackers' windows or change retention ride in the
//! incident's run or another row's (ARCHITECTURE.md, "Adversaries"), so
//! the floors are those of the runs actually made.

use std::time::Instant;

use serde::Serialize;

use super::scenario_floor::crypto_floor;
use super::{BenchError, BenchOptions, Target};
use crate::report::Palette;
use crate::scenario::{Runner, tell_watched};

/// The scenario the demo row tells: `cablesim demo`'s default.
pub(super) const DEMO_SCENARIO: &str = "coreu-2018";

/// The demo beside one run and its runs' crypto floors.
#[derive(Debug, Clone, Serialize)]
pub struct DemoFigures {
    /// The scenario told.
    pub scenario: String,
    /// Its cables (fewer than the scenario's own in a quick bench).
    pub cables: u64,
    /// The days its incident's run played, as its report says (a tenth of
    /// the scenario's own in a quick bench).
    pub days: u32,
    /// Wall seconds of the whole demo: story, incident's run, table.
    pub demo_s: f64,
    /// Distinct runs it performed: the incident's, and one per row with a
    /// run of its own.
    pub runs: usize,
    /// The rows measured in another run, the incident's or another row's,
    /// by label.
    pub shared: Vec<String>,
    /// Wall seconds of one plain run of the same scenario.
    pub run_s: f64,
    /// The sum of the crypto floors of the demo's distinct runs, each the
    /// best of `rounds` on every core.
    pub floors_s: f64,
    /// Rounds each floor is the best of.
    pub rounds: usize,
    /// `demo_s / floors_s`.
    pub demo_vs_floors: f64,
    /// Target: at most 1.3.
    pub floors_target: Target,
    /// `demo_s / run_s`.
    pub demo_vs_run: f64,
    /// Target: at most 2.0.
    pub run_target: Target,
}

/// Tells the demo, runs the scenario once, and times the floors of the
/// demo's runs, one after the other so that none competes with another
/// for the cores.
pub(super) fn measure(options: &BenchOptions, cores: usize, rounds: usize) -> Result<DemoFigures, BenchError> {
    let scenario = options.scenario(DEMO_SCENARIO)?;
    let runtime = tokio::runtime::Runtime::new()?;

    let start = Instant::now();
    let told = runtime
        .block_on(tell_watched(
            &scenario,
            Palette::new(false),
            false,
            &mut std::io::sink(),
            None,
        ))
        .map_err(|e| BenchError::Incomplete(format!("demo {DEMO_SCENARIO}: {e}")))?;
    let demo_s = start.elapsed().as_secs_f64();

    // One run as `cablesim run` makes it, on a runtime of its own.
    let one_run = crate::net::cores::one_run_runtime()?;
    let start = Instant::now();
    one_run.block_on(Runner::new(scenario.clone()).run())?;
    let run_s = start.elapsed().as_secs_f64();

    let mut floors_s = crypto_floor(&scenario, &told.report, cores, rounds)?.seconds;
    for (variant, report) in &told.runs {
        floors_s += crypto_floor(variant, report, cores, rounds)?.seconds;
    }
    let rows = &told.comparison.rows;
    let (demo_vs_floors, demo_vs_run) = (demo_s / floors_s, demo_s / run_s);
    Ok(DemoFigures {
        scenario: scenario.name.clone(),
        cables: told.report.cables.total,
        days: told.report.days,
        demo_s,
        runs: 1 + told.runs.len(),
        shared: rows.iter().filter(|r| r.shared).map(|r| r.label.clone()).collect(),
        run_s,
        floors_s,
        rounds,
        demo_vs_floors,
        floors_target: Target::at_most(1.3, demo_vs_floors),
        demo_vs_run,
        run_target: Target::at_most(2.0, demo_vs_run),
    })
}
