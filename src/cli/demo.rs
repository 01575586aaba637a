//! `cablesim demo`: an incident told in the terminal, for a room of
//! people (README.md, "For trainers: a 45-minute session").

use anyhow::Context;

use crate::report::Palette;
use crate::scenario::{resolve, tell};

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
}

impl Demo {
    /// Tells the story on stdout, with a live tally when stdout is a terminal.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let scenario = resolve(&self.scenario)?;
        let palette = Palette::for_stdout(self.no_color);
        let mut stdout = std::io::stdout();
        let live = std::io::IsTerminal::is_terminal(&stdout);
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        runtime.block_on(tell(&scenario, palette, live, &mut stdout))?;
        Ok(())
    }
}
