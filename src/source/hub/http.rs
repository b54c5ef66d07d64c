//! Talking to the Hub: every request of the client and of the discussions notifier goes through
//! here, so each is bounded, paced and authorised the same way.
//!
//! - **Time**: `--timeout` is a deadline for the whole run: nothing is sent after it, and an
//!   answer still arriving (headers or body) is cut off at it. `--request-timeout` bounds one
//!   attempt, body included.
//! - **Rate limits**: each bucket's window is spent and then waited out ([`Limiter`]); a 429 is
//!   waited out until the reset its `RateLimit` header states (or `Retry-After`, or a backoff),
//!   within the deadline.
//! - **Failures**: 5xx, 408, time-outs and broken connections or bodies are tried again with
//!   exponential backoff and jitter, a bounded number of times. A POST is sent once: whether
//!   it landed is for the caller to check before sending it again.
//! - **The token** goes only to the endpoint's origin: not to a `Link` page or a redirect
//!   elsewhere (reqwest drops it on cross-origin redirects).
//! - **Cache**: see [`super::cache`]. With `HF_HUB_OFFLINE`, only the cache answers.

use super::super::{MAX_FILE_BYTES, SourceError};
use super::HubOptions;
use super::cache::{Entry, Store};
use super::errors::{is_transient, status_error};
use super::rate_limit::{self, Bucket, Limiter};
use crate::progress::Progress;
use reqwest::header::{AUTHORIZATION, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LINK};
use reqwest::{StatusCode, Url};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// How an answer may be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caching {
    /// Never changes (a file at a commit): served from the cache without asking.
    Immutable,
    /// Kept with its ETag and revalidated.
    Revalidate,
    /// Not kept (discussions: read fresh each time).
    Never,
}

/// A successful GET.
#[derive(Debug)]
pub struct Fetched {
    /// Where the answer came from, after redirects.
    pub url: Url,
    /// The `Link: rel="next"` page, for listings.
    pub next: Option<Url>,
    pub body: Vec<u8>,
}

/// Requests sent over the wire, per bucket, and answers the cache gave without a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    pub api: u64,
    pub resolvers: u64,
    pub other: u64,
    pub from_cache: u64,
}

pub struct HubHttp {
    client: reqwest::Client,
    endpoint: Url,
    authorization: Option<HeaderValue>,
    permits: Semaphore,
    deadline: Option<Instant>,
    request_timeout: Duration,
    max_retries: u32,
    limiter: Limiter,
    cache: Option<Store>,
    offline: bool,
    progress: Option<Arc<dyn Progress>>,
    sent: [AtomicU64; 3],
    from_cache: AtomicU64,
    /// Set by the first answer rejecting the token: every later request fails at once with it.
    rejected: OnceLock<SourceError>,
    /// The last rate-limit reset a wait was announced for (announced once per window).
    announced: Mutex<Option<Instant>>,
}

/// Consecutive 429s answered for one request at most, when no deadline bounds the waits.
const MAX_RATE_LIMITED: u32 = 100;
/// A wait this long is said on stderr too (a run in CI has no progress bar).
const ANNOUNCE_WAIT: Duration = Duration::from_secs(10);

enum Attempt {
    Fresh {
        url: Url,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    NotModified,
    Status(StatusCode, HeaderMap),
}

enum Failure {
    /// Worth another try (time-out, broken connection or body).
    Transport(String),
    /// The run's deadline: no more tries.
    Deadline,
    Final(SourceError),
}

impl HubHttp {
    pub fn new(options: &HubOptions) -> Result<HubHttp, SourceError> {
        let endpoint = Url::parse(options.endpoint.trim_end_matches('/')).map_err(|e| {
            SourceError::Other(format!(
                "the Hub endpoint `{}` is not a URL: {e}",
                options.endpoint
            ))
        })?;
        if endpoint.cannot_be_a_base() || !matches!(endpoint.scheme(), "http" | "https") {
            return Err(SourceError::Other(format!(
                "the Hub endpoint `{}` is not an http(s) URL",
                options.endpoint
            )));
        }
        let authorization = match &options.token {
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        SourceError::Other(
                            "the Hub token holds characters a header cannot carry".into(),
                        )
                    })?;
                // Marked sensitive: redacted from reqwest's and hyper's debug output.
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("pedigree/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10).min(options.request_timeout))
            .build()
            .map_err(|e| SourceError::Other(format!("cannot build the HTTP client: {e}")))?;
        Ok(HubHttp {
            client,
            endpoint,
            authorization,
            permits: Semaphore::new(options.concurrency.max(1)),
            deadline: options.deadline,
            request_timeout: options.request_timeout,
            max_retries: options.max_retries,
            limiter: Limiter::default(),
            cache: options.cache_dir.as_deref().and_then(Store::open),
            offline: options.offline,
            progress: options.progress.clone(),
            sent: Default::default(),
            from_cache: AtomicU64::new(0),
            rejected: OnceLock::new(),
            announced: Mutex::new(None),
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// A URL on the endpoint: its path segments, each percent-encoded as needed.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub fn requests(&self) -> Requests {
        Requests {
            api: self.sent[0].load(Ordering::Relaxed),
            resolvers: self.sent[1].load(Ordering::Relaxed),
            other: self.sent[2].load(Ordering::Relaxed),
            from_cache: self.from_cache.load(Ordering::Relaxed),
        }
    }

    pub fn has_token(&self) -> bool {
        self.authorization.is_some()
    }

    /// Commits what the cache holds in memory (also done when the client is dropped).
    pub fn flush(&self) {
        if let Some(cache) = &self.cache {
            cache.flush();
        }
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.endpoint.origin()
    }

    /// The request with the token, when it goes to the endpoint's own origin.
    fn authorised(&self, request: reqwest::RequestBuilder, url: &Url) -> reqwest::RequestBuilder {
        match &self.authorization {
            Some(auth) if self.same_origin(url) => request.header(AUTHORIZATION, auth.clone()),
            _ => request,
        }
    }

    /// Sends a request, counted against its bucket, and learns the bucket's window from the
    /// answer.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        bucket: Bucket,
    ) -> Result<reqwest::Response, reqwest::Error> {
        self.count(bucket);
        let sent = Instant::now();
        let response = request.send().await?;
        if let Some(quota) = rate_limit::parse(response.headers()) {
            self.limiter.observe(bucket, &quota, sent, Instant::now());
        }
        Ok(response)
    }

    fn count(&self, bucket: Bucket) {
        let i = match bucket {
            Bucket::Api => 0,
            Bucket::Resolvers => 1,
            Bucket::Pages => 2,
        };
        self.sent[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Time left before the run's deadline; `None` when there is no deadline.
    fn left(&self) -> Result<Option<Duration>, ()> {
        match self.deadline {
            None => Ok(None),
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(()),
            },
        }
    }

    fn out_of_time(what: &str) -> SourceError {
        SourceError::Unavailable(format!(
            "{what}: the run's --timeout ran out before it could be read"
        ))
    }

    /// Sleeps `wait`, unless the deadline comes first.
    async fn pause(&self, wait: Duration, what: &str) -> Result<(), SourceError> {
        if let Some(d) = self.deadline
            && Instant::now() + wait >= d
        {
            return Err(Self::out_of_time(what));
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// A permit to send one request of the bucket: a place among the requests in flight, and
    /// one request of the bucket's window. When the window is spent, the place is given up
    /// while the reset is waited for (so other buckets go on); that reset after the deadline
    /// fails at once. Taking the window's request only with a place in hand keeps what was let
    /// through but not yet answered to the requests in flight.
    async fn permit(
        &self,
        bucket: Bucket,
        what: &str,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, SourceError> {
        loop {
            let permit = match self.left().map_err(|_| Self::out_of_time(what))? {
                Some(left) => tokio::time::timeout(left, self.permits.acquire())
                    .await
                    .map_err(|_| Self::out_of_time(what))?,
                None => self.permits.acquire().await,
            }
            .map_err(|_| SourceError::Other("the HTTP client was closed".into()))?;
            let Some(until) = self.limiter.take(bucket, Instant::now()) else {
                return Ok(permit);
            };
            drop(permit);
            if self.deadline.is_some_and(|d| until >= d) {
                return Err(SourceError::Unavailable(format!(
                    "{what}: the Hub's `{}` rate limit lifts only after the run's --timeout",
                    bucket.as_str()
                )));
            }
            let wait = until.saturating_duration_since(Instant::now());
            self.announce(bucket, until, wait);
            // Spread the requests that waited for the same reset a little.
            let jitter = Duration::from_millis(fastrand::u64(0..=50));
            tokio::time::sleep_until(until + jitter).await;
            if let Some(p) = &self.progress {
                p.waiting(None);
            }
        }
    }

    fn announce(&self, bucket: Bucket, until: Instant, wait: Duration) {
        if let Some(p) = &self.progress {
            p.waiting(Some((
                &format!("Hub rate limit ({})", bucket.as_str()),
                wait,
            )));
        }
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        if wait >= ANNOUNCE_WAIT && announced.is_none_or(|a| a + Duration::from_secs(1) < until) {
            *announced = Some(until);
            tracing::warn!(
                "the Hub's `{}` rate limit is spent for this window; waiting {} s for it to reset",
                bucket.as_str(),
                wait.as_secs()
            );
        }
    }

    /// Exponential backoff with jitter: 0.2 s, 0.4 s, ... up to 10 s, each between half and all.
    fn backoff(failures: u32) -> Duration {
        let full = Duration::from_millis(200)
            .saturating_mul(1 << failures.saturating_sub(1).min(6))
            .min(Duration::from_secs(10));
        full.mul_f64(0.5 + fastrand::f64() / 2.0)
    }

    /// GET a URL, with everything the module comment lists. `max_bytes` bounds the body.
    pub async fn get(
        &self,
        url: Url,
        what: &str,
        caching: Caching,
        max_bytes: u64,
    ) -> Result<Fetched, SourceError> {
        if let Some(e) = self.rejected.get() {
            return Err(e.clone());
        }
        let key = url.as_str().to_string();
        let cached = match (&self.cache, caching) {
            (Some(cache), Caching::Immutable | Caching::Revalidate) => cache.get(&key),
            _ => None,
        };
        let from_cache = |entry: Entry| {
            self.from_cache.fetch_add(1, Ordering::Relaxed);
            Fetched {
                url: url.clone(),
                next: entry.next.as_deref().and_then(|n| Url::parse(n).ok()),
                body: entry.body,
            }
        };
        if let Some(entry) = &cached
            && (caching == Caching::Immutable || self.offline)
        {
            if entry.absent {
                self.from_cache.fetch_add(1, Ordering::Relaxed);
                return Err(SourceError::NotFound(format!(
                    "{what}: the repo has no such file at that commit"
                )));
            }
            return Ok(from_cache(entry.clone()));
        }
        if self.offline {
            return Err(SourceError::Unavailable(format!(
                "{what}: HF_HUB_OFFLINE is set and it is not in the cache"
            )));
        }
        let bucket = Bucket::of_path(url.path());
        let etag = cached.as_ref().and_then(|e| e.etag.clone());
        let (mut failures, mut limited) = (0, 0);
        loop {
            let outcome = self
                .attempt(&url, bucket, etag.as_deref(), max_bytes, what)
                .await;
            let failure = match outcome {
                Ok(Attempt::Fresh {
                    url: at,
                    headers,
                    body,
                }) => {
                    let next = next_link(&headers, &at);
                    if let Some(cache) = &self.cache {
                        let etag = header(&headers, ETAG);
                        if caching == Caching::Immutable
                            || (caching == Caching::Revalidate && etag.is_some())
                        {
                            cache.put(
                                &key,
                                &Entry {
                                    etag,
                                    next: next.as_ref().map(Url::to_string),
                                    body: body.clone(),
                                    absent: false,
                                },
                            );
                        }
                    }
                    return Ok(Fetched {
                        url: at,
                        next,
                        body,
                    });
                }
                Ok(Attempt::NotModified) => match cached {
                    Some(entry) => return Ok(from_cache(entry)),
                    None => {
                        Failure::Transport(format!("{what}: a 304 to an unconditional request"))
                    }
                },
                Ok(Attempt::Status(StatusCode::TOO_MANY_REQUESTS, headers)) => {
                    limited += 1;
                    if limited > MAX_RATE_LIMITED {
                        return Err(status_error(
                            StatusCode::TOO_MANY_REQUESTS,
                            &headers,
                            what,
                            self.authorization.is_some(),
                        ));
                    }
                    // Until the window resets, as the Hub states it; else as Retry-After says;
                    // else back off.
                    let wait = rate_limit::parse(&headers)
                        .filter(|q| q.remaining == 0)
                        .map(|q| q.reset_in)
                        .or_else(|| rate_limit::retry_after(&headers))
                        .unwrap_or_else(|| Self::backoff(limited));
                    tracing::debug!(what, ?wait, "429 from the Hub; waiting for the reset");
                    self.limiter.exhausted(bucket, Instant::now() + wait);
                    continue;
                }
                Ok(Attempt::Status(status, headers)) if is_transient(status) => {
                    let error = status_error(status, &headers, what, self.authorization.is_some());
                    if failures >= self.max_retries {
                        return Err(error);
                    }
                    Failure::Transport(error.to_string())
                }
                Ok(Attempt::Status(status, headers)) => {
                    let error = status_error(status, &headers, what, self.authorization.is_some());
                    if matches!(error, SourceError::Rejected(_)) {
                        let _ = self.rejected.set(error.clone());
                    }
                    // A file missing at a commit stays missing: the next run need not ask.
                    if caching == Caching::Immutable
                        && status == StatusCode::NOT_FOUND
                        && headers
                            .get("x-error-code")
                            .is_some_and(|c| c == "EntryNotFound")
                        && let Some(cache) = &self.cache
                    {
                        cache.put(
                            &key,
                            &Entry {
                                absent: true,
                                ..Entry::default()
                            },
                        );
                    }
                    return Err(error);
                }
                Err(failure) => failure,
            };
            match failure {
                Failure::Deadline => return Err(Self::out_of_time(what)),
                Failure::Final(e) => return Err(e),
                Failure::Transport(message) => {
                    failures += 1;
                    if failures > self.max_retries {
                        return Err(SourceError::Unavailable(message));
                    }
                    tracing::debug!(what, failures, "{message}; trying again");
                    self.pause(Self::backoff(failures), what).await?;
                }
            }
        }
    }

    /// One try: a permit, the request, and the body, within the attempt's time.
    async fn attempt(
        &self,
        url: &Url,
        bucket: Bucket,
        etag: Option<&str>,
        max_bytes: u64,
        what: &str,
    ) -> Result<Attempt, Failure> {
        let permit = self.permit(bucket, what).await.map_err(Failure::Final)?;
        let left = self.left().map_err(|_| Failure::Deadline)?;
        let limit = left.map_or(self.request_timeout, |l| l.min(self.request_timeout));
        let mut request = self.authorised(self.client.get(url.clone()), url);
        if let Some(tag) = etag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        let result = tokio::time::timeout(limit, async {
            let response = self
                .send(request, bucket)
                .await
                .map_err(|e| Failure::Transport(format!("{what}: {}", describe(&e))))?;
            let status = response.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Attempt::NotModified);
            }
            if !status.is_success() {
                return Ok(Attempt::Status(status, response.headers().clone()));
            }
            read_body(response, what, max_bytes).await
        })
        .await;
        drop(permit);
        match result {
            Ok(outcome) => outcome,
            Err(_) if left.is_some_and(|l| l <= self.request_timeout) => Err(Failure::Deadline),
            Err(_) => Err(Failure::Transport(format!(
                "{what}: no complete answer within --request-timeout ({} s)",
                self.request_timeout.as_secs_f64()
            ))),
        }
    }

    /// POST JSON once (never retried: the caller checks whether it landed before sending it
    /// again). Paced like every request; the answer's body on success.
    pub async fn post_json(
        &self,
        url: Url,
        payload: &serde_json::Value,
        what: &str,
    ) -> Result<Vec<u8>, SourceError> {
        if let Some(e) = self.rejected.get() {
            return Err(e.clone());
        }
        if self.offline {
            return Err(SourceError::Unavailable(format!(
                "{what}: HF_HUB_OFFLINE is set"
            )));
        }
        let bucket = Bucket::of_path(url.path());
        let _permit = self.permit(bucket, what).await?;
        let left = self.left().map_err(|_| Self::out_of_time(what))?;
        let limit = left.map_or(self.request_timeout, |l| l.min(self.request_timeout));
        let request = self.authorised(self.client.post(url.clone()).json(payload), &url);
        let result = tokio::time::timeout(limit, async {
            let response = self
                .send(request, bucket)
                .await
                .map_err(|e| SourceError::Unavailable(format!("{what}: {}", describe(&e))))?;
            let status = response.status();
            if !status.is_success() {
                if status == StatusCode::TOO_MANY_REQUESTS {
                    let wait = rate_limit::parse(response.headers())
                        .map(|q| q.reset_in)
                        .or_else(|| rate_limit::retry_after(response.headers()))
                        .unwrap_or(Duration::from_secs(1));
                    self.limiter.exhausted(bucket, Instant::now() + wait);
                    return Err(SourceError::Unavailable(format!(
                        "{what}: rate limited (429)"
                    )));
                }
                let error = status_error(
                    status,
                    response.headers(),
                    what,
                    self.authorization.is_some(),
                );
                if matches!(error, SourceError::Rejected(_)) {
                    let _ = self.rejected.set(error.clone());
                }
                return Err(error);
            }
            match read_body(response, what, MAX_FILE_BYTES).await {
                Ok(Attempt::Fresh { body, .. }) => Ok(body),
                _ => Err(SourceError::Unavailable(format!(
                    "{what}: the answer was cut off"
                ))),
            }
        })
        .await;
        result.unwrap_or_else(|_| {
            Err(SourceError::Unavailable(format!(
                "{what}: no answer in time"
            )))
        })
    }
}

/// Reads a body, bounded in size.
async fn read_body(
    mut response: reqwest::Response,
    what: &str,
    max_bytes: u64,
) -> Result<Attempt, Failure> {
    let too_large = || {
        Failure::Final(SourceError::Invalid(format!(
            "{what}: larger than the {max_bytes} byte limit"
        )))
    };
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let url = response.url().clone();
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() as u64 > max_bytes {
                    return Err(too_large());
                }
            }
            Ok(None) => return Ok(Attempt::Fresh { url, headers, body }),
            Err(e) => {
                return Err(Failure::Transport(format!(
                    "{what}: the answer was cut off ({})",
                    describe(&e)
                )));
            }
        }
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The `rel="next"` URL of a `Link` header, resolved against the page it came with.
pub fn next_link(headers: &HeaderMap, base: &Url) -> Option<Url> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| base.join(target).ok()).flatten()
    })
}

/// An error without the URL's query or any header: safe to show.
fn describe(e: &reqwest::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_are_read_as_the_hub_sends_them() {
        let base = Url::parse("https://hub.test/api/models?filter=x").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            HeaderValue::from_static(
                "<https://hub.test/api/models?cursor=abc&limit=1000>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h, &base).unwrap().as_str(),
            "https://hub.test/api/models?cursor=abc&limit=1000"
        );
        h.insert(
            LINK,
            HeaderValue::from_static("</api/models?cursor=d>; rel=\"next\", <x>; rel=\"prev\""),
        );
        assert_eq!(
            next_link(&h, &base).unwrap().as_str(),
            "https://hub.test/api/models?cursor=d"
        );
        h.insert(LINK, HeaderValue::from_static("<x>; rel=\"prev\""));
        assert!(next_link(&h, &base).is_none());
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert!(HubHttp::backoff(1) <= Duration::from_millis(200));
        assert!(HubHttp::backoff(1) >= Duration::from_millis(100));
        assert!(HubHttp::backoff(30) <= Duration::from_secs(10));
        assert!(HubHttp::backoff(4) >= Duration::from_millis(800));
    }
}
