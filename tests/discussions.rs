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
