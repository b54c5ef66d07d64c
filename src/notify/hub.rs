//! Hub discussions on offending models: one discussion per model, opened once, then commented
//! on only when its findings change, never duplicated. A dry run (the default) reads what is
//! there and says what it would post; posting needs `--post` and a token.
//!
//! Whether a thread of ours exists is decided from every page of the model's discussions
//! (filtered to discussions by the token's owner where the Hub can tell who that is), read with
//! retries; when it cannot be decided, nothing is posted on that model. A POST is never re-sent
//! blindly: after a failure the discussions are read again, and the post is sent again only if
//! it did not land. Writes are spaced by a minimum interval, to stay polite to the Hub.

use super::{Posted, marker};
use crate::source::SourceError;
use crate::source::hub::http::Caching;
use crate::source::hub::{HubHttp, HubOptions};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};
use tokio::time::Instant;

pub const TITLE_PREFIX: &str = "License compliance:";

/// Pages of one model's discussions read at most (the Hub pages by 50: 10,000 discussions).
const MAX_PAGES: usize = 200;
/// Tries of one post, each after checking that the one before did not land.
const POST_TRIES: u32 = 3;
/// Discussion pages and threads are small.
const MAX_BYTES: u64 = 8 << 20;

/// What a post to one model's discussions would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    Open,
    Comment(u64),
    /// The latest post already lists exactly these findings.
    Nothing,
}

#[derive(Debug, thiserror::Error)]
#[error("Hub discussions: {0}")]
pub struct HubPostError(String);

impl From<SourceError> for HubPostError {
    fn from(e: SourceError) -> Self {
        HubPostError(e.to_string())
    }
}

pub struct HubDiscussions {
    http: HubHttp,
    interval: Duration,
    last_write: Mutex<Option<Instant>>,
    /// The token owner's name, once asked (`None`: no token, or the Hub would not say).
    me: OnceCell<Option<String>>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    count: usize,
    #[serde(default)]
    start: usize,
    #[serde(default)]
    discussions: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    num: u64,
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "isPullRequest")]
    is_pull_request: bool,
}

#[derive(Deserialize)]
struct Thread {
    #[serde(default)]
    events: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WhoAmI {
    name: String,
}

/// The marker that closes every post: the fingerprints of the findings it reports.
fn findings_marker(fingerprints: &[String]) -> String {
    let mut sorted = fingerprints.to_vec();
    sorted.sort();
    marker("findings", &sorted.join(","))
}

impl HubDiscussions {
    /// A client for the discussions API, bounded, paced and authorised like the Hub client.
    pub fn new(options: &HubOptions, interval: Duration) -> Result<HubDiscussions, HubPostError> {
        Ok(HubDiscussions {
            http: HubHttp::new(options)?,
            interval,
            last_write: Mutex::new(None),
            me: OnceCell::new(),
        })
    }

    fn discussions_url(&self, model: &str, more: &[&str]) -> reqwest::Url {
        let mut segments = vec!["api", "models"];
        segments.extend(model.split('/'));
        segments.push("discussions");
        segments.extend(more);
        self.http.url(&segments)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
        what: &str,
    ) -> Result<T, HubPostError> {
        let fetched = self.http.get(url, what, Caching::Never, MAX_BYTES).await?;
        serde_json::from_slice(&fetched.body).map_err(|e| HubPostError(format!("{what}: {e}")))
    }

    /// Who the token belongs to: our threads are the ones this account opened.
    async fn me(&self) -> Option<&str> {
        self.me
            .get_or_init(|| async {
                if !self.http.has_token() {
                    return None;
                }
                let url = self.http.url(&["api", "whoami-v2"]);
                match self.get_json::<WhoAmI>(url, "the token's account").await {
                    Ok(me) => Some(me.name),
                    Err(e) => {
                        tracing::debug!("{e}; discussions are read without an author filter");
                        None
                    }
                }
            })
            .await
            .as_deref()
    }

    /// Every discussion (not pull request) on the model, newest first, by us when we know who we
    /// are: all pages.
    async fn threads(&self, model: &str) -> Result<Vec<Listed>, HubPostError> {
        let me = self.me().await.map(str::to_string);
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let mut url = self.discussions_url(model, &[]);
            {
                let mut query = url.query_pairs_mut();
                query.append_pair("p", &page.to_string());
                query.append_pair("type", "discussion");
                if let Some(me) = &me {
                    query.append_pair("author", me);
                }
            }
            let what = format!("discussions of {model} (page {})", page + 1);
            let listing: Page = self.get_json(url, &what).await?;
            let got = listing.discussions.len();
            out.extend(listing.discussions);
            if got == 0 || listing.start + got >= listing.count {
                return Ok(out);
            }
        }
        Err(HubPostError(format!(
            "{model} has more than {MAX_PAGES} pages of discussions; not read to the end"
        )))
    }

    /// What posting these findings on `model` would do, from the discussions already there.
    pub async fn plan(&self, model: &str, fingerprints: &[String]) -> Result<Plan, HubPostError> {
        let wanted = findings_marker(fingerprints);
        let me = self.me().await.map(str::to_string);
        for listed in self.threads(model).await? {
            if !listed.title.starts_with(TITLE_PREFIX) || listed.is_pull_request {
                continue;
            }
            let what = format!("discussion #{} of {model}", listed.num);
            let num = listed.num.to_string();
            let thread: Thread = self
                .get_json(self.discussions_url(model, &[&num]), &what)
                .await?;
            // Our latest post in the thread says which findings were last reported.
            let ours: Vec<&str> = thread
                .events
                .iter()
                .filter(|e| {
                    me.as_deref()
                        .is_none_or(|me| e["author"]["name"].as_str() == Some(me))
                })
                .filter_map(|e| e["data"]["latest"]["raw"].as_str())
                .filter(|raw| raw.contains("<!-- pedigree:findings:"))
                .collect();
            if let Some(latest) = ours.last() {
                return Ok(if latest.contains(&wanted) {
                    // Reported already; a maintainer who closed the thread is not asked again.
                    Plan::Nothing
                } else if listed.status == "closed" {
                    // New findings after the thread was closed: a new thread says them.
                    Plan::Open
                } else {
                    Plan::Comment(listed.num)
                });
            }
        }
        Ok(Plan::Open)
    }

    /// Carries out a plan. The body gets the findings marker appended. A failed post is sent
    /// again only after the discussions show it did not land.
    pub async fn post(
        &self,
        model: &str,
        plan: &Plan,
        title: &str,
        body: &str,
        fingerprints: &[String],
    ) -> Result<Posted, HubPostError> {
        let text = format!("{body}\n{}", findings_marker(fingerprints));
        let mut plan = plan.clone();
        let mut tries = 0;
        loop {
            let (url, payload, done) = match &plan {
                Plan::Nothing => return Ok(Posted::Unchanged),
                Plan::Open => (
                    self.discussions_url(model, &[]),
                    serde_json::json!({"title": title, "description": text, "pullRequest": false}),
                    Posted::Created,
                ),
                Plan::Comment(num) => (
                    self.discussions_url(model, &[&num.to_string(), "comment"]),
                    serde_json::json!({"comment": text}),
                    Posted::Updated,
                ),
            };
            self.wait_turn().await;
            tries += 1;
            let what = format!("posting on {model}");
            match self.http.post_json(url, &payload, &what).await {
                Ok(_) => return Ok(done),
                Err(e) if e.is_transport() && tries < POST_TRIES => {
                    tracing::warn!("{e}; checking whether it landed before trying again");
                    tokio::time::sleep(self.interval.max(Duration::from_secs(1))).await;
                    plan = match self.plan(model, fingerprints).await {
                        // It landed: the discussions now show these findings.
                        Ok(Plan::Nothing) => return Ok(done),
                        Ok(again) => again,
                        Err(check) => {
                            return Err(HubPostError(format!(
                                "{e}; whether it landed could not be checked ({check}), so it was not sent again"
                            )));
                        }
                    };
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Spaces writes by the interval.
    async fn wait_turn(&self) {
        let mut last = self.last_write.lock().await;
        if let Some(at) = *last {
            let next = at + self.interval;
            if next > Instant::now() {
                tokio::time::sleep_until(next).await;
            }
        }
        *last = Some(Instant::now());
    }
}
