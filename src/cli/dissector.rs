//! `cablesim dissector`: the Wireshark plugin that reads the frames of a
//! capture (README.md, "Wireshark dissector").

use std::io::Write;

use crate::report::lua_dissector;

/// Print a Wireshark Lua dissector for cable frames (to stdout).
///
/// cablesim dissector > cablesim.lua; wireshark -X lua_script:cablesim.lua capture.pcapng
#[derive(Debug, clap::Args)]
pub(crate) struct Dissector {}

impl Dissector {
    /// Writes the Lua source on stdout.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        std::io::stdout().write_all(lua_dissector().as_bytes())?;
        Ok(())
    }
}
