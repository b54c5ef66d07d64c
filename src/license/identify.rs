//! Which licence a LICENSE file holds: model licences by the title marks recorded in `rules/`,
//! SPDX licences by the `spdx` crate's text detection (as cargo-deny does), above a confidence
//! threshold.

use super::catalogue::{Catalogue, LicenseId, normalize_text};
use std::sync::OnceLock;

/// How far into a file a title is looked for: titles open the text.
const TITLE_WINDOW: usize = 2000;

/// A licence recognised in a file, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Identified {
    pub license: LicenseId,
    /// "title" or "text match 0.97".
    pub how: String,
}

/// The SPDX text store, loaded once and only when a file is not recognised by its title.
fn store() -> Option<&'static spdx::detection::Store> {
    static STORE: OnceLock<Option<spdx::detection::Store>> = OnceLock::new();
    STORE
        .get_or_init(|| match spdx::detection::Store::load_inline() {
            Ok(store) => Some(store),
            Err(e) => {
                tracing::warn!("the SPDX licence texts could not be loaded: {e}");
                None
            }
        })
        .as_ref()
}

/// Identifies a licence text. `threshold` is the lowest SPDX detection score accepted (0..1).
pub fn identify(catalogue: &Catalogue, text: &str, threshold: f32) -> Option<Identified> {
    let head: String = text.chars().take(TITLE_WINDOW * 2).collect();
    let head = normalize_text(&head);
    let head = &head[..head
        .char_indices()
        .nth(TITLE_WINDOW)
        .map_or(head.len(), |(i, _)| i)];
    // The mark found earliest wins (the title), then the longest (the most specific).
    let by_title = catalogue
        .iter()
        .flat_map(|(id, e)| e.marks.iter().map(move |m| (id, m)))
        .filter_map(|(id, mark)| {
            head.find(mark.as_str())
                .map(|at| (at, std::cmp::Reverse(mark.len()), id))
        })
        .min();
    if let Some((_, _, id)) = by_title {
        return Some(Identified {
            license: id,
            how: "title".into(),
        });
    }
    let found = store()?.analyze(&spdx::detection::TextData::new(text));
    if found.score < threshold {
        return None;
    }
    let id = catalogue.by_spdx(found.name)?;
    Some(Identified {
        license: id,
        how: format!("text match {:.2}", found.score),
    })
}
