//! GitHub delivery through octocrab, against a local mock of the REST API that asserts which
//! requests are made: a sticky comment is created once, edited when findings change, and left
//! alone when nothing changed; a family's tracking issue likewise.

mod common;

use common::github_api::{comment, issue, last_body};
use common::repo_root;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ghp_test-token-not-a-real-one-0123";

/// pedigree run from the repo root, with a GitHub context (token, repository, API) on `server`.
fn pedigree_on(server: &MockServer) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"));
    command
        .current_dir(repo_root())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", server.uri());
    command
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
    let out = pedigree_on(server)
        .args(args)
        .args([
            "--mirror",
            "examples/mirror",
            "--notify",
            "github",
            "--fail-on",
            "never",
        ])
        .env("PEDIGREE_LOG", "debug")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
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
    let out = pedigree_on(&server)
        .args([
            "audit",
            "microsoft/phi-2",
            "--mirror",
            "examples/mirror",
            "--notify",
            "github",
        ])
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

/// A mock GitHub on which pull request 5 has no comments yet.
async fn pull_request_without_comments() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues/5/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    server
}

/// A fork's pull request runs with a read-only token: GitHub answers the write with 403.
fn read_only() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(json!({
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_token_is_a_warning_and_everything_else_is_written() {
    let server = pull_request_without_comments().await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues/5/comments"))
        .respond_with(read_only())
        .expect(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (output, summary, sarif) = (
        dir.path().join("output"),
        dir.path().join("summary.md"),
        dir.path().join("pedigree.sarif"),
    );
    // One model with an error, one clean: the exit code follows the findings alone.
    for (model, code) in [
        ("acme-support/llama2-7b-helpdesk", 1),
        ("tinytools/phi-2-summarizer", 0),
    ] {
        for file in [&output, &summary, &sarif] {
            let _ = std::fs::remove_file(file);
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
            .args(["audit", model, "--mirror", "examples/mirror", "--pr", "5"])
            .args(["--notify", "github", "--format", "github"])
            .args(["--also", &format!("sarif={}", sarif.display())])
            .current_dir(repo_root())
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", "o/r")
            .env("GITHUB_API_URL", server.uri())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{model}: {stderr}");
        assert!(
            stderr.contains("warning") && stderr.contains("403") && stderr.contains("read-only"),
            "{stderr}"
        );
        assert!(!stderr.contains(TOKEN));
        let outputs = std::fs::read_to_string(&output).unwrap();
        assert!(
            outputs.contains(&format!("errors={code}\n")),
            "{model}: {outputs}"
        );
        assert!(
            std::fs::read_to_string(&summary)
                .unwrap()
                .contains("Pedigree licence audit")
        );
        assert!(
            std::fs::read_to_string(&sarif)
                .unwrap()
                .contains("\"runs\"")
        );
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_refusal_still_fails_the_run_after_the_outputs() {
    let server = pull_request_without_comments().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let out = pedigree_on(&server)
        .args([
            "audit",
            "tinytools/phi-2-summarizer",
            "--mirror",
            "examples/mirror",
        ])
        .args(["--pr", "5", "--notify", "github"])
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        std::fs::read_to_string(&output)
            .unwrap()
            .contains("errors=0\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_family_issue_stays_within_githubs_limit() {
    let Some(mirror) = common::shared_mirror() else {
        return;
    };
    let family = "meta-llama/Llama-2-7b-chat-hf";
    let full = common::pedigree(
        &[
            "family",
            family,
            "--mirror",
            mirror.to_str().unwrap(),
            "--format",
            "markdown",
            "-q",
        ],
        &repo_root(),
    )
    .stdout
    .chars()
    .count();
    assert!(
        full > 65_536,
        "the full report fits anyway ({full}): the test shows nothing"
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues"))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue(4, "t", "x")))
        .expect(1)
        .mount(&server)
        .await;
    let out = pedigree_on(&server)
        .args(["family", family, "--mirror", mirror.to_str().unwrap(), "-q"])
        .args([
            "--notify",
            "github",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "4242")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = last_body(&server).await;
    let chars = body.chars().count();
    println!("Llama 2 family: full Markdown report {full} characters, tracking issue {chars}");
    assert!(chars <= 65_536, "{chars}");
    // The counts, per rule.
    let errors = report["summary"]["errors"].as_u64().unwrap();
    assert!(errors > 0);
    assert!(
        body.contains(&format!("{} errors", errors)),
        "{}",
        &body[..500]
    );
    assert!(body.contains("| rule | errors | warnings | notes |"));
    // Errors first: every error of the family is listed before the first warning.
    let first_warning = body.find("| warning | `").unwrap();
    assert_eq!(
        body[..first_warning].matches("| error | `").count() as u64,
        errors
    );
    // What is left out is said, with the link to the run that holds the full report.
    assert!(
        body.contains("The full report: https://github.com/o/r/actions/runs/4242"),
        "{}",
        &body[body.len() - 600..]
    );
    server.verify().await;
}
