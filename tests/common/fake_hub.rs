//! A fake Hugging Face Hub for tests and benchmarks: serves a mirror directory on the real API
//! paths from an ephemeral 127.0.0.1 port, the way the real Hub answers (huggingface_hub's
//! `hf_api.py`, `utils/_http.py`, hub-docs `rate-limits.md`):
//! - `/api/models` listings with `filter=base_model:<id>`, `search=`, `sort`, `limit`, opaque
//!   cursor paging in `Link`, and `expand[]` (only the asked fields come back);
//! - `RateLimit` / `RateLimit-Policy` headers on every answer in fixed windows per bucket (`api`,
//!   `resolvers`), and 429 without `Retry-After` past the quota;
//! - `X-Error-Code` / `X-Error-Message` on errors: 401 `RepoNotFound` for a missing or private repo
//!   asked anonymously (404 with a token), `GatedRepo`, `EntryNotFound`, and a 401 "Invalid
//!   credentials" on every request that carries an unknown token;
//! - discussions paged by 50 with `type`, `status` and `author` filters, and `whoami-v2`;
//! - faults injected per repo or per request, ETags for revalidation, counters of what it sent.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What goes wrong with one repo.
#[derive(Clone, Debug)]
pub enum RepoFault {
    /// Only the accepted token sees it: 401 `RepoNotFound` anonymously, 404 with another token.
    Private,
    /// Info and README.md are public; other files need the accepted token (`GatedRepo`).
    Gated,
    /// Not there (as if the mirror lacked it).
    Missing,
    /// 307 to the new id, which is served from the mirror's copy of this repo.
    RenamedTo(String),
    /// Its files (`resolve`) answer 307 to the same path on another origin.
    FilesAt(String),
    /// The first `times` requests for the repo answer 429 with `Retry-After: retry_after`.
    RateLimited { times: u32, retry_after: u32 },
    /// The first `times` requests for the repo answer 500.
    ServerError { times: u32 },
    /// The first `times` model-info bodies are cut off half-way.
    Truncated { times: u32 },
    /// Its discussions answer 503, always.
    DiscussionsDown,
}

/// A fault injected into every `n`-th request across the server, hitting one request (method
/// and URI) once at most: a client that retries must get through, whichever slots of the count
/// its concurrent retries happen to take.
#[derive(Clone, Debug)]
pub enum Every {
    TooMany {
        n: u64,
        retry_after: u32,
    },
    ServerError {
        n: u64,
    },
    /// Hold the response this long (longer than the client's request timeout).
    Stall {
        n: u64,
        delay: Duration,
    },
}

/// The Hub's fixed-window rate limits, per bucket.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    /// Whole seconds, as the Hub's headers state windows.
    pub window_secs: u64,
    pub api: u64,
    pub resolvers: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added to every request.
    pub latency: Duration,
    pub repos: HashMap<String, RepoFault>,
    pub every: Vec<Every>,
    /// A valid token whose owner, "pedigree-bot", accepted every licence and sees private repos.
    pub accepted_token: Option<String>,
    /// Other valid tokens (of "someone-else"). When neither is set, any token is valid.
    pub valid_tokens: Vec<String>,
    /// Models per page of `/api/models` at most (the Hub's is 1000).
    pub page_size: usize,
    /// The origin `Link` next pages point at (default: this server).
    pub link_base: Option<String>,
    pub rate_limits: Option<RateLimits>,
    /// 200 bodies are sent in pieces, this long apart (a server that trickles).
    pub trickle: Option<Duration>,
    /// The first this many POSTs are carried out but answered 500, as if the answer were lost.
    pub lost_post_answers: u32,
}

/// A discussion on the fake Hub; its first comment is the description.
#[derive(Clone, Debug, Default)]
pub struct Discussion {
    pub num: u64,
    pub title: String,
    pub author: String,
    pub comments: Vec<String>,
    /// Who wrote each comment (missing: the discussion's author).
    pub comment_authors: Vec<String>,
    /// "open" (also when empty) or "closed".
    pub status: String,
    pub is_pull_request: bool,
}

#[derive(Debug, Default)]
pub struct Stats {
    /// Discussions per model id, as posted (and as seeded by tests).
    pub discussions: Mutex<HashMap<String, Vec<Discussion>>>,
    /// POST requests received.
    pub writes: AtomicU64,
    pub requests: AtomicU64,
    /// Requests per rate-limit bucket.
    pub api_requests: AtomicU64,
    pub resolver_requests: AtomicU64,
    /// 429 answers sent.
    pub too_many: AtomicU64,
    /// 200 responses that carried a body.
    pub bodies: AtomicU64,
    pub not_modified: AtomicU64,
    pub in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
    /// Every Authorization header received, to check what was sent.
    pub auth_seen: Mutex<Vec<String>>,
    pub paths: Mutex<Vec<String>>,
}

struct Window {
    start: Instant,
    used: u64,
}

struct State {
    root: PathBuf,
    faults: Faults,
    stats: Arc<Stats>,
    hits: Mutex<HashMap<String, u32>>,
    /// Every model id of the mirror, sorted.
    models: Vec<String>,
    children: HashMap<String, Vec<String>>,
    base: Mutex<String>,
    windows: Mutex<HashMap<&'static str, Window>>,
    posts: AtomicU64,
}

pub struct FakeHub {
    pub url: String,
    pub stats: Arc<Stats>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_info(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Every model of the mirror (`owner/name`, and namespace-less `name`), and the children of
/// each from the `base_model:` tags, as the Hub's model tree has them.
fn index(root: &Path) -> (Vec<String>, HashMap<String, Vec<String>>) {
    let mut models = Vec::new();
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut add = |id: String, info: serde_json::Value| {
        let mut parents: Vec<String> = Vec::new();
        for tag in info["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
        {
            if let Some(rest) = tag.strip_prefix("base_model:") {
                let parent = rest
                    .split_once(':')
                    .filter(|(r, _)| !r.contains('/'))
                    .map_or(rest, |(_, p)| p)
                    .to_string();
                if !parents.contains(&parent) {
                    parents.push(parent);
                }
            }
        }
        for p in parents {
            children.entry(p).or_default().push(id.clone());
        }
        models.push(id);
    };
    for owner in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let top = owner.file_name().to_string_lossy().into_owned();
        // Datasets sit beside models under `datasets/`; they are not models.
        if top == "datasets" {
            continue;
        }
        if let Some(info) = read_info(&owner.path().join("info.json")) {
            add(top.clone(), info);
        }
        for name in std::fs::read_dir(owner.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let id = format!("{top}/{}", name.file_name().to_string_lossy());
            if let Some(info) = read_info(&name.path().join("info.json")) {
                add(id, info);
            }
        }
    }
    models.sort();
    children.values_mut().for_each(|v| v.sort());
    (models, children)
}

impl FakeHub {
    pub fn start(root: &Path, faults: Faults) -> FakeHub {
        let stats = Arc::new(Stats::default());
        let (models, children) = index(root);
        let state = Arc::new(State {
            root: root.to_path_buf(),
            models,
            children,
            faults: Faults {
                page_size: if faults.page_size == 0 {
                    1000
                } else {
                    faults.page_size
                },
                ..faults
            },
            stats: stats.clone(),
            hits: Mutex::new(HashMap::new()),
            base: Mutex::new(String::new()),
            windows: Mutex::new(HashMap::new()),
            posts: AtomicU64::new(0),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                *state.base.lock().unwrap() = format!("http://{addr}");
                addr_tx.send(addr).unwrap();
                let app = axum::Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let state = state.clone();
                        async move { handle(&state, method, uri, headers, body).await }
                    },
                );
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        FakeHub {
            url: format!("http://{addr}"),
            stats,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> u64 {
        self.stats.requests.load(Ordering::SeqCst)
    }

    pub fn api_requests(&self) -> u64 {
        self.stats.api_requests.load(Ordering::SeqCst)
    }

    pub fn resolver_requests(&self) -> u64 {
        self.stats.resolver_requests.load(Ordering::SeqCst)
    }

    pub fn bodies(&self) -> u64 {
        self.stats.bodies.load(Ordering::SeqCst)
    }

    pub fn too_many(&self) -> u64 {
        self.stats.too_many.load(Ordering::SeqCst)
    }
}

/// An error answer as the Hub sends it: JSON, with `X-Error-Code` and `X-Error-Message`.
fn error(code: StatusCode, error_code: Option<&str>, message: &str) -> Response {
    let mut builder = Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-error-message", message);
    if let Some(c) = error_code {
        builder = builder.header("x-error-code", c);
    }
    builder
        .body(Body::from(
            serde_json::json!({ "error": message }).to_string(),
        ))
        .unwrap()
}

/// Counts a hit of `key` and says whether it is among the first `times`.
fn within(state: &State, key: String, times: u32) -> bool {
    let mut hits = state.hits.lock().unwrap();
    let n = hits.entry(key).or_insert(0);
    *n += 1;
    *n <= times
}

fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!(
        "\"{}\"",
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// A body sent in pieces, `delay` apart.
fn trickled(body: Vec<u8>, delay: Duration) -> Body {
    let chunks: Vec<Bytes> = body.chunks(64).map(Bytes::copy_from_slice).collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(delay).await;
        Some((Ok::<Bytes, std::io::Error>(chunk), rest))
    });
    Body::from_stream(stream)
}

/// 200 with ETag, or 304 when the client already has it.
fn with_body(
    state: &State,
    method: &Method,
    headers: &HeaderMap,
    body: Vec<u8>,
    commit: Option<&str>,
) -> Response {
    let tag = etag(&body);
    let mut builder = Response::builder()
        .header(header::ETAG, &tag)
        .header("x-linked-etag", &tag)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(commit) = commit {
        builder = builder.header("x-repo-commit", commit);
    }
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(tag.as_str())
    {
        state.stats.not_modified.fetch_add(1, Ordering::SeqCst);
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap();
    }
    builder = builder.header(header::CONTENT_LENGTH, body.len());
    if *method == Method::HEAD {
        return builder.status(StatusCode::OK).body(Body::empty()).unwrap();
    }
    state.stats.bodies.fetch_add(1, Ordering::SeqCst);
    let body = match state.faults.trickle {
        Some(delay) => trickled(body, delay),
        None => Body::from(body),
    };
    builder.status(StatusCode::OK).body(body).unwrap()
}

fn info_of(state: &State, id: &str) -> Option<serde_json::Value> {
    if state
        .faults
        .repos
        .get(id)
        .is_some_and(|f| matches!(f, RepoFault::Missing))
    {
        return None;
    }
    read_info(&state.root.join(id).join("info.json"))
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Who a request is from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// A valid token without special access.
    Someone,
    /// The accepted token: sees private repos and gated files.
    Accepted,
    Invalid,
}

fn caller(state: &State, headers: &HeaderMap) -> Caller {
    let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Caller::Anonymous;
    };
    let token = auth.strip_prefix("Bearer ").unwrap_or("");
    let f = &state.faults;
    if f.accepted_token.as_deref() == Some(token) {
        Caller::Accepted
    } else if f.valid_tokens.iter().any(|t| t == token)
        || (f.accepted_token.is_none() && f.valid_tokens.is_empty())
    {
        Caller::Someone
    } else {
        Caller::Invalid
    }
}

fn bucket_of(path: &str) -> &'static str {
    if path.contains("/resolve/") {
        "resolvers"
    } else {
        "api"
    }
}

/// Counts the request against its bucket's window; a 429 past the quota.
fn rate_limit(state: &State, bucket: &'static str) -> (Option<Response>, Vec<(String, String)>) {
    let Some(limits) = state.faults.rate_limits else {
        return (None, Vec::new());
    };
    let quota = if bucket == "api" {
        limits.api
    } else {
        limits.resolvers
    };
    let window = Duration::from_secs(limits.window_secs);
    let now = Instant::now();
    let mut windows = state.windows.lock().unwrap();
    let w = windows.entry(bucket).or_insert(Window {
        start: now,
        used: 0,
    });
    if now.duration_since(w.start) >= window {
        *w = Window {
            start: now,
            used: 0,
        };
    }
    let left = window.saturating_sub(now.duration_since(w.start));
    let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    let over = w.used >= quota;
    if !over {
        w.used += 1;
    }
    let headers = vec![
        (
            "ratelimit".to_string(),
            format!("\"{bucket}\";r={};t={reset}", quota - w.used),
        ),
        (
            "ratelimit-policy".to_string(),
            format!(
                "\"fixed window\";\"{bucket}\";q={quota};w={}",
                limits.window_secs
            ),
        ),
    ];
    if over {
        state.stats.too_many.fetch_add(1, Ordering::SeqCst);
        // As the Hub may: no Retry-After, only the RateLimit header.
        return (
            Some(error(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "You have been rate-limited; you can retry this action later",
            )),
            headers,
        );
    }
    (None, headers)
}

async fn handle(
    state: &State,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _in_flight = InFlight(&state.stats);
    let n = state.stats.requests.fetch_add(1, Ordering::SeqCst) + 1;
    state.stats.paths.lock().unwrap().push(uri.to_string());
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        state.stats.auth_seen.lock().unwrap().push(auth.to_string());
    }
    let bucket = bucket_of(uri.path());
    match bucket {
        "api" => state.stats.api_requests.fetch_add(1, Ordering::SeqCst),
        _ => state.stats.resolver_requests.fetch_add(1, Ordering::SeqCst),
    };
    if !state.faults.latency.is_zero() {
        tokio::time::sleep(state.faults.latency).await;
    }
    let (limited, limit_headers) = rate_limit(state, bucket);
    let mut response = match limited {
        Some(r) => r,
        None => route(state, n, &method, &uri, &headers, &body).await,
    };
    for (k, v) in limit_headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    response
}

async fn route(
    state: &State,
    n: u64,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let due = |k: u64| n.is_multiple_of(k) && within(state, format!("every {method} {uri}"), 1);
    for every in &state.faults.every {
        match every {
            Every::TooMany { n: k, retry_after } if due(*k) => {
                let mut r = error(StatusCode::TOO_MANY_REQUESTS, None, "rate limited");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
                return r;
            }
            Every::ServerError { n: k } if due(*k) => {
                return error(StatusCode::INTERNAL_SERVER_ERROR, None, "bad day");
            }
            Every::Stall { n: k, delay } if due(*k) => tokio::time::sleep(*delay).await,
            _ => {}
        }
    }
    let who = caller(state, headers);
    if who == Caller::Invalid {
        // The Hub refuses an unknown token on every request, public repos included.
        return error(
            StatusCode::UNAUTHORIZED,
            None,
            "Invalid credentials in Authorization header",
        );
    }
    let path = uri.path().trim_start_matches('/').to_string();
    let parts: Vec<String> = path.split('/').map(percent_decode).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let query = query_of(uri);
    if parts.as_slice() == ["api", "whoami-v2"] {
        return match who {
            Caller::Accepted => json(serde_json::json!({"name": "pedigree-bot", "type": "user"})),
            Caller::Someone => json(serde_json::json!({"name": "someone-else", "type": "user"})),
            _ => error(
                StatusCode::UNAUTHORIZED,
                None,
                "Invalid username or password.",
            ),
        };
    }
    // `api/models/{owner}/{name}/...` or `api/models/{name}/...` (no namespace).
    if let ["api", "models", rest @ ..] = parts.as_slice()
        && !rest.is_empty()
    {
        let (id, tail) = split_id(state, rest);
        return match tail {
            ["discussions", more @ ..] => discussions(state, method, &id, more, &query, body, who),
            [] | ["revision", _] => model_info(state, method, &id, uri, headers, &query, who),
            _ => error(StatusCode::NOT_FOUND, None, "no such route"),
        };
    }
    if parts.as_slice() == ["api", "models"] {
        return listing(state, method, headers, &query, who);
    }
    // `api/datasets/{owner}/{name}` or `api/datasets/{name}`: a dataset's info, from
    // `<root>/datasets/<id>/info.json`. Its files come from the resolvers below, under the id
    // `datasets/<id>`, as on the Hub.
    if let ["api", "datasets", rest @ ..] = parts.as_slice()
        && !rest.is_empty()
    {
        let repo = format!("datasets/{}", rest.join("/"));
        if let Some(r) = repo_fault(state, &repo, true, who, uri) {
            return r;
        }
        return match info_of(state, &repo) {
            Some(info) => with_body(state, method, headers, info.to_string().into_bytes(), None),
            None => repo_not_found(who),
        };
    }
    if let Some(at) = parts.iter().position(|p| *p == "resolve")
        && at >= 1
        && parts.len() > at + 2
    {
        let id = parts[..at].join("/");
        let file = parts[at + 2..].join("/");
        return resolve(state, method, &id, &file, uri, headers, who);
    }
    error(StatusCode::NOT_FOUND, None, "no such route")
}

fn percent_decode(s: &str) -> String {
    reqwest::Url::parse(&format!("http://x/?v={s}"))
        .ok()
        .and_then(|u| u.query_pairs().next().map(|(_, v)| v.into_owned()))
        .unwrap_or_else(|| s.to_string())
}

/// The query's pairs, decoded; repeated keys kept in order.
fn query_of(uri: &Uri) -> Vec<(String, String)> {
    let Ok(url) = reqwest::Url::parse(&format!("http://x{uri}")) else {
        return Vec::new();
    };
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'q>(query: &'q [(String, String)], key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Splits `owner/name/rest...` into the repo id and the rest: a namespace-less id when the
/// mirror has the one-part model.
fn split_id<'p>(state: &State, parts: &'p [&'p str]) -> (String, &'p [&'p str]) {
    let one_part = parts.len() == 1
        || (matches!(parts[1], "discussions" | "revision")
            && state.root.join(parts[0]).join("info.json").is_file());
    if one_part {
        (parts[0].to_string(), &parts[1..])
    } else {
        (format!("{}/{}", parts[0], parts[1]), &parts[2..])
    }
}

fn json(value: serde_json::Value) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(value.to_string()))
        .unwrap()
}

/// Not found as the Hub says it: 401 to an anonymous caller (a private repo looks the same),
/// 404 with a token.
fn repo_not_found(who: Caller) -> Response {
    let status = if who == Caller::Anonymous {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::NOT_FOUND
    };
    error(status, Some("RepoNotFound"), "Repository not found")
}

/// The repo-level fault for a request, if one applies. `public` marks what a gated repo shows
/// to everyone (its info and card).
fn repo_fault(state: &State, id: &str, public: bool, who: Caller, uri: &Uri) -> Option<Response> {
    let fault = state.faults.repos.get(id)?;
    Some(match fault {
        RepoFault::Private if who != Caller::Accepted => repo_not_found(who),
        RepoFault::Missing => repo_not_found(who),
        RepoFault::Gated if !public && who != Caller::Accepted => {
            let status = if who == Caller::Anonymous {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            error(
                status,
                Some("GatedRepo"),
                "Access to this gated repo is restricted",
            )
        }
        RepoFault::RenamedTo(new) => {
            let location = uri.to_string().replacen(id, new, 1);
            redirect(&location)
        }
        RepoFault::FilesAt(base) if uri.path().contains("/resolve/") => {
            redirect(&format!("{base}{uri}"))
        }
        RepoFault::RateLimited { times, retry_after }
            if within(state, format!("{id}#429"), *times) =>
        {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, None, "rate limited");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            r
        }
        RepoFault::ServerError { times } if within(state, format!("{id}#500"), *times) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, None, "bad day")
        }
        _ => return None,
    })
}

fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::TEMPORARY_REDIRECT)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap()
}

/// The fields asked with `expand[]` (or `expand`); `None` when none were.
fn expanded(query: &[(String, String)]) -> Option<Vec<String>> {
    let fields: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "expand[]" || k == "expand")
        .map(|(_, v)| v.clone())
        .collect();
    (!fields.is_empty()).then_some(fields)
}

/// A model's info with the fields the Hub computes (`childrenModelCount`), cut to `fields` when
/// some were asked (`_id` and `id` always come).
fn shaped(
    state: &State,
    id: &str,
    info: serde_json::Value,
    fields: Option<&[String]>,
) -> serde_json::Value {
    let mut info = match info {
        serde_json::Value::Object(o) => o,
        _ => serde_json::Map::new(),
    };
    info.insert("id".into(), id.into());
    info.insert(
        "childrenModelCount".into(),
        state.children.get(id).map_or(0, Vec::len).into(),
    );
    let Some(fields) = fields else {
        return info.into();
    };
    let mut out = serde_json::Map::new();
    for key in ["_id", "id"] {
        if let Some(v) = info.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for field in fields {
        if let Some(v) = info.get(field) {
            out.insert(field.clone(), v.clone());
        }
    }
    out.into()
}

fn model_info(
    state: &State,
    method: &Method,
    id: &str,
    uri: &Uri,
    headers: &HeaderMap,
    query: &[(String, String)],
    who: Caller,
) -> Response {
    if let Some(r) = repo_fault(state, id, true, who, uri) {
        return r;
    }
    let Some(info) = info_of(state, id) else {
        return repo_not_found(who);
    };
    let body = serde_json::to_vec(&shaped(state, id, info, expanded(query).as_deref())).unwrap();
    if let Some(RepoFault::Truncated { times }) = state.faults.repos.get(id)
        && within(state, format!("{id}#truncate"), *times)
    {
        let half = body[..body.len() / 2].to_vec();
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(half))
            .unwrap();
    }
    with_body(state, method, headers, body, None)
}

fn resolve(
    state: &State,
    method: &Method,
    id: &str,
    file: &str,
    uri: &Uri,
    headers: &HeaderMap,
    who: Caller,
) -> Response {
    if let Some(r) = repo_fault(state, id, file == "README.md", who, uri) {
        return r;
    }
    if info_of(state, id).is_none() {
        return repo_not_found(who);
    }
    let sha = info_of(state, id).and_then(|i| i["sha"].as_str().map(str::to_string));
    match std::fs::read(state.root.join(id).join(file)) {
        Ok(body) => with_body(state, method, headers, body, sha.as_deref()),
        Err(_) => error(
            StatusCode::NOT_FOUND,
            Some("EntryNotFound"),
            "Entry not found",
        ),
    }
}

/// `/api/models`: by `filter=base_model:[relation:]<id>`, by `search=`, or everything; sorted
/// by id, or by `sort=downloads` (`direction=-1`: most first); paged by an opaque cursor.
fn listing(
    state: &State,
    method: &Method,
    headers: &HeaderMap,
    query: &[(String, String)],
    who: Caller,
) -> Response {
    let mut ids: Vec<String> = if let Some(filter) = param(query, "filter") {
        let Some(parent) = filter.strip_prefix("base_model:") else {
            return error(
                StatusCode::BAD_REQUEST,
                None,
                "only filter=base_model: is faked",
            );
        };
        let parent = parent
            .split_once(':')
            .filter(|(r, _)| !r.contains('/'))
            .map_or(parent, |(_, p)| p);
        state.children.get(parent).cloned().unwrap_or_default()
    } else {
        state.models.clone()
    };
    // A private repo is listed to whoever may see it.
    ids.retain(|id| match state.faults.repos.get(id) {
        Some(RepoFault::Private) => who == Caller::Accepted,
        Some(RepoFault::Missing) => false,
        _ => true,
    });
    if let Some(search) = param(query, "search") {
        let search = search.to_ascii_lowercase();
        ids.retain(|id| id.to_ascii_lowercase().contains(&search));
    }
    let infos: Vec<(String, serde_json::Value)> = ids
        .into_iter()
        .filter_map(|id| info_of(state, &id).map(|info| (id, info)))
        .collect();
    let mut infos = infos;
    if param(query, "sort") == Some("downloads") {
        let downloads = |v: &serde_json::Value| v["downloads"].as_u64().unwrap_or(0);
        infos.sort_by(|a, b| downloads(&b.1).cmp(&downloads(&a.1)).then(a.0.cmp(&b.0)));
    }
    let limit = param(query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(state.faults.page_size)
        .min(state.faults.page_size);
    let start: usize = param(query, "cursor")
        .and_then(|c| c.strip_prefix("c0ffee"))
        .and_then(|c| usize::from_str_radix(c, 16).ok())
        .unwrap_or(0);
    let fields = expanded(query);
    let fields = fields.unwrap_or_else(|| {
        ["modelId", "tags", "createdAt", "likes", "downloads"]
            .map(String::from)
            .to_vec()
    });
    let total = infos.len();
    let page: Vec<serde_json::Value> = infos
        .into_iter()
        .skip(start)
        .take(limit)
        .map(|(id, info)| shaped(state, &id, info, Some(&fields)))
        .collect();
    let body = serde_json::to_vec(&page).unwrap();
    let mut response = with_body(state, method, headers, body, None);
    if start + limit < total {
        let base = state
            .faults
            .link_base
            .clone()
            .unwrap_or_else(|| state.base.lock().unwrap().clone());
        let mut next = reqwest::Url::parse(&format!("{base}/api/models")).unwrap();
        {
            let mut pairs = next.query_pairs_mut();
            for (k, v) in query.iter().filter(|(k, _)| k != "cursor") {
                pairs.append_pair(k, v);
            }
            pairs.append_pair("cursor", &format!("c0ffee{:x}", start + limit));
        }
        response.headers_mut().insert(
            header::LINK,
            HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")).unwrap(),
        );
    }
    response
}

/// The discussions API: list (paged by 50, filtered), read one, open one, comment. Writes need
/// a valid token.
fn discussions(
    state: &State,
    method: &Method,
    id: &str,
    rest: &[&str],
    query: &[(String, String)],
    body: &[u8],
    who: Caller,
) -> Response {
    if info_of(state, id).is_none() {
        return repo_not_found(who);
    }
    if let Some(RepoFault::DiscussionsDown) = state.faults.repos.get(id) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "discussions are down",
        );
    }
    let author = match who {
        Caller::Accepted => "pedigree-bot",
        Caller::Someone => "someone-else",
        _ => "anonymous",
    };
    let mut all = state.stats.discussions.lock().unwrap();
    let list = all.entry(id.to_string()).or_default();
    match (method.as_str(), rest) {
        ("GET", []) => {
            let status_of = |d: &Discussion| {
                if d.status.is_empty() {
                    "open".to_string()
                } else {
                    d.status.clone()
                }
            };
            let kept: Vec<&Discussion> = list
                .iter()
                .rev()
                .filter(|d| match param(query, "type") {
                    Some("discussion") => !d.is_pull_request,
                    Some("pull_request") => d.is_pull_request,
                    _ => true,
                })
                .filter(|d| match param(query, "status") {
                    Some(s @ ("open" | "closed")) => status_of(d) == s,
                    _ => true,
                })
                .filter(|d| param(query, "author").is_none_or(|a| d.author == a))
                .collect();
            let page: usize = param(query, "p").and_then(|p| p.parse().ok()).unwrap_or(0);
            let items: Vec<_> = kept
                .iter()
                .skip(page * 50)
                .take(50)
                .map(|d| {
                    serde_json::json!({"num": d.num, "title": d.title, "status": status_of(d),
                        "isPullRequest": d.is_pull_request, "author": {"name": d.author},
                        "repo": {"name": id, "type": "model"},
                        "createdAt": "2026-01-01T00:00:00.000Z"})
                })
                .collect();
            json(serde_json::json!({"count": kept.len(), "start": page * 50, "discussions": items}))
        }
        ("GET", [num]) => match list.iter().find(|d| d.num.to_string() == *num) {
            Some(d) => {
                let events: Vec<_> = d
                    .comments
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let by = d.comment_authors.get(i).unwrap_or(&d.author);
                        serde_json::json!({"type": "comment", "author": {"name": by},
                                           "data": {"latest": {"raw": c}}})
                    })
                    .collect();
                json(
                    serde_json::json!({"num": d.num, "title": d.title, "status": d.status, "events": events}),
                )
            }
            None => error(StatusCode::NOT_FOUND, None, "Discussion not found"),
        },
        ("POST", _) if who == Caller::Anonymous => error(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to do that",
        ),
        ("POST", []) => {
            state.stats.writes.fetch_add(1, Ordering::SeqCst);
            let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let num = list.len() as u64 + 1;
            list.push(Discussion {
                num,
                title: request["title"].as_str().unwrap_or("").to_string(),
                author: author.to_string(),
                comments: vec![request["description"].as_str().unwrap_or("").to_string()],
                ..Discussion::default()
            });
            lost_or(
                state,
                json(
                    serde_json::json!({"num": num, "url": {"web": format!("https://hub/{id}/discussions/{num}")}}),
                ),
            )
        }
        ("POST", [num, "comment"]) => {
            state.stats.writes.fetch_add(1, Ordering::SeqCst);
            let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            match list.iter_mut().find(|d| d.num.to_string() == *num) {
                Some(d) => {
                    while d.comment_authors.len() < d.comments.len() {
                        d.comment_authors.push(d.author.clone());
                    }
                    d.comments
                        .push(request["comment"].as_str().unwrap_or("").to_string());
                    d.comment_authors.push(author.to_string());
                    lost_or(state, json(serde_json::json!({"newMessage": {"id": "m"}})))
                }
                None => error(StatusCode::NOT_FOUND, None, "Discussion not found"),
            }
        }
        _ => error(StatusCode::NOT_FOUND, None, "no such discussion route"),
    }
}

/// The answer to a write that was carried out, or a 500 as if it were lost on the way back.
fn lost_or(state: &State, answer: Response) -> Response {
    let n = state.posts.fetch_add(1, Ordering::SeqCst);
    if n < u64::from(state.faults.lost_post_answers) {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "the answer was lost",
        )
    } else {
        answer
    }
}
