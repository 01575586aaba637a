//! How often each classification level occurs among generated cables.

use rand::{Rng, RngExt};

use crate::model::Classification;

/// How often each classification level occurs among generated cables, as
/// relative weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassificationMix {
    /// Indexed like [`Classification::ALL`].
    weights: [u32; 5],
}

impl Default for ClassificationMix {
    /// Mostly `limite` and `unclassified` working traffic, with `secret`
    /// rare, as in real diplomatic networks: 25 / 35 / 20 / 15 / 5 from
    /// `unclassified` up to `secret`.
    fn default() -> Self {
        ClassificationMix {
            weights: [25, 35, 20, 15, 5],
        }
    }
}

/// A classification mix that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassificationMixError {
    /// Every weight is zero, so no level could ever be drawn.
    #[error("every classification weight is zero")]
    AllZero,
    /// A level was given twice, so which weight was meant is ambiguous.
    #[error("classification {0} is weighted twice")]
    Repeated(Classification),
}

impl ClassificationMix {
    /// A mix with the given weights; levels not listed get weight 0.
    pub fn new(weights: &[(Classification, u32)]) -> Result<Self, ClassificationMixError> {
        let mut mix = [0; 5];
        let mut given = [false; 5];
        for &(level, weight) in weights {
            let slot = level as usize;
            if given[slot] {
                return Err(ClassificationMixError::Repeated(level));
            }
            given[slot] = true;
            mix[slot] = weight;
        }
        if mix.iter().all(|&w| w == 0) {
            return Err(ClassificationMixError::AllZero);
        }
        Ok(ClassificationMix { weights: mix })
    }

    /// Every cable at `level`.
    pub fn only(level: Classification) -> Self {
        let mut weights = [0; 5];
        weights[level as usize] = 1;
        ClassificationMix { weights }
    }

    /// The relative weight of `level`.
    pub fn weight(&self, level: Classification) -> u32 {
        self.weights[level as usize]
    }

    /// A level drawn with probability proportional to its weight.
    pub fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> Classification {
        // Summed in u64: five u32 weights cannot overflow it.
        let total: u64 = self.weights.iter().map(|&w| u64::from(w)).sum();
        let mut ticket = rng.random_range(0..total.max(1));
        for (level, &weight) in Classification::ALL.iter().zip(&self.weights) {
            if ticket < u64::from(weight) {
                return *level;
            }
            ticket -= u64::from(weight);
        }
        // Only reachable for an all-zero mix, which `new` refuses.
        Classification::Unclassified
    }
}

impl ClassificationMix {
    /// How many of `count` cables get each level: exactly proportional to
    /// the weights, rounding by largest remainder, so that the counts add
    /// up to `count` (and equal the weights when they sum to `count`: the
    /// real Cablegate mix is reproduced to the cable).
    pub fn quotas(&self, count: u64) -> [u64; 5] {
        let total: u128 = self.weights.iter().map(|&w| u128::from(w)).sum();
        let mut quotas = [0u64; 5];
        if total == 0 {
            return quotas;
        }
        let mut remainders = [(0u128, 0usize); 5];
        let mut given = 0u64;
        for (i, &weight) in self.weights.iter().enumerate() {
            let exact = u128::from(count) * u128::from(weight);
            // Each share is at most `count`, so it fits in u64.
            quotas[i] = u64::try_from(exact / total).unwrap_or(count);
            remainders[i] = (exact % total, i);
            given += quotas[i];
        }
        // Largest remainders first; ties go to the less sensitive level.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(usize::try_from(count - given).unwrap_or(0)) {
            quotas[i] += 1;
        }
        quotas
    }

    /// The level of the cable at `position` (0-based) in a run of `count`
    /// cables whose levels follow [`ClassificationMix::quotas`] in order.
    pub fn level_at(quotas: &[u64; 5], position: u64) -> Classification {
        let mut below = 0;
        for (level, &quota) in Classification::ALL.iter().zip(quotas) {
            below += quota;
            if position < below {
                return *level;
            }
        }
        Classification::Secret
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn draw(mix: &ClassificationMix, n: usize) -> [u32; 5] {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let mut seen = [0; 5];
        for _ in 0..n {
            seen[mix.pick(&mut rng) as usize] += 1;
        }
        seen
    }

    #[test]
    fn default_mix_is_realistic() {
        let seen = draw(&ClassificationMix::default(), 20_000);
        // 25 / 35 / 20 / 15 / 5 percent, each within one and a half points.
        let expected = [5000, 7000, 4000, 3000, 1000];
        for (got, want) in seen.iter().zip(expected) {
            assert!(got.abs_diff(want) <= 300, "{seen:?}");
        }
    }

    #[test]
    fn weights_are_kept_and_unlisted_levels_never_drawn() {
        let mix = ClassificationMix::new(&[(Classification::Secret, 3), (Classification::Limite, 1)]).unwrap();
        assert_eq!(mix.weight(Classification::Secret), 3);
        assert_eq!(mix.weight(Classification::Limite), 1);
        assert_eq!(mix.weight(Classification::Unclassified), 0);
        assert_eq!(ClassificationMix::default().weight(Classification::Limite), 35);
        let seen = draw(&mix, 4000);
        assert_eq!(seen[0] + seen[2] + seen[3], 0);
        assert_eq!(seen[1] + seen[4], 4000);
        assert!(seen[4].abs_diff(3000) <= 100, "{seen:?}");
    }

    #[test]
    fn quotas_are_exact_and_add_up() {
        let cablegate = ClassificationMix::new(&[
            (Classification::Unclassified, 133_887),
            (Classification::Confidential, 101_748),
            (Classification::Secret, 15_652),
        ])
        .unwrap();
        assert_eq!(cablegate.quotas(251_287), [133_887, 0, 0, 101_748, 15_652]);
        // A tenth of the size keeps the proportions: 25,128.7 / 10,174.8 / 1,565.2.
        assert_eq!(cablegate.quotas(25_129), [13_389, 0, 0, 10_175, 1_565]);
        for n in [0, 1, 7, 1000] {
            assert_eq!(ClassificationMix::default().quotas(n).iter().sum::<u64>(), n);
        }
        let quotas = [2, 0, 1, 0, 1];
        let levels: Vec<Classification> = (0..4).map(|p| ClassificationMix::level_at(&quotas, p)).collect();
        assert_eq!(
            levels,
            [
                Classification::Unclassified,
                Classification::Unclassified,
                Classification::Restricted,
                Classification::Secret
            ]
        );
    }

    #[test]
    fn only_draws_one_level() {
        for level in Classification::ALL {
            let seen = draw(&ClassificationMix::only(level), 100);
            assert_eq!(seen[level as usize], 100);
        }
    }

    #[test]
    fn fail_mix_with_no_weight() {
        assert_eq!(ClassificationMix::new(&[]), Err(ClassificationMixError::AllZero));
        assert_eq!(
            ClassificationMix::new(&[(Classification::Secret, 0), (Classification::Limite, 0)]),
            Err(ClassificationMixError::AllZero)
        );
    }

    #[test]
    fn fail_mix_with_repeated_level() {
        assert_eq!(
            ClassificationMix::new(&[(Classification::Limite, 1), (Classification::Limite, 2)]),
            Err(ClassificationMixError::Repeated(Classification::Limite))
        );
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        let mix = ClassificationMix::new(&Classification::ALL.map(|level| (level, u32::MAX))).unwrap();
        let seen = draw(&mix, 1000);
        assert_eq!(seen.iter().sum::<u32>(), 1000);
        assert!(seen.iter().all(|&n| n > 150), "{seen:?}");
    }
}
