//! Who writes a generated cable and to whom: sender and addressee roles
//! drawn from weights that follow the traffic of real leaked archives,
//! then nodes of those roles, never the sender and never the hub.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Generator;
use crate::model::Role;

/// The roles that send and receive cables, in the order of the tables below.
pub(super) const ROLES: [Role; 3] = [Role::Hq, Role::Ministry, Role::Mission];

/// Who writes cables, by role: as in every leaked archive, most traffic is
/// reporting from missions, then ministries, then headquarters.
const SENDER_WEIGHTS: [u32; 3] = [10, 30, 60];

/// Weights of the first addressee's role, one row per sender role:
/// headquarters instructs missions and ministries, ministries write to
/// their missions, to hq and to each other, missions report to hq.
const FIRST_ADDRESSEE: [[u32; 3]; 3] = [[0, 45, 55], [25, 25, 50], [80, 20, 0]];

/// Weights for further addressees (information copies): mostly ministries.
const MORE_ADDRESSEES: [[u32; 3]; 3] = [[5, 60, 35], [20, 50, 30], [10, 70, 20]];

/// Weights of having 1, 2, 3 or 4 addressees.
const ADDRESSEE_COUNTS: [u32; 4] = [40, 30, 20, 10];

impl Generator {
    /// A sender role weighted by [`SENDER_WEIGHTS`] among the roles present,
    /// then a node of that role.
    pub(super) fn pick_sender(&self, rng: &mut ChaCha8Rng) -> (usize, usize) {
        let present = self.pools.each_ref().map(|pool| !pool.is_empty());
        let role = pick_role(rng, &SENDER_WEIGHTS, present);
        (role, rng.random_range(0..self.pools[role].len()))
    }

    /// One to four addressees, never the sender, sorted and deduplicated.
    pub(super) fn pick_addressees(&self, rng: &mut ChaCha8Rng, sender_role: usize, sender: usize) -> Vec<String> {
        // A role can be addressed if it has a node other than the sender.
        let mut open = [false; 3];
        for (role, pool) in self.pools.iter().enumerate() {
            open[role] = pool.len() > usize::from(role == sender_role);
        }
        let wanted = 1 + weighted_index(rng, &ADDRESSEE_COUNTS);
        let mut to = Vec::with_capacity(wanted);
        for k in 0..wanted {
            let table = if k == 0 { &FIRST_ADDRESSEE } else { &MORE_ADDRESSEES };
            let role = pick_role(rng, &table[sender_role], open);
            let pool = &self.pools[role];
            let index = if role == sender_role {
                // Draw among the others and skip over the sender.
                let i = rng.random_range(0..pool.len() - 1);
                if i >= sender { i + 1 } else { i }
            } else {
                rng.random_range(0..pool.len())
            };
            to.push(pool[index].clone());
        }
        to.sort_unstable();
        to.dedup();
        to
    }
}

/// A role index weighted by `weights` among the `open` roles; uniform over
/// the open roles if none of them has weight (a network without hq, for
/// instance). At least one role must be open.
fn pick_role(rng: &mut ChaCha8Rng, weights: &[u32; 3], open: [bool; 3]) -> usize {
    let mut masked = [0; 3];
    for role in 0..3 {
        if open[role] {
            masked[role] = weights[role];
        }
    }
    if masked == [0; 3] {
        masked = open.map(u32::from);
    }
    weighted_index(rng, &masked)
}

/// An index drawn with probability proportional to its weight; the weights
/// are small constants, at least one of them non-zero.
fn weighted_index(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut ticket = rng.random_range(0..total.max(1));
    for (i, &weight) in weights.iter().enumerate() {
        if ticket < weight {
            return i;
        }
        ticket -= weight;
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HUB, Network, Node};

    fn net() -> Network {
        Network::generated(28, 40, true)
    }

    fn check_addressing(network: &Network, count: u64) {
        let g = Generator::new(9, network, count, 5).unwrap();
        for cable in g.cables() {
            assert_ne!(cable.from, HUB);
            assert!(network.contains(&cable.from));
            assert!((1..=4).contains(&cable.to.len()), "{:?}", cable.to);
            assert!(cable.to.windows(2).all(|w| w[0] < w[1]), "{:?}", cable.to);
            assert!(!cable.to.contains(&cable.from));
            assert!(!cable.to.iter().any(|n| n == HUB));
            assert!(cable.to.iter().all(|n| network.contains(n)));
        }
    }

    #[test]
    fn addressing_is_plausible_in_any_network() {
        check_addressing(&net(), 3000);
        check_addressing(&Network::generated(3, 0, false), 500);
        check_addressing(&Network::generated(0, 2, false), 500);
        check_addressing(&Network::generated(0, 1, true), 500);
        check_addressing(&Network::generated(1, 1, false), 500);
        let two_hqs = Network::new([Node::new("hq", Role::Hq), Node::new("hq-annex", Role::Hq)]).unwrap();
        check_addressing(&two_hqs, 500);
    }

    #[test]
    fn missions_report_to_hq_and_hq_instructs() {
        let network = net();
        let g = Generator::new(4, &network, 10_000, 10).unwrap();
        let (mut from_missions, mut to_hq) = (0, 0);
        let mut senders = [0; 3];
        for cable in g.cables() {
            let role = network.get(&cable.from).unwrap().role;
            senders[ROLES.iter().position(|&r| r == role).unwrap()] += 1;
            match role {
                Role::Mission => {
                    from_missions += 1;
                    to_hq += usize::from(cable.to.iter().any(|n| n == "hq"));
                }
                Role::Hq => assert!(cable.body.contains(") Action request: "), "{}", cable.body),
                _ => {}
            }
        }
        // Sender roles follow SENDER_WEIGHTS (10 / 30 / 60) within two points.
        assert!((800..=1200).contains(&senders[0]), "{senders:?}");
        assert!((2800..=3200).contains(&senders[1]), "{senders:?}");
        assert!((5800..=6200).contains(&senders[2]), "{senders:?}");
        let share = to_hq * 100 / from_missions;
        assert!((75..=90).contains(&share), "{share}% of mission cables go to hq");
    }
}
