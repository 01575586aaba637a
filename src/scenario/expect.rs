//! What a scenario file says must hold (`[[expect]]`) and the exercise it
//! sets (`[exercise]`), as validated values (README.md, "Scenario files").
//!
//! These are plain data: [`super::verdict`] judges an [`Expectation`]
//! against a run's report, and [`super::expectations`] decides which runs
//! that takes.

use std::fmt;
use std::str::FromStr;

use super::Preset;
use crate::report::ActorReport;

/// A count of a run's report that an expectation compares: one field of an
/// actor's report (ARCHITECTURE.md, "Adversaries").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// Cables whose content the actor read.
    Content,
    /// Cables whose routing header the actor read (content included).
    Routing,
    /// Encrypted frames the actor saw only as sizes and times.
    TrafficFrames,
    /// Distinct forged cables some recipient accepted as genuine.
    ForgedCables,
    /// Acceptances of forged cables, one per cable and recipient.
    ForgedAccepted,
    /// Alarms the actor's actions raised.
    Alarms,
}

impl Measure {
    /// Every measure, in the order of the report's columns.
    pub const ALL: [Measure; 6] = [
        Measure::Content,
        Measure::Routing,
        Measure::TrafficFrames,
        Measure::ForgedCables,
        Measure::ForgedAccepted,
        Measure::Alarms,
    ];

    /// The key of `[[expect]]` that compares this measure.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Content => "content",
            Measure::Routing => "routing",
            Measure::TrafficFrames => "traffic_frames",
            Measure::ForgedCables => "forged_cables",
            Measure::ForgedAccepted => "forged_accepted",
            Measure::Alarms => "alarms",
        }
    }

    /// This measure's value in one actor's report.
    pub fn of(self, actor: &ActorReport) -> u64 {
        match self {
            Measure::Content => actor.content.len() as u64,
            Measure::Routing => actor.routing.len() as u64,
            Measure::TrafficFrames => actor.traffic_frames,
            Measure::ForgedCables => actor.forged_cables,
            Measure::ForgedAccepted => actor.forged_accepted,
            Measure::Alarms => actor.alarms,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text named no [`Measure`]; the message lists them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown measure {0:?} (expected content, routing, traffic_frames, forged_cables, forged_accepted or alarms)")]
pub struct UnknownMeasure(pub String);

impl FromStr for Measure {
    type Err = UnknownMeasure;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMeasure(s.to_owned()))
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `==`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// Every operator, as [`BadComparison`] lists them.
    pub const ALL: [Op; 5] = [Op::Eq, Op::Lt, Op::Le, Op::Gt, Op::Ge];

    /// How the operator is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `measured <op> value` holds.
    pub fn holds(self, measured: u64, value: u64) -> bool {
        match self {
            Op::Eq => measured == value,
            Op::Lt => measured < value,
            Op::Le => measured <= value,
            Op::Gt => measured > value,
            Op::Ge => measured >= value,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One count compared with a number: `content <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Comparison {
    /// The count compared.
    pub measure: Measure,
    /// How.
    pub op: Op,
    /// With what.
    pub value: u64,
}

/// A comparison's text that is not an operator followed by a whole number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a comparison: write an operator (==, <, <=, >, >=) and a whole number, such as \"<= 100\", or a bare number such as 3 for \"== 3\""
)]
pub struct BadComparison(pub String);

impl Comparison {
    /// Parses `text` (`"<= 100"`, spaces optional) as a comparison of
    /// `measure`. The operators are `==`, `<`, `<=`, `>` and `>=`; the
    /// number is a whole number written in decimal digits only.
    ///
    /// ```
    /// use cablesim::scenario::{Comparison, Measure, Op};
    ///
    /// let c = Comparison::parse(Measure::Content, "<=100")?;
    /// assert_eq!((c.op, c.value), (Op::Le, 100));
    /// assert_eq!(c.to_string(), "content <= 100");
    /// assert!(Comparison::parse(Measure::Content, "=< 3").is_err());
    /// # Ok::<(), cablesim::scenario::BadComparison>(())
    /// ```
    pub fn parse(measure: Measure, text: &str) -> Result<Comparison, BadComparison> {
        let bad = || BadComparison(text.to_owned());
        let trimmed = text.trim();
        // Two-character operators first, so that "<=" is not read as "<"
        // followed by "=...".
        let (op, rest) = [Op::Eq, Op::Le, Op::Ge, Op::Lt, Op::Gt]
            .into_iter()
            .find_map(|op| trimmed.strip_prefix(op.as_str()).map(|rest| (op, rest.trim_start())))
            .ok_or_else(bad)?;
        // `u64::from_str` takes a leading '+'; a comparison takes digits only.
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let value = rest.parse().map_err(|_| bad())?;
        Ok(Comparison { measure, op, value })
    }

    /// Whether the comparison holds for `measured`.
    pub fn holds(&self, measured: u64) -> bool {
        self.op.holds(measured, self.value)
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.measure, self.op, self.value)
    }
}

/// Whose report an expectation reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActorSelector {
    /// One actor, by the name the report gives it.
    One(String),
    /// Every actor of the run (`actor = "*"`): each must pass.
    Every,
}

impl fmt::Display for ActorSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorSelector::One(actor) => f.write_str(actor),
            ActorSelector::Every => f.write_str("*"),
        }
    }
}

impl FromStr for ActorSelector {
    type Err = std::convert::Infallible;

    /// `*` is [`ActorSelector::Every`]; anything else names one actor.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s == "*" {
            ActorSelector::Every
        } else {
            ActorSelector::One(s.to_owned())
        })
    }
}

/// The configuration an expectation is checked under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigChoice {
    /// The scenario as its file (and any `--set`) has it: written
    /// `as-written` in `configs`.
    AsWritten,
    /// The scenario with a preset's crypto fields applied.
    Preset(Preset),
}

impl ConfigChoice {
    /// How `configs` spells [`ConfigChoice::AsWritten`].
    pub const AS_WRITTEN: &'static str = "as-written";
}

impl fmt::Display for ConfigChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigChoice::AsWritten => f.write_str("as written"),
            ConfigChoice::Preset(preset) => f.write_str(preset.name()),
        }
    }
}

/// The text was neither `as-written` nor a preset name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown config {0:?} (expected as-written, plaintext, hop-tls, e2e-group, e2e-static, e2e-fs or e2e-pq)")]
pub struct UnknownConfig(pub String);

impl FromStr for ConfigChoice {
    type Err = UnknownConfig;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == ConfigChoice::AS_WRITTEN {
            return Ok(ConfigChoice::AsWritten);
        }
        s.parse()
            .map(ConfigChoice::Preset)
            .map_err(|_| UnknownConfig(s.to_owned()))
    }
}

/// One `[[expect]]`: what must hold for an actor, under each of some
/// configurations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// What it says, unique in its file.
    pub name: String,
    /// Whose report it reads.
    pub actor: ActorSelector,
    /// The configurations it is checked under, in file order; never empty
    /// (`[AsWritten]` when the file gives none).
    pub configs: Vec<ConfigChoice>,
    /// The counts compared, in the order of [`Measure::ALL`].
    pub comparisons: Vec<Comparison>,
    /// Cable ids that must be in the actor's content set.
    pub leaked: Vec<String>,
    /// Cable ids that must not be in it.
    pub not_leaked: Vec<String>,
    /// The line of its `[[expect]]` in the file (0 when it was not read
    /// from a file).
    pub line: usize,
}

/// `[exercise]`: a task for a participant, who edits the file until its
/// expectations pass without changing what `locked` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// What the participant is asked to do.
    pub task: String,
    /// A nudge, shown on request.
    pub hint: Option<String>,
    /// The fields and parts the participant may not change: names of
    /// [`Exercise::LOCKABLE`], in file order.
    pub locked: Vec<String>,
    /// The line of `[exercise]` in the file (0 when it was not read from
    /// a file).
    pub line: usize,
}

impl Exercise {
    /// What `locked` may name: every `[security]` field, then the parts
    /// `scenario` (seed, days, generated cables, mix), `network` (every
    /// node), `cable` (the listed cables) and `adversary` (all of them).
    pub const LOCKABLE: [&'static str; 16] = [
        "transport",
        "verify_server",
        "e2e",
        "epoch_days",
        "signatures",
        "key_pinning",
        "distribution",
        "archive",
        "archive_days",
        "retention_days",
        "max_classification",
        "post_quantum",
        "scenario",
        "network",
        "cable",
        "adversary",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SecurityConfig;

    #[test]
    fn lockable_names_are_the_security_fields_then_the_parts() {
        let n = SecurityConfig::FIELDS.len();
        assert_eq!(Exercise::LOCKABLE[..n], SecurityConfig::FIELDS);
        assert_eq!(Exercise::LOCKABLE[n..], ["scenario", "network", "cable", "adversary"]);
    }

    #[test]
    fn measures_round_trip() {
        for m in Measure::ALL {
            assert_eq!(m.as_str().parse(), Ok(m));
            assert_eq!(m.to_string(), m.as_str());
        }
        let err = "leaks".parse::<Measure>().unwrap_err().to_string();
        for m in Measure::ALL {
            assert!(err.contains(m.as_str()), "{err}");
        }
    }

    #[test]
    fn every_operator_parses_with_and_without_spaces() {
        for op in Op::ALL {
            for text in [format!("{op} 7"), format!("{op}7"), format!("  {op}   7 ")] {
                let c = Comparison::parse(Measure::Alarms, &text).unwrap();
                assert_eq!(
                    c,
                    Comparison {
                        measure: Measure::Alarms,
                        op,
                        value: 7
                    },
                    "{text:?}"
                );
            }
        }
        let big = Comparison::parse(Measure::Content, &format!(">= {}", u64::MAX)).unwrap();
        assert_eq!(big.value, u64::MAX);
    }

    #[test]
    fn operators_hold_exactly() {
        // (op, 4 vs 5, 5 vs 5, 6 vs 5)
        let table = [
            (Op::Eq, [false, true, false]),
            (Op::Lt, [true, false, false]),
            (Op::Le, [true, true, false]),
            (Op::Gt, [false, false, true]),
            (Op::Ge, [false, true, true]),
        ];
        for (op, expected) in table {
            assert_eq!([4, 5, 6].map(|m| op.holds(m, 5)), expected, "{op}");
        }
    }

    #[test]
    fn fail_malformed_comparisons_list_the_operators() {
        let too_big = format!("== {}0", u64::MAX);
        for text in [
            "<= ten",
            "=< 3",
            "== -1",
            "!= 3",
            "= 3",
            "100",
            "",
            "<=",
            "== +5",
            "== 1,163",
            "== 1.5",
            "<== 3",
            too_big.as_str(),
        ] {
            let err = Comparison::parse(Measure::Content, text).unwrap_err();
            assert_eq!(err, BadComparison(text.to_owned()));
            let message = err.to_string();
            for op in Op::ALL {
                assert!(message.contains(op.as_str()), "{message}");
            }
        }
    }

    #[test]
    fn comparisons_display_measure_operator_value() {
        let c = Comparison {
            measure: Measure::ForgedAccepted,
            op: Op::Eq,
            value: 0,
        };
        assert_eq!(c.to_string(), "forged_accepted == 0");
    }

    #[test]
    fn configs_parse_and_display() {
        assert_eq!("as-written".parse(), Ok(ConfigChoice::AsWritten));
        assert_eq!(ConfigChoice::AsWritten.to_string(), "as written");
        for preset in Preset::ALL {
            let choice: ConfigChoice = preset.name().parse().unwrap();
            assert_eq!(choice, ConfigChoice::Preset(preset));
            assert_eq!(choice.to_string(), preset.name());
        }
        let err = "tls".parse::<ConfigChoice>().unwrap_err().to_string();
        assert!(err.contains("as-written"), "{err}");
        for preset in Preset::ALL {
            assert!(err.contains(preset.name()), "{err}");
        }
    }

    #[test]
    fn actor_selectors_parse_and_display() {
        assert_eq!("*".parse(), Ok(ActorSelector::Every));
        assert_eq!("phishers".parse(), Ok(ActorSelector::One("phishers".into())));
        assert_eq!(ActorSelector::Every.to_string(), "*");
        assert_eq!(ActorSelector::One("tap@x".into()).to_string(), "tap@x");
    }
}
