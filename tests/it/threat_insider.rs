//! Rule 5 of ARCHITECTURE.md: an insider exports the hub archive on one day —
//! the Cablegate pattern.

use crate::support::world;

use world::{config, content, ids, routing, run};

const INSIDER_DAY_6: &str = "[[adversary]]\nkind = \"insider\"\non_day = 6\nactor = \"leaker\"\n";

#[tokio::test(start_paused = true)]
async fn a_plaintext_archive_gives_the_insider_everything_archived_so_far() {
    // At the start of day 6 the archive holds C1..C4. TLS on every link
    // changes nothing: the archive is behind it.
    for transport in ["plain", "mtls"] {
        let report = run(&config(transport, "off"), INSIDER_DAY_6).await;
        assert_eq!(
            content(&report, "leaker"),
            ids(&["C1", "C2", "C3", "C4"]),
            "{transport}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn archive_days_and_no_archive_limit_the_export() {
    let report = run(&format!("{}archive_days = 3", config("mtls", "off")), INSIDER_DAY_6).await;
    // Kept on day 6 iff 6 - day < 3: days 4 and 5, C3 and C4.
    assert_eq!(content(&report, "leaker"), ids(&["C3", "C4"]));
    let report = run(&format!("{}archive = false", config("mtls", "off")), INSIDER_DAY_6).await;
    assert_eq!(content(&report, "leaker"), ids(&[]));
    assert_eq!(routing(&report, "leaker"), ids(&[]));
}

#[tokio::test(start_paused = true)]
async fn an_e2e_archive_shows_headers_only() {
    for e2e in ["group", "static", "forward-secret"] {
        let report = run(&config("mtls", e2e), INSIDER_DAY_6).await;
        assert_eq!(content(&report, "leaker"), ids(&[]), "{e2e}");
        assert_eq!(routing(&report, "leaker"), ids(&["C1", "C2", "C3", "C4"]), "{e2e}");
    }
}

/// Regression: the export holds the archive's own frames, shared, not a
/// copy of them — a full-size Cablegate export (a quarter of a million
/// cables) would otherwise keep every cable twice. The archive in turn
/// keeps a clear cable's frame around the one copy of the cable that the
/// sender's sent items and every recipient's inbox hold. Sharing is only
/// sound because the bytes are immutable; the export is still exactly the
/// archive as it stood, and the analyst still finds every canary in it.
#[tokio::test(start_paused = true)]
async fn the_export_shares_the_archived_frames() {
    use std::sync::Arc;

    use cablesim::adversary::{Adversary, Insider, parse_adversary_spec};
    use cablesim::scenario::Runner;

    let scenario = world::scenario(&config("mtls", "off"), "");
    // Day 11, the last: every cable (the last is sent on day 9) is archived.
    let spec = parse_adversary_spec("insider:11/leaker", &scenario.network, scenario.days, 1).unwrap();
    let insider = Arc::new(Insider::new(spec));
    let outcome = Runner::new(scenario)
        .with_adversary(insider.clone())
        .run()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let archive = outcome.hub.archive_snapshot();
    assert_eq!(archive.len(), world::ALL.len());
    let captures = insider.loot().captures;
    let [export] = captures.as_slice() else {
        panic!("one export, got {}", captures.len());
    };
    let pieces = export.bytes.shared_pieces();
    assert_eq!(pieces.len(), archive.len());
    for (piece, archived) in pieces.iter().zip(&archive) {
        // Kept around the body the nodes share (clear cables): the export
        // holds that same copy, which is also in the sender's sent items.
        let cable = piece
            .shared_cable()
            .expect("a clear cable's frame is kept around its body");
        assert!(
            Arc::ptr_eq(cable, archived.frame.shared_cable().unwrap()),
            "{}: the export copied the cable",
            archived.id
        );
        let sender = &outcome.nodes[&cable.header.from];
        assert!(
            sender.inspect(|s| s.sent.iter().any(|sent| Arc::ptr_eq(sent, cable))),
            "{}: the sent items hold a copy of their own",
            archived.id
        );
        for recipient in &cable.header.recipients {
            assert!(
                outcome.nodes[recipient].inspect(|s| s.inbox.iter().any(|filed| Arc::ptr_eq(filed, cable))),
                "{}: {recipient}'s inbox holds a copy of its own",
                archived.id
            );
        }
    }
    assert_eq!(content(&outcome.report, "leaker"), ids(&world::ALL));
}

/// Under end-to-end encryption the archive holds ciphertext, so its
/// frames are kept whole; the nodes still share one plaintext copy of each
/// cable between the sender's sent items and the recipients' inboxes.
#[tokio::test(start_paused = true)]
async fn sealed_frames_are_kept_whole_and_the_nodes_share_their_copies() {
    use std::sync::Arc;

    use cablesim::scenario::Runner;

    let scenario = world::scenario(&config("mtls", "static"), "");
    let outcome = Runner::new(scenario).run().await.unwrap_or_else(|e| panic!("{e}"));
    let archive = outcome.hub.archive_snapshot();
    assert_eq!(archive.len(), world::ALL.len());
    for archived in &archive {
        assert!(
            archived.frame.whole().is_some(),
            "{}: a sealed frame is kept whole",
            archived.id
        );
        let sender = outcome
            .nodes
            .values()
            .find_map(|node| node.inspect(|s| s.sent.iter().find(|c| c.header.id == archived.id).cloned()));
        let sent = sender.unwrap_or_else(|| panic!("{}: in nobody's sent items", archived.id));
        for recipient in &sent.header.recipients {
            assert!(
                outcome.nodes[recipient].inspect(|s| s.inbox.iter().any(|filed| Arc::ptr_eq(filed, &sent))),
                "{}: {recipient}'s inbox holds a copy of its own",
                archived.id
            );
        }
    }
}
