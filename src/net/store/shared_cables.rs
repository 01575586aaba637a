//! One copy of each cable for every node of an in-process network.
//!
//! In an in-process run every node's inbox and sent items live in one
//! address space. A cable sent to two recipients is filed three times —
//! once in the sender's sent items, once in each inbox — and each filing
//! would otherwise be its own copy of the header, subject and body, though
//! all of them hold the same bytes: a full-size Cablegate run (a quarter of
//! a million cables) would hold every cable two or three times over.
//! [`SharedCables`] hands out one [`Arc`] per cable instead. A copy is
//! shared only if it is equal, field for field, to the one already handed
//! out under its id, so a forged cable under a used id, or a copy altered
//! on the way, is still filed as what that node received.
//!
//! Entries are weak and short-lived: a cable is filed by its sender and its
//! recipients on the day it is sent (a delivery held up by a dead link may
//! come later, and is then filed as a copy of its own), so only the copies
//! filed today and yesterday, by the network's clock, are looked up. The
//! index stays a day's cables long whatever the length of the run; the
//! shared copies themselves live as long as some node keeps them. The day
//! is the clock's, not the one a cable states: a forged cable dated years
//! ahead would otherwise move the index past every genuine one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::StoredCable;
use crate::model::Day;
use crate::net::DayClock;

/// The shared copies of the cables filed by the nodes of one network.
/// Cloning gives another handle on the same copies.
#[derive(Clone, Debug)]
pub struct SharedCables {
    index: Arc<Mutex<Index>>,
    clock: DayClock,
}

/// Weak handles by cable id: the copies filed on `day`, and those filed
/// the day before.
#[derive(Debug, Default)]
struct Index {
    day: Day,
    today: HashMap<String, Weak<StoredCable>>,
    yesterday: HashMap<String, Weak<StoredCable>>,
}

impl Index {
    /// Moves on to `today`, if it is later than the index's day.
    fn move_to(&mut self, today: Day) {
        if today == self.day + 1 {
            self.yesterday = std::mem::take(&mut self.today);
        } else if today > self.day {
            self.yesterday.clear();
            self.today.clear();
        }
        self.day = self.day.max(today);
    }

    /// The copy filed today or yesterday under `cable`'s id, if it is
    /// equal to `cable` and some node still keeps it.
    fn kept(&self, cable: &StoredCable) -> Option<Arc<StoredCable>> {
        [&self.today, &self.yesterday]
            .into_iter()
            .filter_map(|map| map.get(&cable.header.id).and_then(Weak::upgrade))
            .find(|kept| **kept == *cable)
    }
}

impl SharedCables {
    /// An empty set of shared copies for a network run by `clock`.
    pub fn new(clock: DayClock) -> Self {
        SharedCables {
            index: Arc::default(),
            clock,
        }
    }

    /// The copy of `cable` to keep: the one already handed out under its
    /// id if that one is equal to `cable` and still kept by some node,
    /// otherwise `cable` itself, which later equal copies then share.
    pub fn share(&self, cable: StoredCable) -> Arc<StoredCable> {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        index.move_to(self.clock.today());
        if let Some(kept) = index.kept(&cable) {
            return kept;
        }
        let id = cable.header.id.clone();
        let kept = Arc::new(cable);
        index.today.insert(id, Arc::downgrade(&kept));
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CableContent, CableHeader, Classification};

    fn cable(id: &str, day: Day, body: &str) -> StoredCable {
        StoredCable {
            header: CableHeader {
                version: CableHeader::VERSION,
                id: id.into(),
                day,
                from: "at-mfa".into(),
                to: vec!["be-mfa".into()],
                recipients: vec!["be-mfa".into()],
                classification: Classification::Restricted,
            },
            content: CableContent {
                subject: "subject".into(),
                body: body.into(),
            },
        }
    }

    #[test]
    fn equal_copies_share_one_allocation() {
        let shared = SharedCables::new(DayClock::new());
        let sent = shared.share(cable("C-1", 3, "body"));
        let delivered = shared.share(cable("C-1", 3, "body"));
        assert!(Arc::ptr_eq(&sent, &delivered));
        assert_eq!(Arc::strong_count(&sent), 2);
    }

    #[test]
    fn a_different_copy_under_the_same_id_is_kept_apart() {
        let shared = SharedCables::new(DayClock::new());
        let genuine = shared.share(cable("C-1", 3, "body"));
        let forged = shared.share(cable("C-1", 3, "forged body"));
        assert!(!Arc::ptr_eq(&genuine, &forged));
        assert_eq!(forged.content.body, "forged body", "each node keeps what it received");
        assert_eq!(genuine.content.body, "body");
    }

    #[test]
    fn a_copy_nobody_keeps_any_more_is_replaced() {
        let shared = SharedCables::new(DayClock::new());
        drop(shared.share(cable("C-1", 3, "body")));
        let again = shared.share(cable("C-1", 3, "body"));
        assert_eq!(Arc::strong_count(&again), 1);
        let third = shared.share(cable("C-1", 3, "body"));
        assert!(Arc::ptr_eq(&again, &third), "the new copy is the one shared");
    }

    #[test]
    fn copies_filed_yesterday_are_shared_older_ones_are_not() {
        let clock = DayClock::new();
        let shared = SharedCables::new(clock.clone());
        clock.set(3);
        let day3 = shared.share(cable("C-3", 3, "body"));
        clock.set(4);
        let day4 = shared.share(cable("C-4", 4, "body"));
        assert!(
            Arc::ptr_eq(&day3, &shared.share(cable("C-3", 3, "body"))),
            "yesterday's"
        );
        assert!(Arc::ptr_eq(&day4, &shared.share(cable("C-4", 4, "body"))), "today's");
        clock.set(5);
        assert!(
            !Arc::ptr_eq(&day3, &shared.share(cable("C-3", 3, "body"))),
            "older: a copy"
        );
        assert!(
            Arc::ptr_eq(&day4, &shared.share(cable("C-4", 4, "body"))),
            "now yesterday's"
        );
        clock.set(9);
        assert!(
            !Arc::ptr_eq(&day4, &shared.share(cable("C-4", 4, "body"))),
            "a jump forgets both days"
        );
    }

    #[test]
    fn a_forged_date_does_not_move_the_index() {
        let clock = DayClock::new();
        clock.set(7);
        let shared = SharedCables::new(clock);
        let genuine = shared.share(cable("C-1", 7, "body"));
        let forged = shared.share(cable("C-F", 1_000_000, "forged"));
        assert!(!Arc::ptr_eq(&genuine, &forged));
        assert!(
            Arc::ptr_eq(&genuine, &shared.share(cable("C-1", 7, "body"))),
            "still shared after a cable dated far ahead"
        );
        assert!(Arc::ptr_eq(&forged, &shared.share(cable("C-F", 1_000_000, "forged"))));
    }

    #[test]
    fn handles_share_their_copies() {
        let shared = SharedCables::new(DayClock::new());
        let other = shared.clone();
        let a = shared.share(cable("C-1", 0, "body"));
        let b = other.share(cable("C-1", 0, "body"));
        assert!(Arc::ptr_eq(&a, &b));
    }
}
