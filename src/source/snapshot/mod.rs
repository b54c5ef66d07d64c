//! A bulk snapshot of the Hub: JSON Lines, one model-info object per line, with the card's text
//! under `"readme"` and other repo files under `"files"` (`{"LICENSE": "..."}`). A line with
//! `"repoType": "dataset"` is a dataset's info instead (the body of `GET /api/datasets/{id}`),
//! with its card under `"readme"`; snapshots written before datasets had none, and read the same.
//!
//! Read in one of two ways. A whole-snapshot audit scans it once, in parts on every core
//! ([`Source::parts`], [`Source::scan`]): each line is parsed once, and the audit takes what it
//! needs of it on the thread that read it; the index is a by-product. Any other audit indexes
//! the snapshot on first use (the same parallel pass over the parts, reading only each line's id
//! and tags) and reads the lines it needs by offset. The index (ids, offsets, children) is all
//! that is kept of models not being audited.

mod index;
mod line;
mod lines;
mod write;

pub use write::{Written, write_snapshot};

use super::{
    DatasetRecord, HeldFiles, MAX_FILE_BYTES, ModelRecord, Part, Scanned, Source, SourceError,
    card_from_file,
};
use async_trait::async_trait;
use index::{Entry, Index, PartIndex};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Bytes of the file per part: enough parts for the cores to share the work evenly, few enough
/// that a part's start-up is nothing.
const PART_BYTES: u64 = 8 << 20;

/// What a part's reading hands each model to: its line's offset, its id, and its fields.
type EachModel<'a> = dyn FnMut(u64, &Arc<str>, Result<line::Fields<'_>, SourceError>) + 'a;

/// Skipped lines named in warnings at most.
const WARNED: usize = 10;

#[derive(Debug)]
pub struct Snapshot {
    path: PathBuf,
    /// Read with positional reads, from any thread at once.
    file: File,
    len: u64,
    index: OnceLock<Result<Index, SourceError>>,
    /// What the scans of the parts found of the index, until every part is scanned.
    scanned: Mutex<Vec<Option<PartIndex>>>,
    unscanned: AtomicUsize,
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

/// Whether a line holds nothing but white space (skipped without a word).
fn blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

impl Snapshot {
    /// Opens a snapshot file; it is read when first needed. Lines that are not model objects
    /// are skipped with a warning naming their line. A `.gz` snapshot is decompressed once,
    /// streaming, into an unnamed temporary file (lines are read again by offset, which a gzip
    /// stream cannot do), up to [`default_max_snapshot_bytes`].
    pub fn open(path: &Path) -> Result<Snapshot, SourceError> {
        Snapshot::open_limited(path, None)
    }

    /// [`Snapshot::open`], with the bytes a `.gz` snapshot may decompress to (`None`: the
    /// default).
    pub fn open_limited(path: &Path, max_bytes: Option<u64>) -> Result<Snapshot, SourceError> {
        let mut file = File::open(path)
            .map_err(|e| SourceError::NotFound(format!("snapshot {}: {e}", path.display())))?;
        let invalid = |e: String| SourceError::Invalid(format!("snapshot {}: {e}", path.display()));
        if path.extension().is_some_and(|e| e == "gz") {
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
        let len = file
            .metadata()
            .map_err(|e| SourceError::Other(format!("snapshot {}: {e}", path.display())))?
            .len();
        Ok(Snapshot {
            path: path.to_path_buf(),
            file,
            len,
            index: OnceLock::new(),
            scanned: Mutex::new(Vec::new()),
            unscanned: AtomicUsize::new(0),
        })
    }

    /// Models in the snapshot.
    pub fn len(&self) -> usize {
        self.index().map_or(0, Index::len)
    }

    /// Datasets in the snapshot.
    pub fn datasets(&self) -> usize {
        self.index().map_or(0, Index::datasets)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn error(&self, e: std::io::Error) -> SourceError {
        SourceError::Other(format!("snapshot {}: {e}", self.path.display()))
    }

    fn part_count(&self) -> usize {
        self.len.div_ceil(PART_BYTES).max(1) as usize
    }

    fn range(&self, part: Part) -> std::ops::Range<u64> {
        let start = (part.0 as u64 * PART_BYTES).min(self.len);
        start..(start + PART_BYTES).min(self.len)
    }

    /// Reads one part's lines, handing each model's fields to `model` (with its offset and id),
    /// or, without `model`, reading only what the index needs of each line. Returns what the
    /// part holds for the index.
    fn read_part(
        &self,
        part: Part,
        mut model: Option<&mut EachModel<'_>>,
    ) -> Result<PartIndex, SourceError> {
        let mut found = PartIndex::default();
        let mut number = 0;
        lines::each_line(
            &self.file,
            self.range(part),
            MAX_FILE_BYTES,
            &mut |at, text| {
                let here = number;
                number += 1;
                let bytes = match text {
                    lines::Line::TooLong => {
                        found
                            .problems
                            .push((here, format!("longer than {MAX_FILE_BYTES} bytes")));
                        return;
                    }
                    lines::Line::Text(bytes) if blank(bytes) => return,
                    lines::Line::Text(bytes) => bytes,
                };
                let read = match &mut model {
                    Some(_) => line::read(bytes),
                    None => line::read_head(bytes),
                };
                match read {
                    line::Read::Skipped(why) => found.problems.push((here, why)),
                    line::Read::Dataset { id } => found.datasets.push(Entry {
                        id: Arc::from(id),
                        at,
                        len: bytes.len() as u32,
                        line: here,
                        parents: Vec::new(),
                    }),
                    line::Read::Model {
                        id,
                        parents,
                        fields,
                    } => {
                        let id: Arc<str> = Arc::from(id);
                        if let Some(model) = &mut model {
                            model(at, &id, fields);
                        }
                        found.entries.push(Entry {
                            id,
                            at,
                            len: bytes.len() as u32,
                            line: here,
                            parents,
                        });
                    }
                }
            },
        )
        .map_err(|e| self.error(e))?;
        found.lines = number;
        Ok(found)
    }

    /// The index, built on first use: from the parts' scans when every part was scanned, else
    /// by a pass of its own over the parts, on every core.
    fn index(&self) -> Result<&Index, SourceError> {
        let built = self.index.get_or_init(|| {
            use rayon::prelude::*;
            let parts: Result<Vec<PartIndex>, SourceError> = (0..self.part_count())
                .into_par_iter()
                .map(|p| self.read_part(Part(p), None))
                .collect();
            parts.map(|parts| self.indexed(parts))
        });
        built.as_ref().map_err(Clone::clone)
    }

    /// The index of the parts read, with the skipped lines said.
    fn indexed(&self, parts: Vec<PartIndex>) -> Index {
        let index = Index::of_parts(parts);
        for (line, problem) in index.problems.iter().take(WARNED) {
            tracing::warn!(
                "snapshot {}:{line}: skipped: {problem}",
                self.path.display()
            );
        }
        index
    }

    /// A model's line, read again by its offset.
    fn line_of(&self, id: &str) -> Result<Vec<u8>, SourceError> {
        let Some(at) = self.index()?.line(id) else {
            return Err(SourceError::NotFound(format!(
                "{id} is not in the snapshot"
            )));
        };
        self.read_at(at)
    }

    /// The bytes of the line at `(start, len)`.
    fn read_at(&self, (start, len): (u64, u32)) -> Result<Vec<u8>, SourceError> {
        lines::read_exact_at(&self.file, start, len as usize).map_err(|e| self.error(e))
    }
}

#[async_trait]
impl Source for Snapshot {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        let (info, extra) = line::read_owned(id, &self.line_of(id)?)?;
        let card = card_from_file(Ok(extra.readme.map(String::into_bytes)));
        Ok(ModelRecord::of(id, info, card))
    }

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        let (_, extra) = line::read_owned(id, &self.line_of(id)?)?;
        extra
            .files
            .get(path)
            .map(|text| text.clone().into_bytes())
            .ok_or_else(|| line::not_held(id, path))
    }

    async fn card(&self, id: &str) -> Result<Option<String>, SourceError> {
        line::read_readme(id, &self.line_of(id)?)
    }

    fn card_now(&self, id: &str) -> Option<Result<Option<String>, SourceError>> {
        Some(
            self.line_of(id)
                .and_then(|line| line::read_readme(id, &line)),
        )
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        Ok(self.index()?.children(id))
    }

    async fn all_models(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.index()?.models().map(str::to_string).collect())
    }

    async fn dataset(&self, id: &str) -> Result<DatasetRecord, SourceError> {
        let Some(at) = self.index()?.dataset_line(id) else {
            return Err(SourceError::NotFound(format!(
                "dataset {id} is not in the snapshot"
            )));
        };
        line::read_dataset(id, &self.read_at(at)?)
    }

    async fn parent_candidates(
        &self,
        name: &str,
        mentioned: &[String],
    ) -> Result<Vec<super::Listed>, SourceError> {
        Ok(super::candidates_among(
            self.index()?.models(),
            name,
            mentioned,
        ))
    }

    fn parts(&self) -> Option<Result<Vec<Part>, SourceError>> {
        let count = self.part_count();
        if self.index.get().is_none() {
            *self.scanned.lock().unwrap_or_else(|e| e.into_inner()) =
                (0..count).map(|_| None).collect();
            self.unscanned.store(count, Ordering::SeqCst);
        }
        Some(Ok((0..count).map(Part).collect()))
    }

    fn scan(&self, part: Part, each: &mut dyn FnMut(Scanned<'_>)) -> Result<(), SourceError> {
        let found = self.read_part(
            part,
            Some(&mut |at, id, fields| {
                let record = fields.as_ref().map(|f| f.record(id));
                let files = line::LineFiles {
                    id,
                    fields: fields.as_ref(),
                };
                each(Scanned {
                    at,
                    id,
                    record: record.map_err(|e| e.clone()),
                    files: &files as &dyn HeldFiles,
                });
            }),
        )?;
        // The last part scanned builds the index from what every part found.
        let mut scanned = self.scanned.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = scanned.get_mut(part.0)
            && slot.is_none()
        {
            *slot = Some(found);
            if self.unscanned.fetch_sub(1, Ordering::SeqCst) == 1 {
                let parts = std::mem::take(&mut *scanned)
                    .into_iter()
                    .flatten()
                    .collect();
                let _ = self.index.set(Ok(self.indexed(parts)));
            }
        }
        Ok(())
    }
}
