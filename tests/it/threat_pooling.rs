//! Actors (ARCHITECTURE.md, "Adversaries"): adversaries with the same actor
//! pool their loot, so ciphertext recorded early opens with a key stolen later;
//! different actors do not share.

use crate::support::world;

use world::{config, content, ids, routing, run};

fn harvest(tap_actor: &str, thief_actor: &str) -> String {
    format!(
        "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nuntil_day = 6\nactor = \"{tap_actor}\"\n\
         [[adversary]]\nkind = \"key-thief\"\nat = \"be-mfa\"\non_day = 10\nactor = \"{thief_actor}\"\n"
    )
}

#[tokio::test(start_paused = true)]
async fn harvest_now_decrypt_later_under_static_keys() {
    let security = format!("{}distribution = \"broadcast\"", config("plain", "static"));
    let report = run(&security, &harvest("apt", "apt")).await;
    // Recorded days 0..6 on be-mfa's link: C1, C2, C4 (be ∈ R) and C3 (be
    // sends). The key stolen on day 10 opens the three addressed to be-mfa.
    assert_eq!(content(&report, "apt"), ids(&["C1", "C2", "C4"]));
    assert_eq!(routing(&report, "apt"), ids(&["C1", "C2", "C3", "C4"]));
}

#[tokio::test(start_paused = true)]
async fn forward_secrecy_defeats_the_late_theft() {
    let security = format!("{}distribution = \"broadcast\"", config("plain", "forward-secret"));
    let report = run(&security, &harvest("apt", "apt")).await;
    assert_eq!(content(&report, "apt"), ids(&[]));
    assert_eq!(routing(&report, "apt"), ids(&["C1", "C2", "C3", "C4"]));
}

#[tokio::test(start_paused = true)]
async fn separate_actors_do_not_share_loot() {
    let security = format!("{}distribution = \"broadcast\"", config("plain", "static"));
    let report = run(&security, &harvest("wiretapper", "burglar")).await;
    assert_eq!(content(&report, "wiretapper"), ids(&[]));
    assert_eq!(content(&report, "burglar"), ids(&[]));
    assert_eq!(routing(&report, "burglar"), ids(&[]));
}
