//! The baseline: the findings of the last run, by fingerprint, so that a scheduled audit can say
//! what is new, what was resolved and what is still open. Written atomically (a temporary file
//! renamed over the old one), so a crash never leaves half a baseline.

use super::{Finding, Findings, Severity};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// What the baseline keeps of a finding: enough to list it once it is resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub fingerprint: String,
    pub rule: String,
    pub severity: Severity,
    pub model: String,
    pub message: String,
}

impl From<&Finding> for Known {
    fn from(f: &Finding) -> Known {
        Known {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.id().to_string(),
            severity: f.severity,
            model: f.model.clone(),
            message: f.message.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Known>,
}

/// The findings of this run against the baseline.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub new: Vec<Known>,
    pub resolved: Vec<Known>,
    pub still_open: Vec<Known>,
}

impl Changes {
    pub fn is_news(&self) -> bool {
        !self.new.is_empty() || !self.resolved.is_empty()
    }
}

impl Baseline {
    /// Reads a baseline; a file that does not exist yet is an empty baseline (the first run).
    pub fn load(path: &Path) -> Result<Baseline> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| Error::Io {
                path: path.to_path_buf(),
                message: format!("not a pedigree baseline: {e}"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Baseline::default()),
            Err(e) => Err(Error::io(path, &e)),
        }
    }

    pub fn of(findings: &Findings) -> Baseline {
        Baseline {
            version: 1,
            findings: findings.iter().map(|f| Known::from(&*f)).collect(),
        }
    }

    pub fn compare(&self, findings: &Findings) -> Changes {
        let before: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|k| k.fingerprint.as_str())
            .collect();
        let mut now: BTreeSet<String> = BTreeSet::new();
        let mut changes = Changes::default();
        for f in findings {
            now.insert(f.fingerprint.clone());
            let known = Known::from(&*f);
            if before.contains(f.fingerprint.as_str()) {
                changes.still_open.push(known);
            } else {
                changes.new.push(known);
            }
        }
        changes.resolved = self
            .findings
            .iter()
            .filter(|k| !now.contains(&k.fingerprint))
            .cloned()
            .collect();
        changes
    }

    /// Writes the baseline atomically: a temporary file beside it, then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, &e))?;
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        temp.write_all(text.as_bytes())
            .map_err(|e| Error::io(path, &e))?;
        temp.persist(path).map_err(|e| Error::io(path, &e.error))?;
        Ok(())
    }
}
