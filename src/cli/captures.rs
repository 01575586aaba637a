//! The files of `run --pcap` and `--keylog` (README.md, "Captures for
//! Wireshark").

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::output::create_output;
use crate::report::pcap::{PcapRecorder, TlsKeyLog};
use crate::scenario::{Runner, Scenario};

/// The files of `run --pcap` and `--keylog`, and what fills them.
pub(crate) struct Captures {
    /// The capture file and the recorder on every link.
    pcap: Option<(PathBuf, std::fs::File, Arc<PcapRecorder>)>,
    /// The key log file.
    keylog: Option<(PathBuf, std::fs::File)>,
    /// The nodes whose links are recorded: all of them.
    nodes: Vec<String>,
    /// Every TLS secret of the nodes: for the key log file, and for the
    /// capture, which carries them too.
    secrets: Arc<TlsKeyLog>,
}

impl Captures {
    /// Creates the files now: a path that cannot be written should fail
    /// before the run, not after simulating three years.
    pub(crate) fn open(
        pcap: Option<PathBuf>,
        keylog: Option<PathBuf>,
        scenario: &Scenario,
    ) -> anyhow::Result<Captures> {
        let pcap = match pcap {
            Some(path) => {
                let (path, file) = create_output("--pcap", path)?;
                let recorder = PcapRecorder::for_network(&scenario.network, scenario.security.transport);
                Some((path, file, Arc::new(recorder)))
            }
            None => None,
        };
        let keylog = keylog.map(|path| create_output("--keylog", path)).transpose()?;
        Ok(Captures {
            pcap,
            keylog,
            nodes: scenario.network.endpoints().map(|n| n.name.clone()).collect(),
            secrets: Arc::new(TlsKeyLog::new()),
        })
    }

    /// `runner`, recording every node's link and logging its TLS secrets
    /// if a file asks for them.
    pub(crate) fn attach(&self, mut runner: Runner) -> Runner {
        if let Some((_, _, recorder)) = &self.pcap {
            for node in &self.nodes {
                runner = runner.with_link_tap(node.clone(), recorder.clone());
            }
        }
        if self.pcap.is_some() || self.keylog.is_some() {
            runner = runner.with_key_log(self.secrets.clone());
        }
        runner
    }

    /// Writes the files, and says on stderr what they hold (stdout is the
    /// report's).
    pub(crate) fn write(self) -> anyhow::Result<()> {
        if let Some((path, file, recorder)) = self.pcap {
            let mut out = std::io::BufWriter::new(file);
            recorder
                .write_to(&mut out, &self.secrets)
                .with_context(|| format!("writing the capture to {}", path.display()))?;
            eprintln!(
                "cablesim: wrote {}: {} packets in {} TCP connections, {} TLS secrets inside",
                path.display(),
                recorder.packets(),
                recorder.connections(),
                self.secrets.len()
            );
        }
        if let Some((path, mut file)) = self.keylog {
            file.write_all(self.secrets.contents().as_bytes())
                .with_context(|| format!("writing the key log to {}", path.display()))?;
            eprintln!("cablesim: wrote {}: {} TLS secrets", path.display(), self.secrets.len());
        }
        Ok(())
    }
}
