//! A fake Hugging Face Hub for tests and benchmarks: serves a mirror directory on the real API
//! paths from an ephemeral 127.0.0.1 port, with faults injected per repo or per request, ETags
//! for revalidation, `Link` paging of children, and counters of what it sent.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What goes wrong with one repo.
#[derive(Clone, Debug)]
pub enum RepoFault {
    /// 401 on everything without the accepted token.
    Private,
    /// Info and README.md are public; other files need the accepted token (403 otherwise).
    Gated,
    /// 404 on everything.
    Missing,
    /// 307 to the new id, which is served from the mirror's copy of this repo.
    RenamedTo(String),
    /// The first `times` requests for the repo answer 429 with `Retry-After: retry_after`.
    RateLimited { times: u32, retry_after: u32 },
    /// The first `times` requests for the repo answer 500.
    ServerError { times: u32 },
    /// The first `times` model-info bodies are cut off half-way.
    Truncated { times: u32 },
}

/// A fault injected into every `n`-th request across the server.
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

#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added to every request.
    pub latency: Duration,
    pub repos: HashMap<String, RepoFault>,
    pub every: Vec<Every>,
    /// The token whose owner "accepted" every licence.
    pub accepted_token: Option<String>,
    /// Children per page of `/api/models?filter=...`.
    pub page_size: usize,
}

/// A discussion on the fake Hub; its first comment is the description.
#[derive(Clone, Debug)]
pub struct Discussion {
    pub num: u64,
    pub title: String,
    pub author: String,
    pub comments: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Stats {
    /// Discussions per model id, as posted (and as seeded by tests).
    pub discussions: Mutex<HashMap<String, Vec<Discussion>>>,
    /// POST requests received.
    pub writes: AtomicU64,
    pub requests: AtomicU64,
    /// 200 responses that carried a body.
    pub bodies: AtomicU64,
    pub not_modified: AtomicU64,
    pub in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
    /// Every Authorization header received, to check what was sent.
    pub auth_seen: Mutex<Vec<String>>,
    pub paths: Mutex<Vec<String>>,
}

struct State {
    root: PathBuf,
    faults: Faults,
    stats: Arc<Stats>,
    hits: Mutex<HashMap<String, u32>>,
    children: HashMap<String, Vec<String>>,
    base: Mutex<String>,
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

/// Children of every model, from the `base_model:` tags, as the Hub's model tree does.
fn index_children(root: &Path) -> HashMap<String, Vec<String>> {
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for owner in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for name in std::fs::read_dir(owner.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let id = format!(
                "{}/{}",
                owner.file_name().to_string_lossy(),
                name.file_name().to_string_lossy()
            );
            let Ok(text) = std::fs::read_to_string(name.path().join("info.json")) else {
                continue;
            };
            let Ok(info) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let mut parents: Vec<String> = Vec::new();
            for tag in info["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str())
            {
                if let Some(rest) = tag.strip_prefix("base_model:") {
                    let parent = rest.split_once(':').map_or(rest, |(_, p)| p).to_string();
                    if !parents.contains(&parent) {
                        parents.push(parent);
                    }
                }
            }
            for p in parents {
                children.entry(p).or_default().push(id.clone());
            }
        }
    }
    children.values_mut().for_each(|v| v.sort());
    children
}

impl FakeHub {
    pub fn start(root: &Path, faults: Faults) -> FakeHub {
        let stats = Arc::new(Stats::default());
        let state = Arc::new(State {
            root: root.to_path_buf(),
            children: index_children(root),
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
                    move |method: Method, uri: Uri, headers: HeaderMap, body: axum::body::Bytes| {
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

    pub fn bodies(&self) -> u64 {
        self.stats.bodies.load(Ordering::SeqCst)
    }
}

fn status(code: StatusCode, text: &str) -> Response {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"error\":\"{text}\"}}")))
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
    builder
        .status(StatusCode::OK)
        .body(Body::from(body))
        .unwrap()
}

fn sha_of(state: &State, id: &str) -> Option<String> {
    let text = std::fs::read_to_string(state.root.join(id).join("info.json")).ok()?;
    let info: serde_json::Value = serde_json::from_str(&text).ok()?;
    info["sha"].as_str().map(str::to_string)
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    state: &State,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
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
    if !state.faults.latency.is_zero() {
        tokio::time::sleep(state.faults.latency).await;
    }
    for every in &state.faults.every {
        match every {
            Every::TooMany { n: k, retry_after } if n % k == 0 => {
                let mut r = status(StatusCode::TOO_MANY_REQUESTS, "rate limited");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
                return r;
            }
            Every::ServerError { n: k } if n % k == 0 => {
                return status(StatusCode::INTERNAL_SERVER_ERROR, "bad day");
            }
            Every::Stall { n: k, delay } if n % k == 0 => tokio::time::sleep(*delay).await,
            _ => {}
        }
    }
    let authorised = match (
        &state.faults.accepted_token,
        headers.get(header::AUTHORIZATION),
    ) {
        (Some(t), Some(v)) => v.to_str().ok() == Some(format!("Bearer {t}").as_str()),
        _ => false,
    };
    let path = uri.path().trim_start_matches('/').to_string();
    let parts: Vec<&str> = path.split('/').collect();
    if let ["api", "models", owner, name, "discussions", rest @ ..] = parts.as_slice() {
        return discussions(
            state,
            &method,
            &format!("{owner}/{name}"),
            rest,
            &headers,
            &body,
            authorised,
        );
    }
    match parts.as_slice() {
        ["api", "models"] => children(state, &method, &uri, &headers),
        ["api", "models", owner, name] | ["api", "models", owner, name, "revision", _] => {
            let id = format!("{owner}/{name}");
            if let Some(r) = repo_fault(state, &id, true, authorised, &uri) {
                return r;
            }
            let Ok(body) = std::fs::read(state.root.join(&id).join("info.json")) else {
                return status(StatusCode::NOT_FOUND, "Repository not found");
            };
            if let Some(RepoFault::Truncated { times }) = state.faults.repos.get(&id)
                && within(state, format!("{id}#truncate"), *times)
            {
                let half = body[..body.len() / 2].to_vec();
                return Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_LENGTH, body.len())
                    .body(Body::from(half))
                    .unwrap();
            }
            with_body(state, &method, &headers, body, None)
        }
        [owner, name, "resolve", _rev, rest @ ..] if !rest.is_empty() => {
            let id = format!("{owner}/{name}");
            let file = rest.join("/");
            if let Some(r) = repo_fault(state, &id, file == "README.md", authorised, &uri) {
                return r;
            }
            match std::fs::read(state.root.join(&id).join(&file)) {
                Ok(body) => with_body(
                    state,
                    &method,
                    &headers,
                    body,
                    sha_of(state, &id).as_deref(),
                ),
                Err(_) => status(StatusCode::NOT_FOUND, "Entry not found"),
            }
        }
        _ => status(StatusCode::NOT_FOUND, "no such route"),
    }
}

/// The repo-level fault for a request, if one applies. `public` marks what a gated repo shows
/// to everyone (its info and card).
fn repo_fault(
    state: &State,
    id: &str,
    public: bool,
    authorised: bool,
    uri: &Uri,
) -> Option<Response> {
    // A renamed repo's new id is served from the old id's files.
    let fault = state.faults.repos.get(id)?;
    Some(match fault {
        RepoFault::Private if !authorised => {
            status(StatusCode::UNAUTHORIZED, "Repository not found or private")
        }
        RepoFault::Gated if !public && !authorised => status(
            StatusCode::FORBIDDEN,
            "Access to this gated repo is restricted",
        ),
        RepoFault::Missing => status(StatusCode::NOT_FOUND, "Repository not found"),
        RepoFault::RenamedTo(new) => {
            let location = uri.to_string().replacen(id, new, 1);
            Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header(header::LOCATION, location)
                .body(Body::empty())
                .unwrap()
        }
        RepoFault::RateLimited { times, retry_after }
            if within(state, format!("{id}#429"), *times) =>
        {
            let mut r = status(StatusCode::TOO_MANY_REQUESTS, "rate limited");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            r
        }
        RepoFault::ServerError { times } if within(state, format!("{id}#500"), *times) => {
            status(StatusCode::INTERNAL_SERVER_ERROR, "bad day")
        }
        _ => return None,
    })
}

fn children(state: &State, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let query: HashMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%3A", ":").replace("%2F", "/")))
        .collect();
    let Some(parent) = query
        .get("filter")
        .and_then(|f| f.strip_prefix("base_model:"))
    else {
        return status(StatusCode::BAD_REQUEST, "only filter=base_model: is faked");
    };
    let parent = parent
        .split_once(':')
        .filter(|(r, _)| !r.contains('/'))
        .map_or(parent, |(_, p)| p);
    let all = state.children.get(parent).cloned().unwrap_or_default();
    let limit = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(state.faults.page_size)
        .min(state.faults.page_size);
    let cursor: usize = query
        .get("cursor")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let page: Vec<serde_json::Value> = all
        .iter()
        .skip(cursor)
        .take(limit)
        .map(|id| serde_json::json!({"_id": id, "id": id, "modelId": id}))
        .collect();
    let body = serde_json::to_vec(&page).unwrap();
    let mut response = with_body(state, method, headers, body, None);
    if cursor + limit < all.len() {
        let base = state.base.lock().unwrap().clone();
        let next = format!(
            "<{base}/api/models?filter=base_model:{parent}&limit={limit}&cursor={}>; rel=\"next\"",
            cursor + limit
        );
        response
            .headers_mut()
            .insert(header::LINK, HeaderValue::from_str(&next).unwrap());
    }
    response
}

/// The discussions API: list, read one, open one, comment. Writes need a token (any token is
/// someone; the accepted token is "pedigree-bot").
fn discussions(
    state: &State,
    method: &Method,
    id: &str,
    rest: &[&str],
    headers: &HeaderMap,
    body: &[u8],
    authorised: bool,
) -> Response {
    let json = |value: serde_json::Value| {
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(value.to_string()))
            .unwrap()
    };
    if !state.root.join(id).join("info.json").is_file() {
        return status(StatusCode::NOT_FOUND, "Repository not found");
    }
    let author = if authorised {
        "pedigree-bot"
    } else {
        "someone"
    };
    let mut all = state.stats.discussions.lock().unwrap();
    let list = all.entry(id.to_string()).or_default();
    match (method.as_str(), rest) {
        ("GET", []) => {
            let items: Vec<_> = list
                .iter()
                .rev()
                .map(|d| serde_json::json!({"num": d.num, "title": d.title, "status": "open", "isPullRequest": false,
                                            "author": {"name": d.author}, "createdAt": "2026-01-01T00:00:00.000Z"}))
                .collect();
            json(serde_json::json!({"count": items.len(), "start": 0, "discussions": items}))
        }
        ("GET", [num]) => match list.iter().find(|d| d.num.to_string() == *num) {
            Some(d) => {
                let events: Vec<_> = d
                    .comments
                    .iter()
                    .map(|c| {
                        serde_json::json!({"type": "comment", "author": {"name": d.author},
                                                "data": {"latest": {"raw": c}}})
                    })
                    .collect();
                json(
                    serde_json::json!({"num": d.num, "title": d.title, "status": "open", "events": events}),
                )
            }
            None => status(StatusCode::NOT_FOUND, "Discussion not found"),
        },
        ("POST", rest) if headers.get(header::AUTHORIZATION).is_none() => {
            let _ = rest;
            status(
                StatusCode::UNAUTHORIZED,
                "Invalid credentials in Authorization header",
            )
        }
        ("POST", []) => {
            state.stats.writes.fetch_add(1, Ordering::SeqCst);
            let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let num = list.len() as u64 + 1;
            list.push(Discussion {
                num,
                title: request["title"].as_str().unwrap_or("").to_string(),
                author: author.to_string(),
                comments: vec![request["description"].as_str().unwrap_or("").to_string()],
            });
            json(
                serde_json::json!({"num": num, "url": {"web": format!("https://hub/{id}/discussions/{num}")}}),
            )
        }
        ("POST", [num, "comment"]) => {
            state.stats.writes.fetch_add(1, Ordering::SeqCst);
            let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            match list.iter_mut().find(|d| d.num.to_string() == *num) {
                Some(d) => {
                    d.comments
                        .push(request["comment"].as_str().unwrap_or("").to_string());
                    json(serde_json::json!({"newMessage": {"id": "m"}}))
                }
                None => status(StatusCode::NOT_FOUND, "Discussion not found"),
            }
        }
        _ => status(StatusCode::NOT_FOUND, "no such discussion route"),
    }
}
