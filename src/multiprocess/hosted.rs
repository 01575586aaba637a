//! Adversaries a process hosts for `cablesim network`, and the loot file
//! each process writes when it quits, so that the launcher can pool every
//! actor's loot and run the analyst exactly as an in-process run does.
//!
//! The launcher writes the run's adversaries as JSON; each process builds
//! those planted at its own position (the hub, its node, its link) with the
//! library's `build_adversaries`, feeds them through the same hooks as the
//! in-process runner, and writes their loot on `quit`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::adversary::{Adversary, AdversarySpec, BuildContext, Loot, Position, build_adversaries};

/// Why hosted adversaries or their loot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HostedError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file does not hold what it should.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The decoder's reason.
        reason: String,
    },
    /// The adversaries could not be built.
    #[error(transparent)]
    Build(#[from] crate::adversary::BuildError),
}

/// Reads the adversary list the launcher wrote.
pub fn read_specs(path: &Path) -> Result<Vec<AdversarySpec>, HostedError> {
    let text = std::fs::read_to_string(path).map_err(|source| HostedError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| HostedError::Format {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Writes the adversary list for the children.
pub fn write_specs(path: &Path, specs: &[AdversarySpec]) -> Result<(), HostedError> {
    let text = serde_json::to_string_pretty(specs).map_err(|e| HostedError::Format {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|source| HostedError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Builds the adversaries of `specs` planted at `position`, with the
/// actor key pools of `build_adversaries` (shared within this process).
pub fn build_at(
    specs: &[AdversarySpec],
    position: &Position,
    context: &BuildContext<'_>,
) -> Result<Vec<Arc<dyn Adversary>>, HostedError> {
    let all = build_adversaries(specs, context)?;
    Ok(all.into_iter().filter(|a| &a.position() == position).collect())
}

/// One adversary's loot, by name.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LootEntry {
    /// The adversary's name (`endpoint@cy-mfa`).
    pub adversary: String,
    /// What it collected.
    pub loot: Loot,
}

/// Writes the loot of `adversaries` to `path` (postcard: stolen keys
/// included, so the file is as secret as what it holds).
pub fn write_loot(path: &Path, adversaries: &[Arc<dyn Adversary>]) -> Result<(), HostedError> {
    let entries: Vec<LootEntry> = adversaries
        .iter()
        .map(|a| LootEntry {
            adversary: a.name().to_owned(),
            loot: a.loot(),
        })
        .collect();
    let bytes = postcard::to_stdvec(&entries).map_err(|e| HostedError::Format {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    // Stolen keys: as secret as the keys themselves.
    crate::net::pki::write_secret(path, &bytes).map_err(|source| HostedError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Reads a loot file; a missing file is no loot (the process hosted none).
pub fn read_loot(path: &Path) -> Result<Vec<LootEntry>, HostedError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(HostedError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    postcard::from_bytes(&bytes).map_err(|e| HostedError::Format {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// An adversary whose material was collected in another process: its
/// identity and alarm attribution are the local build's, its loot what the
/// other process wrote.
pub(crate) struct Collected {
    pub(crate) local: Arc<dyn Adversary>,
    pub(crate) loot: Loot,
}

impl Adversary for Collected {
    fn name(&self) -> &str {
        self.local.name()
    }

    fn actor(&self) -> &str {
        self.local.actor()
    }

    fn position(&self) -> Position {
        self.local.position()
    }

    fn window(&self) -> crate::model::DayWindow {
        self.local.window()
    }

    fn attack_techniques(&self) -> Vec<String> {
        self.local.attack_techniques()
    }

    fn caused(&self, alarm: &crate::net::Alarm) -> bool {
        self.local.caused(alarm)
    }

    fn loot(&self) -> Loot {
        self.loot.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adversary::{Capture, CaptureKind, StolenKey};
    use crate::crypto::{AgreementSecret, KeyMaterial};

    /// An adversary holding fixed loot, for the round trip.
    struct Holder(Loot);

    impl Adversary for Holder {
        fn name(&self) -> &str {
            "key-thief@at-mfa"
        }
        fn actor(&self) -> &str {
            "apt"
        }
        fn position(&self) -> Position {
            Position::Node("at-mfa".into())
        }
        fn window(&self) -> crate::model::DayWindow {
            crate::model::DayWindow::new(0, None)
        }
        fn attack_techniques(&self) -> Vec<String> {
            Vec::new()
        }
        fn loot(&self) -> Loot {
            self.0.clone()
        }
    }

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cablesim-hosted-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn loot_survives_the_file_keys_included() {
        let secret = AgreementSecret::generate();
        let public = secret.public();
        let loot = Loot {
            captures: vec![Capture {
                by: String::new(),
                via: "tap at-mfa->hub, plain".into(),
                kind: CaptureKind::Wire,
                bytes: vec![1, 2, 3].into(),
                link: None,
            }],
            keys: vec![StolenKey {
                by: String::new(),
                via: "key-thief at-mfa, stolen day 3".into(),
                key: KeyMaterial::Static {
                    owner: "at-mfa".into(),
                    secret,
                },
            }],
            ..Loot::default()
        };
        let path = dir("roundtrip").join("at-mfa.loot");
        let holder: Arc<dyn Adversary> = Arc::new(Holder(loot));
        write_loot(&path, &[holder]).unwrap();
        let entries = read_loot(&path).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].adversary, "key-thief@at-mfa");
        let back = &entries[0].loot;
        assert_eq!(*back.captures[0].bytes.contiguous(), [1, 2, 3]);
        assert_eq!(back.captures[0].kind, CaptureKind::Wire);
        match &back.keys[0].key {
            KeyMaterial::Static { owner, secret } => {
                assert_eq!(owner, "at-mfa");
                assert_eq!(secret.public(), public, "the very same secret came back");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fail_missing_loot_is_none_and_garbage_names_the_file() {
        let dir = dir("garbage");
        assert!(read_loot(&dir.join("absent.loot")).unwrap().is_empty());
        let path = dir.join("bad.loot");
        std::fs::write(&path, b"\xff\xff\xff\xff not postcard").unwrap();
        let err = read_loot(&path).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: ", path.display())), "{err}");
        let specs = dir.join("specs.json");
        std::fs::write(&specs, "[{").unwrap();
        let err = read_specs(&specs).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: ", specs.display())), "{err}");
    }
}
