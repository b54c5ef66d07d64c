//! Where models come from. Every source answers the same three questions behind one async trait:
//! a model's info and card, a file of its repo, and its children. The live Hub client fits the
//! same trait.

mod confined;
pub mod hub;
mod local;
mod mirror;
mod snapshot;

pub use hub::{HubClient, HubOptions};
pub use local::LocalRepo;
pub use mirror::Mirror;
pub use snapshot::{Snapshot, default_max_snapshot_bytes, write_snapshot};

use async_trait::async_trait;
use serde::Deserialize;
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
    /// Anything else (I/O, network).
    Other(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NotFound(m)
            | SourceError::Denied(m)
            | SourceError::Invalid(m)
            | SourceError::Unsupported(m)
            | SourceError::Refused(m)
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

/// The fields of the Hub's model info (`GET /api/models/{id}`) that Pedigree uses.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ModelInfo {
    pub id: String,
    pub sha: Option<String>,
    pub private: bool,
    #[serde(deserialize_with = "de_gated")]
    pub gated: Gated,
    pub disabled: bool,
    pub tags: Vec<String>,
    pub siblings: Vec<Sibling>,
    pub card_data: Option<serde_json::Value>,
    /// ISO 8601, so strings compare in time order.
    pub created_at: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Sibling {
    pub rfilename: String,
}

fn de_gated<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Gated, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) if s == "manual" => Gated::Manual,
        serde_json::Value::String(_) | serde_json::Value::Bool(true) => Gated::Auto,
        _ => Gated::No,
    })
}

impl ModelInfo {
    pub fn files(&self) -> impl Iterator<Item = &str> + Clone {
        self.siblings.iter().map(|s| s.rfilename.as_str())
    }
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

#[async_trait]
pub trait Source: Send + Sync {
    /// The model's info and card.
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError>;

    /// A file of the model's repo.
    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError>;

    /// Ids of the models that name `id` as a parent.
    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError>;

    /// Every model the source holds, when it can list them (a mirror can; the Hub cannot).
    async fn all_models(&self) -> Result<Vec<String>, SourceError> {
        Err(SourceError::Unsupported(
            "this source cannot list all of its models".into(),
        ))
    }
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

/// A Hub model id: `owner/name`, no path tricks. Anything else is refused before it reaches
/// a file system or a URL.
pub fn valid_model_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    [owner, name].iter().all(|p| {
        !p.is_empty()
            && p.len() <= 96
            && *p != "."
            && *p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    })
}
