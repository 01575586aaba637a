//! What `cablesim network` hears from its children besides the answers
//! it waits for: the cables they report, their alarms and wire costs, and
//! every event for whoever watches the run (a live page).

use std::collections::HashMap;
use std::sync::Arc;

use tracing::warn;

use super::child::EventSink;
use super::control::Event;

/// A callback told every event a child of `cablesim network` prints, with
/// the child's label (the node's name, `hub`, `tap-NODE`): how a live
/// page follows the run without the launcher knowing of pages.
#[derive(Clone)]
pub struct EventObserver(pub Arc<ObserveFn>);

/// What an [`EventObserver`] calls: the child's label and its event.
pub type ObserveFn = dyn Fn(&str, &Event) + Send + Sync;

impl std::fmt::Debug for EventObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventObserver")
    }
}

/// What the launcher hears from the children besides the answers it waits
/// for.
#[derive(Default)]
pub(super) struct Heard {
    pub(super) observer: Option<EventObserver>,
    pub(super) accepted: Vec<String>,
    pub(super) delivered: HashMap<String, u64>,
    pub(super) alarms: Vec<crate::net::Alarm>,
    pub(super) wire: crate::report::WireCosts,
}

impl EventSink for Heard {
    fn observe(&mut self, child: &str, event: Event) {
        match event {
            Event::Accepted { cable, .. } => self.accepted.push(cable),
            Event::Delivered { cable, .. } => *self.delivered.entry(cable).or_default() += 1,
            Event::Alarm(alarm) => self.alarms.push(alarm),
            Event::Wire { wire } => self.wire.absorb(&wire),
            Event::Error { detail } => warn!(child = %child, detail = %detail, "child reported an error"),
            _ => {}
        }
    }

    fn saw(&mut self, child: &str, event: &Event) {
        if let Some(observer) = &self.observer {
            (observer.0)(child, event);
        }
    }
}
