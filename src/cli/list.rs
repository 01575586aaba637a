//! `cablesim list`: what can be run without writing a scenario file.

use crate::scenario::{BUILTIN, Preset};

/// List the built-in scenarios and the presets, one line each.
#[derive(Debug, clap::Args)]
pub(crate) struct List {}

impl List {
    /// Prints the built-in scenarios, then the presets.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        println!("built-in scenarios:");
        for builtin in BUILTIN {
            println!("  {:<28} {}", builtin.name, builtin.summary);
        }
        println!("presets (--config):");
        for preset in Preset::ALL {
            println!("  {:<28} {}", preset.name(), preset.description());
        }
        Ok(())
    }
}
