//! Datasets, as every source holds them: the body of the Hub's `GET /api/datasets/{id}` (its
//! `cardData` is the dataset card's front matter) and the dataset card, README.md. A model card's
//! `datasets:` entries name them; their licences and generating models are what a model was
//! trained on.

use super::confined::Confined;
use super::{Gated, Sibling, SourceError, card_from_file};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The fields of the Hub's dataset info that Pedigree uses; written back under the Hub's names
/// in snapshots.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DatasetInfo {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    pub private: bool,
    #[serde(
        deserialize_with = "super::de_gated",
        serialize_with = "super::ser_gated"
    )]
    pub gated: Gated,
    pub disabled: bool,
    pub tags: Vec<String>,
    pub siblings: Vec<Sibling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_data: Option<serde_json::Value>,
}

/// A dataset as a source returns it: its info and, when it has one, its card.
#[derive(Clone, Debug)]
pub struct DatasetRecord {
    pub info: DatasetInfo,
    pub readme: Option<String>,
    /// Why README.md could not be used as it is (too large, not UTF-8), if so.
    pub card_error: Option<String>,
}

impl DatasetRecord {
    /// The record of `id` (the id asked for, whatever the info says) and its card as read.
    pub(crate) fn of(
        id: &str,
        info: DatasetInfo,
        (readme, card_error): (Option<String>, Option<String>),
    ) -> DatasetRecord {
        DatasetRecord {
            info: DatasetInfo {
                id: id.to_string(),
                ..info
            },
            readme,
            card_error,
        }
    }
}

/// A Hub dataset id: `owner/name`, or a bare `name` (`squad`, `wikitext`: canonical datasets the
/// Hub still answers for without a namespace). No path tricks: anything else is refused before it
/// reaches a file system or a URL.
pub fn valid_dataset_id(id: &str) -> bool {
    // The same shape as a model id; the repo type is in the path, not the id.
    super::valid_model_id(id)
}

/// The `datasets` library's packaged builders (`load_dataset("json", data_files=...)`,
/// `Dataset.from_generator`): a dataset built by one is named after it, and transformers'
/// Trainer writes that name into the cards it generates (`datasets: [generator]` is on over a
/// hundred models of the shared crawl). None is a Hub dataset.
const LOCAL_BUILDERS: &[&str] = &[
    "arrow",
    "audiofolder",
    "csv",
    "generator",
    "imagefolder",
    "json",
    "pandas",
    "parquet",
    "sql",
    "text",
    "videofolder",
    "webdataset",
    "xml",
];

/// Whether a `datasets:` entry is the name of a `datasets` library builder, not a Hub dataset.
pub fn local_builder(entry: &str) -> bool {
    LOCAL_BUILDERS.contains(&entry.trim())
}

/// The dataset id a card's `datasets:` entry names: an id as is, or a huggingface.co dataset
/// link (`https://huggingface.co/datasets/owner/name`, with or without a path after it). `None`
/// for an entry that names no Hub dataset (free text such as "private data", or a builder's name
/// such as `generator`).
pub fn dataset_ref(entry: &str) -> Option<String> {
    if local_builder(entry) {
        return None;
    }
    let entry = entry.trim().trim_end_matches('/');
    let path = match entry.split_once("huggingface.co/datasets/") {
        Some((_, rest)) => {
            // owner/name, then perhaps /tree/main/..., /blob/...
            let mut parts = rest.split('/');
            match (parts.next(), parts.next()) {
                (Some(owner), Some(name)) if !matches!(name, "tree" | "blob" | "resolve") => {
                    format!("{owner}/{name}")
                }
                (Some(name), _) => name.to_string(),
                _ => return None,
            }
        }
        None => entry.strip_prefix("datasets/").unwrap_or(entry).to_string(),
    };
    valid_dataset_id(&path).then_some(path)
}

/// A dataset of a mirror: `<root>/datasets/<id>/info.json` and `README.md` beside it.
pub(crate) fn read_mirror(
    files: &Confined,
    root: &Path,
    id: &str,
) -> Result<DatasetRecord, SourceError> {
    if !valid_dataset_id(id) {
        return Err(SourceError::NotFound(format!(
            "`{id}` is not a valid dataset id"
        )));
    }
    let dir = root.join("datasets").join(id);
    let shown = format!("datasets/{id}/info.json");
    let Some(bytes) = files.read(&dir.join("info.json"), &shown)? else {
        return Err(SourceError::NotFound(format!(
            "dataset {id} is not in the mirror"
        )));
    };
    let info: DatasetInfo = serde_json::from_slice(&bytes)
        .map_err(|e| SourceError::Invalid(format!("{shown}:{}: {e}", e.line())))?;
    let card = files.read(&dir.join("README.md"), &format!("datasets/{id}/README.md"));
    Ok(DatasetRecord::of(id, info, card_from_file(card)))
}

/// The error of a source that holds no datasets.
pub(crate) fn unsupported(id: &str) -> SourceError {
    SourceError::Unsupported(format!("dataset {id}: this source cannot look up datasets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_entries_name_datasets() {
        assert_eq!(
            dataset_ref("tatsu-lab/alpaca").as_deref(),
            Some("tatsu-lab/alpaca")
        );
        assert_eq!(dataset_ref("squad").as_deref(), Some("squad"));
        assert_eq!(
            dataset_ref("https://huggingface.co/datasets/Open-Orca/SlimOrca/tree/main").as_deref(),
            Some("Open-Orca/SlimOrca")
        );
        assert_eq!(
            dataset_ref("https://huggingface.co/datasets/wikitext").as_deref(),
            Some("wikitext")
        );
        assert_eq!(dataset_ref("datasets/a/b").as_deref(), Some("a/b"));
        assert_eq!(dataset_ref("private data"), None);
        assert_eq!(dataset_ref("../etc/passwd"), None);
        assert_eq!(dataset_ref("a/b/c"), None);
        assert_eq!(dataset_ref(""), None);
    }
}
