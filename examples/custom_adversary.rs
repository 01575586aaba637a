//! A user-written adversary: a networked printer at a foreign ministry that
//! keeps a copy of every cable printed — no hacking of the network at all.
//! It implements the public `Adversary` trait, sits inside one node, and
//! its loot goes through the same analyst as the built-in kinds.
//!
//! ```text
//! cargo run --release --example custom_adversary
//! ```

use std::sync::{Arc, Mutex};

use cablesim::adversary::{Adversary, Document, Loot, Position};
use cablesim::crypto::Opened;
use cablesim::model::{Day, DayWindow};
use cablesim::report::render_text;
use cablesim::scenario::{Runner, Scenario};

/// A printer at `node` that prints every cable with a classification of
/// `limite` or above, and keeps the print jobs in its memory.
struct Printer {
    node: String,
    jobs: Mutex<Vec<Document>>,
}

impl Adversary for Printer {
    fn name(&self) -> &str {
        "printer@fr-mfa"
    }

    fn actor(&self) -> &str {
        "printer-vendor"
    }

    fn position(&self) -> Position {
        Position::Node(self.node.clone())
    }

    fn window(&self) -> DayWindow {
        // Installed on day 20, there ever since.
        DayWindow::new(20, None)
    }

    fn attack_techniques(&self) -> Vec<String> {
        // Data from Local System.
        vec!["T1005".into()]
    }

    fn on_delivery(&self, day: Day, _node: &str, cable: &Opened) {
        if cable.header.classification >= cablesim::model::Classification::Limite {
            self.jobs.lock().unwrap().push(Document {
                by: String::new(),
                via: format!("print job at {}, day {day}", self.node),
                header: cable.header.clone(),
                content: cable.content.clone(),
            });
        }
    }

    fn loot(&self) -> Loot {
        Loot {
            documents: self.jobs.lock().unwrap().clone(),
            ..Loot::default()
        }
    }
}

fn main() -> anyhow::Result<()> {
    // Mutual TLS, forward-secret end-to-end encryption, signatures, key
    // pinning (the defaults): a well-protected network, with COREU-style
    // broadcast distribution. The printer does not care.
    let scenario = Scenario::from_toml_str(
        r#"
        [scenario]
        name = "printer"
        seed = 11
        days = 60
        cables = 120

        [network]
        ministries = 12
        missions = 4
        hq = true

        [security]
        distribution = "broadcast"
        "#,
        "printer.toml",
    )?;
    let printer = Arc::new(Printer {
        node: "fr-mfa".into(),
        jobs: Mutex::new(Vec::new()),
    });
    let outcome = Runner::new(scenario).with_adversary(printer).run_blocking()?;
    print!("{}", render_text(&outcome.report));
    let printed = &outcome.report.actors[0];
    println!(
        "\nthe printer kept {} cables delivered to fr-mfa since day 20, whatever the crypto",
        printed.content.len()
    );
    Ok(())
}
