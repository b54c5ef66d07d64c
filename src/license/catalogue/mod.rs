//! The licence catalogue: one YAML entry per licence (`rules/licenses/`), with lookups by Hub id,
//! `license_name` alias, SPDX id and link. terms.rs holds what an entry says, load.rs how the
//! files become entries.

mod load;
mod terms;

pub use terms::{
    Class, LicenseEntry, Obligation, ObligationKind, TextSource, Unclear, UnclearGroups,
};

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/builtin_licenses.rs"));

/// Index of an entry in its [`Catalogue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenseId(pub(crate) u16);

/// All licences Pedigree knows, with lookups by Hub id, `license_name` alias, SPDX id and link.
#[derive(Debug)]
pub struct Catalogue {
    entries: Vec<LicenseEntry>,
    by_name: HashMap<String, LicenseId>,
    by_spdx: HashMap<String, LicenseId>,
    /// Every notice and attribution text the entries require, in comparable form, once each.
    notices: Vec<String>,
    notice_finder: crate::license::notices::NoticeFinder,
}

/// Text as marks are compared: lowercase, Markdown emphasis and headings dropped, runs of white
/// space folded to one space.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || matches!(c, '*' | '#' | '_') {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

/// Lowercase, with runs of spaces, underscores and dashes folded to one dash, so that
/// "Llama 3.1 Community License" and "llama-3.1-community-license" meet.
pub(crate) fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if matches!(c, ' ' | '_' | '-' | '\t') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn builtin() -> Result<Catalogue> {
        let files: Vec<(String, String)> = BUILTIN_LICENSES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Catalogue::from_files(&files, "built-in rules/licenses")
    }

    /// Loads `DIR/licenses/*.yml` (the layout of the project's `rules/`).
    pub fn load_dir(dir: &Path) -> Result<Catalogue> {
        let licenses = dir.join("licenses");
        let read = std::fs::read_dir(&licenses).map_err(|e| Error::io(&licenses, &e))?;
        let mut files = Vec::new();
        for entry in read {
            let entry = entry.map_err(|e| Error::io(&licenses, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| Error::io(&entry.path(), &e))?;
                files.push((name, text));
            }
        }
        files.sort();
        Catalogue::from_files(&files, &licenses.display().to_string())
    }
    /// The notice and attribution texts of every entry, in comparable form.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Finds all of [`Catalogue::notices`] in a text at once.
    pub fn notice_finder(&self) -> &crate::license::notices::NoticeFinder {
        &self.notice_finder
    }

    pub fn get(&self, id: LicenseId) -> &LicenseEntry {
        &self.entries[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (LicenseId, &LicenseEntry)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (LicenseId(i as u16), e))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A Hub id or a `license_name` alias, compared after folding case and separators.
    pub fn by_name(&self, name: &str) -> Option<LicenseId> {
        self.by_name.get(&fold_name(name)).copied()
    }

    /// An SPDX id (or LicenseRef-), case-insensitively.
    pub fn by_spdx(&self, spdx: &str) -> Option<LicenseId> {
        self.by_spdx.get(&spdx.to_lowercase()).copied()
    }

    /// The entry whose recorded link fragment a `license_link` URL contains; the longest
    /// fragment wins, so a specific page beats a site.
    pub fn by_link(&self, url: &str) -> Option<LicenseId> {
        let url = url.to_lowercase();
        self.iter()
            .flat_map(|(id, e)| e.links.iter().map(move |l| (id, l)))
            .filter(|(_, l)| !l.is_empty() && url.contains(l.as_str()))
            .max_by_key(|(_, l)| l.len())
            .map(|(id, _)| id)
    }

    /// The closest known id or alias to a name that matched none, for "did you mean" hints.
    ///
    /// Only names at most twice as long as the longest known one are compared: comparing costs
    /// time in the product of the lengths (a 4 MB licence value took 33 s), and no longer name
    /// can reach the 0.9 needed. (Jaro-Winkler adds at most 0.4 of the gap to 1 to the Jaro
    /// score, so 0.9 needs Jaro 5/6; Jaro is at most (2 + 1/k)/3 for lengths k-fold apart, so
    /// k ≤ 2.)
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let longest = self.by_name.keys().map(|k| k.chars().count()).max()?;
        let folded = fold_name(name);
        if folded.chars().count() > 2 * longest {
            return None;
        }
        self.by_name
            .keys()
            .map(|k| (strsim::jaro_winkler(&folded, k), k))
            .filter(|(score, _)| *score >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k.as_str())
    }
}
