//! The one-line adversary grammar of `--adversary SPEC`
//! (README.md, "The command line").
//!
//! ```text
//! SPEC   = KIND [ "@" NODE ] [ ":" WHEN ] [ "/" ACTOR ]
//! WHEN   = DAY                    single-day kinds: key-thief, insider (on_day);
//!                                 quantum: the day it arrives (from_day)
//!        | [ DAY ] "-" [ DAY ]    window kinds: from-until, either side optional
//! ```
//!
//! | spec | means |
//! |---|---|
//! | `endpoint@cy-mfa:10-40/apt` | malware on `cy-mfa` from day 10 until day 40, actor `apt` |
//! | `tap@del-kyiv` | a tap on `del-kyiv`'s link for the whole run |
//! | `tap@del-kyiv:10-` | from day 10 to the end of the run |
//! | `mitm@del-kyiv:-40` | from day 0 until day 40 |
//! | `hub:5-20` | the hub position from day 5 until day 20 |
//! | `hub` | the hub position for the whole run |
//! | `key-thief@at-mfa:12` | a copy of `at-mfa`'s keys taken on day 12 |
//! | `insider:30` | a bulk export of the archive at the start of day 30 |
//! | `forger@hq:3-9` | forged cables claiming to come from `hq`, days 3 to 8 |
//! | `quantum:3000/state` | a quantum computer for actor `state` from day 3000 on |
//!
//! A forger does not sit at a node, so `forger@NODE` names the node it
//! **impersonates** instead (the `impersonate` key of a scenario file);
//! its cables go to every ministry, as in a file that leaves out `to`. A
//! bare `forger` impersonates the network's `hq` node, or the first node
//! by name when there is none: the forged instruction from headquarters is
//! the classic case, and a command line should not need more to show it.
//!
//! A spec becomes exactly the [`AdversarySpec`] a scenario file with the
//! same fields would: named `kind@node` (or `kind` for the kinds that sit
//! at the hub, forgers included), acting for an actor of the same name
//! unless `/ACTOR` says otherwise. [`parse_adversary_specs`] numbers
//! repeats `#2`, `#3`... as the file loader does. The checks that relate
//! several adversaries or the cables to each other stay with the
//! scenario's own validation, which the caller runs after replacing the
//! file's adversaries; this module checks what one spec can get wrong on
//! its own: its syntax, its kind, its node and its days.

use std::collections::BTreeMap;

use super::{AdversaryKind, AdversarySpec};
use crate::model::{Day, DayWindow, HUB, Network, Role};

/// A `--adversary` spec that cannot be used: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--adversary #{} {:?}: {problem}", .position + 1, .spec)]
#[non_exhaustive]
pub struct SpecError {
    /// The spec as the user wrote it.
    pub spec: String,
    /// Its 0-based position among the command's specs (shown 1-based), so
    /// that a user who gave several can tell which one is wrong.
    pub position: usize,
    /// What is wrong with it.
    pub problem: SpecProblem,
}

/// What is wrong with one spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecProblem {
    /// A part the grammar requires after its separator is empty: `""`,
    /// `tap@`, `hub:`, `tap@n/`.
    #[error("the {0} is empty")]
    Empty(&'static str),
    /// The kind is not one of the [`AdversaryKind`] names.
    #[error("unknown adversary kind {0:?} (expected tap, mitm, hub, endpoint, key-thief, insider, forger or quantum)")]
    UnknownKind(String),
    /// A node-bound kind was given no `@NODE`.
    #[error("kind {0} sits at a node: write {0}@NODE")]
    NodeRequired(AdversaryKind),
    /// A kind that does not sit at a node was given one.
    #[error("kind {kind} does not sit at a node, so @{node} is not allowed")]
    NodeNotAllowed {
        /// The kind.
        kind: AdversaryKind,
        /// The node it was given.
        node: String,
    },
    /// `@hub`: the hub is attacked through its own kinds.
    #[error("@hub: to attack the hub use hub or insider")]
    AtHub,
    /// The node is not part of the network.
    #[error("{0:?} is not a node of the network")]
    UnknownNode(String),
    /// A forger was asked to impersonate the hub, which never sends cables.
    #[error("a forger cannot impersonate the hub, which relays cables but never sends them")]
    ImpersonateHub,
    /// A bare `forger` in a network with no node to impersonate.
    #[error("a forger needs a node to impersonate and the network has none")]
    NothingToImpersonate,
    /// A single-day kind was given no `:DAY`.
    #[error("kind {0} acts on a single day: write {0}{at}:DAY", at = if .0.needs_node() { "@NODE" } else { "" })]
    DayRequired(AdversaryKind),
    /// A single-day kind was given a window.
    #[error("kind {kind} acts on a single day, so the window {window:?} is not allowed: give a single day")]
    WindowNotAllowed {
        /// The kind.
        kind: AdversaryKind,
        /// The window as written.
        window: String,
    },
    /// A quantum computer was given an end: once built, it stays.
    #[error("kind {kind} is available from the day it arrives to the end of the run: write {kind}:DAY, not {window:?}")]
    UntilNotAllowed {
        /// The kind.
        kind: AdversaryKind,
        /// The window as written.
        window: String,
    },
    /// A window kind was given a single day.
    #[error(
        "kind {kind} is active over a window: write FROM-UNTIL ({day}- for from day {day} to the end), not {day:?}"
    )]
    DayNotAllowed {
        /// The kind.
        kind: AdversaryKind,
        /// The day as written.
        day: String,
    },
    /// A day is not a whole number that fits in a day count.
    #[error("{0:?} is not a day number")]
    BadDay(String),
    /// `until` is not after `from`: the adversary would never act.
    #[error("until day {until} is not after from day {from}, so the window is empty")]
    EmptyWindow {
        /// First day of the window.
        from: Day,
        /// First day after it.
        until: Day,
    },
    /// The adversary would start after the last day of the run.
    #[error("day {day} is not before the end of the run (days = {days})")]
    PastTheEnd {
        /// The day it would start or act.
        day: Day,
        /// Length of the run.
        days: u32,
    },
}

/// Parses one `--adversary` spec into the [`AdversarySpec`] a scenario
/// file with the same fields would give, named without a repeat suffix
/// (see [`parse_adversary_specs`] for a whole list).
///
/// `network` and `days` are the scenario's, to check the node and the
/// window; `position` is the spec's 0-based place among the command's
/// specs, for the error message.
pub fn parse_adversary_spec(
    text: &str,
    network: &Network,
    days: u32,
    position: usize,
) -> Result<AdversarySpec, SpecError> {
    parse_one(text, network, days, position).map(|(spec, _)| spec)
}

/// [`parse_adversary_spec`], also telling whether the actor was written
/// out (true) or defaulted to the name (false), which renaming a repeat
/// must know.
fn parse_one(text: &str, network: &Network, days: u32, position: usize) -> Result<(AdversarySpec, bool), SpecError> {
    parse(text.trim(), network, days).map_err(|problem| SpecError {
        spec: text.to_owned(),
        position,
        problem,
    })
}

/// Parses every spec of a command line, in order, and names repeats of
/// the same `kind@node` with `#2`, `#3`... exactly as the scenario loader
/// names repeated `[[adversary]]` tables, so that reports tell them apart.
pub fn parse_adversary_specs<S: AsRef<str>>(
    texts: &[S],
    network: &Network,
    days: u32,
) -> Result<Vec<AdversarySpec>, SpecError> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut specs = Vec::with_capacity(texts.len());
    for (position, text) in texts.iter().enumerate() {
        let (mut spec, actor_given) = parse_one(text.as_ref(), network, days, position)?;
        let count = seen.entry(spec.name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            spec.name = format!("{} #{count}", spec.name);
            // An actor left to its default follows the name, as in a file.
            if !actor_given {
                spec.actor.clone_from(&spec.name);
            }
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// The spec split at its separators, before any meaning is given to the
/// parts. `/` is split first because an actor name is free text and may
/// itself contain `@` or `:`; kinds, nodes and days never contain `/`.
struct Parts<'a> {
    kind: &'a str,
    node: Option<&'a str>,
    when: Option<&'a str>,
    actor: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn split(text: &'a str) -> Result<Self, SpecProblem> {
        let (rest, actor) = match text.split_once('/') {
            Some((rest, actor)) => (rest, Some(non_empty(actor, "actor after '/'")?)),
            None => (text, None),
        };
        let (head, when) = match rest.split_once(':') {
            Some((head, when)) => (head, Some(non_empty(when, "day or window after ':'")?)),
            None => (rest, None),
        };
        let (kind, node) = match head.split_once('@') {
            Some((kind, node)) => (kind, Some(non_empty(node, "node after '@'")?)),
            None => (head, None),
        };
        Ok(Parts {
            kind: non_empty(kind, "adversary kind")?,
            node,
            when,
            actor,
        })
    }
}

fn non_empty<'a>(part: &'a str, what: &'static str) -> Result<&'a str, SpecProblem> {
    if part.is_empty() {
        Err(SpecProblem::Empty(what))
    } else {
        Ok(part)
    }
}

fn parse(text: &str, network: &Network, days: u32) -> Result<(AdversarySpec, bool), SpecProblem> {
    if text.is_empty() {
        return Err(SpecProblem::Empty("spec"));
    }
    let parts = Parts::split(text)?;
    let kind: AdversaryKind = parts
        .kind
        .parse()
        .map_err(|_| SpecProblem::UnknownKind(parts.kind.to_owned()))?;
    let (at, impersonate) = position(kind, parts.node, network)?;
    let window = window(kind, parts.when, days)?;
    // Same naming rule as the scenario loader: the node an adversary sits
    // at is part of its name; a forger's impersonated node is not, because
    // the forger itself works at the hub.
    let name = match &at {
        Some(node) => format!("{kind}@{node}"),
        None => kind.to_string(),
    };
    let spec = AdversarySpec {
        actor: parts.actor.map_or_else(|| name.clone(), str::to_owned),
        name,
        kind,
        at,
        window,
        impersonate,
        to: Vec::new(),
        // The command line names no techniques: the kind's apply.
        attack: Vec::new(),
    };
    Ok((spec, parts.actor.is_some()))
}

/// `(at, impersonate)` from the `@NODE` part.
fn position(
    kind: AdversaryKind,
    node: Option<&str>,
    network: &Network,
) -> Result<(Option<String>, Option<String>), SpecProblem> {
    let known = |node: &str| {
        if node == HUB {
            Err(if kind == AdversaryKind::Forger {
                SpecProblem::ImpersonateHub
            } else {
                SpecProblem::AtHub
            })
        } else if network.contains(node) {
            Ok(node.to_owned())
        } else {
            Err(SpecProblem::UnknownNode(node.to_owned()))
        }
    };
    match (kind, node) {
        (AdversaryKind::Forger, Some(node)) => Ok((None, Some(known(node)?))),
        (AdversaryKind::Forger, None) => Ok((None, Some(default_impersonated(network)?))),
        (kind, Some(node)) if kind.needs_node() => Ok((Some(known(node)?), None)),
        (kind, None) if kind.needs_node() => Err(SpecProblem::NodeRequired(kind)),
        (kind, Some(node)) => Err(SpecProblem::NodeNotAllowed {
            kind,
            node: node.to_owned(),
        }),
        (_, None) => Ok((None, None)),
    }
}

/// Whom a bare `forger` claims to be: headquarters if the network has one
/// (forged instructions are the story trainers tell), else the first node
/// by name, so that the choice never depends on anything but the network.
fn default_impersonated(network: &Network) -> Result<String, SpecProblem> {
    network
        .names_with_role(Role::Hq)
        .next()
        .or_else(|| network.endpoints().next().map(|n| n.name.as_str()))
        .map(str::to_owned)
        .ok_or(SpecProblem::NothingToImpersonate)
}

/// The window from the `:WHEN` part; absent means the whole run for window
/// kinds, as a file that leaves out `from_day` and `until_day`.
fn window(kind: AdversaryKind, when: Option<&str>, days: u32) -> Result<DayWindow, SpecProblem> {
    let window = if kind.single_day() {
        let when = when.ok_or(SpecProblem::DayRequired(kind))?;
        if when.contains('-') {
            return Err(SpecProblem::WindowNotAllowed {
                kind,
                window: when.to_owned(),
            });
        }
        DayWindow::single(day(when)?)
    } else if kind.open_ended() {
        match when.map(|w| w.strip_suffix('-').unwrap_or(w)) {
            None => DayWindow::new(0, None),
            Some(from) if !from.contains('-') => DayWindow::new(day(from)?, None),
            Some(_) => {
                return Err(SpecProblem::UntilNotAllowed {
                    kind,
                    window: when.unwrap_or_default().to_owned(),
                });
            }
        }
    } else {
        match when {
            None => DayWindow::new(0, None),
            Some(when) => {
                let Some((from, until)) = when.split_once('-') else {
                    return Err(SpecProblem::DayNotAllowed {
                        kind,
                        day: when.to_owned(),
                    });
                };
                let from = if from.is_empty() { 0 } else { day(from)? };
                let until = if until.is_empty() { None } else { Some(day(until)?) };
                DayWindow::new(from, until)
            }
        }
    };
    if let Some(until) = window.until
        && until <= window.from
    {
        return Err(SpecProblem::EmptyWindow {
            from: window.from,
            until,
        });
    }
    // A quantum computer arriving after the run is allowed, as in a file:
    // it finds nothing, which is the answer to "what if it comes later?".
    if window.from >= days && !kind.open_ended() {
        return Err(SpecProblem::PastTheEnd { day: window.from, days });
    }
    Ok(window)
}

/// A day number: ASCII digits only, so that `+3`, ` 3` or `3-4-5` (whose
/// second `-` would land here) are refused rather than read loosely.
fn day(text: &str) -> Result<Day, SpecProblem> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SpecProblem::BadDay(text.to_owned()));
    }
    text.parse().map_err(|_| SpecProblem::BadDay(text.to_owned()))
}

#[cfg(test)]
mod tests;
