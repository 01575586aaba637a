//! Runs shared by the whole test binary: a scenario, exactly as a test
//! built it (preset, `--set`s and edits applied), is run once, and every
//! test that asks for the same scenario reads that run's report. The
//! built-in scenarios are run by several themes (their stories in
//! `builtin_scenarios.rs`, their own `[[expect]]` entries in
//! `exercises.rs`); a report is deterministic (ARCHITECTURE.md,
//! "Determinism"), so a second run of an equal scenario could only repeat
//! the first.
//!
//! Each run is made as `cablesim run` and `cablesim check` make it: on a
//! multi-threaded runtime of its own, here on a thread of its own, so that
//! a test may ask from inside its own runtime. A test that needs the run
//! while another is making it waits for that one rather than starting a
//! second.

use std::sync::{Arc, Mutex, OnceLock};

use cablesim::report::RunReport;
use cablesim::scenario::{Runner, Scenario};

/// Values made once per distinct key, by the first test that asks; a test
/// that asks while another is making the value waits for that one.
pub(crate) struct OncePerKey<K, V> {
    cells: Mutex<Vec<(K, Cell<V>)>>,
}

/// One key's value, made once.
type Cell<V> = Arc<OnceLock<Arc<V>>>;

impl<K: PartialEq + Clone, V> OncePerKey<K, V> {
    pub(crate) const fn new() -> Self {
        Self {
            cells: Mutex::new(Vec::new()),
        }
    }

    /// The value of `key`, made with `make` if no test made it yet. A
    /// `make` that panics leaves the value unmade: the next asker makes it
    /// again and fails the same way, each test with its own message.
    pub(crate) fn get(&self, key: &K, make: impl FnOnce() -> V) -> Arc<V> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match cells.iter().find(|(known, _)| known == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceLock::new());
                    cells.push((key.clone(), cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_init(|| Arc::new(make())).clone()
    }
}

static RUNS: OncePerKey<Scenario, RunReport> = OncePerKey::new();

/// The report of a run of `scenario`, made by the first test that asks.
pub(crate) fn report(scenario: &Scenario) -> Arc<RunReport> {
    RUNS.get(scenario, || run_alone(scenario))
}

fn run_alone(scenario: &Scenario) -> RunReport {
    let scenario = scenario.clone();
    let name = scenario.name.clone();
    std::thread::spawn(move || Runner::new(scenario).run_blocking())
        .join()
        .unwrap_or_else(|_| panic!("{name}: the run panicked"))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .report
}
