//! A model repository on the author's disk, for pre-publish checks. Its own card and files come
//! from the directory; its parents come from another source (a mirror, later the Hub).

use super::confined::Confined;
use super::{ModelInfo, ModelRecord, Sibling, Source, SourceError};
use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How many files of a local repo are listed at most (enough for any model repo; bounds a
/// mistaken `audit ~`).
const MAX_LISTED_FILES: usize = 10_000;

pub struct LocalRepo {
    dir: PathBuf,
    /// Reads files inside the repo only: a link out of it is refused.
    files: Confined,
    id: String,
    parents: Option<Arc<dyn Source>>,
}

impl LocalRepo {
    /// `parents` answers for every other model; without it, parents are unresolved.
    pub fn open(dir: &Path, parents: Option<Arc<dyn Source>>) -> Result<LocalRepo, SourceError> {
        if !dir.is_dir() {
            return Err(SourceError::NotFound(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Ok(LocalRepo {
            files: Confined::new(dir, "repo")?,
            dir: dir.to_path_buf(),
            id: local_id(dir),
            parents,
        })
    }

    /// The id the local model is reported under: the directory's name as given.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn list_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(self.dir.clone(), String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name == ".git" {
                    continue;
                }
                let rel = format!("{prefix}{name}");
                // Linked directories are not entered; a linked file is listed (as the Hub
                // would list it) and read only if it leads to a file inside the repo.
                match entry.file_type() {
                    Ok(t) if t.is_dir() => stack.push((entry.path(), format!("{rel}/"))),
                    Ok(t) if t.is_file() => out.push(rel),
                    Ok(t) if t.is_symlink() && entry.path().is_file() => out.push(rel),
                    _ => {}
                }
                if out.len() >= MAX_LISTED_FILES {
                    return out;
                }
            }
        }
        out.sort();
        out
    }

    fn parents(&self) -> Result<&Arc<dyn Source>, SourceError> {
        self.parents.as_ref().ok_or_else(|| {
            SourceError::Unsupported(
                "no mirror was given to look up parents in (use --mirror)".into(),
            )
        })
    }
}

fn local_id(dir: &Path) -> String {
    let shown = dir.display().to_string();
    let trimmed = shown.trim_end_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        return std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| ".".into());
    }
    trimmed.to_string()
}

#[async_trait]
impl Source for LocalRepo {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        if id != self.id {
            return self.parents()?.model(id).await;
        }
        let (readme, card_error) =
            super::card_from_file(self.files.read(&self.dir.join("README.md"), "README.md"));
        let siblings = self
            .list_files()
            .into_iter()
            .map(|rfilename| Sibling { rfilename })
            .collect();
        let info = ModelInfo {
            id: self.id.clone(),
            siblings,
            ..ModelInfo::default()
        };
        Ok(ModelRecord {
            info,
            readme,
            renamed_to: None,
            card_error,
        })
    }

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        if id != self.id {
            return self.parents()?.file(id, path).await;
        }
        if path.split('/').any(|p| p.is_empty() || p == "..") {
            return Err(SourceError::NotFound(format!(
                "`{path}` is not a repo path"
            )));
        }
        self.files
            .read(&self.dir.join(path), path)?
            .ok_or_else(|| SourceError::NotFound(format!("{path} does not exist")))
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        match &self.parents {
            Some(p) if id != self.id => p.children(id).await,
            _ => Ok(Vec::new()),
        }
    }

    async fn listed_children(&self, id: &str) -> Result<Vec<super::Listed>, SourceError> {
        match &self.parents {
            Some(p) if id != self.id => p.listed_children(id).await,
            _ => Ok(Vec::new()),
        }
    }

    async fn model_listed(&self, listed: super::Listed) -> Result<ModelRecord, SourceError> {
        match &self.parents {
            Some(p) if listed.id != self.id => p.model_listed(listed).await,
            _ => self.model(&listed.id).await,
        }
    }

    async fn card(&self, id: &str) -> Result<Option<String>, SourceError> {
        match &self.parents {
            Some(p) if id != self.id => p.card(id).await,
            _ => Ok(self.model(id).await?.readme),
        }
    }

    async fn parent_candidates(
        &self,
        name: &str,
        mentioned: &[String],
    ) -> Result<Vec<super::Listed>, SourceError> {
        match &self.parents {
            Some(p) => p.parent_candidates(name, mentioned).await,
            None => Ok(Vec::new()),
        }
    }

    /// A local repo holds no datasets: the source behind it answers.
    async fn dataset(&self, id: &str) -> Result<super::DatasetRecord, SourceError> {
        self.parents()?.dataset(id).await
    }
}
