//! Bodies the GitHub REST API answers with, as octocrab reads them: for mocks of it.

use serde_json::{Value, json};
use wiremock::MockServer;

fn author() -> Value {
    let u = "https://api.github.com/users/pedigree-bot";
    json!({
        "login": "pedigree-bot", "id": 1, "node_id": "U_1", "avatar_url": "https://example.org/a.png",
        "gravatar_id": "", "url": u, "html_url": "https://github.com/pedigree-bot", "followers_url": u,
        "following_url": u, "gists_url": u, "starred_url": u, "subscriptions_url": u,
        "organizations_url": u, "repos_url": u, "events_url": u, "received_events_url": u,
        "type": "Bot", "site_admin": false
    })
}

pub fn comment(id: u64, body: &str) -> Value {
    let url = format!("https://api.github.com/repos/o/r/issues/comments/{id}");
    json!({"id": id, "node_id": "C", "url": url, "html_url": "https://github.com/o/r/pull/5", "body": body,
           "user": author(), "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
}

pub fn issue(number: u64, title: &str, body: &str) -> Value {
    let url = format!("https://api.github.com/repos/o/r/issues/{number}");
    json!({"id": number, "node_id": "I", "url": url, "repository_url": "https://api.github.com/repos/o/r",
           "labels_url": url, "comments_url": url, "events_url": url, "html_url": "https://github.com/o/r/issues/1",
           "number": number, "state": "open", "state_reason": null, "title": title, "body": body, "user": author(),
           "labels": [], "assignee": null, "assignees": [], "milestone": null, "locked": false,
           "active_lock_reason": null, "comments": 0, "created_at": "2026-01-01T00:00:00Z",
           "updated_at": "2026-01-01T00:00:00Z", "closed_at": null, "author_association": "OWNER"})
}

/// The body pedigree sent in the last write (POST, PATCH) the mock received.
pub async fn last_body(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    let last = requests
        .iter()
        .rev()
        .find(|r| r.method.as_str() != "GET")
        .expect("a write");
    serde_json::from_slice::<Value>(&last.body).unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string()
}
