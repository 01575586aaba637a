//! Canary tokens: the proof that a copy of a cable's plaintext escaped.
//!
//! Every generated cable hides one random token in its body. Ciphertext
//! never contains it (a token is 37 bytes of text that an AEAD output would
//! reproduce by chance with probability 2⁻¹²⁸ or less), so whenever the
//! adversaries' analyst finds a token in bytes that an adversary holds —
//! captured frames, a stolen inbox, a hub archive, a log line — the cable
//! it belongs to has leaked in the clear. [`Canaries`] is the index the
//! analyst uses to turn found tokens back into cable ids.

use std::collections::{BTreeMap, HashSet};

use rand::Rng;

/// What every canary token starts with: `CNRY-` followed by 32 lowercase
/// hex digits (128 random bits).
pub const CANARY_PREFIX: &str = "CNRY-";

/// Hex digits after the prefix.
const TOKEN_HEX_LEN: usize = 32;

/// Length of a whole token, prefix included.
pub(crate) const TOKEN_LEN: usize = CANARY_PREFIX.len() + TOKEN_HEX_LEN;

/// A fresh token from `rng`. 128 bits make a collision between two cables
/// of one run (a few hundred thousand tokens) negligible, so a found token
/// names exactly one cable.
pub(crate) fn new_canary<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut bits = [0u8; TOKEN_HEX_LEN / 2];
    rng.fill_bytes(&mut bits);
    let mut hex_digits = [0u8; TOKEN_HEX_LEN];
    // The output buffer is exactly twice the input length, the only way
    // `encode_to_slice` can fail.
    hex::encode_to_slice(bits, &mut hex_digits).unwrap_or_else(|e| unreachable!("hex buffer has the right size: {e}"));
    let mut token = String::with_capacity(TOKEN_LEN);
    token.push_str(CANARY_PREFIX);
    token.extend(hex_digits.iter().map(|&b| char::from(b)));
    token
}

/// Whether `bytes` are the 32 hex digits of a token as [`new_canary`]
/// writes them (lowercase only, so that a token has exactly one spelling).
fn is_token_hex(bytes: &[u8]) -> bool {
    bytes.len() == TOKEN_HEX_LEN && bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The same token was registered for two different cables: a found token
/// would no longer prove which cable leaked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("canary {token} is already registered for cable {existing}, cannot register it for {rejected}")]
pub struct DuplicateCanary {
    /// The token registered twice.
    pub token: String,
    /// The cable the token already belongs to.
    pub existing: String,
    /// The cable whose registration was refused.
    pub rejected: String,
}

/// An index from canary token to cable id: how the adversaries' analyst
/// proves a leak.
///
/// Register every cable's [`Cable::canary`](super::Cable::canary) before a
/// run; afterwards [`Canaries::find_in`] tells, for any bytes an adversary
/// obtained, which cables they contain in the clear. A cable counts as
/// leaked only on such evidence, never on what an adversary was in a
/// position to see.
///
/// Tokens are kept in a `BTreeMap` so that [`Canaries::iter`] is in the
/// same order on every run, keeping reports deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Canaries {
    by_token: BTreeMap<String, String>,
}

impl Canaries {
    /// An empty index.
    pub fn new() -> Self {
        Canaries::default()
    }

    /// Registers `token` as the canary of `cable_id`. Registering the same
    /// pair again is a no-op; the same token for a different cable is
    /// refused, because the evidence would become ambiguous.
    ///
    /// Any string is accepted as a token, but [`Canaries::find_in`] only
    /// recognises tokens of the form `CNRY-` + 32 lowercase hex digits.
    pub fn insert(&mut self, token: &str, cable_id: &str) -> Result<(), DuplicateCanary> {
        match self.by_token.get(token) {
            Some(existing) if existing == cable_id => Ok(()),
            Some(existing) => Err(DuplicateCanary {
                token: token.to_owned(),
                existing: existing.clone(),
                rejected: cable_id.to_owned(),
            }),
            None => {
                self.by_token.insert(token.to_owned(), cable_id.to_owned());
                Ok(())
            }
        }
    }

    /// The cable a token was registered for.
    pub fn cable_of(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }

    /// The ids of the cables whose canary occurs anywhere in `haystack`,
    /// in the order of their first occurrence, each id once.
    ///
    /// The haystack is arbitrary adversary loot (binary frames, logs,
    /// partial files), so this never panics and ignores anything that is
    /// not a complete, registered token; a token cut off at the end of the
    /// buffer proves nothing. The scan looks only for the fixed prefix and
    /// then makes one lookup per candidate, so its cost grows with the
    /// haystack, not with the number of registered cables.
    pub fn find_in(&self, haystack: &[u8]) -> Vec<String> {
        self.find_in_pieces([haystack])
    }

    /// [`Canaries::find_in`] over the concatenation of `pieces`, without
    /// concatenating them: a capture kept as the pieces it was obtained in
    /// (an archive export is one piece per stored frame) is searched in
    /// place, seams included.
    pub fn find_in_pieces<'p>(&self, pieces: impl IntoIterator<Item = &'p [u8]>) -> Vec<String> {
        let mut found = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        tokens_in_pieces(pieces, |token| {
            if let Some(id) = self.by_token.get(token)
                && seen.insert(id.as_str())
            {
                found.push(id.clone());
            }
        });
        found
    }

    /// Number of registered tokens.
    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    /// Whether no token is registered.
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }

    /// Every `(token, cable id)` pair, ordered by token.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_token.iter().map(|(t, id)| (t.as_str(), id.as_str()))
    }
}

/// Every well-formed canary token in `haystack` (the prefix and 32
/// lowercase hex digits), in order, repeats included: registered or not.
/// What [`Canaries::find_in`] looks up, and what a proxy without a canary
/// index can still count.
///
/// The haystack is arbitrary adversary loot, so this never panics; a token
/// cut off at the end of the buffer is not a token. It looks only for the
/// fixed prefix, so its cost grows with the haystack alone.
pub fn tokens_in(haystack: &[u8]) -> impl Iterator<Item = &str> {
    let prefix = CANARY_PREFIX.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = haystack.get(from..).and_then(|rest| find_prefix(rest, prefix)) {
            let start = from + offset;
            // The prefix has no proper border ("CNRY-" never overlaps
            // itself), so the next occurrence starts after this one.
            from = start + prefix.len();
            let hex_digits = haystack.get(from..from + TOKEN_HEX_LEN)?;
            if !is_token_hex(hex_digits) {
                continue;
            }
            // ASCII by the check above, so valid UTF-8.
            if let Some(token) = haystack
                .get(start..from + TOKEN_HEX_LEN)
                .and_then(|t| std::str::from_utf8(t).ok())
            {
                return Some(token);
            }
        }
        None
    })
}

/// Calls `found` with every token that [`tokens_in`] finds in the
/// concatenation of `pieces`, in the same order, repeats included, without
/// concatenating them.
///
/// Besides each piece, it scans each seam: the last `TOKEN_LEN - 1` bytes
/// before it followed by the first `TOKEN_LEN - 1` bytes after it. Either
/// side of that window is shorter than a token, so a token found there
/// crosses the seam and is found nowhere else; a token crossing several
/// seams (pieces shorter than a token) is whole only in the window of the
/// last one, where it ends.
pub fn tokens_in_pieces<'p>(pieces: impl IntoIterator<Item = &'p [u8]>, mut found: impl FnMut(&str)) {
    const SIDE: usize = TOKEN_LEN - 1;
    // The last SIDE bytes of everything scanned so far, and the window
    // across the next seam: reused, so a capture of a quarter of a million
    // pieces costs no allocation per piece.
    let mut tail: Vec<u8> = Vec::with_capacity(2 * SIDE);
    let mut window: Vec<u8> = Vec::with_capacity(2 * SIDE);
    for piece in pieces {
        if !tail.is_empty() {
            window.clear();
            window.extend_from_slice(&tail);
            window.extend_from_slice(piece.get(..SIDE).unwrap_or(piece));
            tokens_in(&window).for_each(&mut found);
        }
        tokens_in(piece).for_each(&mut found);
        tail.extend_from_slice(piece.get(piece.len().saturating_sub(SIDE)..).unwrap_or_default());
        let excess = tail.len().saturating_sub(SIDE);
        tail.drain(..excess);
    }
}

/// Offset of the first occurrence of `prefix` in `bytes`. Jumping between
/// occurrences of the prefix's first byte keeps the scan close to a memchr
/// over loot that is mostly ciphertext.
fn find_prefix(bytes: &[u8], prefix: &[u8]) -> Option<usize> {
    let (&first, rest) = prefix.split_first()?;
    let mut from = 0;
    while let Some(offset) = bytes.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if bytes.get(at + 1..)?.starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_finds_every_well_formed_token_and_nothing_else() {
        let a = "CNRY-0123456789abcdef0123456789abcdef";
        let b = "CNRY-ffffffffffffffffffffffffffffffff";
        let haystack = format!("x{a}yCNRY-0123456789ABCDEF0123456789abcdefz{b}{a}CNRY-0123");
        assert_eq!(tokens_in(haystack.as_bytes()).collect::<Vec<_>>(), [a, b, a]);
        assert_eq!(tokens_in(b"").count(), 0);
        assert_eq!(
            tokens_in(&a.as_bytes()[..a.len() - 1]).count(),
            0,
            "cut off: not a token"
        );
    }
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn tokens(n: usize, seed: u64) -> Vec<String> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| new_canary(&mut rng)).collect()
    }

    fn index(tokens: &[String]) -> Canaries {
        let mut canaries = Canaries::new();
        for (i, token) in tokens.iter().enumerate() {
            canaries.insert(token, &format!("C-{:06}", i + 1)).unwrap();
        }
        canaries
    }

    #[test]
    fn a_token_cut_into_single_bytes_is_found_once() {
        let t = tokens(2, 9);
        let text = format!("ab{}{}c", t[0], t[1]);
        let pieces: Vec<&[u8]> = text.as_bytes().chunks(1).collect();
        let mut found = Vec::new();
        tokens_in_pieces(pieces, |token| found.push(token.to_owned()));
        assert_eq!(found, t);
    }

    #[test]
    fn tokens_have_the_documented_shape() {
        for token in tokens(100, 1) {
            assert_eq!(token.len(), TOKEN_LEN);
            assert_eq!(token.len(), 37);
            assert!(token.starts_with(CANARY_PREFIX));
            assert!(is_token_hex(&token.as_bytes()[CANARY_PREFIX.len()..]));
        }
    }

    #[test]
    fn lookups_and_iteration() {
        let t = tokens(3, 2);
        let canaries = index(&t);
        assert_eq!(canaries.len(), 3);
        assert!(!canaries.is_empty());
        assert!(Canaries::new().is_empty());
        assert_eq!(canaries.cable_of(&t[1]), Some("C-000002"));
        assert_eq!(canaries.cable_of("CNRY-unknown"), None);
        let mut sorted = t.clone();
        sorted.sort();
        let listed: Vec<&str> = canaries.iter().map(|(token, _)| token).collect();
        assert_eq!(listed, sorted);
    }

    #[test]
    fn registering_the_same_pair_twice_is_harmless() {
        let t = tokens(1, 3);
        let mut canaries = index(&t);
        assert_eq!(canaries.insert(&t[0], "C-000001"), Ok(()));
        assert_eq!(canaries.len(), 1);
    }

    #[test]
    fn fail_same_token_for_two_cables() {
        let t = tokens(1, 4);
        let mut canaries = index(&t);
        let err = canaries.insert(&t[0], "C-000099").unwrap_err();
        assert_eq!(
            err,
            DuplicateCanary {
                token: t[0].clone(),
                existing: "C-000001".into(),
                rejected: "C-000099".into(),
            }
        );
        assert_eq!(canaries.cable_of(&t[0]), Some("C-000001"));
    }

    #[test]
    fn finds_in_order_of_first_occurrence_each_once() {
        let t = tokens(3, 5);
        let canaries = index(&t);
        let text = format!("x {} y {} z {} {}", t[2], t[0], t[2], t[0]);
        assert_eq!(canaries.find_in(text.as_bytes()), ["C-000003", "C-000001"]);
    }

    #[test]
    fn finds_tokens_glued_to_their_neighbours() {
        let t = tokens(2, 6);
        let canaries = index(&t);
        let text = format!("CNRY-CNRY{}{}CNRY-", t[0], t[1]);
        assert_eq!(canaries.find_in(text.as_bytes()), ["C-000001", "C-000002"]);
    }

    #[test]
    fn fail_token_cut_at_the_end() {
        let t = tokens(1, 7);
        let canaries = index(&t);
        for cut in 0..t[0].len() {
            let text = format!("header {}", &t[0][..cut]);
            assert!(canaries.find_in(text.as_bytes()).is_empty(), "cut at {cut}");
        }
        assert!(canaries.find_in(b"").is_empty());
        assert!(canaries.find_in(b"CNRY-").is_empty());
        assert!(canaries.find_in(b"C").is_empty());
    }

    #[test]
    fn fail_unregistered_or_respelled_token() {
        let t = tokens(2, 8);
        let canaries = index(&t[..1]);
        assert!(canaries.find_in(t[1].as_bytes()).is_empty());
        let upper = format!("{CANARY_PREFIX}{}", t[0][CANARY_PREFIX.len()..].to_uppercase());
        assert!(canaries.find_in(upper.as_bytes()).is_empty());
    }

    proptest! {
        #[test]
        fn embedded_tokens_are_found(
            noise in proptest::collection::vec(any::<u8>(), 0..2000),
            positions in proptest::collection::vec(any::<prop::sample::Index>(), 1..6),
            seed in any::<u64>(),
        ) {
            let t = tokens(positions.len(), seed);
            let canaries = index(&t);
            // Insert from the back so earlier positions stay valid.
            let mut at: Vec<(usize, usize)> =
                positions.iter().enumerate().map(|(i, p)| (p.index(noise.len() + 1), i)).collect();
            at.sort();
            let mut haystack = noise.clone();
            for &(pos, i) in at.iter().rev() {
                haystack.splice(pos..pos, t[i].bytes());
            }
            let expected: Vec<String> =
                at.iter().map(|&(_, i)| format!("C-{:06}", i + 1)).collect();
            prop_assert_eq!(canaries.find_in(&haystack), expected);
        }

        #[test]
        fn truncated_tokens_are_not_found(
            noise in proptest::collection::vec(any::<u8>(), 0..500),
            cut in 0usize..TOKEN_LEN,
            seed in any::<u64>(),
        ) {
            let t = tokens(1, seed);
            let canaries = index(&t);
            let mut haystack = noise;
            haystack.extend_from_slice(&t[0].as_bytes()[..cut]);
            prop_assert!(canaries.find_in(&haystack).is_empty());
        }

        #[test]
        fn pieces_find_what_the_whole_finds(
            noise in proptest::collection::vec(any::<u8>(), 0..400),
            positions in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
            seed in any::<u64>(),
        ) {
            let t = tokens(positions.len(), seed);
            let mut haystack = noise;
            let mut at: Vec<usize> = positions.iter().map(|p| p.index(haystack.len() + 1)).collect();
            at.sort();
            for (i, &pos) in at.iter().enumerate().rev() {
                haystack.splice(pos..pos, t[i].bytes());
            }
            // Cut anywhere, tokens included, into pieces of any length
            // (empty ones too).
            let mut cut_at: Vec<usize> = cuts.iter().map(|c| c.index(haystack.len() + 1)).collect();
            cut_at.sort();
            let mut pieces: Vec<&[u8]> = Vec::new();
            let mut from = 0;
            for &to in cut_at.iter().chain([haystack.len()].iter()) {
                pieces.push(&haystack[from..to]);
                from = to;
            }
            let mut across = Vec::new();
            tokens_in_pieces(pieces.iter().copied(), |token| across.push(token.to_owned()));
            let whole: Vec<String> = tokens_in(&haystack).map(str::to_owned).collect();
            prop_assert_eq!(&across, &whole);
            let canaries = index(&t);
            prop_assert_eq!(canaries.find_in_pieces(pieces.iter().copied()), canaries.find_in(&haystack));
        }

        #[test]
        fn random_bytes_hold_no_canary(
            haystack in proptest::collection::vec(any::<u8>(), 0..4000),
            seed in any::<u64>(),
        ) {
            let canaries = index(&tokens(50, seed));
            prop_assert!(canaries.find_in(&haystack).is_empty());
        }
    }
}
