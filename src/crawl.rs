//! Crawling into a snapshot (the JSON Lines format of [`crate::source::Snapshot`]): families
//! read from any source (the Hub through its listings), or the whole Hub page by page, resumable
//! from its last page. A scheduled audit then runs offline on the file.
//!
//! Lines are written as models are read; only ids are held. What could not be read for a
//! transport reason is returned, so that the caller can say the snapshot is incomplete.

use crate::card::Card;
use crate::lineage::{FileKind, MAX_DATASETS_PER_MODEL, generators_of};
use crate::progress::Progress;
use crate::report::Unread;
use crate::source::hub::{HubClient, WALK_FIELDS};
use crate::source::{DatasetRecord, Listed, ModelRecord, Source, SourceError, dataset_ref};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// Repo files written per model at most (licence material and code, as an audit reads them).
const MAX_FILES: usize = 16;
/// Models read at once.
const BATCH: usize = 1024;

/// What a crawl wrote, and what it could not read.
#[derive(Debug, Default)]
pub struct Crawled {
    pub models: usize,
    /// Datasets the written models' cards name, written as dataset lines.
    pub datasets: usize,
    pub unread: Vec<Unread>,
}

/// A crawl of families from a source.
pub struct Crawl<'a> {
    pub source: &'a dyn Source,
    /// Cards and licence files too, not only the info.
    pub cards: bool,
    /// Generations above the roots read.
    pub max_depth: usize,
    pub progress: Option<&'a dyn Progress>,
}

/// A model read for the snapshot: its line, and the parents and datasets its card names.
struct Read {
    line: String,
    parents: Vec<String>,
    datasets: Vec<String>,
    childless: bool,
}

/// What the cards of the models read name: parents to read next, and training datasets.
#[derive(Default)]
struct Named {
    parents: Vec<String>,
    datasets: Vec<String>,
}

impl Crawl<'_> {
    /// Writes the roots, every descendant (by children listings) and every ancestor of them.
    pub async fn families(
        &self,
        roots: &[String],
        out: &mut dyn Write,
    ) -> Result<Crawled, SourceError> {
        if let Some(p) = self.progress {
            p.stage("crawling", None);
        }
        let mut crawled = Crawled::default();
        let mut seen: HashSet<String> = roots.iter().cloned().collect();
        let mut named = Named::default();
        let mut level: Vec<Listed> = seen.iter().cloned().map(Listed::id).collect();
        level.sort_by(|a, b| a.id.cmp(&b.id));
        // Down: each level's models, then their children.
        while !level.is_empty() {
            let read = self.read_all(level, out, &mut crawled, &mut named).await?;
            let listings = futures_util::future::join_all(
                read.iter()
                    .filter(|(_, childless)| !childless)
                    .map(|(id, _)| async move { (id, self.source.listed_children(id).await) }),
            )
            .await;
            level = Vec::new();
            for (id, listing) in listings {
                match listing {
                    Ok(children) => {
                        level.extend(children.into_iter().filter(|c| seen.insert(c.id.clone())))
                    }
                    Err(e) => note(&mut crawled, format!("children of {id}"), &e),
                }
            }
        }
        // The family's training data, as an audit of it reads it (not in a metadata-only crawl:
        // a dataset is read with its card); the models that generated it are read upward with
        // the parents.
        let datasets = std::mem::take(&mut named.datasets);
        let generators = self.datasets(datasets, out, &mut crawled).await?;
        named.parents.extend(generators);
        // Up: every parent not read yet, `max_depth` generations above.
        for _ in 0..self.max_depth {
            let up: Vec<Listed> = std::mem::take(&mut named.parents)
                .into_iter()
                .filter(|p| seen.insert(p.clone()))
                .map(Listed::id)
                .collect();
            if up.is_empty() {
                break;
            }
            self.read_all(up, out, &mut crawled, &mut named).await?;
        }
        Ok(crawled)
    }

    /// Reads and writes the datasets named (each once), and returns the Hub models their cards
    /// say generated them.
    async fn datasets(
        &self,
        mut ids: Vec<String>,
        out: &mut dyn Write,
        crawled: &mut Crawled,
    ) -> Result<Vec<String>, SourceError> {
        if !self.cards {
            return Ok(Vec::new());
        }
        ids.sort();
        ids.dedup();
        let mut generators = Vec::new();
        for batch in ids.chunks(BATCH) {
            let records =
                futures_util::future::join_all(batch.iter().map(|id| self.source.dataset(id)))
                    .await;
            for (id, record) in batch.iter().zip(records) {
                match record {
                    Ok(record) => {
                        generators.extend(
                            generators_of(&record)
                                .into_iter()
                                .filter(|g| g.hub)
                                .map(|g| g.model),
                        );
                        writeln!(out, "{}", dataset_line(&record, self.cards)?)
                            .map_err(|e| SourceError::Other(e.to_string()))?;
                        crawled.datasets += 1;
                    }
                    Err(e) if e.is_transport() => note(crawled, format!("dataset {id}"), &e),
                    // Not on the Hub: an offline audit says so, as one on the Hub would.
                    Err(e) => tracing::debug!("dataset {id} is left out of the snapshot: {e}"),
                }
            }
        }
        Ok(generators)
    }

    /// Reads and writes models in batches; returns each one read with whether it is childless,
    /// and adds the parents their cards name to `parents`.
    async fn read_all(
        &self,
        items: Vec<Listed>,
        out: &mut dyn Write,
        crawled: &mut Crawled,
        named: &mut Named,
    ) -> Result<Vec<(String, bool)>, SourceError> {
        let mut read_ids = Vec::new();
        let mut items = items.into_iter();
        loop {
            let batch: Vec<Listed> = items.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                return Ok(read_ids);
            }
            let ids: Vec<String> = batch.iter().map(|l| l.id.clone()).collect();
            let results =
                futures_util::future::join_all(batch.into_iter().map(|l| self.read(l))).await;
            if let Some(p) = self.progress {
                p.advance(results.len() as u64);
            }
            for (id, result) in ids.into_iter().zip(results) {
                match result {
                    Ok(read) => {
                        writeln!(out, "{}", read.line)
                            .map_err(|e| SourceError::Other(e.to_string()))?;
                        crawled.models += 1;
                        named.parents.extend(read.parents);
                        named.datasets.extend(read.datasets);
                        read_ids.push((id, read.childless));
                    }
                    Err(e) if e.is_transport() => note(crawled, id, &e),
                    // Not on the Hub (or not ours to read): an offline audit says so, as one
                    // on the Hub would.
                    Err(e) => tracing::debug!("{id} is left out of the snapshot: {e}"),
                }
            }
        }
    }

    async fn read(&self, listed: Listed) -> Result<Read, SourceError> {
        let record = match (self.cards, listed.info) {
            (false, Some(info)) => ModelRecord {
                info: *info,
                readme: None,
                renamed_to: None,
                card_error: None,
            },
            (_, info) => {
                self.source
                    .model_listed(Listed {
                        id: listed.id.clone(),
                        info,
                    })
                    .await?
            }
        };
        let mut files = Vec::new();
        if self.cards {
            let wanted: Vec<String> = record
                .info
                .files()
                .filter(|f| FileKind::of(f).is_some())
                .take(MAX_FILES)
                .map(str::to_string)
                .collect();
            let texts = futures_util::future::join_all(
                wanted.iter().map(|path| self.source.file(&listed.id, path)),
            )
            .await;
            for (path, text) in wanted.into_iter().zip(texts) {
                match text {
                    // Snapshots hold text; a binary file is left out.
                    Ok(bytes) => {
                        if let Ok(text) = String::from_utf8(bytes) {
                            files.push((path, text));
                        }
                    }
                    Err(e) if e.is_transport() => return Err(e),
                    Err(_) => {}
                }
            }
        }
        let card = match (&record.readme, &record.info.card_data) {
            (Some(text), _) => Card::parse(text),
            (None, Some(data)) => Card::from_card_data(data),
            (None, None) => Card::default(),
        };
        Ok(Read {
            childless: record.info.children_model_count == Some(0),
            datasets: card
                .meta
                .datasets
                .iter()
                .take(MAX_DATASETS_PER_MODEL)
                .filter_map(|d| dataset_ref(d))
                .collect(),
            parents: card.meta.base_model,
            line: line_of(&record, if self.cards { &files } else { &[] }, self.cards)?,
        })
    }
}

fn note(crawled: &mut Crawled, what: String, error: &SourceError) {
    crawled.unread.push(Unread {
        what,
        reason: error.to_string(),
        rejected: matches!(error, SourceError::Rejected(_)),
    });
}

/// One snapshot line: the info under the Hub's names, the card as `"readme"`, files as `"files"`.
fn line_of(
    record: &ModelRecord,
    files: &[(String, String)],
    cards: bool,
) -> Result<String, SourceError> {
    let mut object = match serde_json::to_value(&record.info) {
        Ok(serde_json::Value::Object(object)) => object,
        _ => {
            return Err(SourceError::Other(
                "a model info that is not an object".into(),
            ));
        }
    };
    if cards && let Some(readme) = &record.readme {
        object.insert("readme".into(), readme.clone().into());
    }
    if !files.is_empty() {
        let files: serde_json::Map<String, serde_json::Value> = files
            .iter()
            .map(|(path, text)| (path.clone(), text.clone().into()))
            .collect();
        object.insert("files".into(), files.into());
    }
    serde_json::to_string(&object).map_err(|e| SourceError::Other(e.to_string()))
}

/// A dataset's snapshot line: its info under the Hub's names, marked `"repoType": "dataset"`,
/// with its card as `"readme"`.
fn dataset_line(record: &DatasetRecord, cards: bool) -> Result<String, SourceError> {
    let mut object = match serde_json::to_value(&record.info) {
        Ok(serde_json::Value::Object(object)) => object,
        _ => {
            return Err(SourceError::Other(
                "a dataset info that is not an object".into(),
            ));
        }
    };
    object.insert("repoType".into(), "dataset".into());
    if cards && let Some(readme) = &record.readme {
        object.insert("readme".into(), readme.clone().into());
    }
    serde_json::to_string(&object).map_err(|e| SourceError::Other(e.to_string()))
}

/// Where a whole-Hub crawl stands, beside its output as `FILE.resume`: the next page and how
/// many bytes of the output it had written when it asked for it.
#[derive(Debug, Serialize, Deserialize)]
struct Resume {
    endpoint: String,
    cards: bool,
    next: String,
    bytes: u64,
    models: usize,
}

fn resume_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".resume");
    PathBuf::from(name)
}

/// Every model on the Hub, a listing page at a time (1,000 models with their info). After each
/// page the output is complete up to a line, and `FILE.resume` names the next page: a run that
/// stops (an outage, `--timeout`, a kill) continues from there when started again with the same
/// FILE. A `.gz` FILE gets one gzip member per page, which readers of multi-member gzip (and
/// `--snapshot`) read as one stream.
pub async fn whole_hub(
    client: &HubClient,
    cards: bool,
    output: &Path,
    progress: Option<&dyn Progress>,
) -> Result<Crawled, crate::Error> {
    let io = |e: std::io::Error| crate::Error::io(output, &e);
    let state_path = resume_path(output);
    let endpoint = client.http().endpoint().to_string();
    let resume: Option<Resume> = match std::fs::read(&state_path) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).map_err(|e| {
            crate::Error::Usage(format!(
                "{} is not a resume file ({e}); remove it to start over",
                state_path.display()
            ))
        })?),
        Err(_) => None,
    };
    if let Some(r) = &resume
        && (r.endpoint != endpoint || r.cards != cards)
    {
        return Err(crate::Error::Usage(format!(
            "{} belongs to a crawl of {} {} cards; remove it to start over",
            state_path.display(),
            r.endpoint,
            if r.cards { "with" } else { "without" }
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(output)
        .map_err(io)?;
    // Whatever was written after the last page that completed is cut off, then appended to.
    let kept = resume.as_ref().map_or(0, |r| r.bytes);
    if file.metadata().map_err(io)?.len() < kept {
        return Err(crate::Error::Usage(format!(
            "{} is shorter than {} says it was; remove both to start over",
            output.display(),
            state_path.display()
        )));
    }
    file.set_len(kept).map_err(io)?;
    file.seek(std::io::SeekFrom::End(0)).map_err(io)?;
    let gzip = output.extension().is_some_and(|e| e == "gz");
    let mut crawled = Crawled {
        models: resume.as_ref().map_or(0, |r| r.models),
        datasets: 0,
        unread: Vec::new(),
    };
    let mut datasets_seen: HashSet<String> = HashSet::new();
    let mut next = match &resume {
        Some(r) => Some(
            reqwest::Url::parse(&r.next)
                .map_err(|e| crate::Error::Usage(format!("{}: {e}", state_path.display())))?,
        ),
        None => Some(client.listing_url(&[("limit", "1000")], WALK_FIELDS)),
    };
    if let Some(p) = progress {
        p.stage("crawling the Hub", None);
        p.advance(crawled.models as u64);
    }
    let crawl = Crawl {
        source: client,
        cards,
        max_depth: 0,
        progress: None,
    };
    while let Some(url) = next.take() {
        let what = format!("the Hub's models (after {} models)", crawled.models);
        let stopped = |e: SourceError| {
            crate::Error::Source(format!(
                "{e}; {} models are written to {}: run the same command again to go on from there",
                crawled.models,
                output.display()
            ))
        };
        let (page, following) = client.listing_page(url, &what).await.map_err(stopped)?;
        let listed: Vec<Listed> = page
            .into_iter()
            .filter(|m| crate::source::valid_model_id(&m.id))
            .map(|m| Listed {
                id: m.id.clone(),
                info: Some(Box::new(m)),
            })
            .collect();
        let mut lines: Vec<u8> = Vec::new();
        let mut page_crawl = Crawled::default();
        let mut named = Named::default();
        crawl
            .read_all(listed, &mut lines, &mut page_crawl, &mut named)
            .await
            .map_err(stopped)?;
        // The page's training data, each dataset once per run (a resumed run may write one
        // again; the snapshot reader keeps the later line). Generators are models of the Hub:
        // their pages write them.
        named.datasets.retain(|d| datasets_seen.insert(d.clone()));
        crawl
            .datasets(named.datasets, &mut lines, &mut page_crawl)
            .await
            .map_err(stopped)?;
        // A page is written whole or not at all: a model that could not be read stops the crawl
        // here, and the next run reads the page again.
        if let Some(first) = page_crawl.unread.first() {
            return Err(crate::Error::Source(format!(
                "{}: {}; {} models are written to {}: run the same command again to go on from there",
                first.what,
                first.reason,
                crawled.models,
                output.display()
            )));
        }
        if gzip {
            let mut gz = flate2::write::GzEncoder::new(&mut file, flate2::Compression::default());
            gz.write_all(&lines).map_err(io)?;
            gz.finish().map_err(io)?;
        } else {
            file.write_all(&lines).map_err(io)?;
        }
        file.flush().map_err(io)?;
        crawled.models += page_crawl.models;
        crawled.datasets += page_crawl.datasets;
        if let Some(p) = progress {
            p.advance(page_crawl.models as u64);
        }
        next = following;
        match &next {
            Some(url) => {
                let state = Resume {
                    endpoint: endpoint.clone(),
                    cards,
                    next: url.to_string(),
                    bytes: file.stream_position().map_err(io)?,
                    models: crawled.models,
                };
                // Written aside and renamed: a crawl stopped mid-write keeps the last good state.
                let tmp = state_path.with_extension("resume.tmp");
                let text =
                    serde_json::to_vec(&state).map_err(|e| crate::Error::Usage(e.to_string()))?;
                std::fs::write(&tmp, text).map_err(|e| crate::Error::io(&tmp, &e))?;
                std::fs::rename(&tmp, &state_path)
                    .map_err(|e| crate::Error::io(&state_path, &e))?;
            }
            None => {
                let _ = std::fs::remove_file(&state_path);
            }
        }
    }
    Ok(crawled)
}
