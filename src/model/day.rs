//! Simulated time: whole days, key epochs and retention windows.

/// A simulated day, counted from 0 at the start of a run (ARCHITECTURE.md, "The
/// world").
pub type Day = u32;

/// A key epoch of the `forward-secret` mode: `epoch(d) = d / epoch_days`.
pub type Epoch = u32;

/// The epoch a day falls in. `epoch_days` of 0 is treated as 1 so that a
/// misconfigured value can never divide by zero; scenario validation
/// rejects it before it gets here.
pub fn epoch_of(day: Day, epoch_days: u32) -> Epoch {
    day / epoch_days.max(1)
}

/// Whether something dated `item_day` is still kept on day `today` under a
/// retention of `keep_days` (absent = forever): kept iff `today − item_day <
/// keep_days` (ARCHITECTURE.md, "Security options"). Items from the future are
/// not "kept" because they do not exist yet.
pub fn kept_on(item_day: Day, today: Day, keep_days: Option<u32>) -> bool {
    if item_day > today {
        return false;
    }
    match keep_days {
        None => true,
        Some(n) => today - item_day < n,
    }
}

/// Whether retention has removed something dated `item_day` by day
/// `today`: only when a retention is set and `today − item_day ≥ keep_days`.
/// Unlike `!kept_on`, an item dated after `today` has not expired: in
/// multi-process mode a node may receive a cable from a sender already on
/// a later day, and it must keep it.
pub fn expired(item_day: Day, today: Day, keep_days: Option<u32>) -> bool {
    match keep_days {
        Some(n) => item_day <= today && today - item_day >= n,
        None => false,
    }
}

/// A half-open window of days `[from, until)`; `until = None` means "to the
/// end of the run" (ARCHITECTURE.md, "Adversaries").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DayWindow {
    /// First day inside the window.
    pub from: Day,
    /// First day after the window, or `None` for an open end.
    pub until: Option<Day>,
}

impl DayWindow {
    /// The window `[from, until)`.
    pub fn new(from: Day, until: Option<Day>) -> Self {
        DayWindow { from, until }
    }

    /// The window holding exactly one day.
    pub fn single(day: Day) -> Self {
        DayWindow {
            from: day,
            until: Some(day.saturating_add(1)),
        }
    }

    /// Active on day d iff from ≤ d < until.
    pub fn contains(&self, day: Day) -> bool {
        day >= self.from && self.until.is_none_or(|until| day < until)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn expired_only_by_retention_never_from_the_future() {
        assert!(!expired(5, 3, Some(1)), "dated after today: kept");
        assert!(!expired(3, 3, Some(1)));
        assert!(expired(2, 3, Some(1)));
        assert!(!expired(0, 1000, None), "no retention: kept forever");
        // Where both are defined, expired is the negation of kept_on.
        for day in 0..10 {
            assert_eq!(expired(day, 9, Some(4)), !kept_on(day, 9, Some(4)));
        }
    }

    use super::*;

    #[test]
    fn epochs_divide_days() {
        assert_eq!(epoch_of(0, 7), 0);
        assert_eq!(epoch_of(6, 7), 0);
        assert_eq!(epoch_of(7, 7), 1);
        assert_eq!(epoch_of(20, 1), 20);
        assert_eq!(epoch_of(5, 0), 5);
    }

    #[test]
    fn retention_keeps_the_last_n_days() {
        assert!(kept_on(10, 10, Some(1)));
        assert!(!kept_on(10, 11, Some(1)));
        assert!(kept_on(10, 99, None));
        assert!(kept_on(10, 19, Some(10)));
        assert!(!kept_on(10, 20, Some(10)));
        assert!(!kept_on(11, 10, None));
    }

    #[test]
    fn windows_are_half_open() {
        let w = DayWindow::new(10, Some(40));
        assert!(!w.contains(9));
        assert!(w.contains(10));
        assert!(w.contains(39));
        assert!(!w.contains(40));
        assert!(DayWindow::new(3, None).contains(1_000_000));
        assert!(DayWindow::single(5).contains(5));
        assert!(!DayWindow::single(5).contains(6));
    }
}
