//! Hub discussions on offending models: one discussion per model, opened once, then commented
//! on only when its findings change, never duplicated. A dry run (the default) reads what is
//! there and says what it would post; posting needs `--post` and a token. Writes are spaced by
//! a minimum interval, to stay polite to the Hub.

use super::{Posted, marker};
use crate::source::hub::Token;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

pub const TITLE_PREFIX: &str = "License compliance:";

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

pub struct HubDiscussions {
    http: reqwest::Client,
    endpoint: String,
    interval: Duration,
    last_write: Mutex<Option<Instant>>,
}

#[derive(Deserialize)]
struct Listing {
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

/// The marker that closes every post: the fingerprints of the findings it reports.
fn findings_marker(fingerprints: &[String]) -> String {
    let mut sorted = fingerprints.to_vec();
    sorted.sort();
    marker("findings", &sorted.join(","))
}

impl HubDiscussions {
    pub fn new(
        endpoint: &str,
        token: Option<&Token>,
        interval: Duration,
    ) -> Result<HubDiscussions, HubPostError> {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    HubPostError("HF_TOKEN holds characters a header cannot carry".into())
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("pedigree/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| HubPostError(e.to_string()))?;
        Ok(HubDiscussions {
            http,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            interval,
            last_write: Mutex::new(None),
        })
    }

    /// Sends a request; an answer other than 2xx is an error naming the URL and the status.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, HubPostError> {
        let response = request
            .send()
            .await
            .map_err(|e| HubPostError(format!("{url}: {}", e.without_url())))?;
        if !response.status().is_success() {
            return Err(HubPostError(format!(
                "{url}: the Hub answered {}",
                response.status()
            )));
        }
        Ok(response)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, HubPostError> {
        let response = self.send(self.http.get(url), url).await?;
        response
            .json()
            .await
            .map_err(|e| HubPostError(format!("{url}: {}", e.without_url())))
    }

    /// What posting these findings on `model` would do, from the discussions already there.
    pub async fn plan(&self, model: &str, fingerprints: &[String]) -> Result<Plan, HubPostError> {
        let wanted = findings_marker(fingerprints);
        let listing: Listing = self
            .get_json(&format!("{}/api/models/{model}/discussions", self.endpoint))
            .await?;
        for listed in listing.discussions {
            if !listed.title.starts_with(TITLE_PREFIX)
                || listed.is_pull_request
                || listed.status == "closed"
            {
                continue;
            }
            let thread: Thread = self
                .get_json(&format!(
                    "{}/api/models/{model}/discussions/{}",
                    self.endpoint, listed.num
                ))
                .await?;
            // Our latest post in the thread says which findings were last reported.
            let ours: Vec<&str> = thread
                .events
                .iter()
                .filter_map(|e| e["data"]["latest"]["raw"].as_str())
                .filter(|raw| raw.contains("<!-- pedigree:findings:"))
                .collect();
            if let Some(latest) = ours.last() {
                return Ok(if latest.contains(&wanted) {
                    Plan::Nothing
                } else {
                    Plan::Comment(listed.num)
                });
            }
        }
        Ok(Plan::Open)
    }

    /// Carries out a plan. The body gets the findings marker appended.
    pub async fn post(
        &self,
        model: &str,
        plan: &Plan,
        title: &str,
        body: &str,
        fingerprints: &[String],
    ) -> Result<Posted, HubPostError> {
        let text = format!("{body}\n{}", findings_marker(fingerprints));
        let (url, payload) = match plan {
            Plan::Nothing => return Ok(Posted::Unchanged),
            Plan::Open => (
                format!("{}/api/models/{model}/discussions", self.endpoint),
                serde_json::json!({"title": title, "description": text, "pullRequest": false}),
            ),
            Plan::Comment(num) => (
                format!(
                    "{}/api/models/{model}/discussions/{num}/comment",
                    self.endpoint
                ),
                serde_json::json!({"comment": text}),
            ),
        };
        self.wait_turn().await;
        self.send(self.http.post(&url).json(&payload), &url).await?;
        Ok(if matches!(plan, Plan::Open) {
            Posted::Created
        } else {
            Posted::Updated
        })
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
