//! How a run's seed becomes random streams: one ChaCha stream per
//! generated cable, and a separate family of streams for the canaries of
//! the cables a scenario file lists, so that listing cables never changes
//! the generated ones.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::model::Cable;
use crate::model::canary::new_canary;

/// Separates the cable streams from anything else seeded with the run's
/// seed, so that another use of the same seed never replays canaries.
const DOMAIN: u64 = u64::from_be_bytes(*b"cables\0\0");

/// Separates the canaries of explicitly listed cables from generated ones.
const EXPLICIT_DOMAIN: u64 = u64::from_be_bytes(*b"explicit");

/// Gives an explicitly listed cable (one a scenario file spells out) its
/// canary: a token drawn from the seed and the cable's position in the
/// list, written into [`Cable::canary`] and appended to the body as the
/// generator does, unless the body already carries it. Listing cables never
/// changes the generated ones: the two use separate streams.
pub fn stamp_canary(cable: &mut Cable, seed: u64, index: u64) {
    let mut rng = ChaCha8Rng::from_seed(key_from_seed_in(seed, EXPLICIT_DOMAIN));
    rng.set_stream(index);
    cable.canary = new_canary(&mut rng);
    if !cable.body.contains(&cable.canary) {
        if !cable.body.is_empty() && !cable.body.ends_with('\n') {
            cable.body.push('\n');
        }
        cable.body.push_str("\nRegistry reference: ");
        cable.body.push_str(&cable.canary);
        cable.body.push('\n');
    }
}

/// A 256-bit ChaCha key from a 64-bit seed by SplitMix64, whose outputs
/// are well mixed even for adjacent seeds such as 1 and 2.
pub(super) fn key_from_seed(seed: u64) -> [u8; 32] {
    key_from_seed_in(seed, DOMAIN)
}

/// [`key_from_seed`] for another use of the seed, named by `domain`.
fn key_from_seed_in(seed: u64, domain: u64) -> [u8; 32] {
    let mut state = seed ^ domain;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Canaries, Classification, Generator, Network};

    fn net() -> Network {
        Network::generated(28, 40, true)
    }

    #[test]
    fn explicit_cables_get_a_seeded_canary_in_their_body() {
        let blank = Cable {
            id: "C-1".into(),
            day: 3,
            from: "hq".into(),
            to: vec!["at-mfa".into()],
            classification: Classification::Limite,
            subject: "Instruction".into(),
            body: "Proceed as agreed.".into(),
            canary: String::new(),
        };
        let (mut a, mut b, mut c) = (blank.clone(), blank.clone(), blank);
        stamp_canary(&mut a, 7, 0);
        stamp_canary(&mut b, 7, 0);
        stamp_canary(&mut c, 7, 1);
        assert_eq!(a, b);
        assert_ne!(a.canary, c.canary);
        assert_eq!(
            a.body,
            format!("Proceed as agreed.\n\nRegistry reference: {}\n", a.canary)
        );
        let mut canaries = Canaries::new();
        canaries.insert(&a.canary, &a.id).unwrap();
        assert_eq!(canaries.find_in(a.body.as_bytes()), ["C-1"]);
        // Stamping twice does not append a second reference.
        let before = a.body.clone();
        stamp_canary(&mut a, 7, 0);
        assert_eq!(a.body, before);
        // Generated cables of the same seed never share it.
        let generated = Generator::new(7, &net(), 100, 10).unwrap();
        assert!(generated.cables().all(|g| g.canary != a.canary));
    }
}
