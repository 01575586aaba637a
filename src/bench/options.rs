//! What `cablesim bench` measures, checked before anything runs.

use serde::Serialize;

use super::BenchError;
use crate::scenario::{Scenario, resolve};

/// The options of `cablesim bench`, validated: every value is one the bench
/// can run with in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenchOptions {
    /// Recipients of every cable (one sender besides them).
    pub recipients: usize,
    /// Bytes of every cable body.
    pub size: usize,
    /// Cables sent through the limit, the pipeline and the forwarder; also
    /// the number of envelope samples (age's may stop earlier, see
    /// [`BenchOptions::AGE_BUDGET`]).
    pub cables: usize,
}

impl BenchOptions {
    /// The EU's 27 member states and 4 institutions of COREU.
    pub const DEFAULT_RECIPIENTS: usize = 31;
    /// A long-ish cable: the body AEAD weighs against the per-recipient work.
    pub const DEFAULT_SIZE: usize = 4096;
    /// Enough samples for a median that moves by a few percent between
    /// runs, and enough cables for the networks to reach a steady rate.
    pub const DEFAULT_CABLES: usize = 200;

    /// A worldwide service (the 170 of the criterion benches) with room to
    /// spare; past this age's quadratic decryption alone takes minutes per
    /// sample, and every recipient is a task and a TLS session.
    pub const MAX_RECIPIENTS: usize = 256;
    /// Well inside the wire's 1 MiB frame limit, whatever the recipients.
    pub const MAX_SIZE: usize = 256 * 1024;
    /// A bound on the run's length.
    pub const MAX_CABLES: usize = 100_000;
    /// Every delivered cable stays in its recipient's in-memory inbox (and
    /// store) until the network is shut down: `cables × recipients × size`
    /// may not exceed this.
    pub const MAX_DELIVERED_BYTES: usize = 512 * 1024 * 1024;

    /// Fewest cables in a round of the hub and forwarder measurements: a
    /// round of the default 200 lasts a few tens of milliseconds, over
    /// which their ratio moves by about ±0.15 from run to run.
    pub const MIN_RELAY_CABLES: usize = 2000;

    /// Seconds after which age's envelope job stops sampling (once it has
    /// [`BenchOptions::MIN_SAMPLES`]): its cost grows with the square of
    /// the recipients.
    pub const AGE_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);
    /// Rounds behind every rate (limit, pipeline, hub, forwarder): each is
    /// the median of this many.
    pub const RATE_ROUNDS: usize = 3;
    /// Fewest samples a median is taken over.
    pub const MIN_SAMPLES: usize = 5;

    /// A quick bench's whole-scenario rows (the scenario floors, the demo)
    /// play a tenth of the scenario's cables over the first tenth of its
    /// days (both rounded up; COREU: 150 cables over 110 days), on its own
    /// network and story: seconds of work rather than tens. Both shrink
    /// together so that the cables come as densely as in the full run and
    /// every day, weekly key and directory refresh still has about as many
    /// cables to carry as there: the same work in miniature, not a year of
    /// key rotations around a few cables.
    pub const QUICK_SCENARIO_DIVISOR: u32 = 10;

    /// Whether this is a quick bench: fewer cables than the default. Its
    /// whole-scenario rows run a tenth of the scenario
    /// ([`BenchOptions::QUICK_SCENARIO_DIVISOR`]) and time one floor round.
    pub fn is_quick(&self) -> bool {
        self.cables < Self::DEFAULT_CABLES
    }

    /// The built-in scenario `name` as the whole-scenario rows run it: in a
    /// quick bench, a tenth of its cables over a tenth of its days.
    pub(super) fn scenario(&self, name: &str) -> Result<Scenario, BenchError> {
        let mut scenario = resolve(name).map_err(|e| BenchError::Incomplete(e.to_string()))?;
        if self.is_quick() {
            let divisor = Self::QUICK_SCENARIO_DIVISOR;
            for assignment in [
                format!("days={}", scenario.days.div_ceil(divisor)),
                format!("cables={}", scenario.generated_cables.div_ceil(u64::from(divisor))),
            ] {
                scenario
                    .apply_set(&assignment)
                    .map_err(|e| BenchError::Incomplete(format!("a quick bench's {name}: {e}")))?;
            }
        }
        Ok(scenario)
    }

    /// The options of the hub and forwarder rounds: at least
    /// [`BenchOptions::MIN_RELAY_CABLES`] cables, as far as
    /// [`BenchOptions::MAX_DELIVERED_BYTES`] allows (their recipients keep
    /// nothing, but the bytes still take time to move).
    pub fn for_relay(&self) -> BenchOptions {
        let per_cable = (self.recipients * self.size).max(1);
        let floor = Self::MIN_RELAY_CABLES.min(Self::MAX_DELIVERED_BYTES / per_cable);
        BenchOptions {
            cables: self.cables.max(floor),
            ..self.clone()
        }
    }

    /// Checks the options, naming the first one out of range and why.
    pub fn new(recipients: usize, size: usize, cables: usize) -> Result<BenchOptions, BenchError> {
        let bad = |option: &'static str, value: usize, reason: String| BenchError::BadOption { option, value, reason };
        let range = |option: &'static str, value: usize, max: usize, what: &str| {
            if value == 0 {
                Err(bad(option, value, format!("must be at least 1 ({what})")))
            } else if value > max {
                Err(bad(option, value, format!("must be at most {max} ({what})")))
            } else {
                Ok(())
            }
        };
        range(
            "recipients",
            recipients,
            Self::MAX_RECIPIENTS,
            "recipients of every cable",
        )?;
        range("size", size, Self::MAX_SIZE, "bytes of every cable body")?;
        range("cables", cables, Self::MAX_CABLES, "cables sent")?;
        let delivered = cables.saturating_mul(recipients).saturating_mul(size);
        if delivered > Self::MAX_DELIVERED_BYTES {
            return Err(bad(
                "cables",
                cables,
                format!(
                    "{cables} cables × {recipients} recipients × {size} bytes = {delivered} bytes delivered, over the \
                     {} MiB the in-process inboxes may hold; send fewer or smaller cables",
                    Self::MAX_DELIVERED_BYTES / (1024 * 1024)
                ),
            ));
        }
        Ok(BenchOptions {
            recipients,
            size,
            cables,
        })
    }
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            recipients: Self::DEFAULT_RECIPIENTS,
            size: Self::DEFAULT_SIZE,
            cables: Self::DEFAULT_CABLES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        let d = BenchOptions::default();
        assert_eq!(BenchOptions::new(d.recipients, d.size, d.cables).unwrap(), d);
    }

    #[test]
    fn relay_rounds_move_at_least_2000_cables_within_the_byte_bound() {
        let relay = |recipients, size, cables| BenchOptions::new(recipients, size, cables).unwrap().for_relay();
        assert_eq!(relay(31, 4096, 200).cables, 2000);
        assert_eq!(relay(31, 4096, 4000).cables, 4000, "never fewer than asked");
        assert_eq!(relay(31, 4096, 200).recipients, 31);
        // 256 recipients of 256 KiB: 512 MiB is 8 cables.
        assert_eq!(relay(256, 256 * 1024, 2).cables, 8);
    }

    /// The built-in `name` as a quick bench's scenario rows run it.
    fn quick(name: &str) -> Result<Scenario, BenchError> {
        BenchOptions::new(3, 512, 20).unwrap().scenario(name)
    }

    #[test]
    fn a_quick_bench_plays_a_tenth_of_the_cables_over_a_tenth_of_the_days() {
        let full = BenchOptions::default().scenario("coreu-2018").unwrap();
        assert_eq!(
            full,
            resolve("coreu-2018").unwrap(),
            "a full bench runs the scenario as it is"
        );
        let quick = quick("coreu-2018").unwrap();
        // 1,095 days: the first 110 (1,095 / 10 rounded up); 1,500 cables: 150.
        assert_eq!((full.days, quick.days), (1095, 110));
        assert_eq!((full.generated_cables, quick.generated_cables), (1500, 150));
        assert_eq!(quick.network, full.network);
        assert_eq!(quick.adversaries, full.adversaries);
    }

    #[test]
    fn fail_a_quick_bench_of_a_story_past_its_first_tenth_or_of_none_says_which() {
        // cablegate-2010's insider exports on day 360 of 365: a quick bench
        // would play days 0-36 only, so it says why it cannot.
        for (name, expected) in [
            (
                "cablegate-2010",
                &["a quick bench's cablegate-2010: ", "days=37: ", "on_day = 360"][..],
            ),
            ("no-such-story", &["no-such-story"]),
        ] {
            let e = quick(name).unwrap_err();
            assert!(!e.is_bad_input(), "not an option of the command: {e}");
            for part in expected {
                assert!(e.to_string().contains(part), "{e}");
            }
        }
    }

    #[test]
    fn fail_zero_or_too_large_names_the_option() {
        for (options, name) in [
            ((0, 1, 1), "--recipients 0"),
            ((BenchOptions::MAX_RECIPIENTS + 1, 1, 1), "--recipients"),
            ((1, 0, 1), "--size 0"),
            ((1, BenchOptions::MAX_SIZE + 1, 1), "--size"),
            ((1, 1, 0), "--cables 0"),
            ((256, 256 * 1024, 100), "--cables 100"),
        ] {
            let e = BenchOptions::new(options.0, options.1, options.2).unwrap_err();
            assert!(e.is_bad_input());
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }
}
