//! Scenarios (README.md, "Scenario files" and "The command line"): a network,
//! its security settings, its cables and its adversaries, read from a TOML file
//! or a built-in, then adjusted by a preset and `--set` assignments.
//!
//! | file | role |
//! |---|---|
//! | `schema` | the file format as serde reads it, unknown fields denied |
//! | `load` | text → validated [`Scenario`], errors with file and line |
//! | `check` | the rules a resolved scenario obeys, shared by files and `--set` |
//! | `expect` | `[[expect]]` and `[exercise]` as validated values |
//! | `load_expect` | `[[expect]]` and `[exercise]` read from a file, errors with line |
//! | `check_expect` | the rules expectations and exercise locks obey on a resolved scenario |
//! | `verdict` | one expectation judged against one run's report |
//! | `expectations` | every expectation of a scenario answered with real runs |
//! | `set` | `--set FIELD=VALUE` and presets applied to a scenario |
//! | [`locks`] | what a participant's copy of an exercise changed that the exercise locks |
//! | [`presets`] | the named crypto configurations of `--config` |
//! | [`catalog`] | the built-in scenarios of `examples/scenarios/`, the exercises of `examples/exercises/` |
//! | `network` | an in-process network: PKI, hub, links, nodes |
//! | `runner` | the day-by-day run that produces the report |
//! | `run_error` | why a run could not take place |
//! | `counterfactual` | what-ifs beyond `[security]`: [`with_dwell`], detection after N days |
//! | `demo` | an incident replayed under each [`Mitigation`], side by side |
//! | `story`, `stories` | the words `cablesim demo` tells each incident with, by scenario name |
//! | `narrate` | `cablesim demo` in the terminal: story, live run, table, lessons |
//!
//! ```
//! use cablesim::scenario::{Preset, Scenario};
//!
//! let text = r#"
//! [scenario]
//! name = "two ministries"
//! seed = 7
//! days = 10
//! cables = 20
//!
//! [network]
//! ministries = 2
//!
//! [[adversary]]
//! kind = "endpoint"
//! at = "be-mfa"
//! from_day = 5
//! "#;
//! let mut scenario = Scenario::from_toml_str(text, "inline.toml")?;
//! scenario.apply_preset(Preset::HopTls);
//! scenario.apply_set("retention_days=3")?;
//! assert_eq!(scenario.adversaries[0].name, "endpoint@be-mfa");
//! assert_eq!(scenario.generator()?.cables().count(), 20);
//! # Ok::<(), cablesim::scenario::ScenarioError>(())
//! ```

pub(crate) mod adapters;
mod args;
pub mod catalog;
mod check;
mod check_expect;
mod counterfactual;
mod demo;
mod error;
mod expect;
mod expectations;
pub(crate) mod findings;
mod load;
mod load_expect;
pub mod locks;
mod matrix;
mod narrate;
mod network;
pub mod presets;
mod run_error;
mod run_report;
mod runner;
mod schema;
mod set;
mod sharing;
mod stories;
mod story;
mod tally;
mod verdict;
mod wire;

pub use args::ScenarioArgs;
pub use catalog::{BUILTIN, Builtin, BuiltinExercise, EXERCISES, builtin, exercise, resolve};
pub use counterfactual::with_dwell;
pub use demo::{
    Change, DemoError, Mitigation, OwnRuns, Replays, STANDARD_MITIGATIONS, Sharing, mitigation_table,
    mitigation_table_with,
};
pub use error::ScenarioError;
pub use expect::{
    ActorSelector, BadComparison, Comparison, ConfigChoice, Exercise, Expectation, Measure, Op, UnknownConfig,
    UnknownMeasure,
};
pub use expectations::{Checked, check_expectations, distinct_configs};
pub use findings::{ActorTally, LeakNote, LevelTally, NEWEST_LEAKS};
pub use matrix::{Matrix, MatrixCell, MatrixWire, run_matrix};
pub use narrate::{DemoWatcher, Told, tell, tell_watched};
pub use network::{CONNECT_ATTEMPTS, HANDSHAKE_TIMEOUT, Hooks, InProcessNetwork};
pub use presets::{Preset, UnknownPreset};
pub use run_error::RunError;
pub use run_report::planned_report;
pub(crate) use run_report::{assemble_report, full_index};
pub use runner::{DISPLAY_MEASURE_INTERVAL, Progress, RunOutcome, Runner};
pub use set::SET_FIELDS;
pub use story::{Story, setup};
pub use verdict::{ActorVerdict, Verdict, judge};
pub(crate) use wire::WireTally;

use crate::adversary::AdversarySpec;
use crate::model::{Cable, ClassificationMix, Generator, Network, SecurityConfig, stamp_canary};

/// A validated scenario: everything a run needs besides its keys, which are
/// random per run (ARCHITECTURE.md, "Determinism").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Short name, shown in reports.
    pub name: String,
    /// One line on what the scenario shows.
    pub description: String,
    /// Where it came from: a file path, or `builtin:NAME`.
    pub source: String,
    /// Seeds the generated cables and the canaries of the listed ones.
    /// Change it with [`Scenario::set_seed`], which re-stamps those canaries.
    pub seed: u64,
    /// Length of the run in days; days are `0..days`.
    pub days: u32,
    /// How many cables the generator adds to the listed ones.
    pub generated_cables: u64,
    /// Classification weights of the generated cables.
    pub mix: ClassificationMix,
    /// The hub and every other node.
    pub network: Network,
    /// The effective `[security]` settings.
    pub security: SecurityConfig,
    /// The explicitly listed cables, canaries stamped, in file order.
    pub cables: Vec<Cable>,
    /// The adversaries, in file order, with unique names.
    pub adversaries: Vec<AdversarySpec>,
    /// What must hold (`[[expect]]`), in file order, with unique names.
    pub expectations: Vec<Expectation>,
    /// The exercise the file sets, if it is one (`[exercise]`).
    pub exercise: Option<Exercise>,
}

impl Scenario {
    /// The generator of this scenario's generated cables.
    pub fn generator(&self) -> Result<Generator, ScenarioError> {
        Generator::new(self.seed, &self.network, self.generated_cables, self.days)
            .map(|generator| generator.with_mix(self.mix))
            .map_err(|e| ScenarioError::new(self.source.as_str(), None, format!("cables: {e}")))
    }

    /// Checks the scenario-file rules (README.md, "Scenario files") on the
    /// scenario as it stands now: for a scenario a program assembled or edited
    /// (replacing its adversaries, say). Scenarios fresh from a file have
    /// passed them already; errors here have no line.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        check::check(self).map_err(|problem| ScenarioError::new(self.source.as_str(), None, problem.reason))
    }

    /// Changes the seed and re-stamps the canaries of the listed cables,
    /// so that they are exactly what loading the file with this seed gives.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        for (index, cable) in self.cables.iter_mut().enumerate() {
            let old = std::mem::take(&mut cable.canary);
            if old.is_empty() || !cable.body.contains(&old) {
                stamp_canary(cable, seed, index as u64);
                continue;
            }
            // Stamping an empty body yields the new canary without touching
            // the real body, whose old reference is then swapped in place.
            let mut fresh = Cable {
                body: String::new(),
                ..cable.clone()
            };
            stamp_canary(&mut fresh, seed, index as u64);
            cable.body = cable.body.replace(&old, &fresh.canary);
            cable.canary = fresh.canary;
        }
    }
}
