//! The live page hears what the log hears: this layer of the tracing
//! subscriber turns the network's own events (a node connects, a cable is
//! sent, relayed, delivered, an alarm fires, the hub refuses a peer) into
//! changes of the board.
//! There is no second set of counters in the network for the page: if an
//! event is not logged, the page does not show it.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer};

use super::board::AlarmLine;
use super::feed::LiveFeed;

/// The feed the layer writes to, once a command has started its page.
static FEED: OnceLock<LiveFeed> = OnceLock::new();

/// Whether the layer passes events on: a demo stops listening after the
/// run it shows, before the runs that fill its table.
static LISTENING: AtomicBool = AtomicBool::new(true);

/// Connects the layer to `feed`. Only the first call counts: a process
/// serves one page.
pub fn attach(feed: &LiveFeed) {
    let _ = FEED.set(feed.clone());
}

/// Passes events on (`true`, from the start) or ignores them.
pub fn listen(on: bool) {
    LISTENING.store(on, Ordering::SeqCst);
}

/// The layer, for the log subscriber, with the filter it needs: the
/// network's debug events (send, relay, deliver), whatever the log shows.
pub fn layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    LiveLayer.with_filter(Targets::new().with_target("cablesim", Level::DEBUG))
}

struct LiveLayer;

impl<S: Subscriber> Layer<S> for LiveLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let Some(feed) = FEED.get() else {
            return;
        };
        if !LISTENING.load(Ordering::Relaxed) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        apply(feed, event.metadata().target(), &fields);
    }
}

/// The fields the board needs from an event.
#[derive(Debug, Default)]
pub(super) struct Fields {
    pub(super) message: String,
    pub(super) node: Option<String>,
    pub(super) day: Option<u32>,
    pub(super) kind: Option<String>,
    pub(super) detail: Option<String>,
    pub(super) attack: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "node" => self.node = Some(value.to_owned()),
            "kind" => self.kind = Some(value.to_owned()),
            "detail" => self.detail = Some(value.to_owned()),
            "attack" => self.attack = Some(value.to_owned()),
            "message" => self.message = value.to_owned(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "day" {
            self.day = u32::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            // Only the fields the board reads are formatted: a delivery's
            // addressee list is not.
            "message" | "node" | "detail" => self.record_str(field, &format!("{value:?}")),
            _ => {}
        }
    }
}

/// Applies one event to the board, if it is one the page shows.
pub(super) fn apply(feed: &LiveFeed, target: &str, fields: &Fields) {
    let node = fields.node.as_deref().unwrap_or_default();
    if target == "cablesim::alarm" {
        let line = AlarmLine {
            day: fields.day.unwrap_or_default(),
            node: node.to_owned(),
            kind: fields.kind.clone().unwrap_or_default(),
            attack: fields.attack.clone(),
            detail: fields.detail.clone().unwrap_or_default(),
        };
        feed.update(|board| board.alarm(line));
        return;
    }
    match fields.message.as_str() {
        "send" => feed.update(|board| board.sent(node)),
        "relay" => feed.update(|board| board.relayed()),
        "deliver" => feed.update(|board| board.delivered(node)),
        "node connected" => feed.update(|board| board.connection(node, true)),
        "node disconnected" => feed.update(|board| board.connection(node, false)),
        // Turned away at the door, or for want of room.
        "peer refused" | "connection refused" => feed.update(|board| board.refused()),
        // A hub process told the day.
        "day begins" => {
            if let Some(day) = fields.day {
                feed.update(|board| board.day(day));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ScenarioArgs, planned_report};

    fn feed() -> LiveFeed {
        let (scenario, _) = ScenarioArgs::named("tests/fixtures/trio.toml").prepare().unwrap();
        LiveFeed::new(&planned_report(&scenario, None).unwrap())
    }

    fn said(message: &str, node: Option<&str>, day: Option<u32>) -> Fields {
        Fields {
            message: message.to_owned(),
            node: node.map(str::to_owned),
            day,
            ..Fields::default()
        }
    }

    fn state(feed: &LiveFeed) -> serde_json::Value {
        serde_json::from_str(&feed.state_json().0).unwrap()
    }

    #[test]
    fn the_hubs_own_events() {
        let feed = feed();
        let target = "cablesim::net::hub::connection";
        apply(&feed, target, &said("node connected", Some("at-mfa"), None));
        apply(&feed, target, &said("peer refused", None, None));
        apply(&feed, target, &said("connection refused", None, None));
        apply(&feed, "cablesim::net::hub::relay", &said("relay", None, Some(2)));
        apply(
            &feed,
            "cablesim::multiprocess::hub_process",
            &said("day begins", None, Some(4)),
        );
        // Without its day, a day event says nothing.
        apply(
            &feed,
            "cablesim::multiprocess::hub_process",
            &said("day begins", None, None),
        );
        apply(&feed, target, &said("session ended", None, None));
        let s = state(&feed);
        assert_eq!(
            s["counts"],
            serde_json::json!({"sent": 0, "relayed": 1, "deliveries": 0, "refused": 2})
        );
        assert_eq!(s["day"], 4);
        assert_eq!(s["seq"], 5);
        assert_eq!(s["nodes"][1]["name"], "at-mfa");
        assert_eq!(s["nodes"][1]["connected"], true);
    }
}
