//! GitHub delivery through octocrab, against a local mock of the REST API that asserts which
//! requests are made: a sticky comment is created once, edited when findings change, and left
//! alone when nothing changed; a family's tracking issue likewise.

mod common;

use common::repo_root;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ghp_test-token-not-a-real-one-0123";

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

fn comment(id: u64, body: &str) -> Value {
    let url = format!("https://api.github.com/repos/o/r/issues/comments/{id}");
    json!({"id": id, "node_id": "C", "url": url, "html_url": "https://github.com/o/r/pull/5", "body": body,
           "user": author(), "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
}

fn issue(number: u64, title: &str, body: &str) -> Value {
    let url = format!("https://api.github.com/repos/o/r/issues/{number}");
    json!({"id": number, "node_id": "I", "url": url, "repository_url": "https://api.github.com/repos/o/r",
           "labels_url": url, "comments_url": url, "events_url": url, "html_url": "https://github.com/o/r/issues/1",
           "number": number, "state": "open", "state_reason": null, "title": title, "body": body, "user": author(),
           "labels": [], "assignee": null, "assignees": [], "milestone": null, "locked": false,
           "active_lock_reason": null, "comments": 0, "created_at": "2026-01-01T00:00:00Z",
           "updated_at": "2026-01-01T00:00:00Z", "closed_at": null, "author_association": "OWNER"})
}

/// Fails the test (at `verify`) if a request of this method arrives: for runs that must write nothing.
async fn forbid(server: &MockServer, verb: &str) {
    Mock::given(method(verb))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

/// Runs pedigree with `--notify github` against the mock; returns (exit code, stdout+stderr).
fn notify(server: &MockServer, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args(args)
        .args([
            "--mirror",
            "examples/mirror",
            "--notify",
            "github",
            "--fail-on",
            "never",
        ])
        .current_dir(repo_root())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", server.uri())
        .env("PEDIGREE_LOG", "debug")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// The body pedigree posted in the last POST/PATCH the mock received.
async fn last_body(server: &MockServer) -> String {
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

#[tokio::test(flavor = "multi_thread")]
async fn sticky_comment_is_created_then_left_alone_then_edited() {
    let server = MockServer::start().await;
    let list = || Mock::given(method("GET")).and(path("/repos/o/r/issues/5/comments"));
    // First run: no comment of ours yet, so one is created.
    list()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment(1, "someone else")])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues/5/comments"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_string_contains(
            "<!-- pedigree:sticky-comment:audit -->",
        ))
        .and(body_string_contains("license-drift"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(7, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let (code, out) = notify(
        &server,
        &["audit", "acme-support/llama2-7b-helpdesk", "--pr", "5"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("comment on pull request #5: created"), "{out}");
    assert!(!out.contains(TOKEN), "the token leaked: {out}");
    let posted = last_body(&server).await;
    assert!(!posted.contains(TOKEN), "the token reached the comment");
    server.verify().await;

    // Second run, same findings: the comment is found and nothing is written.
    server.reset().await;
    list()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([comment(1, "someone else"), comment(7, &posted)])),
        )
        .expect(1)
        .mount(&server)
        .await;
    forbid(&server, "POST").await;
    forbid(&server, "PATCH").await;
    let (code, out) = notify(
        &server,
        &["audit", "acme-support/llama2-7b-helpdesk", "--pr", "5"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged, nothing posted"), "{out}");
    server.verify().await;

    // Third run, other findings: the same comment is edited in place.
    server.reset().await;
    list()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([comment(7, &posted)])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/o/r/issues/comments/7"))
        .and(body_string_contains(
            "<!-- pedigree:sticky-comment:audit -->",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(7, "y")))
        .expect(1)
        .mount(&server)
        .await;
    forbid(&server, "POST").await;
    let (code, out) = notify(
        &server,
        &["audit", "sqlcraft/gemma-2b-sql-lora", "--pr", "5"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("updated"), "{out}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pull_request_is_read_from_the_actions_event() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues/42/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(9, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request": {"number": 42}}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args([
            "audit",
            "microsoft/phi-2",
            "--mirror",
            "examples/mirror",
            "--notify",
            "github",
        ])
        .current_dir(repo_root())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_EVENT_PATH", &event)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_family_keeps_one_tracking_issue() {
    let server = MockServer::start().await;
    let title = "License compliance: google/gemma-2b";
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues"))
        .and(query_param("labels", "pedigree"))
        .and(query_param("state", "open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([issue(
            3,
            "unrelated",
            "<!-- pedigree:family:other/root -->"
        )])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues"))
        .and(body_string_contains(title))
        .and(body_string_contains(
            "<!-- pedigree:family:google/gemma-2b -->",
        ))
        .and(body_string_contains("\"pedigree\""))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue(4, title, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let (code, out) = notify(&server, &["family", "google/gemma-2b"]);
    assert_eq!(code, 0, "{out}");
    let posted = last_body(&server).await;
    server.verify().await;

    // Next night, nothing new: nothing written.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([issue(4, title, &posted)])))
        .expect(1)
        .mount(&server)
        .await;
    forbid(&server, "POST").await;
    forbid(&server, "PATCH").await;
    let (code, out) = notify(&server, &["family", "google/gemma-2b"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    server.verify().await;
}

#[test]
fn missing_credentials_are_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args([
            "audit",
            "microsoft/phi-2",
            "--mirror",
            "examples/mirror",
            "--notify",
            "github",
            "--pr",
            "1",
        ])
        .current_dir(repo_root())
        .env_remove("GITHUB_TOKEN")
        .env("GITHUB_REPOSITORY", "o/r")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GITHUB_TOKEN"));
}
