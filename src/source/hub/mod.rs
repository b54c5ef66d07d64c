//! The live Hugging Face Hub (or anything speaking its API, such as the test fake Hub):
//! `GET /api/models/{id}`, `/{id}/resolve/{rev}/{path}`, `/api/models?filter=base_model:{id}`.
//!
//! Politeness and resilience come from middleware: `Retry-After` for 429s, reqwest-retry's
//! bounded exponential backoff with jitter for 5xx and broken connections, and an HTTP cache that
//! revalidates with `If-None-Match` so a second run downloads no unchanged bodies. A semaphore
//! bounds requests in flight; a per-request timeout and an overall deadline bound the run.

mod retry_after;
mod token;

pub use token::{Token, default_token_file, discover as discover_token};

use super::{MAX_FILE_BYTES, ModelInfo, ModelRecord, Source, SourceError, valid_model_id};
use async_trait::async_trait;
use http_cache_reqwest::{CACacheManager, Cache, CacheMode, HttpCache, HttpCacheOptions};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, LINK};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::{RetryTransientMiddleware, policies::ExponentialBackoff};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How to reach the Hub.
#[derive(Clone, Debug)]
pub struct HubOptions {
    /// Base URL, e.g. `https://huggingface.co` (no trailing slash needed).
    pub endpoint: String,
    pub token: Option<Token>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Per request, retries included.
    pub request_timeout: Duration,
    /// When the whole run must end; requests after it fail at once.
    pub deadline: Option<Instant>,
    /// The HTTP cache directory; `None` disables caching.
    pub cache_dir: Option<PathBuf>,
    /// Retries of one request after a 5xx, timeout or broken connection (and, separately, after 429s).
    pub max_retries: u32,
    /// Models read at a given revision (branch, tag or commit) instead of `main`.
    pub revisions: std::collections::HashMap<String, String>,
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
            revisions: Default::default(),
        }
    }
}

/// The platform cache directory for Pedigree's HTTP cache.
pub fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("pedigree").join("http"))
}

pub struct HubClient {
    http: ClientWithMiddleware,
    endpoint: String,
    permits: Arc<Semaphore>,
    deadline: Option<Instant>,
    requests: AtomicU64,
    revisions: std::collections::HashMap<String, String>,
}

/// An entry of `/api/models`: the Hub sends both `id` and the older `modelId`.
#[derive(Deserialize)]
struct ListedModel {
    id: Option<String>,
    #[serde(rename = "modelId")]
    model_id: Option<String>,
}

/// Pages of children followed at most (the Hub pages by 1000; this is 10M children).
const MAX_PAGES: usize = 10_000;

impl HubClient {
    pub fn new(options: HubOptions) -> Result<HubClient, SourceError> {
        let mut headers = HeaderMap::new();
        if let Some(token) = &options.token {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    SourceError::Other("HF_TOKEN holds characters a header cannot carry".into())
                })?;
            // Marked sensitive: redacted from reqwest's and hyper's debug output.
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("pedigree/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SourceError::Other(format!("cannot build the HTTP client: {e}")))?;
        let backoff = ExponentialBackoff::builder()
            .retry_bounds(Duration::from_millis(100), Duration::from_secs(10))
            .build_with_max_retries(options.max_retries);
        let mut builder = ClientBuilder::new(client);
        if let Some(dir) = &options.cache_dir {
            // Outermost: a cached body answers a 304 without the retry layers seeing it twice.
            // `Default` mode revalidates stale entries with If-None-Match (http-cache's `NoCache`
            // refetches in full). With no heuristic freshness, every entry the Hub did not give
            // an explicit max-age is revalidated: an audit sees today's cards, at the cost of a 304.
            builder = builder.with(Cache(HttpCache {
                mode: CacheMode::Default,
                manager: CACacheManager {
                    path: dir.clone(),
                    remove_opts: Default::default(),
                },
                options: HttpCacheOptions {
                    // A private, per-user cache: responses to authorised requests may be kept.
                    cache_options: Some(http_cache_reqwest::CacheOptions {
                        shared: false,
                        cache_heuristic: 0.0,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            }));
        }
        let http = builder
            .with(RetryTransientMiddleware::new_with_policy_and_strategy(
                backoff,
                NotRateLimits,
            ))
            .with(retry_after::RetryAfter {
                max_retries: options.max_retries + 2,
                max_wait: Duration::from_secs(60),
            })
            .build();
        Ok(HubClient {
            http,
            endpoint: options.endpoint.trim_end_matches('/').to_string(),
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
            deadline: options.deadline,
            requests: AtomicU64::new(0),
            revisions: options.revisions,
        })
    }

    /// Requests sent so far (retries counted once per call).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// GET a URL and read its body, bounded in size, in time and in concurrency. A body cut off
    /// mid-way is fetched again (bounded); the retry middleware cannot see body errors.
    async fn get(
        &self,
        url: &str,
        what: &str,
    ) -> Result<(reqwest::Url, HeaderMap, Vec<u8>), SourceError> {
        let mut last = None;
        for _ in 0..3 {
            match self.get_once(url, what).await {
                Err(Fetch::Body(e)) => last = Some(e),
                Err(Fetch::Final(e)) => return Err(e),
                Ok(ok) => return Ok(ok),
            }
        }
        Err(last
            .unwrap_or_else(|| SourceError::Other(format!("{what}: the body could not be read"))))
    }

    async fn get_once(
        &self,
        url: &str,
        what: &str,
    ) -> Result<(reqwest::Url, HeaderMap, Vec<u8>), Fetch> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Fetch::Final(SourceError::Other("client closed".into())))?;
        let remaining = match self.deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => {
                    return Err(Fetch::Final(SourceError::Other(format!(
                        "{what}: the run's --timeout ran out before it could be read"
                    ))));
                }
            },
            None => None,
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let request = self.http.get(url).send();
        let sent = match remaining {
            Some(left) => tokio::time::timeout(left, request).await.map_err(|_| {
                Fetch::Final(SourceError::Other(format!(
                    "{what}: the run's --timeout ran out while it was read"
                )))
            })?,
            None => request.await,
        };
        let response = sent
            .map_err(|e| Fetch::Final(SourceError::Other(format!("{what}: {}", describe(&e)))))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Fetch::Final(status_error(status, what)));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FILE_BYTES)
        {
            return Err(Fetch::Final(SourceError::Invalid(format!(
                "{what}: larger than the {MAX_FILE_BYTES} byte limit"
            ))));
        }
        let final_url = response.url().clone();
        let headers = response.headers().clone();
        let mut response = response;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 > MAX_FILE_BYTES {
                        return Err(Fetch::Final(SourceError::Invalid(format!(
                            "{what}: larger than the {MAX_FILE_BYTES} byte limit"
                        ))));
                    }
                }
                Ok(None) => return Ok((final_url, headers, body)),
                Err(e) => {
                    return Err(Fetch::Body(SourceError::Other(format!(
                        "{what}: the body was cut off ({})",
                        describe_reqwest(&e)
                    ))));
                }
            }
        }
    }

    fn resolve_url(&self, id: &str, revision: &str, path: &str) -> String {
        format!("{}/{id}/resolve/{revision}/{path}", self.endpoint)
    }
}

enum Fetch {
    /// Reading the body failed: worth another try.
    Body(SourceError),
    Final(SourceError),
}

/// reqwest-retry's default strategy, minus 429 (owned by the `Retry-After` middleware).
struct NotRateLimits;

impl reqwest_retry::RetryableStrategy for NotRateLimits {
    fn handle(
        &self,
        res: &Result<reqwest::Response, reqwest_middleware::Error>,
    ) -> Option<reqwest_retry::Retryable> {
        match res {
            Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => None,
            Ok(r) => reqwest_retry::default_on_request_success(r),
            Err(e) => reqwest_retry::default_on_request_failure(e),
        }
    }
}

/// An error without the URL's query or any header: safe to show.
fn describe(err: &reqwest_middleware::Error) -> String {
    match err {
        reqwest_middleware::Error::Reqwest(e) => describe_reqwest(e),
        reqwest_middleware::Error::Middleware(e) => format!("{e:#}"),
    }
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "the response body was broken"
    } else {
        "request failed"
    };
    // The source chain says why (refused, reset...) without repeating the URL.
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

fn status_error(status: StatusCode, what: &str) -> SourceError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => SourceError::Denied(format!(
            "{what}: the Hub answered {status}: the repo is private or gated (accept its licence on the Hub and set HF_TOKEN)"
        )),
        StatusCode::NOT_FOUND => {
            SourceError::NotFound(format!("{what}: not found on the Hub (404)"))
        }
        StatusCode::TOO_MANY_REQUESTS => SourceError::Other(format!(
            "{what}: still rate limited (429) after waiting as asked"
        )),
        s if s.is_server_error() => {
            SourceError::Other(format!("{what}: the Hub answered {s} after retries"))
        }
        s => SourceError::Other(format!("{what}: the Hub answered {s}")),
    }
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            Some(part[start..end].to_string())
        })
}

#[async_trait]
impl Source for HubClient {
    async fn model(&self, id: &str) -> Result<ModelRecord, SourceError> {
        if !valid_model_id(id) {
            return Err(SourceError::NotFound(format!(
                "`{id}` is not a valid model id (owner/name)"
            )));
        }
        let url = match self.revisions.get(id) {
            Some(rev) => format!("{}/api/models/{id}/revision/{rev}", self.endpoint),
            None => format!("{}/api/models/{id}", self.endpoint),
        };
        let (final_url, _, body) = self.get(&url, &format!("{id} (model info)")).await?;
        let mut info: ModelInfo = serde_json::from_slice(&body).map_err(|e| {
            SourceError::Invalid(format!(
                "{id} (model info): invalid JSON at line {}: {e}",
                e.line()
            ))
        })?;
        let renamed_to = (final_url.as_str() != url && !info.id.is_empty() && info.id != id)
            .then(|| info.id.clone());
        let current = renamed_to.clone().unwrap_or_else(|| id.to_string());
        // The card is public even on gated repos. If it cannot be had, the Hub's cardData stands in.
        let mut card_error = None;
        let readme = if info.files().any(|f| f == "README.md") {
            let revision = info.sha.clone().unwrap_or_else(|| "main".into());
            match self
                .get(
                    &self.resolve_url(&current, &revision, "README.md"),
                    &format!("{id}/README.md"),
                )
                .await
            {
                Ok((_, _, bytes)) => {
                    let (text, error) = super::card_text(bytes);
                    card_error = error;
                    Some(text)
                }
                Err(SourceError::Invalid(e)) => {
                    card_error = Some(e);
                    None
                }
                Err(e) => {
                    // Routine (a card listed but not served); the metadata is still there.
                    tracing::debug!("{e}; using the card data from the model info");
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

    async fn file(&self, id: &str, path: &str) -> Result<Vec<u8>, SourceError> {
        if !valid_model_id(id) || path.split('/').any(|p| p.is_empty() || p == "..") {
            return Err(SourceError::NotFound(format!(
                "{id}/{path} is not a repo path"
            )));
        }
        let (_, _, body) = self
            .get(&self.resolve_url(id, "main", path), &format!("{id}/{path}"))
            .await?;
        Ok(body)
    }

    async fn children(&self, id: &str) -> Result<Vec<String>, SourceError> {
        let mut url = format!(
            "{}/api/models?filter=base_model:{id}&limit=1000",
            self.endpoint
        );
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let (_, headers, body) = self.get(&url, &format!("children of {id}")).await?;
            let page: Vec<ListedModel> = serde_json::from_slice(&body).map_err(|e| {
                SourceError::Invalid(format!("children of {id}: invalid JSON: {e}"))
            })?;
            out.extend(
                page.into_iter()
                    .filter_map(|m| m.id.or(m.model_id))
                    .filter(|c| c != id),
            );
            match next_link(&headers) {
                Some(next) => url = next,
                None => break,
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}
