//! `[[expect]]` and `[exercise]` from a file's raw tables to validated
//! values (README.md, "Scenario files"): what the loader of
//! [`super::load`] does for them, kept apart so that each file has one job.
//!
//! Here are the rules that concern one value as written (a missing key, a
//! comparison or a preset that does not parse); the rules relating an
//! expectation to the rest of the scenario live in [`super::check_expect`],
//! which also guards `--set` and programs.

use std::ops::Range;

use toml::Spanned;

use super::ScenarioError;
use super::check::Spot;
use super::error::line_of;
use super::expect::{Comparison, ConfigChoice, Exercise, Expectation, Measure, Op};
use super::load::Loader;
use super::schema::{RawComparison, RawExpect};

impl Loader<'_> {
    /// Every `[[expect]]`, in file order.
    pub(super) fn expectations(&self) -> Result<Vec<Expectation>, ScenarioError> {
        self.raw
            .expect
            .iter()
            .enumerate()
            .map(|(index, table)| self.expectation(index, table))
            .collect()
    }

    fn expectation(&self, index: usize, table: &Spanned<RawExpect>) -> Result<Expectation, ScenarioError> {
        let raw = table.get_ref();
        let Some(name) = &raw.name else {
            return Err(self.error(
                Some(table.span()),
                format!(
                    "[[expect]] #{}: name is missing; say what the expectation checks, in a name unique in the file",
                    index + 1
                ),
            ));
        };
        let name = name.get_ref();
        let Some(actor) = &raw.actor else {
            return Err(self.error(
                Some(table.span()),
                format!(
                    "[[expect]] {name:?}: actor is missing; name an actor of the file's adversaries{}, or \"*\" for every actor",
                    self.actor_list()
                ),
            ));
        };
        let configs = match &raw.configs {
            None => vec![ConfigChoice::AsWritten],
            Some(list) => list
                .get_ref()
                .iter()
                .map(|entry| {
                    entry
                        .get_ref()
                        .parse()
                        .map_err(|e| self.error(Some(entry.span()), format!("[[expect]] {name:?}: configs: {e}")))
                })
                .collect::<Result<_, _>>()?,
        };
        let given = [
            &raw.content,
            &raw.routing,
            &raw.traffic_frames,
            &raw.forged_cables,
            &raw.forged_accepted,
            &raw.alarms,
        ];
        let mut comparisons = Vec::new();
        for (measure, value) in Measure::ALL.into_iter().zip(given) {
            if let Some(value) = value {
                comparisons.push(self.comparison(name, measure, value)?);
            }
        }
        let ids = |list: &Option<Spanned<Vec<Spanned<String>>>>| -> Vec<String> {
            list.as_ref()
                .map(|l| l.get_ref().iter().map(|id| id.get_ref().clone()).collect())
                .unwrap_or_default()
        };
        Ok(Expectation {
            name: name.clone(),
            actor: actor.get_ref().parse().unwrap_or_else(|never| match never {}),
            configs,
            comparisons,
            leaked: ids(&raw.leaked),
            not_leaked: ids(&raw.not_leaked),
            line: line_of(self.text, table.span().start),
        })
    }

    fn comparison(
        &self,
        name: &str,
        measure: Measure,
        value: &Spanned<RawComparison>,
    ) -> Result<Comparison, ScenarioError> {
        let at = Some(value.span());
        match value.get_ref() {
            RawComparison::Integer(n) => u64::try_from(*n)
                .map(|value| Comparison {
                    measure,
                    op: Op::Eq,
                    value,
                })
                .map_err(|_| {
                    self.error(
                        at,
                        format!("[[expect]] {name:?}: {measure} = {n}: a count is a whole number, 0 or more"),
                    )
                }),
            RawComparison::Text(text) => Comparison::parse(measure, text)
                .map_err(|e| self.error(at, format!("[[expect]] {name:?}: {measure}: {e}"))),
        }
    }

    /// ` (the actors are "a", "b")`, or nothing when the file has no
    /// adversary (the rules of `check_expect` say so then).
    fn actor_list(&self) -> String {
        let mut actors: Vec<String> = Vec::new();
        // The default actor is the adversary's name, which only the full
        // loader knows; asking it keeps one definition of that default.
        if let Ok(specs) = self.adversaries() {
            for spec in specs {
                if !actors.contains(&spec.actor) {
                    actors.push(spec.actor);
                }
            }
        }
        if actors.is_empty() {
            return String::new();
        }
        let quoted: Vec<String> = actors.iter().map(|a| format!("{a:?}")).collect();
        format!(" ({})", quoted.join(", "))
    }

    /// `[exercise]`, if the file has one.
    pub(super) fn exercise(&self) -> Result<Option<Exercise>, ScenarioError> {
        let Some(table) = &self.raw.exercise else {
            return Ok(None);
        };
        let raw = table.get_ref();
        let Some(task) = &raw.task else {
            return Err(self.error(
                Some(table.span()),
                "[exercise]: task is missing; say what the participant has to do",
            ));
        };
        Ok(Some(Exercise {
            task: task.get_ref().clone(),
            hint: raw.hint.clone(),
            locked: raw
                .locked
                .as_ref()
                .map(|l| l.get_ref().iter().map(|n| n.get_ref().clone()).collect())
                .unwrap_or_default(),
            line: line_of(self.text, table.span().start),
        }))
    }

    /// The span of the `[[expect]]` or `[exercise]` key a [`Spot`] names,
    /// or of its table when the key is absent.
    pub(super) fn locate_expect(&self, spot: Spot) -> Option<Range<usize>> {
        let raw = self.raw;
        match spot {
            Spot::Expect { index, field } => {
                let table = raw.expect.get(index)?;
                let e = table.get_ref();
                let span = match field {
                    "name" => e.name.as_ref().map(Spanned::span),
                    "actor" => e.actor.as_ref().map(Spanned::span),
                    "configs" => e.configs.as_ref().map(Spanned::span),
                    "leaked" => e.leaked.as_ref().map(Spanned::span),
                    "not_leaked" => e.not_leaked.as_ref().map(Spanned::span),
                    _ => None,
                };
                span.or(Some(table.span()))
            }
            Spot::ExpectEntry { index, field, entry } => {
                let e = raw.expect.get(index)?.get_ref();
                let list = match field {
                    "configs" => e.configs.as_ref(),
                    "leaked" => e.leaked.as_ref(),
                    "not_leaked" => e.not_leaked.as_ref(),
                    _ => None,
                }?;
                Some(list.get_ref().get(entry)?.span())
            }
            Spot::Exercise(field) => {
                let table = raw.exercise.as_ref()?;
                let span = match field {
                    "task" => table.get_ref().task.as_ref().map(Spanned::span),
                    _ => None,
                };
                span.or(Some(table.span()))
            }
            Spot::ExerciseLocked(entry) => {
                let locked = raw.exercise.as_ref()?.get_ref().locked.as_ref()?;
                Some(locked.get_ref().get(entry)?.span())
            }
            _ => None,
        }
    }
}
