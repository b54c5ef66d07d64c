//! GitHub through octocrab: a sticky pull-request comment, created once and then edited in
//! place, and one tracking issue per audited family, updated rather than duplicated. Both are
//! found again by a hidden marker, and both are kept within GitHub's size limits.

use super::{Posted, marker};
use octocrab::Octocrab;
use octocrab::models::issues::{Comment, Issue};
use octocrab::params::State;

/// Comment and issue pages read at most (100 per page) when looking for our own post.
const MAX_PAGES: u32 = 20;

/// GitHub refuses an issue or comment body longer than this many characters.
pub const BODY_LIMIT: usize = 65_536;

/// GitHub refuses an issue title longer than this many characters.
const TITLE_LIMIT: usize = 256;

/// Label on tracking issues, so they can be listed without reading every issue.
pub const LABEL: &str = "pedigree";

pub struct GithubNotifier {
    crab: Octocrab,
    owner: String,
    repo: String,
}

#[derive(Debug, thiserror::Error)]
#[error("GitHub: {message}")]
pub struct GithubError {
    message: String,
    /// The HTTP status GitHub answered with, when it answered.
    status: Option<u16>,
}

impl GithubError {
    fn new(message: String) -> GithubError {
        GithubError {
            message,
            status: None,
        }
    }

    /// GitHub refused the write: the token may read but not post (a fork's pull request runs
    /// with a read-only token), or the rate limit for writes was hit.
    pub fn is_forbidden(&self) -> bool {
        self.status == Some(403)
    }
}

fn describe(e: octocrab::Error) -> GithubError {
    match e {
        octocrab::Error::GitHub { source, .. } => GithubError {
            message: format!("{} ({})", source.message, source.status_code),
            status: Some(source.status_code.as_u16()),
        },
        other => GithubError::new(other.to_string()),
    }
}

/// `marker`, a line break and `body`, cut at a line so that the whole stays within GitHub's
/// limit (counted in bytes, which are never fewer than characters). Renderers aim below it; this
/// only guards against a body that missed.
fn post_body(marker: &str, body: &str) -> String {
    const CUT: &str = "\n\n*(cut to GitHub's size limit)*\n";
    let room = BODY_LIMIT.saturating_sub(marker.len() + 1);
    if body.len() <= room {
        return format!("{marker}\n{body}");
    }
    let mut end = room.saturating_sub(CUT.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let end = body[..end].rfind('\n').unwrap_or(end);
    format!("{marker}\n{}{CUT}", &body[..end])
}

/// The title, cut to GitHub's limit on a character boundary.
fn post_title(title: &str) -> String {
    match title.char_indices().nth(TITLE_LIMIT - 1) {
        Some((i, _)) => format!("{}…", &title[..i]),
        None => title.to_string(),
    }
}

impl GithubNotifier {
    /// `api`: the REST API root (`GITHUB_API_URL`); `repository`: `owner/name`.
    pub fn new(api: &str, token: &str, repository: &str) -> Result<GithubNotifier, GithubError> {
        let (owner, repo) = repository
            .split_once('/')
            .filter(|(o, r)| !o.is_empty() && !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| GithubError::new(format!("`{repository}` is not owner/name")))?;
        let crab = Octocrab::builder()
            .base_uri(api)
            .map_err(|e| GithubError::new(format!("GITHUB_API_URL `{api}`: {e}")))?
            .personal_token(token.to_string())
            .build()
            .map_err(describe)?;
        Ok(GithubNotifier {
            crab,
            owner: owner.to_string(),
            repo: repo.to_string(),
        })
    }

    /// Posts `body` as the sticky comment of pull request `number`, or edits it in place.
    pub async fn sticky_comment(&self, number: u64, body: &str) -> Result<Posted, GithubError> {
        let mark = marker("sticky-comment", "audit");
        let body = post_body(&mark, body);
        let issues = self.crab.issues(&self.owner, &self.repo);
        let mut page = issues
            .list_comments(number)
            .per_page(100)
            .send()
            .await
            .map_err(describe)?;
        let mut mine: Option<Comment> = None;
        for _ in 0..MAX_PAGES {
            if let Some(found) = page
                .items
                .iter()
                .find(|c| c.body.as_deref().is_some_and(|b| b.contains(&mark)))
            {
                mine = Some(found.clone());
                break;
            }
            match self
                .crab
                .get_page::<Comment>(&page.next)
                .await
                .map_err(describe)?
            {
                Some(next) => page = next,
                None => break,
            }
        }
        match mine {
            Some(comment) if comment.body.as_deref() == Some(body.as_str()) => {
                Ok(Posted::Unchanged)
            }
            Some(comment) => {
                // GitHub edits comments with PATCH.
                let route = format!(
                    "/repos/{}/{}/issues/comments/{}",
                    self.owner, self.repo, comment.id
                );
                let _: Comment = self
                    .crab
                    .patch(route, Some(&serde_json::json!({ "body": body })))
                    .await
                    .map_err(describe)?;
                Ok(Posted::Updated)
            }
            None => {
                issues
                    .create_comment(number, &body)
                    .await
                    .map_err(describe)?;
                Ok(Posted::Created)
            }
        }
    }

    /// Keeps one open tracking issue for `family` up to date: created once, then edited.
    pub async fn tracking_issue(
        &self,
        family: &str,
        title: &str,
        body: &str,
    ) -> Result<Posted, GithubError> {
        let mark = marker("family", family);
        let body = post_body(&mark, body);
        let title = post_title(title);
        let title = title.as_str();
        let issues = self.crab.issues(&self.owner, &self.repo);
        let labels = [LABEL.to_string()];
        let mut page = issues
            .list()
            .state(State::Open)
            .labels(&labels)
            .per_page(100)
            .send()
            .await
            .map_err(describe)?;
        let mut mine: Option<Issue> = None;
        for _ in 0..MAX_PAGES {
            if let Some(found) = page
                .items
                .iter()
                .find(|i| i.body.as_deref().is_some_and(|b| b.contains(&mark)))
            {
                mine = Some(found.clone());
                break;
            }
            match self
                .crab
                .get_page::<Issue>(&page.next)
                .await
                .map_err(describe)?
            {
                Some(next) => page = next,
                None => break,
            }
        }
        match mine {
            Some(issue) if issue.body.as_deref() == Some(body.as_str()) && issue.title == title => {
                Ok(Posted::Unchanged)
            }
            Some(issue) => {
                issues
                    .update(issue.number)
                    .title(title)
                    .body(&body)
                    .send()
                    .await
                    .map_err(describe)?;
                Ok(Posted::Updated)
            }
            None => {
                issues
                    .create(title)
                    .body(&body)
                    .labels(labels.to_vec())
                    .send()
                    .await
                    .map_err(describe)?;
                Ok(Posted::Created)
            }
        }
    }
}

/// The page of the GitHub Actions run, whose job summary and artifacts hold the full report.
pub fn run_url_from_env() -> Option<String> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    Some(format!(
        "{}/{}/actions/runs/{}",
        var("GITHUB_SERVER_URL")?.trim_end_matches('/'),
        var("GITHUB_REPOSITORY")?,
        var("GITHUB_RUN_ID")?
    ))
}

/// The pull request a GitHub Actions run is about: `pull_request.number` in the event payload,
/// else `refs/pull/<n>/merge`.
pub fn pull_request_from_env() -> Option<u64> {
    if let Some(path) = std::env::var_os("GITHUB_EVENT_PATH")
        && let Ok(text) = std::fs::read_to_string(path)
        && let Ok(event) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(n) = event["pull_request"]["number"].as_u64()
    {
        return Some(n);
    }
    let reference = std::env::var("GITHUB_REF").ok()?;
    reference
        .strip_prefix("refs/pull/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_past_the_limit_is_cut_at_a_line() {
        let mark = marker("family", "o/m");
        let body = "| row with é |\n".repeat(10_000);
        let posted = post_body(&mark, &body);
        assert!(posted.len() <= BODY_LIMIT, "{}", posted.len());
        assert!(posted.starts_with(&format!("{mark}\n| row")));
        assert!(posted.ends_with("*(cut to GitHub's size limit)*\n"));
        assert!(posted.contains("é |\n\n*(cut"));
        assert_eq!(post_body(&mark, "short"), format!("{mark}\nshort"));
    }

    #[test]
    fn a_long_title_is_cut() {
        let title = "é".repeat(300);
        assert_eq!(post_title(&title).chars().count(), TITLE_LIMIT);
        assert_eq!(
            post_title("License compliance: o/m"),
            "License compliance: o/m"
        );
    }
}
