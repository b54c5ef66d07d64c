//! Where models come from. Every source answers the same questions behind one async trait: a
//! model's info and card, a file of its repo, its children, and (for an orphan) which models might
//! be its parent. The live Hub client fits the same trait; it lists children with their info, so
//! a family walk needs no info call per model.

mod confined;
mod dataset;
pub mod hub;
mod local;
mod mirror;
mod snapshot;

pub use dataset::{DatasetInfo, DatasetRecord, dataset_ref, local_builder, valid_dataset_id};
pub use hub::{HubClient, HubOptions};
pub use local::LocalRepo;
pub use mirror::Mirror;
pub use snapshot::{Snapshot, Written, default_max_snapshot_bytes, write_snapshot};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Files larger than this are not read from any source (cards, info.json, licence files).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a model or file could not be had. The message is shown to users as is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceError {
    /// The model or file does not exist in this source.
    NotFound(String),
    /// It exists but cannot be read with the access we have (private, gated).
    Denied(String),
    /// It was read but is unusable (invalid JSON, too large); names the file and line.
    Invalid(String),
    /// The source cannot answer this kind of question (e.g. listing children of a local repo).
    Unsupported(String),
    /// Reading it would leave the mirror or repo being audited (a symbolic link out of it).
    Refused(String),
    /// The source could not be reached or did not answer in time (network, time-out, rate limit
    /// not lifted before `--timeout`, 5xx): what it would have said is unknown, so a run that
    /// needed it is incomplete.
    Unavailable(String),
    /// The source refused the credentials (an invalid or expired Hub token): nothing it says can
    /// be trusted to be complete, so the run stops.
    Rejected(String),
    /// Anything else (local I/O).
    Other(String),
}

impl SourceError {
    /// Whether the failure says nothing about the model (the source was unreachable, or the
    /// token rejected), as opposed to an answer about it (not found, denied, invalid).
    pub fn is_transport(&self) -> bool {
        matches!(self, SourceError::Unavailable(_) | SourceError::Rejected(_))
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NotFound(m)
            | SourceError::Denied(m)
            | SourceError::Invalid(m)
            | SourceError::Unsupported(m)
            | SourceError::Refused(m)
            | SourceError::Unavailable(m)
            | SourceError::Rejected(m)
            | SourceError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SourceError {}

/// Whether the Hub gates a repo's files behind a licence agreement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Gated {
    #[default]
    No,
    Auto,
    Manual,
}

/// The fields of the Hub's model info (`GET /api/models/{id}`, or an entry of `/api/models`)
/// that Pedigree uses; written back under the Hub's names in snapshots.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ModelInfo {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    pub private: bool,
    #[serde(deserialize_with = "de_gated", serialize_with = "ser_gated")]
    pub gated: Gated,
    pub disabled: bool,
    pub tags: Vec<String>,
    pub siblings: Vec<Sibling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_data: Option<serde_json::Value>,
    /// ISO 8601, so strings compare in time order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Models naming this one as a parent, as the Hub counts them (`childrenModelCount`); a
    /// model with none needs no listing of its children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children_model_count: Option<u64>,
    /// The task the Hub files the model under (`text-generation`, ...); snake case on the Hub.
    #[serde(rename = "pipeline_tag", skip_serializing_if = "Option::is_none")]
    pub pipeline_tag: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Sibling {
    pub rfilename: String,
}

pub(crate) fn de_gated<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Gated, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) if s == "manual" => Gated::Manual,
        serde_json::Value::String(_) | serde_json::Value::Bool(true) => Gated::Auto,
        _ => Gated::No,
    })
}

pub(crate) fn ser_gated<S: serde::Serializer>(gated: &Gated, s: S) -> Result<S::Ok, S::Error> {
    match gated {
        Gated::No => s.serialize_bool(false),
        Gated::Auto => s.serialize_str("auto"),
        Gated::Manual => s.serialize_str("manual"),
    }
}

impl ModelInfo {
    pub fn files(&self) -> impl Iterator<Item = &str> + Clone {
        self.siblings.iter().map(|s| s.rfilename.as_str())
    }

    /// The fields a model is built from, borrowed.
    pub fn as_ref(&self) -> InfoRef<'_> {
        InfoRef {
            id: &self.id,
            gated: self.gated,
            tags: self.tags.iter().map(String::as_str).collect(),
            files: self.files().collect(),
            card_data: self.card_data.as_ref().map(CardData::Value),
            created_at: self.created_at.as_deref(),
            pipeline_tag: self.pipeline_tag.as_deref(),
        }
    }
}

/// The fields of a model's info that a model is built from, borrowed from where they were read
/// (a [`ModelInfo`], or a snapshot line without a copy).
#[derive(Clone, Debug)]
pub struct InfoRef<'a> {
    pub id: &'a str,
    pub gated: Gated,
    pub tags: Vec<&'a str>,
    /// The repo's file list (`siblings`).
    pub files: Vec<&'a str>,
    pub card_data: Option<CardData<'a>>,
    pub created_at: Option<&'a str>,
    pub pipeline_tag: Option<&'a str>,
}

/// The Hub's `cardData` (the card's front matter as JSON): parsed, or as the JSON text it was
/// read as (it is needed only for a model without README.md, so a scan does not parse it).
#[derive(Clone, Copy, Debug)]
pub enum CardData<'a> {
    Value(&'a serde_json::Value),
    Raw(&'a serde_json::value::RawValue),
}

impl CardData<'_> {
    pub fn value(&self) -> std::borrow::Cow<'_, serde_json::Value> {
        match self {
            CardData::Value(v) => std::borrow::Cow::Borrowed(*v),
            // Text that parsed once as JSON parses again (its depth was checked when read).
            CardData::Raw(raw) => std::borrow::Cow::Owned(
                serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null),
            ),
        }
    }
}

/// A model's info and card as a source hands them over, borrowed.
#[derive(Clone, Debug)]
pub struct RecordRef<'a> {
    pub info: InfoRef<'a>,
    pub readme: Option<&'a str>,
    pub renamed_to: Option<&'a str>,
    pub card_error: Option<&'a str>,
}

impl ModelRecord {
    /// The record of `id` (the id asked for, whatever the info says) and its card as read, from
    /// a source that does not rename.
    pub(crate) fn of(
        id: &str,
        info: ModelInfo,
        (readme, card_error): (Option<String>, Option<String>),
    ) -> ModelRecord {
        ModelRecord {
            info: ModelInfo {
                id: id.to_string(),
                ..info
            },
            readme,
            renamed_to: None,
            card_error,
        }
    }

    pub fn as_ref(&self) -> RecordRef<'_> {
        RecordRef {
            info: self.info.as_ref(),
            readme: self.readme.as_deref(),
            renamed_to: self.renamed_to.as_deref(),
            card_error: self.card_error.as_deref(),
        }
    }
}

/// A part of a source that one thread reads in one go ([`Source::parts`], [`Source::scan`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part(pub(crate) usize);

/// The repo files a scan read with a model (a snapshot line's `files`).
pub trait HeldFiles {
    /// A file of the model's repo, as [`Source::file`] would answer.
    fn file(&self, path: &str) -> Result<Vec<u8>, SourceError>;
}

/// A model as a scan hands it over, borrowed from what was read.
pub struct Scanned<'a> {
    /// Where in the source it was read: when one id is handed over twice (a snapshot listing a
    /// model again), the later one stands.
    pub at: u64,
    /// Made once by the source, to be shared by everything that holds the id.
    pub id: &'a std::sync::Arc<str>,
    pub record: Result<RecordRef<'a>, SourceError>,
    pub files: &'a dyn HeldFiles,
}

/// A model as a source returns it: its info and, when it has one, its README.md.
#[derive(Clone, Debug)]
pub struct ModelRecord {
    pub info: ModelInfo,
    pub readme: Option<String>,
    /// The repo answered under another id (the Hub redirects renamed repos).
    pub renamed_to: Option<String>,
    /// Why README.md could not be used as it is (too large, not UTF-8), if so.
    pub card_error: Option<String>,
}

/// A model as a listing names it: its id, and its info when the source lists infos (the Hub's
/// `/api/models` with `expand[]` does; a mirror lists ids).
#[derive(Clone, Debug)]
pub struct Listed {
    pub id: String,
    pub info: Option<Box<ModelInfo>>,
}

impl Listed {
    pub fn id(id: impl Into<String>) -> Listed {
        Listed {
            id: id.into(),
            info: None,
        }
    }

    /// Whether the listing says the model has no children (so listing them would find none).
    pub fn childless(&self) -> bool {
        self.info
            .as_ref()
            .is_some_and(|i| i.children_model_count == Some(0))
    }
}

#[async_trait]
pub trait Source: Send + Sync {
    /// The model's info and card.
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError>;

    /// The record of a listed model: when the listing gave its info, only what the info lacks
    /// (the card) is read.
    async fn model_listed(&self, listed: Listed) -> Result<ModelRecord, SourceError> {
        self.model(&listed.id).await
    }

    /// A file of the model's repo (at the revision its info was read at, where the source
    /// has revisions).
    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError>;

    /// The model's card again, for a comparison of texts not kept in memory. By default the
    /// model is read again.
    async fn card(&self, id: &str) -> Result<Option<String>, SourceError> {
        Ok(self.model(id).await?.readme)
    }

    /// Ids of the models that name `id` as a parent.
    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError>;

    /// The models that name `id` as a parent, with their info where the source lists it.
    async fn listed_children(&self, id: &str) -> Result<Vec<Listed>, SourceError> {
        Ok(self
            .children(id)
            .await?
            .into_iter()
            .map(Listed::id)
            .collect())
    }

    /// Models that may be the undeclared parent of a model named `name` whose card mentions
    /// `mentioned`: the pool `undeclared-parent` ranks when an audit reads no other model. None
    /// by default.
    async fn parent_candidates(
        &self,
        _name: &str,
        _mentioned: &[String],
    ) -> Result<Vec<Listed>, SourceError> {
        Ok(Vec::new())
    }

    /// A dataset's info and card (`datasets:` in a model card names them). Sources that hold
    /// no datasets say so.
    async fn dataset(&self, id: &str) -> Result<DatasetRecord, SourceError> {
        Err(dataset::unsupported(id))
    }

    /// Every model the source holds, when it can list them (a mirror can; the Hub cannot).
    async fn all_models(&self) -> Result<Vec<String>, SourceError> {
        Err(SourceError::Unsupported(
            "this source cannot list all of its models".into(),
        ))
    }

    /// The parts in which every model of the source can be read in one pass, each part on a
    /// thread of its own ([`Source::scan`]); `None` when the source reads models one by one
    /// ([`Source::all_models`], [`Source::model`]). A snapshot file can: it is read once,
    /// rather than indexed and then read again model by model.
    fn parts(&self) -> Option<Result<Vec<Part>, SourceError>> {
        None
    }

    /// Reads one of [`Source::parts`] on the calling thread, handing each model to `each` as it
    /// is read. Lines or entries that are not models are skipped (the source says why).
    fn scan(&self, _part: Part, _each: &mut dyn FnMut(Scanned<'_>)) -> Result<(), SourceError> {
        Err(SourceError::Unsupported(
            "this source cannot be read in parts".into(),
        ))
    }

    /// [`Source::card`] on the calling thread, where the source reads without waiting on
    /// anything (a snapshot file), so that many cards are read on every core at once; `None`
    /// where reading needs the async runtime.
    fn card_now(&self, _id: &str) -> Option<Result<Option<String>, SourceError>> {
        None
    }
}

/// The words of a model name that can tie it to a parent: three characters or more, with a
/// letter, not starting with a digit (`llama`, `chat`; not `7b`, `v2`, `2407`), lowercased.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && !w.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Possible parents held at most by a local source's pool.
const MAX_CANDIDATES: usize = 256;

/// A local source's possible parents of a model named `name`: every model whose name shares a
/// word with it, and every mentioned one, those sharing the most words first.
pub(crate) fn candidates_among<'a>(
    ids: impl Iterator<Item = &'a str>,
    name: &str,
    mentioned: &[String],
) -> Vec<Listed> {
    let words = name_words(name);
    let mut scored: Vec<(usize, &str)> = ids
        .filter_map(|id| {
            let theirs = name_words(id.rsplit('/').next().unwrap_or(id));
            let shared = theirs.iter().filter(|w| words.contains(w)).count();
            let mentioned = mentioned.iter().any(|m| m == id);
            (shared > 0 || mentioned).then_some((shared + usize::from(mentioned) * 100, id))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(_, id)| Listed::id(id))
        .collect()
}

/// README.md bytes as text: UTF-8 as the Hub requires, else a lossy reading and the reason.
pub(crate) fn card_text(bytes: Vec<u8>) -> (String, Option<String>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (
                text,
                Some(format!(
                    "README.md is not valid UTF-8 (first bad byte at offset {at}); it was read with replacement characters"
                )),
            )
        }
    }
}

/// A card read from a file: its text (with the reason when it is not valid UTF-8), or, when it
/// could not be used (too large, unreadable, a link out of its root), none and why; `Ok(None)`:
/// there is no card.
pub(crate) fn card_from_file(
    read: Result<Option<Vec<u8>>, SourceError>,
) -> (Option<String>, Option<String>) {
    match read {
        Ok(Some(bytes)) => {
            let (text, error) = card_text(bytes);
            (Some(text), error)
        }
        Ok(None) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    }
}

/// A Hub model id: `owner/name`, or a bare `name` (`gpt2`, `bert-base-uncased`: older models
/// the Hub still serves without a namespace); no path tricks. Anything else is refused before
/// it reaches a file system or a URL.
pub fn valid_model_id(id: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match id.split_once('/') {
        // A second slash is not a name character, so `a/b/c` fails here.
        Some((owner, name)) => part(owner) && part(name),
        None => part(id),
    }
}
