//! `cablesim demo`: an incident told in the terminal, for a room of
//! people (README.md, "For trainers: a 45-minute session").

use anyhow::Context;

use std::sync::Arc;

use super::flags::Web;
use super::run::open_live_page;
use crate::report::Palette;
use crate::scenario::{DemoWatcher, resolve, tell_watched};
use crate::web::DemoFeed;

/// Tell an incident in the terminal: the story, the run with a live tally,
/// then the same incident under each mitigation, side by side.
#[derive(Debug, clap::Args)]
pub(crate) struct Demo {
    /// Built-in scenario name (see `cablesim list`) or path to a scenario file.
    #[arg(default_value = "coreu-2018")]
    scenario: String,
    /// No colours (the NO_COLOR environment variable does the same).
    #[arg(long)]
    no_color: bool,
    #[command(flatten)]
    web: Web,
}

impl Demo {
    /// Tells the story on stdout, with a live tally when stdout is a terminal.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let scenario = resolve(&self.scenario)?;
        let palette = Palette::for_stdout(self.no_color);
        let mut stdout = std::io::stdout();
        let live = std::io::IsTerminal::is_terminal(&stdout);
        // Runs side by side: rayon's threads pinned, the runs' workers free
        // (ARCHITECTURE.md, "Threads and cores").
        crate::net::cores::pin_rayon_threads();
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        let Some(addr) = self.web.web else {
            runtime.block_on(tell_watched(&scenario, palette, live, &mut stdout, None))?;
            return Ok(());
        };
        runtime.block_on(async {
            let page = open_live_page(addr, &scenario, None).await?;
            if self.web.web_wait {
                eprintln!("cablesim: waiting for a browser to open the live page");
                page.wait_for_a_browser().await;
            }
            let watcher: Arc<dyn DemoWatcher> = Arc::new(DemoFeed::new(page.feed().clone()));
            match tell_watched(&scenario, palette, live, &mut stdout, Some(watcher)).await {
                Ok(told) => Ok(page.finish(&told.report).await?),
                Err(e) => {
                    page.fail();
                    Err(e.into())
                }
            }
        })
    }

    /// Whether the live page's log layer is needed.
    pub(crate) fn wants_web(&self) -> bool {
        self.web.web.is_some()
    }
}
