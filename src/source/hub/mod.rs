//! The live Hugging Face Hub (or anything speaking its API, such as the test fake Hub).
//!
//! A family is read the way the Hub serves it in bulk: the children of a model come from
//! `GET /api/models?filter=base_model:<id>&expand[]=…&limit=1000` with their info (card data,
//! files, commit, children count), a thousand a page, pages followed by `Link`. A model whose
//! `childrenModelCount` is 0 is not listed, and a listed model needs no info call: only its card
//! is read, at its commit, from the resolvers (a separate, larger rate-limit bucket), and a card at
//! a commit is cached for good. Licence files are read at the same commit.
//!
//! How requests are bounded, paced, retried and authorised: [`http`]. What error answers mean:
//! [`errors`].

mod cache;
mod datasets;
mod errors;
pub mod http;
mod rate_limit;
mod token;

pub use http::{HubHttp, Requests};
pub use token::{
    Found, Token, default_token_file, discover as discover_token, env_flag, for_reading,
};

use super::{Listed, MAX_FILE_BYTES, ModelInfo, ModelRecord, Source, SourceError, valid_model_id};
use crate::progress::Progress;
use async_trait::async_trait;
use http::Caching;
use reqwest::Url;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The info fields a walk reads, asked for by name: with `expand[]`, the Hub sends only those.
pub const WALK_FIELDS: &[&str] = &[
    "sha",
    "private",
    "gated",
    "disabled",
    "tags",
    "siblings",
    "cardData",
    "createdAt",
    "childrenModelCount",
];

/// What ranking a possible parent needs of it.
const CANDIDATE_FIELDS: &[&str] = &["createdAt", "childrenModelCount", "tags", "gated"];

/// Models a listing page holds at most (the Hub's own maximum).
const PAGE: &str = "1000";
/// A page of a thousand infos with card data and file lists is larger than one file.
const MAX_PAGE_BYTES: u64 = 4 * MAX_FILE_BYTES;
/// Pages of one listing followed at most (10M models).
const MAX_PAGES: usize = 10_000;
/// Words of a name searched for possible parents, and results per word.
const SEARCH_WORDS: usize = 3;
const SEARCH_RESULTS: &str = "50";
/// Ids a card mentions that are looked up one by one as possible parents, at most.
const MENTIONS_LOOKED_UP: usize = 16;

/// How to reach the Hub.
#[derive(Clone)]
pub struct HubOptions {
    /// Base URL, e.g. `https://huggingface.co` (no trailing slash needed).
    pub endpoint: String,
    pub token: Option<Token>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// One attempt of one request, its body included.
    pub request_timeout: Duration,
    /// When the whole run must end: nothing is sent after it, and answers are cut off at it.
    pub deadline: Option<Instant>,
    /// The HTTP cache directory; `None` disables caching.
    pub cache_dir: Option<PathBuf>,
    /// Tries again of one request after a 5xx, time-out or broken connection (429s are waited
    /// out instead, within the deadline).
    pub max_retries: u32,
    /// Models read at a given revision (branch, tag or commit) instead of `main`.
    pub revisions: HashMap<String, String>,
    /// `HF_HUB_OFFLINE`: no request is sent; only the cache answers.
    pub offline: bool,
    /// Told of rate-limit waits.
    pub progress: Option<Arc<dyn Progress>>,
}

impl HubOptions {
    pub fn new(endpoint: impl Into<String>) -> HubOptions {
        HubOptions {
            endpoint: endpoint.into(),
            token: None,
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: Duration::from_secs(30),
            deadline: None,
            cache_dir: None,
            max_retries: 4,
            revisions: HashMap::new(),
            offline: false,
            progress: None,
        }
    }
}

/// The platform cache directory for Pedigree's HTTP cache.
pub fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("pedigree").join("http"))
}

pub struct HubClient {
    http: HubHttp,
    /// `--revision`: models read at a pinned revision.
    revisions: HashMap<String, String>,
    /// Per model read, the id it answered under and the commit its info was read at: its card
    /// and files are read there too.
    read_at: Mutex<HashMap<String, (String, String)>>,
}

/// A 40-hex commit: what is read there never changes.
fn is_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

impl HubClient {
    pub fn new(options: HubOptions) -> Result<HubClient, SourceError> {
        Ok(HubClient {
            http: HubHttp::new(&options)?,
            revisions: options.revisions,
            read_at: Mutex::new(HashMap::new()),
        })
    }

    /// Requests sent so far, per rate-limit bucket, and answers the cache gave.
    pub fn requests(&self) -> Requests {
        self.http.requests()
    }

    pub fn http(&self) -> &HubHttp {
        &self.http
    }

    fn id_segments(id: &str) -> impl Iterator<Item = &str> {
        id.split('/')
    }

    /// `/api/models?…&expand[]=…` with the given parameters.
    pub fn listing_url(&self, params: &[(&str, &str)], fields: &[&str]) -> Url {
        let mut url = self.http.url(&["api", "models"]);
        {
            let mut query = url.query_pairs_mut();
            for (k, v) in params {
                query.append_pair(k, v);
            }
            for field in fields {
                query.append_pair("expand[]", field);
            }
        }
        url
    }

    fn info_url(&self, id: &str) -> Url {
        let mut segments: Vec<&str> = vec!["api", "models"];
        segments.extend(Self::id_segments(id));
        if let Some(rev) = self.revisions.get(id) {
            segments.extend(["revision", rev.as_str()]);
        }
        let mut url = self.http.url(&segments);
        {
            let mut query = url.query_pairs_mut();
            for field in WALK_FIELDS {
                query.append_pair("expand[]", field);
            }
        }
        url
    }

    fn resolve_url(&self, id: &str, revision: &str, path: &str) -> Url {
        let mut segments: Vec<&str> = Self::id_segments(id).collect();
        segments.extend(["resolve", revision]);
        segments.extend(path.split('/'));
        self.http.url(&segments)
    }

    /// Reads a file of a repo at a revision, from the resolvers.
    async fn resolve(
        &self,
        id: &str,
        revision: &str,
        path: &str,
        what: &str,
    ) -> Result<Vec<u8>, SourceError> {
        let caching = if is_commit(revision) {
            Caching::Immutable
        } else {
            Caching::Revalidate
        };
        let url = self.resolve_url(id, revision, path);
        Ok(self
            .http
            .get(url, what, caching, MAX_FILE_BYTES)
            .await?
            .body)
    }

    /// One page of a listing: its models and the next page.
    pub async fn listing_page(
        &self,
        url: Url,
        what: &str,
    ) -> Result<(Vec<ModelInfo>, Option<Url>), SourceError> {
        let fetched = self
            .http
            .get(url, what, Caching::Revalidate, MAX_PAGE_BYTES)
            .await?;
        let page: Vec<ModelInfo> = serde_json::from_slice(&fetched.body).map_err(|e| {
            SourceError::Invalid(format!("{what}: invalid JSON at line {}: {e}", e.line()))
        })?;
        if let Some(next) = &fetched.next
            && next.origin() != self.http.endpoint().origin()
        {
            tracing::debug!("{what}: the next page is on another origin; read without the token");
        }
        Ok((page, fetched.next))
    }

    /// Every model a listing returns, all pages followed.
    async fn listing(&self, url: Url, what: &str) -> Result<Vec<ModelInfo>, SourceError> {
        let mut out = Vec::new();
        let mut next = Some(url);
        for _ in 0..MAX_PAGES {
            let Some(url) = next.take() else {
                return Ok(out);
            };
            let (page, following) = self.listing_page(url, what).await?;
            out.extend(page.into_iter().filter(|m| valid_model_id(&m.id)));
            next = following;
        }
        Err(SourceError::Invalid(format!(
            "{what}: more than {MAX_PAGES} pages"
        )))
    }

    /// Completes a model from its info: remembers where it was read, and reads its card there.
    async fn complete(
        &self,
        id: &str,
        mut info: ModelInfo,
        renamed_to: Option<String>,
    ) -> Result<ModelRecord, SourceError> {
        let current = renamed_to.clone().unwrap_or_else(|| id.to_string());
        let revision = info
            .sha
            .clone()
            .filter(|s| is_commit(s))
            .or_else(|| self.revisions.get(id).cloned())
            .unwrap_or_else(|| "main".into());
        self.read_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), (current.clone(), revision.clone()));
        // A card is read when the repo lists one; without it, the Hub's cardData stands in.
        let mut card_error = None;
        let readme = if info.files().any(|f| f == "README.md") {
            match self
                .resolve(&current, &revision, "README.md", &format!("{id}/README.md"))
                .await
            {
                Ok(bytes) => {
                    let (text, error) = super::card_text(bytes);
                    card_error = error;
                    Some(text)
                }
                Err(SourceError::Invalid(e)) => {
                    card_error = Some(e);
                    None
                }
                // Not known, so the model is not known: the run is incomplete.
                Err(e) if e.is_transport() => return Err(e),
                Err(e) => {
                    // Listed but not served (or gated): the card data stands in.
                    tracing::debug!("{e}; using the card data of the model info");
                    None
                }
            }
        } else {
            None
        };
        info.id = id.to_string();
        Ok(ModelRecord {
            info,
            readme,
            renamed_to,
            card_error,
        })
    }

    /// Where a model's files are read: the id it answered under and the commit of its info.
    fn read_at(&self, id: &str) -> (String, String) {
        self.read_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
            .unwrap_or_else(|| {
                let rev = self
                    .revisions
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "main".into());
                (id.to_string(), rev)
            })
    }
}

fn not_an_id(id: &str) -> SourceError {
    SourceError::NotFound(format!(
        "`{id}` is not a valid model id (owner/name, or a name)"
    ))
}

#[async_trait]
impl Source for HubClient {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        if !valid_model_id(id) {
            return Err(not_an_id(id));
        }
        let url = self.info_url(id);
        let what = format!("{id} (model info)");
        let fetched = self
            .http
            .get(url.clone(), &what, Caching::Revalidate, MAX_FILE_BYTES)
            .await?;
        let info: ModelInfo = serde_json::from_slice(&fetched.body).map_err(|e| {
            SourceError::Invalid(format!("{what}: invalid JSON at line {}: {e}", e.line()))
        })?;
        // Redirected to another repo: the Hub serves a renamed repo under its new id.
        let renamed_to =
            (fetched.url.path() != url.path() && valid_model_id(&info.id) && info.id != id)
                .then(|| info.id.clone());
        self.complete(id, info, renamed_to).await
    }

    async fn model_listed(&self, listed: Listed) -> Result<ModelRecord, SourceError> {
        match listed.info {
            Some(info) => self.complete(&listed.id, *info, None).await,
            None => self.model(&listed.id).await,
        }
    }

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        if !valid_model_id(id)
            || path
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(SourceError::NotFound(format!(
                "{id}/{path} is not a repo path"
            )));
        }
        let (current, revision) = self.read_at(id);
        self.resolve(&current, &revision, path, &format!("{id}/{path}"))
            .await
    }

    async fn card(&self, id: &str) -> Result<Option<String>, SourceError> {
        match self.file(id, "README.md").await {
            Ok(bytes) => Ok(Some(super::card_text(bytes).0)),
            Err(SourceError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn dataset(&self, id: &str) -> Result<super::DatasetRecord, SourceError> {
        self.dataset_record(id).await
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        Ok(self
            .listed_children(id)
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect())
    }

    async fn listed_children(&self, id: &str) -> Result<Vec<Listed>, SourceError> {
        let filter = format!("base_model:{id}");
        let url = self.listing_url(&[("filter", &filter), ("limit", PAGE)], WALK_FIELDS);
        let listed = self.listing(url, &format!("children of {id}")).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(listed
            .into_iter()
            .filter(|m| m.id != id && seen.insert(m.id.clone()))
            .map(|m| Listed {
                id: m.id.clone(),
                info: Some(Box::new(m)),
            })
            .collect())
    }

    async fn parent_candidates(
        &self,
        name: &str,
        mentioned: &[String],
    ) -> Result<Vec<Listed>, SourceError> {
        let mut out: Vec<Listed> = Vec::new();
        for word in search_words(name) {
            let url = self.listing_url(
                &[
                    ("search", &word),
                    ("sort", "downloads"),
                    ("direction", "-1"),
                    ("limit", SEARCH_RESULTS),
                ],
                CANDIDATE_FIELDS,
            );
            // One page: the most downloaded models whose ids hold the word.
            let (page, _) = self
                .listing_page(url, &format!("models named like `{word}`"))
                .await?;
            for info in page {
                if valid_model_id(&info.id) && !out.iter().any(|l| l.id == info.id) {
                    out.push(Listed {
                        id: info.id.clone(),
                        info: Some(Box::new(info)),
                    });
                }
            }
        }
        for id in mentioned.iter().take(MENTIONS_LOOKED_UP) {
            if !out.iter().any(|l| &l.id == id) {
                out.push(Listed::id(id.clone()));
            }
        }
        Ok(out)
    }
}

/// The words of a model name worth searching for (longest first): a parent usually shares the
/// family word (`llama`, `mistral`), not the size or version.
pub fn search_words(name: &str) -> Vec<String> {
    let mut words = super::name_words(name);
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.truncate(SEARCH_WORDS);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded_segment_by_segment() {
        let client = HubClient::new(HubOptions::new("https://hub.test/base/")).unwrap();
        assert_eq!(
            client
                .resolve_url("org/model", "refs/pr/1", "sub dir/LICENSE")
                .as_str(),
            "https://hub.test/base/org/model/resolve/refs%2Fpr%2F1/sub%20dir/LICENSE"
        );
        assert_eq!(
            client.resolve_url("gpt2", "main", "README.md").as_str(),
            "https://hub.test/base/gpt2/resolve/main/README.md"
        );
        let url = client.listing_url(&[("filter", "base_model:a/b")], &["sha"]);
        assert_eq!(
            url.as_str(),
            "https://hub.test/base/api/models?filter=base_model%3Aa%2Fb&expand%5B%5D=sha"
        );
    }

    #[test]
    fn search_words_are_the_names_family_words() {
        assert_eq!(
            search_words("Llama-2-7b-chat-hf-GGUF"),
            vec!["llama", "chat", "gguf"]
        );
        assert!(search_words("7b-v2").is_empty());
    }
}
