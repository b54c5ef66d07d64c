//! A Hub mirror on disk: `<root>/<owner>/<name>/info.json`, `README.md` and other repo files
//! (format: HUB-MIRROR.md). It stands in for the Hub in tests, examples and benchmarks.

use super::confined::Confined;
use super::{ModelInfo, ModelRecord, Source, SourceError, valid_model_id};
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Reads a mirror directory. Files are small and local, so plain blocking reads are used: a
/// thread hop per file (tokio::fs) would cost more than the read.
#[derive(Debug)]
pub struct Mirror {
    root: PathBuf,
    /// Reads files inside the mirror only: a link out of it is refused.
    files: Confined,
    index: OnceLock<Index>,
}

#[derive(Debug, Default)]
struct Index {
    models: Vec<String>,
    children: HashMap<String, Vec<String>>,
}

impl Index {
    /// A model, and the parents its `base_model:` tags name (its info.json as read, if it was).
    fn add(&mut self, id: &str, info: Option<Vec<u8>>) {
        #[derive(Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Vec<String>,
        }
        self.models.push(id.to_string());
        let tags = info
            .and_then(|b| serde_json::from_slice::<Tags>(&b).ok())
            .map(|t| t.tags)
            .unwrap_or_default();
        for parent in parents_from_tags(&tags) {
            self.children
                .entry(parent)
                .or_default()
                .push(id.to_string());
        }
    }
}

/// Parents named by the Hub's `base_model:<id>` and `base_model:<relation>:<id>` tags.
pub(crate) fn parents_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let Some(rest) = tag.as_ref().strip_prefix("base_model:") else {
            continue;
        };
        let id = rest.split_once(':').map_or(rest, |(_, id)| id);
        if valid_model_id(id) && !out.iter().any(|p| p == id) {
            out.push(id.to_string());
        }
    }
    out
}

impl Mirror {
    pub fn open(root: impl Into<PathBuf>) -> Result<Mirror, SourceError> {
        let root = root.into();
        if !root.is_dir() {
            return Err(SourceError::NotFound(format!(
                "mirror {} is not a directory",
                root.display()
            )));
        }
        Ok(Mirror {
            files: Confined::new(&root, "mirror")?,
            root,
            index: OnceLock::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, id: &str) -> Result<PathBuf, SourceError> {
        if !valid_model_id(id) {
            return Err(SourceError::NotFound(format!(
                "`{id}` is not a valid model id (owner/name)"
            )));
        }
        Ok(self.root.join(id))
    }

    /// Built on first use: one pass over every info.json, reading only `tags`.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            let Ok(owners) = std::fs::read_dir(&self.root) else {
                return index;
            };
            for owner in owners.flatten() {
                // Datasets sit beside models under `datasets/` (not a Hub user name).
                if owner.file_name() == "datasets" {
                    continue;
                }
                // A model without a namespace (`gpt2`) sits at the top: <root>/gpt2/info.json.
                let top = owner.file_name().to_string_lossy().into_owned();
                let info = owner.path().join("info.json");
                if valid_model_id(&top) && info.is_file() {
                    index.add(&top, self.files.read(&info, &top).ok().flatten());
                }
                let Ok(names) = std::fs::read_dir(owner.path()) else {
                    continue;
                };
                for name in names.flatten() {
                    let id = format!(
                        "{}/{}",
                        owner.file_name().to_string_lossy(),
                        name.file_name().to_string_lossy()
                    );
                    let info = name.path().join("info.json");
                    if !valid_model_id(&id) || !info.is_file() {
                        continue;
                    }
                    index.add(&id, self.files.read(&info, &id).ok().flatten());
                }
            }
            index.models.sort();
            index.children.values_mut().for_each(|v| v.sort());
            index
        })
    }
}

#[async_trait]
impl Source for Mirror {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        let dir = self.dir(id)?;
        let shown = format!("{id}/info.json");
        let Some(bytes) = self.files.read(&dir.join("info.json"), &shown)? else {
            return Err(SourceError::NotFound(format!("{id} is not in the mirror")));
        };
        let info: ModelInfo = serde_json::from_slice(&bytes)
            .map_err(|e| SourceError::Invalid(format!("{shown}:{}: {e}", e.line())))?;
        // A card that cannot be used (too large, unreadable) leaves the model to its cardData.
        let card = super::card_from_file(
            self.files
                .read(&dir.join("README.md"), &format!("{id}/README.md")),
        );
        Ok(ModelRecord::of(id, info, card))
    }

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        let dir = self.dir(id)?;
        if path.split('/').any(|p| p.is_empty() || p == "..") || path.starts_with('/') {
            return Err(SourceError::NotFound(format!(
                "{id}: `{path}` is not a repo path"
            )));
        }
        self.files
            .read(&dir.join(path), &format!("{id}/{path}"))?
            .ok_or_else(|| SourceError::NotFound(format!("{id}/{path} is not in the mirror")))
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        Ok(self.index().children.get(id).cloned().unwrap_or_default())
    }

    async fn all_models(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.index().models.clone())
    }

    async fn parent_candidates(
        &self,
        name: &str,
        mentioned: &[String],
    ) -> Result<Vec<super::Listed>, SourceError> {
        let ids = self.index().models.iter().map(String::as_str);
        Ok(super::candidates_among(ids, name, mentioned))
    }

    async fn dataset(&self, id: &str) -> Result<super::DatasetRecord, SourceError> {
        super::dataset::read_mirror(&self.files, &self.root, id)
    }
}
