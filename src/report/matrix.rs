//! What `cablesim matrix` measured: one cell per configuration and actor.
//! The runs that fill it are the scenario layer's (`run_matrix`); the
//! type lives here, beside its renderings, so that the report layer never
//! imports the scenario layer.

use serde::{Deserialize, Serialize};

use super::WireCosts;

/// One cell: what one actor obtained under one configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// The preset.
    pub config: String,
    /// The actor.
    pub actor: String,
    /// Cables whose canary it recovered.
    pub content: u64,
    /// Cables whose header it decoded.
    pub routing: u64,
    /// Encrypted records it saw.
    pub traffic_frames: u64,
    /// Distinct forged cables at least one recipient accepted.
    pub forged_cables: u64,
    /// Acceptances of forged cables, one per cable and recipient.
    pub forged_accepted: u64,
    /// Alarms its actions caused.
    pub alarms: u64,
}

/// The whole matrix, as `cablesim matrix --format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    /// Scenario name.
    pub scenario: String,
    /// The presets, in row order.
    pub configs: Vec<String>,
    /// One cell per (config, actor), rows in order, actors in order of
    /// first appearance.
    pub cells: Vec<MatrixCell>,
    /// What each configuration cost on the wire, rows in order, measured
    /// in its first run (the one its passive actors share).
    #[serde(default)]
    pub wire: Vec<MatrixWire>,
}

/// The wire costs of one configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixWire {
    /// The preset.
    pub config: String,
    /// Its envelopes and handshakes.
    pub wire: WireCosts,
}

impl Matrix {
    /// Actor names in column order.
    pub fn actors(&self) -> Vec<&str> {
        let mut actors: Vec<&str> = Vec::new();
        for cell in &self.cells {
            if !actors.contains(&cell.actor.as_str()) {
                actors.push(&cell.actor);
            }
        }
        actors
    }

    /// The wire costs of `config`, if measured.
    pub fn wire(&self, config: &str) -> Option<&WireCosts> {
        self.wire.iter().find(|w| w.config == config).map(|w| &w.wire)
    }

    /// The cell of `config` and `actor`.
    pub fn cell(&self, config: &str, actor: &str) -> Option<&MatrixCell> {
        self.cells.iter().find(|c| c.config == config && c.actor == actor)
    }
}
