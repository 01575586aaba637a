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
