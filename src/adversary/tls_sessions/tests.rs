//! The reader against RFC 8448's published trace and hand-built hellos
//! (`crafted`), against real rustls connections with the project's own
//! configurations (`live`, over `link`), and against damage (`failures`).

mod crafted;
mod failures;
mod link;
mod live;

/// The one item of `items`.
fn only<T: std::fmt::Debug>(mut items: Vec<T>) -> T {
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}
