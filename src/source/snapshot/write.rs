//! Writing a snapshot from a mirror.

use crate::source::{SourceError, valid_dataset_id};
use std::path::{Path, PathBuf};

/// What [`write_snapshot`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub models: usize,
    pub datasets: usize,
}

/// Writes a mirror as a snapshot: each model's info.json, its README.md as `"readme"`, and its
/// other files that are text as `"files"`; then each dataset under `datasets/` as a line with
/// `"repoType": "dataset"` and its card.
pub fn write_snapshot(mirror: &Path, out: &mut dyn std::io::Write) -> Result<Written, SourceError> {
    // Files are read inside the mirror only: a link out of it is left out, with a warning.
    let files = crate::source::confined::Confined::new(mirror, "mirror")?;
    let read = |path: &Path, shown: &str| match files.read(path, shown) {
        Err(e @ SourceError::Refused(_)) => {
            tracing::warn!("{e}");
            Ok(None)
        }
        other => other,
    };
    let repo_object = |repo: &Path| {
        let shown = repo
            .strip_prefix(mirror)
            .unwrap_or(repo)
            .display()
            .to_string();
        repo_object(repo, &shown, &read)
    };
    let mut owners = subdirs(mirror)
        .map_err(|e| SourceError::NotFound(format!("mirror {}: {e}", mirror.display())))?;
    owners.retain(|o| !o.ends_with("datasets"));
    let mut written = Written::default();
    for owner in owners {
        for repo in subdirs(&owner).unwrap_or_default() {
            if let Some(object) = repo_object(&repo)? {
                write_line(out, &object)?;
                written.models += 1;
            }
        }
    }
    // `datasets/<name>` holds a bare-named dataset, `datasets/<owner>/<name>` an owned one.
    let datasets = mirror.join("datasets");
    for top in subdirs(&datasets).unwrap_or_default() {
        let bare = top.join("info.json").is_file();
        let repos = if bare {
            vec![top.clone()]
        } else {
            subdirs(&top).unwrap_or_default()
        };
        for repo in repos {
            let Some(mut object) = repo_object(&repo)? else {
                continue;
            };
            let id = repo
                .strip_prefix(&datasets)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !valid_dataset_id(&id) {
                continue;
            }
            object.insert("id".into(), id.into());
            object.insert("repoType".into(), "dataset".into());
            // A dataset line carries its card only.
            object.remove("files");
            write_line(out, &object)?;
            written.datasets += 1;
        }
    }
    Ok(written)
}

/// The directories in `dir`, sorted.
fn subdirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

fn write_line(
    out: &mut dyn std::io::Write,
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), SourceError> {
    let line = serde_json::to_string(object).map_err(|e| SourceError::Other(e.to_string()))?;
    writeln!(out, "{line}").map_err(|e| SourceError::Other(e.to_string()))
}

/// Reads a file of the mirror: its bytes, or `None` when it is not there (or left out).
type ReadFile<'a> = dyn Fn(&Path, &str) -> Result<Option<Vec<u8>>, SourceError> + 'a;

/// A mirror repo's info.json as an object, with its README.md under `"readme"` and its other
/// text files under `"files"`; `None` for a directory that is not a repo.
fn repo_object(
    repo: &Path,
    shown: &str,
    read: &ReadFile<'_>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, SourceError> {
    let Some(bytes) = read(&repo.join("info.json"), &format!("{shown}/info.json"))? else {
        return Ok(None);
    };
    let Ok(serde_json::Value::Object(mut object)) =
        serde_json::from_slice::<serde_json::Value>(&bytes)
    else {
        return Ok(None);
    };
    let mut files = serde_json::Map::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(repo)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == "info.json" || !path.is_file() {
            continue;
        }
        let Ok(Some(bytes)) = read(&path, &format!("{shown}/{name}")) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if name == "README.md" {
            object.insert("readme".into(), text.into());
        } else {
            files.insert(name, text.into());
        }
    }
    if !files.is_empty() {
        object.insert("files".into(), files.into());
    }
    Ok(Some(object))
}
