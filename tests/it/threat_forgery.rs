//! Rule 7 of ARCHITECTURE.md: a forger injects one cable a day at the hub in
//! hq's name, to every ministry (at, be, cy), on days 2, 3 and 4: 3 forged
//! cables × 3 recipients = 9 acceptances.

use crate::support::world;

use cablesim::net::AlarmKind;
use world::{actor, config, run};

const FORGER: &str =
    "[[adversary]]\nkind = \"forger\"\nimpersonate = \"hq\"\nfrom_day = 2\nuntil_day = 5\nactor = \"liar\"\n";

fn security(e2e: &str, signatures: bool) -> String {
    format!("{}signatures = {signatures}\n", config("mtls", e2e))
}

#[tokio::test(start_paused = true)]
async fn signatures_stop_every_forgery_with_an_alarm() {
    for e2e in ["off", "group", "static", "forward-secret"] {
        let report = run(&security(e2e, true), FORGER).await;
        let liar = actor(&report, "liar");
        assert_eq!(liar.forged_accepted, 0, "{e2e}");
        assert_eq!(liar.forged_cables, 0, "{e2e}");
        assert_eq!(liar.alarms, 9, "{e2e}");
        let kinds: Vec<AlarmKind> = report.alarms.iter().map(|a| a.kind).collect();
        let expected = if e2e == "group" {
            AlarmKind::Aead
        } else {
            AlarmKind::Signature
        };
        assert_eq!(kinds, vec![expected; 9], "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_signatures_encryption_is_no_authentication() {
    for e2e in ["off", "static", "forward-secret"] {
        let report = run(&security(e2e, false), FORGER).await;
        let liar = actor(&report, "liar");
        assert_eq!(liar.forged_accepted, 9, "{e2e}");
        assert_eq!(liar.forged_cables, 3, "{e2e}");
        assert_eq!(liar.alarms, 0, "{e2e}");
        assert!(liar.content.is_empty(), "{e2e}: forging reads nothing");
    }
}

#[tokio::test(start_paused = true)]
async fn under_group_only_a_forger_holding_the_group_key_succeeds() {
    let report = run(&security("group", false), FORGER).await;
    assert_eq!(actor(&report, "liar").forged_accepted, 0);
    assert_eq!(actor(&report, "liar").forged_cables, 0);
    assert_eq!(actor(&report, "liar").alarms, 9);
    let thief = "[[adversary]]\nkind = \"key-thief\"\nat = \"del-washington\"\non_day = 0\nactor = \"liar\"\n";
    let report = run(&security("group", false), &format!("{FORGER}{thief}")).await;
    assert_eq!(actor(&report, "liar").forged_accepted, 9);
    assert_eq!(actor(&report, "liar").forged_cables, 3);
}

#[tokio::test(start_paused = true)]
async fn a_group_key_stolen_mid_window_lets_only_the_later_forgeries_through() {
    // The thief takes the group key on day 3: the forgeries of days 3 and
    // 4 open for all three ministries, that of day 2 for none — two forged
    // cables, six acceptances.
    let thief = "[[adversary]]\nkind = \"key-thief\"\nat = \"del-washington\"\non_day = 3\nactor = \"liar\"\n";
    let report = run(&security("group", false), &format!("{thief}{FORGER}")).await;
    let liar = actor(&report, "liar");
    assert_eq!((liar.forged_cables, liar.forged_accepted), (2, 6));
    assert_eq!(liar.alarms, 3, "the day-2 forgery fails at each ministry");
}
