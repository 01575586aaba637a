//! The seeded cable generator (see "Determinism" in ARCHITECTURE.md).
//!
//! Cable `i` of a run depends only on the seed and `i`: each index reads
//! its own ChaCha stream. The runner can therefore produce the cables of
//! day `d` when day `d` starts, without generating (or storing) the
//! hundreds of thousands of cables of other days, and any single cable can
//! be regenerated later — by the analyst, say — to compare with what leaked.

use std::ops::Range;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod addressees;
mod body;
mod mix;
mod seed;

pub use mix::{ClassificationMix, ClassificationMixError};
pub use seed::stamp_canary;

use self::addressees::ROLES;
use self::body::{Outline, write_body};
use self::seed::key_from_seed;
use super::canary::new_canary;
use super::templates::{Scene, pick_ref};
use super::{Cable, Day, Network};

/// Why a [`Generator`] cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeneratorError {
    /// Every cable needs a sender and a different addressee, and the hub
    /// is neither; so at least two other nodes must exist.
    #[error("{count} cables need at least two nodes besides the hub, found {found}")]
    TooFewNodes {
        /// Cables asked for.
        count: u64,
        /// Nodes other than the hub in the network.
        found: usize,
    },
    /// Cables are spread over the days of the run; zero days leave no day
    /// to send them on.
    #[error("{count} cables cannot be spread over zero days")]
    NoDays {
        /// Cables asked for.
        count: u64,
    },
}

/// Makes a run's cables from its seed: cable `i` depends only on the seed,
/// the network, `i` and the classification mix.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    /// ChaCha key derived from the seed; each cable index is its own stream.
    key: [u8; 32],
    count: u64,
    days: u32,
    mix: ClassificationMix,
    /// How many cables get each level (see [`ClassificationMix::quotas`]).
    quotas: [u64; 5],
    /// Multiplier and offset of the permutation that spreads the levels
    /// over the run: cable `i` takes the level at position `(a·i + b) mod
    /// count`, with `a` coprime to `count`, so every level gets exactly its
    /// quota while levels still look random from day to day.
    spread: (u64, u64),
    /// Names of the hq, ministry and mission nodes, in [`ROLES`] order.
    pools: [Vec<String>; 3],
}

impl Generator {
    /// A generator of `count` cables spread evenly over `days` days among
    /// the non-hub nodes of `network`, with the default mix.
    pub fn new(seed: u64, network: &Network, count: u64, days: u32) -> Result<Generator, GeneratorError> {
        let pools = ROLES.map(|role| network.names_with_role(role).map(str::to_owned).collect::<Vec<_>>());
        let found = pools.iter().map(Vec::len).sum();
        if count > 0 && found < 2 {
            return Err(GeneratorError::TooFewNodes { count, found });
        }
        if count > 0 && days == 0 {
            return Err(GeneratorError::NoDays { count });
        }
        let mix = ClassificationMix::default();
        Ok(Generator {
            seed,
            key: key_from_seed(seed),
            count,
            days,
            mix,
            quotas: mix.quotas(count),
            spread: spread(seed, count),
            pools,
        })
    }

    /// The same generator with another classification mix.
    pub fn with_mix(mut self, mix: ClassificationMix) -> Self {
        self.mix = mix;
        self.quotas = mix.quotas(self.count);
        self
    }

    /// The seed the run was started with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many cables the run has.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// How many days the run lasts.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// The day cable `index` is sent: `index × days / count`, so cables are
    /// spread evenly and days never decrease with the index.
    pub fn day_of(&self, index: u64) -> Day {
        let day = (u128::from(index) * u128::from(self.days))
            .checked_div(u128::from(self.count))
            .unwrap_or(0);
        Day::try_from(day).unwrap_or(Day::MAX)
    }

    /// The indices of the cables sent on `day`: empty for days without
    /// cables and for days after the run. Over `0..days` the ranges are
    /// consecutive and cover `0..count` exactly.
    pub fn indices_on_day(&self, day: Day) -> Range<u64> {
        self.first_index_on(u64::from(day))..self.first_index_on(u64::from(day) + 1)
    }

    /// The smallest index whose day is at least `day`: the inverse of
    /// [`Generator::day_of`], `⌈day × count / days⌉`.
    fn first_index_on(&self, day: u64) -> u64 {
        if day >= u64::from(self.days) {
            return self.count;
        }
        let first = (u128::from(day) * u128::from(self.count)).div_ceil(u128::from(self.days));
        u64::try_from(first).unwrap_or(self.count)
    }

    /// The cables sent on `day`, in index order.
    pub fn cables_on_day(&self, day: Day) -> impl Iterator<Item = Cable> + '_ {
        self.indices_on_day(day).map(|index| self.cable(index))
    }

    /// Every cable of the run, in index order, which is also day order.
    pub fn cables(&self) -> impl Iterator<Item = Cable> + '_ {
        (0..self.count).map(|index| self.cable(index))
    }

    /// Cable `index` (0-based), with id `C-{index + 1:06}`.
    ///
    /// # Panics
    ///
    /// If `index >= count`: the cable does not exist in this run.
    pub fn cable(&self, index: u64) -> Cable {
        assert!(index < self.count, "cable index {index} out of range 0..{}", self.count);
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(index);
        // The canary is drawn first, so that it depends only on the seed and
        // the index, not on the templates or the network.
        let canary = new_canary(&mut rng);
        let (a, b) = self.spread;
        let position =
            u64::try_from((u128::from(a) * u128::from(index) + u128::from(b)) % u128::from(self.count)).unwrap_or(0);
        let classification = ClassificationMix::level_at(&self.quotas, position);
        let (sender_role, sender) = self.pick_sender(&mut rng);
        let from = self.pools[sender_role][sender].clone();
        let to = self.pick_addressees(&mut rng, sender_role, sender);
        let scene = Scene::draw(&mut rng);
        let story = pick_ref(scene.topic.stories, &mut rng);

        let mut subject = String::with_capacity(96);
        scene.render(story.subject, &mut subject);
        subject.make_ascii_uppercase();

        let outline = Outline::draw(&mut rng, scene.topic, story, ROLES[sender_role]);
        let body = write_body(&mut rng, scene, &outline, classification, &from, &subject, &canary);
        Cable {
            id: format!("C-{:06}", index + 1),
            day: self.day_of(index),
            from,
            to,
            classification,
            subject,
            body,
            canary,
        }
    }
}

/// The permutation of [`Generator::spread`]: a multiplier near the golden
/// ratio of `count` (which scatters neighbours far apart), made coprime to
/// `count`, and an offset, both varied by the seed.
fn spread(seed: u64, count: u64) -> (u64, u64) {
    if count < 2 {
        return (1, 0);
    }
    let mut a = (count / 8 * 5 + seed % 97) % count;
    a = a.max(1);
    while gcd(a, count) != 1 {
        a = a % (count - 1) + 1;
    }
    (a, seed % count)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::body::portion_mark;
    use super::*;
    use crate::model::{CANARY_PREFIX, Canaries, Classification};

    fn net() -> Network {
        Network::generated(28, 40, true)
    }

    #[test]
    fn every_level_gets_exactly_its_quota() {
        for (seed, count) in [(1, 1000), (2, 997), (3, 1), (4, 251)] {
            let mix = ClassificationMix::new(&[
                (Classification::Unclassified, 133_887),
                (Classification::Confidential, 101_748),
                (Classification::Secret, 15_652),
            ])
            .unwrap();
            let generator = Generator::new(seed, &net(), count, 30).unwrap().with_mix(mix);
            let mut seen = [0u64; 5];
            for cable in generator.cables() {
                seen[cable.classification as usize] += 1;
            }
            assert_eq!(seen, mix.quotas(count), "seed {seed}, {count} cables");
        }
    }

    fn generator(seed: u64, count: u64, days: u32) -> Generator {
        Generator::new(seed, &net(), count, days).unwrap()
    }

    #[test]
    fn same_seed_same_cables() {
        let a: Vec<Cable> = generator(7, 500, 30).cables().collect();
        let b: Vec<Cable> = generator(7, 500, 30).cables().collect();
        assert_eq!(a.len(), 500);
        assert_eq!(a, b);
    }

    #[test]
    fn different_seed_different_cables() {
        let a = generator(7, 500, 30);
        let b = generator(8, 500, 30);
        for (x, y) in a.cables().zip(b.cables()) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.day, y.day);
            assert_ne!(x.canary, y.canary);
            assert_ne!(x.body, y.body);
        }
    }

    #[test]
    fn canary_depends_only_on_seed_and_index() {
        // Pins the key derivation and the ChaCha stream layout: a change
        // here would silently change every run's cables.
        let cable = generator(42, 10, 1).cable(0);
        assert_eq!(cable.canary, "CNRY-4b35120dbcae53e52ff9ee8932617ae2");
        let other_network = Generator::new(42, &Network::generated(2, 0, false), 10, 1).unwrap();
        assert_eq!(other_network.cable(0).canary, cable.canary);
        let other_mix = generator(42, 10, 1).with_mix(ClassificationMix::only(Classification::Secret));
        assert_eq!(other_mix.cable(0).canary, cable.canary);
    }

    #[test]
    fn cable_i_is_the_ith_of_the_run() {
        let g = generator(3, 300, 7);
        for (i, cable) in g.cables().enumerate() {
            assert_eq!(g.cable(i as u64), cable);
        }
        assert_eq!(g.count(), 300);
        assert_eq!(g.days(), 7);
        assert_eq!(g.seed(), 3);
    }

    #[test]
    fn canaries_are_unique_and_each_body_betrays_its_own_cable() {
        let g = generator(11, 20_000, 100);
        let mut canaries = Canaries::new();
        let mut ids = BTreeSet::new();
        for (i, cable) in g.cables().enumerate() {
            assert_eq!(cable.id, format!("C-{:06}", i + 1));
            assert!(ids.insert(cable.id.clone()));
            canaries.insert(&cable.canary, &cable.id).unwrap();
            assert_eq!(cable.body.matches(&cable.canary).count(), 1);
            assert_eq!(cable.body.matches(CANARY_PREFIX).count(), 1);
            assert!(
                cable
                    .body
                    .ends_with(&format!("\n\nRegistry reference: {}\n", cable.canary))
            );
            assert!(!cable.subject.contains(CANARY_PREFIX));
        }
        assert_eq!(canaries.len(), 20_000);
        for cable in g.cables().step_by(97) {
            assert_eq!(canaries.find_in(cable.body.as_bytes()), [cable.id.as_str()]);
            assert!(canaries.find_in(cable.subject.as_bytes()).is_empty());
        }
    }

    #[test]
    fn bodies_have_the_shape_of_cables() {
        for cable in generator(5, 3000, 10).cables() {
            let marking = format!(
                "{}\n\nSUBJECT: {}\n\n1. ({}) Summary: ",
                cable.classification.marking(),
                cable.subject,
                portion_mark(cable.classification)
            );
            assert!(cable.body.starts_with(&marking), "{}", cable.body);
            let numbered: Vec<usize> = cable
                .body
                .lines()
                .filter_map(|line| line.split_once(". (")?.0.parse().ok())
                .collect();
            assert!((3..=6).contains(&numbered.len()), "{}", cable.body);
            assert_eq!(numbered, (1..=numbered.len()).collect::<Vec<_>>());
            assert!((600..=2600).contains(&cable.body.len()), "{} bytes", cable.body.len());
            assert!(
                cable
                    .body
                    .contains(&format!("\n\n{}\n\n", cable.from.to_ascii_uppercase()))
            );
            assert!(!cable.body.contains('{') && !cable.subject.contains('{'));
            assert_eq!(cable.subject, cable.subject.to_ascii_uppercase());
        }
    }

    #[test]
    fn days_spread_evenly_and_ranges_partition_the_run() {
        for (count, days) in [(1000, 30), (10, 30), (30, 30), (251_287, 365), (1, 1), (7, 3)] {
            let g = generator(1, count, days);
            let mut next = 0;
            for day in 0..days {
                let range = g.indices_on_day(day);
                assert_eq!(range.start, next, "count {count} days {days} day {day}");
                assert!(range.start <= range.end);
                for i in range.clone() {
                    assert_eq!(g.day_of(i), day);
                }
                next = range.end;
            }
            assert_eq!(next, count);
            assert!(g.indices_on_day(days).is_empty());
            assert!(g.indices_on_day(Day::MAX).is_empty());
            // An even spread: no day holds more than one cable above its share.
            let share = count.div_ceil(u64::from(days));
            assert!((0..days).all(|d| g.indices_on_day(d).count() as u64 <= share));
            assert_eq!(g.day_of(0), 0);
            assert_eq!(g.day_of(count - 1), ((count - 1) * u64::from(days) / count) as Day);
        }
        let g = generator(2, 400, 20);
        let mut last = 0;
        for cable in g.cables() {
            assert!(cable.day >= last && cable.day < 20);
            last = cable.day;
        }
        for day in [0, 7, 19] {
            let on_day: Vec<Cable> = g.cables_on_day(day).collect();
            assert_eq!(on_day.len(), 20);
            assert!(on_day.iter().all(|c| c.day == day));
            assert_eq!(on_day[0], g.cable(u64::from(day) * 20));
        }
    }

    #[test]
    fn only_gives_only_that_level() {
        for level in Classification::ALL {
            let g = generator(6, 300, 3).with_mix(ClassificationMix::only(level));
            assert!(g.cables().all(|c| c.classification == level));
            assert!(g.cables().all(|c| c.body.starts_with(level.marking())));
        }
    }

    #[test]
    fn fail_too_few_nodes() {
        let one = Network::generated(1, 0, false);
        assert_eq!(
            Generator::new(1, &one, 5, 3).unwrap_err(),
            GeneratorError::TooFewNodes { count: 5, found: 1 }
        );
        let none = Network::generated(0, 0, false);
        assert_eq!(
            Generator::new(1, &none, 1, 3).unwrap_err(),
            GeneratorError::TooFewNodes { count: 1, found: 0 }
        );
        let empty_run = Generator::new(1, &none, 0, 3).unwrap();
        assert_eq!(empty_run.cables().count(), 0);
        assert!(empty_run.indices_on_day(0).is_empty());
    }

    #[test]
    fn fail_zero_days() {
        assert_eq!(
            Generator::new(1, &net(), 5, 0).unwrap_err(),
            GeneratorError::NoDays { count: 5 }
        );
        let empty_run = Generator::new(1, &net(), 0, 0).unwrap();
        assert_eq!(empty_run.cables().count(), 0);
        assert!(empty_run.indices_on_day(0).is_empty());
        assert_eq!(empty_run.day_of(0), 0);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn fail_index_past_the_run() {
        generator(1, 10, 2).cable(10);
    }
}
