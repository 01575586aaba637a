//! Medians and rates: the two ways the bench turns times into figures.

use std::time::Duration;

use super::BenchError;

/// The median of `samples` (the mean of the middle two for an even count),
/// or `None` for no samples or a NaN among them. `samples` is sorted in
/// place.
///
/// A median, not a mean: one sample slowed by the scheduler or a page
/// fault moves a mean but not the median.
pub(super) fn median(samples: &mut [f64]) -> Option<f64> {
    if samples.is_empty() || samples.iter().any(|s| s.is_nan()) {
        return None;
    }
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    let upper = samples.get(mid).copied()?;
    if samples.len() % 2 == 1 {
        Some(upper)
    } else {
        let lower = samples.get(mid - 1).copied()?;
        Some((lower + upper) / 2.0)
    }
}

/// `count` things done in `elapsed`, per second. A zero duration (a clock
/// too coarse for the work) counts as one nanosecond, so the rate stays
/// finite.
pub(super) fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// The rates of every round of one measurement: their median, for a rate,
/// and their best, for a ceiling. Only [`Rates::of`] makes one, so the
/// median is never above the best.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rates {
    median: f64,
    best: f64,
}

impl Rates {
    /// The rates of `rounds`, or `None` for no round or a NaN among them.
    pub(super) fn of(rounds: &[f64]) -> Option<Rates> {
        let median = median(&mut rounds.to_vec())?;
        let best = rounds.iter().copied().reduce(f64::max)?;
        Some(Rates { median, best })
    }

    /// The median round: a rate measured over a fraction of a second
    /// moves with whatever else the machine is doing, and the median of a
    /// few rounds much less.
    pub(super) fn median(&self) -> f64 {
        self.median
    }

    /// The best round: for a ceiling, which the machine's noise can only
    /// push down, the best round is the closest to what the work allows.
    pub(super) fn best(&self) -> f64 {
        self.best
    }
}

/// The rates of `rounds` rounds measured by `round` (at least one); the
/// first error ends them.
pub(super) fn rates_of_rounds(
    rounds: usize,
    mut round: impl FnMut() -> Result<f64, BenchError>,
) -> Result<Rates, BenchError> {
    let mut rates = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let rate = round()?;
        if rate.is_nan() {
            return Err(BenchError::Incomplete("a round measured no rate".into()));
        }
        rates.push(rate);
    }
    Rates::of(&rates).ok_or_else(|| BenchError::Incomplete("no rate was measured".into()))
}

/// The median of rates measured in rounds taken in turn with others' (see
/// [`Rates::median`]); an error for no round or a NaN among them.
pub(super) fn median_rate(rates: &[f64]) -> Result<f64, BenchError> {
    Rates::of(rates)
        .map(|r| r.median())
        .ok_or_else(|| BenchError::Incomplete("a round measured no rate".into()))
}

/// The best of `rounds` rates measured by `round` (see [`Rates::best`]).
pub(super) fn best_of_rounds(rounds: usize, round: impl FnMut() -> Result<f64, BenchError>) -> Result<f64, BenchError> {
    rates_of_rounds(rounds, round).map(|r| r.best())
}

/// Microseconds in `elapsed`.
pub(super) fn micros(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [7.0]), Some(7.0));
    }

    #[test]
    fn median_ignores_one_outlier() {
        assert_eq!(median(&mut [10.0, 11.0, 12.0, 10_000.0, 9.0]), Some(11.0));
    }

    #[test]
    fn fail_median_of_nothing_or_nan() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [1.0, f64::NAN, 2.0]), None);
    }

    #[test]
    fn rates_stay_finite() {
        assert_eq!(per_second(10, Duration::from_secs(2)), 5.0);
        assert!(per_second(10, Duration::ZERO).is_finite());
        assert_eq!(micros(Duration::from_millis(3)), 3000.0);
    }

    #[test]
    fn rates_taken_in_turn_give_their_median_or_an_error() {
        assert_eq!(median_rate(&[5.0, 100.0, 7.0]).unwrap(), 7.0);
        assert_eq!(median_rate(&[]).unwrap_err().to_string(), "a round measured no rate");
        assert!(median_rate(&[5.0, f64::NAN, 7.0]).is_err());
    }

    #[test]
    fn rounds_give_their_best_or_the_first_error() {
        let mut rates = [5.0, 100.0, 7.0].into_iter();
        assert_eq!(best_of_rounds(3, || Ok(rates.next().unwrap())).unwrap(), 100.0);
        let mut calls = 0;
        let first = best_of_rounds(3, || {
            calls += 1;
            if calls == 2 {
                Err(BenchError::Incomplete(format!("round {calls}")))
            } else {
                Ok(1.0)
            }
        });
        assert_eq!(first.unwrap_err().to_string(), "round 2");
        assert!(best_of_rounds(2, || Ok(f64::NAN)).is_err());
    }

    #[test]
    fn rates_give_median_and_best_of_the_same_rounds() {
        let rates = Rates::of(&[5.0, 100.0, 7.0, 6.0]).unwrap();
        assert_eq!((rates.median(), rates.best()), (6.5, 100.0));
        assert_eq!(Rates::of(&[]), None);
        assert_eq!(Rates::of(&[1.0, f64::NAN]), None);
    }

    proptest! {
        #[test]
        fn the_median_round_is_never_above_the_best(rounds in prop::collection::vec(1e-3f64..1e9, 1..9)) {
            let rates = Rates::of(&rounds).unwrap();
            prop_assert!(rates.median() <= rates.best());
            prop_assert!(rounds.contains(&rates.best()));
        }

        #[test]
        fn median_splits_the_samples_in_half(mut samples in prop::collection::vec(-1e6f64..1e6, 1..50)) {
            let m = median(&mut samples.clone()).unwrap();
            samples.sort_by(f64::total_cmp);
            let below = samples.iter().filter(|&&s| s < m).count();
            let above = samples.iter().filter(|&&s| s > m).count();
            prop_assert!(below <= samples.len() / 2);
            prop_assert!(above <= samples.len() / 2);
            prop_assert!(samples[0] <= m && m <= samples[samples.len() - 1]);
        }
    }
}
