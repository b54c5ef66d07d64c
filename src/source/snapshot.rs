//! A bulk snapshot of the Hub: JSON Lines, one model-info object per line, with the card's text
//! under `"readme"` and other repo files under `"files"` (`{"LICENSE": "..."}`). A line with
//! `"repoType": "dataset"` is a dataset's info instead (the body of `GET /api/datasets/{id}`),
//! with its card under `"readme"`; snapshots written before datasets had none, and read the same.
//!
//! One streaming pass indexes where each model's line starts and which parents its tags name;
//! a model's line is read and parsed only when the audit asks for it. The index (ids, offsets,
//! children) is all that is kept of models not being audited.

use super::mirror::parents_from_tags;
use super::{
    DatasetInfo, DatasetRecord, MAX_FILE_BYTES, ModelInfo, ModelRecord, Source, SourceError,
    card_from_file, valid_dataset_id, valid_model_id,
};
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where each model's line is, and who names whom as a parent. Held for every model of the
/// snapshot, so ids are held once: sorted, with the line of each at the same position.
#[derive(Debug, Default)]
struct Index {
    models: Lines,
    datasets: Lines,
    children: HashMap<String, Vec<String>>,
}

/// Ids of one repo type, sorted, with the line of each at the same position.
#[derive(Debug, Default)]
struct Lines {
    ids: Vec<String>,
    /// (offset, length) of `ids[i]`'s line.
    at: Vec<(u64, u32)>,
}

impl Lines {
    fn line(&self, id: &str) -> Option<(u64, u32)> {
        let i = self.ids.binary_search_by(|m| m.as_str().cmp(id)).ok()?;
        Some(self.at[i])
    }

    /// From `(id, offset, length, line number)` as found: sorted by id, a later line first, so
    /// that of two lines with one id the later is used and the earlier named as a problem.
    fn of(
        mut found: Vec<(String, u64, u32, usize)>,
        what: &str,
        problems: &mut Vec<(usize, String)>,
    ) -> Lines {
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Lines::default();
        for (id, start, len, number) in found {
            if out.ids.last() == Some(&id) {
                problems.push((
                    number,
                    format!("{what}`{id}` is listed again further down; that line is used"),
                ));
                continue;
            }
            out.ids.push(id);
            out.at.push((start, len));
        }
        out.ids.shrink_to_fit();
        out.at.shrink_to_fit();
        out
    }
}

#[derive(Debug)]
pub struct Snapshot {
    path: PathBuf,
    index: Index,
    /// One open handle, seeked per read (reads are short and local).
    file: Mutex<File>,
    /// Lines that could not be read while indexing: (1-based line, reason).
    pub problems: Vec<(usize, String)>,
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: String,
    #[serde(default, rename = "modelId")]
    model_id: String,
    #[serde(default)]
    tags: Vec<String>,
    /// `"dataset"` on a dataset's line; absent on a model's.
    #[serde(default, rename = "repoType")]
    repo_type: Option<String>,
}

/// A line's own fields, beside the model info. Read in a second pass over the line rather than
/// with `#[serde(flatten)]`, which buffers the whole object (card included) before reading it.
#[derive(Deserialize)]
struct Extra {
    readme: Option<String>,
    #[serde(default)]
    files: HashMap<String, String>,
}

struct Line {
    info: ModelInfo,
    readme: Option<String>,
    files: HashMap<String, String>,
}

/// The bytes a gzipped snapshot of `compressed` bytes may decompress to, unless told otherwise:
/// 64 times as many (JSON Lines of model info and cards compress five to ten times; a gzip bomb
/// a thousand), and at least 256 MiB.
pub fn default_max_snapshot_bytes(compressed: u64) -> u64 {
    compressed.saturating_mul(64).max(256 << 20)
}

/// The decompressed content of a gzip file, in an unnamed temporary file (gone when closed);
/// `None` when it decompresses to more than `limit` bytes (it is not decompressed further).
fn gunzip(file: File, limit: u64) -> std::io::Result<Option<File>> {
    let mut out = tempfile::tempfile()?;
    let decoder = flate2::read::MultiGzDecoder::new(BufReader::new(file));
    let written = std::io::copy(&mut decoder.take(limit.saturating_add(1)), &mut out)?;
    if written > limit {
        return Ok(None);
    }
    out.seek(SeekFrom::Start(0))?;
    Ok(Some(out))
}

impl Snapshot {
    /// Indexes a snapshot file in one pass. Lines that are not model objects are recorded in
    /// `problems` and skipped.
    /// A `.gz` snapshot is decompressed once, streaming, into an unnamed temporary file (lines
    /// are read again by offset, which a gzip stream cannot do), up to
    /// [`default_max_snapshot_bytes`].
    pub fn open(path: &Path) -> Result<Snapshot, SourceError> {
        Snapshot::open_limited(path, None)
    }

    /// [`Snapshot::open`], with the bytes a `.gz` snapshot may decompress to (`None`: the
    /// default).
    pub fn open_limited(path: &Path, max_bytes: Option<u64>) -> Result<Snapshot, SourceError> {
        let mut file = File::open(path)
            .map_err(|e| SourceError::NotFound(format!("snapshot {}: {e}", path.display())))?;
        if path.extension().is_some_and(|e| e == "gz") {
            let invalid =
                |e: String| SourceError::Invalid(format!("snapshot {}: {e}", path.display()));
            let compressed = file.metadata().map_err(|e| invalid(e.to_string()))?.len();
            let limit = max_bytes.unwrap_or_else(|| default_max_snapshot_bytes(compressed));
            file = gunzip(file, limit)
                .map_err(|e| invalid(e.to_string()))?
                .ok_or_else(|| {
                    invalid(format!(
                        "decompresses to more than {limit} bytes, the --max-snapshot-bytes limit; it was not read"
                    ))
                })?;
        }
        let reads = file
            .try_clone()
            .map_err(|e| SourceError::Other(format!("snapshot {}: {e}", path.display())))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut index = Index::default();
        let mut found: Vec<(String, u64, u32, usize)> = Vec::new();
        let mut found_datasets: Vec<(String, u64, u32, usize)> = Vec::new();
        let mut problems = Vec::new();
        let mut offset = 0u64;
        let mut line = Vec::new();
        let mut number = 0usize;
        loop {
            line.clear();
            // Bounded: a line longer than the file limit is skipped, not buffered whole.
            let read = (&mut reader)
                .take(MAX_FILE_BYTES + 1)
                .read_until(b'\n', &mut line)
                .map_err(|e| SourceError::Other(format!("snapshot {}: {e}", path.display())))?;
            if read == 0 {
                break;
            }
            number += 1;
            let start = offset;
            offset += read as u64;
            if read as u64 > MAX_FILE_BYTES {
                problems.push((number, format!("longer than {MAX_FILE_BYTES} bytes")));
                // Skip the rest of the over-long line.
                let mut rest = Vec::new();
                let more = reader.read_until(b'\n', &mut rest).unwrap_or(0);
                offset += more as u64;
                continue;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Head>(&line) {
                Ok(head) if head.repo_type.as_deref() == Some("dataset") => {
                    if valid_dataset_id(&head.id) {
                        found_datasets.push((head.id, start, read as u32, number));
                    } else {
                        let id = head.id;
                        problems.push((number, format!("`{id}` is not a dataset id")));
                    }
                }
                Ok(head) => {
                    let id = if head.id.is_empty() {
                        head.model_id
                    } else {
                        head.id
                    };
                    if !valid_model_id(&id) {
                        problems.push((number, format!("`{id}` is not a model id")));
                        continue;
                    }
                    for parent in parents_from_tags(&head.tags) {
                        index.children.entry(parent).or_default().push(id.clone());
                    }
                    found.push((id, start, read as u32, number));
                }
                Err(e) => problems.push((number, e.to_string())),
            }
        }
        index.models = Lines::of(found, "", &mut problems);
        index.datasets = Lines::of(found_datasets, "dataset ", &mut problems);
        problems.sort_by_key(|(line, _)| *line);
        index.children.values_mut().for_each(|v| {
            v.sort();
            v.dedup();
        });
        Ok(Snapshot {
            path: path.to_path_buf(),
            index,
            file: Mutex::new(reads),
            problems,
        })
    }

    /// Models in the snapshot.
    pub fn len(&self) -> usize {
        self.index.models.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.models.ids.is_empty()
    }

    /// Datasets in the snapshot.
    pub fn datasets(&self) -> usize {
        self.index.datasets.ids.len()
    }

    /// The bytes of the line at `(start, len)`.
    fn read_at(&self, (start, len): (u64, u32)) -> Result<Vec<u8>, SourceError> {
        let mut bytes = vec![0; len as usize];
        {
            let mut file = self
                .file
                .lock()
                .map_err(|_| SourceError::Other("snapshot file lock poisoned".into()))?;
            file.seek(SeekFrom::Start(start))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(|e| {
                    SourceError::Other(format!("snapshot {}: {e}", self.path.display()))
                })?;
        }
        Ok(bytes)
    }

    fn line(&self, id: &str) -> Result<Line, SourceError> {
        let Some(at) = self.index.models.line(id) else {
            return Err(SourceError::NotFound(format!(
                "{id} is not in the snapshot"
            )));
        };
        let bytes = self.read_at(at)?;
        let invalid =
            |e: serde_json::Error| SourceError::Invalid(format!("snapshot line of {id}: {e}"));
        let info: ModelInfo = serde_json::from_slice(&bytes).map_err(invalid)?;
        let extra: Extra = serde_json::from_slice(&bytes).map_err(invalid)?;
        Ok(Line {
            info,
            readme: extra.readme,
            files: extra.files,
        })
    }
}

#[async_trait]
impl Source for Snapshot {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        let line = self.line(id)?;
        let (readme, card_error) = card_from_file(Ok(line.readme.map(String::into_bytes)));
        Ok(ModelRecord {
            info: ModelInfo {
                id: id.to_string(),
                ..line.info
            },
            readme,
            renamed_to: None,
            card_error,
        })
    }

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        let line = self.line(id)?;
        line.files
            .get(path)
            .map(|text| text.clone().into_bytes())
            .ok_or_else(|| SourceError::NotFound(format!("{id}/{path} is not in the snapshot")))
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        Ok(self.index.children.get(id).cloned().unwrap_or_default())
    }

    async fn all_models(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.index.models.ids.clone())
    }

    async fn dataset(&self, id: &str) -> Result<DatasetRecord, SourceError> {
        let Some(at) = self.index.datasets.line(id) else {
            return Err(SourceError::NotFound(format!(
                "dataset {id} is not in the snapshot"
            )));
        };
        let bytes = self.read_at(at)?;
        let invalid = |e: serde_json::Error| {
            SourceError::Invalid(format!("snapshot line of dataset {id}: {e}"))
        };
        let info: DatasetInfo = serde_json::from_slice(&bytes).map_err(invalid)?;
        let extra: Extra = serde_json::from_slice(&bytes).map_err(invalid)?;
        let card = card_from_file(Ok(extra.readme.map(String::into_bytes)));
        Ok(DatasetRecord::of(id, info, card))
    }

    async fn parent_candidates(
        &self,
        name: &str,
        mentioned: &[String],
    ) -> Result<Vec<super::Listed>, SourceError> {
        let ids = self.index.models.ids.iter().map(String::as_str);
        Ok(super::candidates_among(ids, name, mentioned))
    }
}

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
    let files = super::confined::Confined::new(mirror, "mirror")?;
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
