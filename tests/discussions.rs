//! Hub discussions on offending models, against the fake Hub's recording discussions API: a dry
//! run by default, one discussion per model, comments only when findings change, no duplicates.

mod common;

use common::fake_hub::{Discussion, FakeHub, Faults};
use common::{Fixture, model};
use std::sync::atomic::Ordering;

const TOKEN: &str = "hf_posting-token-not-real-0123";

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    f.add(model(
        "a/drift",
        "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model(
        "b/drift",
        "license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model(
        "c/only-warnings",
        "base_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f
}

fn run(hub: &FakeHub, f: &Fixture, extra: &[&str], token: Option<&str>) -> common::Run {
    let mut args = vec![
        "family",
        "meta-llama/Llama-2-7b-hf",
        "--endpoint",
        hub.url.as_str(),
        "--no-cache",
        "--notify",
        "hub",
        "--fail-on",
        "never",
    ];
    if !extra.contains(&"--post-interval") {
        args.extend(["--post-interval", "0"]);
    }
    args.extend(extra);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"));
    command
        .args(&args)
        .current_dir(f.path())
        .env_remove("HF_TOKEN")
        .env("HF_HOME", f.path().join("no-hf-home"));
    if let Some(t) = token {
        command.env("HF_TOKEN", t);
    }
    let out = command.output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn threads(hub: &FakeHub, id: &str) -> Vec<Discussion> {
    hub.stats
        .discussions
        .lock()
        .unwrap()
        .get(id)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_dry_run_posts_nothing_and_says_what_it_would() {
    let f = fixture();
    let hub = FakeHub::start(f.path(), Faults::default());
    let out = run(&hub, &f, &[], Some(TOKEN));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("dry run: would open a discussion \"License compliance:"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("a/drift") && out.stderr.contains("b/drift"));
    assert!(
        !out.stderr.contains("c/only-warnings"),
        "only error findings are posted"
    );
    assert!(
        out.stderr.contains("§1.b.i") && out.stderr.contains("How to fix"),
        "{}",
        out.stderr
    );
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 0);
    assert!(!out.stderr.contains(TOKEN) && !out.stdout.contains(TOKEN));
}

#[test]
fn posting_needs_a_token() {
    let f = fixture();
    let hub = FakeHub::start(f.path(), Faults::default());
    let out = run(&hub, &f, &["--post"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("needs a Hub token"), "{}", out.stderr);
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 0);
}

#[test]
fn one_discussion_per_model_then_nothing_then_a_comment_when_findings_change() {
    let f = fixture();
    // A human's discussion with the same title prefix is not ours and is left alone.
    let hub = FakeHub::start(
        f.path(),
        Faults {
            accepted_token: Some(TOKEN.into()),
            ..Faults::default()
        },
    );
    hub.stats.discussions.lock().unwrap().insert(
        "a/drift".into(),
        vec![Discussion {
            num: 1,
            title: "License compliance: is MIT right?".into(),
            author: "someone".into(),
            comments: vec!["Just asking".into()],
            ..Discussion::default()
        }],
    );
    let first = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(
        hub.stats.writes.load(Ordering::SeqCst),
        2,
        "{}",
        first.stderr
    );
    let a = threads(&hub, "a/drift");
    assert_eq!(a.len(), 2);
    let ours = &a[1];
    assert!(ours.title.starts_with("License compliance:"));
    assert_eq!(ours.author, "pedigree-bot");
    assert!(
        ours.comments[0].contains("`license-drift`")
            && ours.comments[0].contains("<!-- pedigree:findings:")
    );
    assert!(!ours.comments[0].contains(TOKEN));
    assert!(threads(&hub, "c/only-warnings").is_empty());

    // Re-run, nothing changed: nothing posted.
    let second = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        hub.stats.writes.load(Ordering::SeqCst),
        2,
        "a re-run posted again: {}",
        second.stderr
    );
    assert!(second.stderr.contains("nothing to post"));

    // The card changes its licence: a comment on the same discussion, not a new one.
    f.add(model(
        "a/drift",
        "license: cc-by-4.0\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let third = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 3);
    let a = threads(&hub, "a/drift");
    assert_eq!(a.len(), 2, "no duplicate discussion");
    assert_eq!(a[1].comments.len(), 2);
    assert!(a[1].comments[1].contains("cc-by-4.0"));
}

#[test]
fn posts_are_spaced_by_the_interval() {
    let f = fixture();
    let hub = FakeHub::start(f.path(), Faults::default());
    let started = std::time::Instant::now();
    let mut args = vec!["--post"];
    args.extend(["--post-interval", "0.6"]);
    let out = run(&hub, &f, &args, Some(TOKEN));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "two posts less than the interval apart"
    );
}

fn with_token(faults: Faults) -> Faults {
    Faults {
        accepted_token: Some(TOKEN.into()),
        ..faults
    }
}

#[test]
fn a_second_run_on_a_busy_model_posts_nothing() {
    let f = fixture();
    let hub = FakeHub::start(f.path(), with_token(Faults::default()));
    let first = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 2);
    // Then 90 newer threads: some by others with the same title prefix, a pull request, and
    // many by the bot's own account on other subjects, so that ours is on a later page whatever
    // the filters.
    {
        let mut all = hub.stats.discussions.lock().unwrap();
        let list = all.get_mut("a/drift").unwrap();
        for i in 0..90u64 {
            let num = list.len() as u64 + 1;
            let (title, author) = match i % 4 {
                0 => (format!("License compliance: question {i}"), "someone-else"),
                _ => (format!("Unrelated thread {i}"), "pedigree-bot"),
            };
            list.push(Discussion {
                num,
                title,
                author: author.into(),
                comments: vec!["Hello".into()],
                is_pull_request: i == 7,
                status: if i % 5 == 0 {
                    "closed".into()
                } else {
                    String::new()
                },
                ..Discussion::default()
            });
        }
    }
    let second = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        hub.stats.writes.load(Ordering::SeqCst),
        2,
        "a re-run posted a duplicate: {}",
        second.stderr
    );
    assert!(
        second
            .stderr
            .contains("a/drift: the Hub discussion already reports")
    );
    let paged = hub
        .stats
        .paths
        .lock()
        .unwrap()
        .iter()
        .any(|p| p.starts_with("/api/models/a/drift/discussions?p=1"));
    assert!(paged, "the second page was read");
    // A dry run without a token (no author filter) reaches the same conclusion.
    let dry = run(&hub, &f, &[], None);
    assert!(
        dry.stderr
            .contains("a/drift: the Hub discussion already reports"),
        "{}",
        dry.stderr
    );
}

#[test]
fn a_post_whose_answer_is_lost_is_checked_not_sent_again() {
    let f = fixture();
    let hub = FakeHub::start(
        f.path(),
        with_token(Faults {
            lost_post_answers: 1,
            ..Faults::default()
        }),
    );
    let out = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        hub.stats.writes.load(Ordering::SeqCst),
        2,
        "one post per model: {}",
        out.stderr
    );
    assert_eq!(threads(&hub, "a/drift").len(), 1);
    assert_eq!(threads(&hub, "b/drift").len(), 1);
}

#[test]
fn reads_are_retried_and_an_undecidable_model_gets_no_post() {
    let f = fixture();
    let hub = FakeHub::start(
        f.path(),
        with_token(Faults {
            every: vec![common::fake_hub::Every::ServerError { n: 4 }],
            repos: [(
                "b/drift".to_string(),
                common::fake_hub::RepoFault::DiscussionsDown,
            )]
            .into(),
            ..Faults::default()
        }),
    );
    let out = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("b/drift"), "{}", out.stderr);
    assert_eq!(threads(&hub, "a/drift").len(), 1, "{}", out.stderr);
    assert!(
        threads(&hub, "b/drift").is_empty(),
        "posted without knowing"
    );
}

#[test]
fn a_closed_thread_is_not_reopened_for_the_same_findings() {
    let f = fixture();
    let hub = FakeHub::start(f.path(), with_token(Faults::default()));
    assert_eq!(run(&hub, &f, &["--post"], Some(TOKEN)).code, 0);
    hub.stats
        .discussions
        .lock()
        .unwrap()
        .get_mut("a/drift")
        .unwrap()[0]
        .status = "closed".into();
    let again = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(hub.stats.writes.load(Ordering::SeqCst), 2);
    // New findings after the close: a new thread says them.
    f.add(model(
        "a/drift",
        "license: cc-by-4.0\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let changed = run(&hub, &f, &["--post"], Some(TOKEN));
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let a = threads(&hub, "a/drift");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].comments.len(), 1, "the closed thread was left alone");
}
