//! From a scenario file's text to a validated [`Scenario`] (README.md,
//! "Scenario files").
//!
//! Parsing happens in two steps: serde reads the text into the raw
//! [`schema`](super::schema) types (which rejects bad TOML, unknown fields
//! and wrong value types with toml's own span), then this file resolves
//! names and values, and [`check`] applies the rules that relate one part of
//! the file to another. Every failure is reported with the line of the key
//! or table at fault.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use toml::Spanned;

use super::check::{Spot, check};
use super::schema::{RawAdversary, RawFile, RawScenario};
use super::{Scenario, ScenarioError};
use crate::adversary::{AdversaryKind, AdversarySpec};
use crate::model::{
    Cable, Classification, ClassificationMix, DayWindow, HUB, Network, Node, Role, SecurityConfig, stamp_canary,
    valid_node_name,
};

impl Scenario {
    /// Parses and validates a scenario from its TOML text. `source` names
    /// it in errors and in [`Scenario::source`]: a file path, or
    /// `builtin:NAME` for a built-in.
    pub fn from_toml_str(text: &str, source: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| ScenarioError::at_span(source, text, e.span(), e.message()))?;
        Loader {
            text,
            source,
            raw: &raw,
        }
        .build()
    }

    /// Reads, parses and validates a scenario file; a file that cannot be
    /// read is a [`ScenarioError`] without a line.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError::new(source.as_str(), None, format!("cannot read the scenario file: {e}")))?;
        Scenario::from_toml_str(&text, &source)
    }
}

/// The most nodes `[network]` generates per role. Real networks are far
/// smaller (the 2010 State Department archive came from 274 posts), and
/// every node costs a link and keys in a run.
const MAX_GENERATED: usize = 10_000;

/// One file being resolved: its text (for line numbers), its name (for
/// errors) and what serde read from it.
pub(super) struct Loader<'a> {
    pub(super) text: &'a str,
    pub(super) source: &'a str,
    pub(super) raw: &'a RawFile,
}

impl Loader<'_> {
    fn build(&self) -> Result<Scenario, ScenarioError> {
        let head: &RawScenario = self.raw.scenario.get_ref();
        let seed = *head.seed.get_ref();
        let scenario = Scenario {
            name: head.name.get_ref().clone(),
            description: head.description.clone(),
            source: self.source.to_owned(),
            seed,
            days: *head.days.get_ref(),
            generated_cables: head.cables.as_ref().map_or(0, |c| *c.get_ref()),
            mix: self.mix()?,
            network: self.network()?,
            security: self.security()?,
            cables: self.cables(seed)?,
            adversaries: self.adversaries()?,
            expectations: self.expectations()?,
            exercise: self.exercise()?,
        };
        check(&scenario).map_err(|problem| self.error(self.locate(problem.spot), problem.reason))?;
        Ok(scenario)
    }

    pub(super) fn error(&self, span: Option<Range<usize>>, reason: impl Into<String>) -> ScenarioError {
        ScenarioError::at_span(self.source, self.text, span, reason)
    }

    /// Parses an enumerated value, prefixing the model's error (which
    /// lists the accepted names) with the field it was given for.
    fn parse<T>(&self, field: &str, value: &Spanned<String>) -> Result<T, ScenarioError>
    where
        T: FromStr,
        T::Err: Display,
    {
        value
            .get_ref()
            .parse()
            .map_err(|e| self.error(Some(value.span()), format!("{field}: {e}")))
    }

    fn mix(&self) -> Result<ClassificationMix, ScenarioError> {
        let Some(mix) = &self.raw.scenario.get_ref().mix else {
            return Ok(ClassificationMix::default());
        };
        let m = mix.get_ref();
        let given = [m.unclassified, m.limite, m.restricted, m.confidential, m.secret];
        let weights: Vec<(Classification, u32)> = Classification::ALL
            .into_iter()
            .zip(given)
            .filter_map(|(level, weight)| Some((level, weight?)))
            .collect();
        ClassificationMix::new(&weights).map_err(|e| self.error(Some(mix.span()), format!("scenario.mix: {e}")))
    }

    /// The generated nodes of `[network]`, then each `[[node]]`: added, or
    /// replacing the generated node of the same name, which is how a file
    /// gives one generated mission its own `verify_server`.
    fn network(&self) -> Result<Network, ScenarioError> {
        let (mut ministries, mut missions, mut hq) = (0, 0, false);
        if let Some(network) = &self.raw.network {
            let n = network.get_ref();
            ministries = self.generated_count("ministries", n.ministries.as_ref())?;
            missions = self.generated_count("missions", n.missions.as_ref())?;
            hq = n.hq;
        }
        let mut nodes = Network::generated_nodes(ministries, missions, hq);
        let generated: BTreeMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        let mut listed: BTreeMap<&str, &Spanned<String>> = BTreeMap::new();
        for raw in &self.raw.node {
            let raw = raw.get_ref();
            let name = raw.name.get_ref();
            let name_at = Some(raw.name.span());
            if name == HUB {
                return Err(self.error(
                    name_at,
                    "name = \"hub\": the hub is part of every network and is not listed as a node",
                ));
            }
            if !valid_node_name(name) {
                return Err(self.error(
                    name_at,
                    format!(
                        "invalid node name {name:?}: use 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
                    ),
                ));
            }
            let role: Role = self.parse("role", &raw.role)?;
            if role == Role::Hub {
                return Err(self.error(
                    Some(raw.role.span()),
                    "role = \"hub\": the one hub is implicit; a listed node is hq, ministry or mission",
                ));
            }
            if let Some(first) = listed.insert(name, &raw.name) {
                let first_line = super::error::line_of(self.text, first.span().start);
                return Err(self.error(
                    name_at,
                    format!("node {name:?} is listed twice (first on line {first_line})"),
                ));
            }
            let node = Node {
                name: name.clone(),
                role,
                verify_server: raw.verify_server,
            };
            match generated.get(name) {
                Some(&i) if nodes[i].role != role => {
                    return Err(self.error(
                        Some(raw.role.span()),
                        format!(
                            "node {name:?} is a generated {} of [network] and can only be overridden with role = \"{}\", not \"{role}\"",
                            nodes[i].role, nodes[i].role
                        ),
                    ));
                }
                Some(&i) => nodes[i] = node,
                None => nodes.push(node),
            }
        }
        // The checks above leave nothing for `Network::new` to refuse; its
        // error is still passed on rather than assumed away.
        Network::new(nodes).map_err(|e| self.error(self.raw.network.as_ref().map(Spanned::span), e.to_string()))
    }

    /// A generated node count of `[network]`, refused above
    /// [`MAX_GENERATED`] so that a typo cannot ask for more nodes than
    /// memory holds.
    fn generated_count(&self, field: &str, value: Option<&Spanned<usize>>) -> Result<usize, ScenarioError> {
        let Some(value) = value else { return Ok(0) };
        let count = *value.get_ref();
        if count > MAX_GENERATED {
            return Err(self.error(
                Some(value.span()),
                format!("{field} = {count}: at most {MAX_GENERATED} nodes of a role are generated"),
            ));
        }
        Ok(count)
    }

    fn security(&self) -> Result<SecurityConfig, ScenarioError> {
        let mut config = SecurityConfig::default();
        let Some(raw) = &self.raw.security else {
            return Ok(config);
        };
        let s = raw.get_ref();
        if let Some(v) = &s.transport {
            config.transport = self.parse("transport", v)?;
        }
        if let Some(v) = s.verify_server {
            config.verify_server = v;
        }
        if let Some(v) = &s.e2e {
            config.e2e = self.parse("e2e", v)?;
        }
        if let Some(v) = &s.epoch_days {
            config.epoch_days = *v.get_ref();
        }
        if let Some(v) = s.signatures {
            config.signatures = v;
        }
        if let Some(v) = s.key_pinning {
            config.key_pinning = v;
        }
        if let Some(v) = &s.distribution {
            config.distribution = self.parse("distribution", v)?;
        }
        if let Some(v) = s.archive {
            config.archive = v;
        }
        // TOML has no null: leaving the key out is how a file says "forever".
        config.archive_days = s.archive_days;
        config.retention_days = s.retention_days;
        if let Some(v) = &s.max_classification {
            config.max_classification = self.parse("max_classification", v)?;
        }
        if let Some(v) = &s.post_quantum {
            config.post_quantum = self.parse("post_quantum", v)?;
        }
        Ok(config)
    }

    /// The listed cables, each with its canary stamped from the seed and its
    /// position in the list (so listing cables never changes generated ones).
    fn cables(&self, seed: u64) -> Result<Vec<Cable>, ScenarioError> {
        let mut cables = Vec::with_capacity(self.raw.cable.len());
        for (index, raw) in self.raw.cable.iter().enumerate() {
            let raw = raw.get_ref();
            let mut cable = Cable {
                id: raw.id.get_ref().clone(),
                day: *raw.day.get_ref(),
                from: raw.from.get_ref().clone(),
                to: raw.to.get_ref().iter().map(|n| n.get_ref().clone()).collect(),
                classification: self.parse(
                    &format!("cable {:?}: classification", raw.id.get_ref()),
                    &raw.classification,
                )?,
                subject: raw.subject.clone(),
                body: raw.body.clone(),
                canary: String::new(),
            };
            stamp_canary(&mut cable, seed, index as u64);
            cables.push(cable);
        }
        Ok(cables)
    }

    pub(super) fn adversaries(&self) -> Result<Vec<AdversarySpec>, ScenarioError> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut specs = Vec::with_capacity(self.raw.adversary.len());
        for raw in &self.raw.adversary {
            let raw = raw.get_ref();
            let kind: AdversaryKind = self.parse("kind", &raw.kind)?;
            let window = self.window(kind, raw)?;
            if kind != AdversaryKind::Forger {
                let refused = [
                    ("impersonate", raw.impersonate.as_ref().map(Spanned::span)),
                    ("to", raw.to.as_ref().map(Spanned::span)),
                ];
                if let Some((field, span)) = refused.into_iter().find(|(_, span)| span.is_some()) {
                    return Err(self.error(
                        span,
                        format!("kind = \"{kind}\" does not take `{field}`; only a forger does"),
                    ));
                }
            }
            // An empty list would silently mean "the kind's defaults", which
            // is what leaving the key out already says.
            if let Some(attack) = raw.attack.as_ref().filter(|a| a.get_ref().is_empty()) {
                return Err(self.error(
                    Some(attack.span()),
                    "attack = []: name at least one ATT&CK technique, or leave `attack` out for the kind's own",
                ));
            }
            let at = raw.at.as_ref().map(|n| n.get_ref().clone());
            // `kind@node` or `kind`, then ` #2`, ` #3` for repeats, so that
            // reports can tell two taps on the same link apart.
            let base = match &at {
                Some(node) => format!("{kind}@{node}"),
                None => kind.to_string(),
            };
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            let name = if *count == 1 { base } else { format!("{base} #{count}") };
            specs.push(AdversarySpec {
                actor: raw.actor.as_ref().map_or_else(|| name.clone(), |a| a.get_ref().clone()),
                name,
                kind,
                at,
                window,
                impersonate: raw.impersonate.as_ref().map(|n| n.get_ref().clone()),
                to: raw
                    .to
                    .as_ref()
                    .map(|to| to.get_ref().iter().map(|n| n.get_ref().clone()).collect())
                    .unwrap_or_default(),
                attack: raw
                    .attack
                    .as_ref()
                    .map(|ids| ids.get_ref().iter().map(|id| id.get_ref().clone()).collect())
                    .unwrap_or_default(),
            });
        }
        Ok(specs)
    }

    /// `on_day` for the single-day kinds, `[from_day, until_day)` for the
    /// others; a kind given the other kind's keys is refused rather than
    /// guessed at, since either guess could silently change what leaks.
    fn window(&self, kind: AdversaryKind, raw: &RawAdversary) -> Result<DayWindow, ScenarioError> {
        if kind.single_day() {
            for (field, value) in [("from_day", &raw.from_day), ("until_day", &raw.until_day)] {
                if let Some(value) = value {
                    return Err(self.error(
                        Some(value.span()),
                        format!("kind = \"{kind}\" acts on a single day: use on_day, not {field}"),
                    ));
                }
            }
            let Some(day) = &raw.on_day else {
                return Err(self.error(
                    Some(raw.kind.span()),
                    format!("kind = \"{kind}\" needs on_day, the day it acts"),
                ));
            };
            Ok(DayWindow::single(*day.get_ref()))
        } else if kind.open_ended() {
            for (field, value) in [("on_day", &raw.on_day), ("until_day", &raw.until_day)] {
                if let Some(value) = value {
                    return Err(self.error(
                        Some(value.span()),
                        format!("kind = \"{kind}\" is available from from_day to the end: {field} is not allowed"),
                    ));
                }
            }
            Ok(DayWindow::new(raw.from_day.as_ref().map_or(0, |d| *d.get_ref()), None))
        } else {
            if let Some(day) = &raw.on_day {
                return Err(self.error(
                    Some(day.span()),
                    format!("kind = \"{kind}\" is active over a window: use from_day and until_day, not on_day"),
                ));
            }
            Ok(DayWindow::new(
                raw.from_day.as_ref().map_or(0, |d| *d.get_ref()),
                raw.until_day.as_ref().map(|d| *d.get_ref()),
            ))
        }
    }

    /// The span of the key a [`Spot`] names, or of its table when the key
    /// is absent (a required key that is missing, say).
    fn locate(&self, spot: Spot) -> Option<Range<usize>> {
        let raw = self.raw;
        let head = raw.scenario.get_ref();
        match spot {
            Spot::Scenario(field) => Some(match field {
                "days" => head.days.span(),
                "seed" => head.seed.span(),
                "cables" => head.cables.as_ref().map_or(raw.scenario.span(), Spanned::span),
                _ => raw.scenario.span(),
            }),
            Spot::Security(field) => {
                let table = raw.security.as_ref()?;
                match field {
                    "epoch_days" => table.get_ref().epoch_days.as_ref().map(Spanned::span),
                    _ => None,
                }
                .or(Some(table.span()))
            }
            Spot::Cable { index, field } => {
                let table = raw.cable.get(index)?;
                let c = table.get_ref();
                Some(match field {
                    "id" => c.id.span(),
                    "day" => c.day.span(),
                    "from" => c.from.span(),
                    "to" => c.to.span(),
                    "classification" => c.classification.span(),
                    _ => table.span(),
                })
            }
            Spot::CableTo { index, entry } => Some(raw.cable.get(index)?.get_ref().to.get_ref().get(entry)?.span()),
            Spot::Adversary { index, field } => {
                let table = raw.adversary.get(index)?;
                let a = table.get_ref();
                let span = match field {
                    "kind" => Some(a.kind.span()),
                    "at" => a.at.as_ref().map(Spanned::span),
                    "from_day" => a.from_day.as_ref().map(Spanned::span),
                    "until_day" => a.until_day.as_ref().map(Spanned::span),
                    "on_day" => a.on_day.as_ref().map(Spanned::span),
                    "actor" => a.actor.as_ref().map(Spanned::span),
                    "impersonate" => a.impersonate.as_ref().map(Spanned::span),
                    "to" => a.to.as_ref().map(Spanned::span),
                    "attack" => a.attack.as_ref().map(Spanned::span),
                    _ => None,
                };
                span.or(Some(table.span()))
            }
            Spot::AdversaryTo { index, entry } => {
                let to = raw.adversary.get(index)?.get_ref().to.as_ref()?;
                Some(to.get_ref().get(entry)?.span())
            }
            Spot::AdversaryAttack { index, entry } => {
                let attack = raw.adversary.get(index)?.get_ref().attack.as_ref()?;
                Some(attack.get_ref().get(entry)?.span())
            }
            Spot::Expect { .. } | Spot::ExpectEntry { .. } | Spot::Exercise(_) | Spot::ExerciseLocked(_) => {
                self.locate_expect(spot)
            }
        }
    }
}
