//! The live Hub source, proven against a fake Hub on 127.0.0.1 that speaks the real API: the
//! real `pedigree` binary and the real reqwest client, with faults injected.

mod common;

use common::fake_hub::{Every, FakeHub, Faults, RepoFault};
use common::{Fixture, Run, model, pedigree, repo_root};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

const SECRET: &str = "hf_test-secret-not-a-real-token-0123";

fn examples() -> std::path::PathBuf {
    repo_root().join("examples/mirror")
}

/// `(model, rule, fingerprint)` of every finding: what "the same findings" means.
fn findings(run: &Run) -> BTreeSet<(String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{}\n{}", run.stdout, run.stderr))
        .iter()
        .map(|f| {
            (
                f["model"].as_str().unwrap().into(),
                f["rule"].as_str().unwrap().into(),
                f["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn via_hub(hub: &FakeHub, args: &[&str], extra: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--endpoint",
        hub.url.as_str(),
        "--no-cache",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    all.extend(extra);
    pedigree(&all, &repo_root())
}

fn via_mirror(mirror: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    let m = mirror.to_str().unwrap();
    all.extend(["--mirror", m, "--format", "json", "--fail-on", "never"]);
    pedigree(&all, &repo_root())
}

const ROOTS: &[&str] = &[
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Meta-Llama-3-8B",
    "google/gemma-2b",
    "stabilityai/stable-diffusion-2-1",
    "microsoft/phi-2",
];

#[test]
fn hub_runs_equal_mirror_runs() {
    let hub = FakeHub::start(&examples(), Faults::default());
    for root in ROOTS {
        let a = via_mirror(&examples(), &["family", root]);
        let b = via_hub(&hub, &["family", root], &[]);
        assert_eq!(findings(&a), findings(&b), "family {root}\n{}", b.stderr);
        assert_eq!(a.json()["models"], b.json()["models"], "family {root}");
    }
    for id in [
        "acme-support/helpdesk-7b-GGUF",
        "loopy/model-a",
        "internal-ml/support-bot-v2",
        "broken-cards/bad-yaml-7b",
    ] {
        let a = via_mirror(&examples(), &["audit", id]);
        let b = via_hub(&hub, &["audit", id], &[]);
        assert_eq!(findings(&a), findings(&b), "audit {id}\n{}", b.stderr);
    }
}

#[test]
fn each_model_is_fetched_once_and_concurrency_is_bounded() {
    let faults = Faults {
        latency: Duration::from_millis(30),
        ..Faults::default()
    };
    let hub = FakeHub::start(&examples(), faults);
    let run = via_hub(
        &hub,
        &["family", "meta-llama/Llama-2-7b-hf"],
        &["--concurrency", "3"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let paths = hub.stats.paths.lock().unwrap().clone();
    let infos: Vec<&String> = paths
        .iter()
        .filter(|p| p.starts_with("/api/models/"))
        .collect();
    let unique: BTreeSet<&String> = infos.iter().copied().collect();
    assert_eq!(
        infos.len(),
        unique.len(),
        "a model was fetched twice: {infos:?}"
    );
    let max = hub
        .stats
        .max_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(max <= 3, "{max} requests in flight with --concurrency 3");
    assert!(max >= 2, "requests were not made in parallel ({max})");
}

#[test]
fn faults_lose_nothing() {
    let clean = FakeHub::start(&examples(), Faults::default());
    let faults = Faults {
        every: vec![
            Every::TooMany {
                n: 5,
                retry_after: 0,
            },
            Every::ServerError { n: 7 },
            Every::Stall {
                n: 11,
                delay: Duration::from_secs(3),
            },
        ],
        repos: [
            (
                "meta-llama/Llama-2-7b-hf".to_string(),
                RepoFault::RateLimited {
                    times: 2,
                    retry_after: 1,
                },
            ),
            (
                "acme-support/llama2-7b-helpdesk".to_string(),
                RepoFault::ServerError { times: 2 },
            ),
            (
                "acme-support/helpdesk-7b-lora".to_string(),
                RepoFault::Truncated { times: 1 },
            ),
        ]
        .into(),
        ..Faults::default()
    };
    let faulty = FakeHub::start(&examples(), faults);
    for root in ["meta-llama/Llama-2-7b-hf", "google/gemma-2b"] {
        let a = via_hub(&clean, &["family", root], &[]);
        let b = via_hub(&faulty, &["family", root], &["--request-timeout", "1"]);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(findings(&a), findings(&b), "family {root}\n{}", b.stderr);
    }
    assert!(
        faulty.requests() > clean.requests(),
        "faults were injected and retried"
    );
}

#[test]
fn private_missing_and_gated_parents() {
    let f = Fixture::new();
    f.add(model("corp/private-base", "license: apache-2.0\n"));
    f.add(model("corp/gated-base", "license: llama2\n"));
    f.add(model(
        "a/on-private",
        "license: mit\nbase_model: corp/private-base\n",
    ));
    f.add(model(
        "a/on-gated",
        "license: mit\nbase_model: corp/gated-base\n",
    ));
    f.add(model(
        "a/on-missing",
        "license: mit\nbase_model: corp/deleted\n",
    ));
    let faults = Faults {
        repos: [
            ("corp/private-base".to_string(), RepoFault::Private),
            ("corp/gated-base".to_string(), RepoFault::Gated),
        ]
        .into(),
        ..Faults::default()
    };
    let hub = FakeHub::start(f.path(), faults);
    let private = via_hub(&hub, &["audit", "a/on-private"], &[]);
    assert_eq!(private.rules_of("a/on-private"), vec!["unresolved-parent"]);
    assert!(
        private.stdout.contains("401") && private.stdout.contains("HF_TOKEN"),
        "{}",
        private.stdout
    );
    // A gated repo's info and card are public: it is audited, and the drift is found.
    let gated = via_hub(&hub, &["audit", "a/on-gated"], &[]);
    assert!(
        gated
            .rules_of("a/on-gated")
            .contains(&"license-drift".to_string()),
        "{}",
        gated.stdout
    );
    let missing = via_hub(&hub, &["audit", "a/on-missing"], &[]);
    assert_eq!(missing.rules_of("a/on-missing"), vec!["unresolved-parent"]);
    assert!(missing.stdout.contains("404"), "{}", missing.stdout);
    // The audited model itself missing is an error, not a finding.
    let target = via_hub(&hub, &["audit", "corp/nothing-here"], &[]);
    assert_eq!(target.code, 2);
    assert!(target.stderr.contains("404"), "{}", target.stderr);
}

#[test]
fn the_token_is_sent_but_never_shown() {
    let f = Fixture::new();
    f.add(model("corp/private-base", "license: llama2\n"));
    f.add(model(
        "a/child",
        "license: mit\nbase_model: corp/private-base\n",
    ));
    f.add(model(
        "a/other-child",
        "license: mit\nbase_model: corp/locked\n",
    ));
    f.add(model("corp/locked", "license: llama2\n"));
    let faults = Faults {
        repos: [
            ("corp/private-base".to_string(), RepoFault::Private),
            ("corp/locked".to_string(), RepoFault::Private),
        ]
        .into(),
        accepted_token: Some(SECRET.to_string()),
        ..Faults::default()
    };
    let hub = FakeHub::start(f.path(), faults);
    let token_file = f.path().join("token");
    std::fs::write(&token_file, format!("{SECRET}\n")).unwrap();
    let tf = token_file.to_str().unwrap();
    // With the token, the private parent is read and the drift found.
    let run = pedigree(
        &[
            "audit",
            "a/child",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--format",
            "json",
            "--token-file",
            tf,
        ],
        &repo_root(),
    );
    assert!(
        run.rules_of("a/child")
            .contains(&"license-drift".to_string()),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        hub.stats
            .auth_seen
            .lock()
            .unwrap()
            .iter()
            .any(|a| a == &format!("Bearer {SECRET}"))
    );
    // Through HF_TOKEN, with every log on, failing requests and a wrong token: never printed.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args([
            "audit",
            "a/other-child",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--format",
            "json",
        ])
        .env("HF_TOKEN", format!("{SECRET}-wrong"))
        .env("PEDIGREE_LOG", "trace")
        .output()
        .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("unresolved-parent"), "{shown}");
    assert!(shown.len() > 1000, "trace logging was on");
    assert!(!shown.contains(SECRET), "the token leaked");
    // The human report too.
    let human = pedigree(
        &[
            "audit",
            "a/child",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--token-file",
            tf,
        ],
        &repo_root(),
    );
    assert!(!human.stdout.contains(SECRET) && !human.stderr.contains(SECRET));
}

#[test]
fn renamed_repos_are_followed_and_noted() {
    let f = Fixture::new();
    f.add(model("old-org/base", "license: llama2\n"));
    f.add(model("new-org/base", "license: llama2\n"));
    f.add(model("a/child", "license: mit\nbase_model: old-org/base\n"));
    // old-org/base redirects to new-org/base, whose info names itself.
    let faults = Faults {
        repos: [(
            "old-org/base".to_string(),
            RepoFault::RenamedTo("new-org/base".into()),
        )]
        .into(),
        ..Faults::default()
    };
    let hub = FakeHub::start(f.path(), faults);
    let run = via_hub(&hub, &["audit", "a/child"], &[]);
    let rules = run.rules_of("a/child");
    assert!(
        rules.contains(&"license-drift".to_string()),
        "the lineage was followed: {rules:?}"
    );
    assert!(rules.contains(&"repo-renamed".to_string()), "{rules:?}");
    assert!(run.stdout.contains("new-org/base"));
}

#[test]
fn children_pages_are_followed() {
    let f = Fixture::new();
    f.add(model("org/root", "license: llama2\n"));
    for i in 0..7 {
        f.add(model(
            &format!("kids/c{i}"),
            "license: mit\nbase_model: org/root\n",
        ));
    }
    let hub = FakeHub::start(
        f.path(),
        Faults {
            page_size: 2,
            ..Faults::default()
        },
    );
    let run = via_hub(&hub, &["family", "org/root"], &[]);
    assert_eq!(run.json()["summary"]["models"], 8, "{}", run.stderr);
    assert_eq!(run.json()["summary"]["errors"], 7);
}

#[test]
fn a_second_run_downloads_no_bodies_and_a_corrupt_cache_is_discarded() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let cache = tempfile::tempdir().unwrap();
    let c = cache.path().to_str().unwrap();
    let args = [
        "family",
        "meta-llama/Llama-2-7b-hf",
        "--endpoint",
        hub.url.as_str(),
        "--cache-dir",
        c,
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let first = pedigree(&args, &repo_root());
    let bodies = hub.bodies();
    assert!(bodies > 0);
    let second = pedigree(&args, &repo_root());
    assert_eq!(hub.bodies(), bodies, "the second run downloaded bodies");
    assert!(
        hub.stats
            .not_modified
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
    assert_eq!(findings(&first), findings(&second));
    // Corrupt every cached file: the run still succeeds, with the same findings.
    for entry in walk(cache.path()) {
        std::fs::write(&entry, b"garbage").unwrap();
    }
    let third = pedigree(&args, &repo_root());
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(findings(&first), findings(&third));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_overall_deadline_ends_a_run() {
    let hub = FakeHub::start(
        &examples(),
        Faults {
            latency: Duration::from_secs(3),
            ..Faults::default()
        },
    );
    let started = std::time::Instant::now();
    let run = via_hub(
        &hub,
        &["audit", "acme-support/helpdesk-7b-GGUF"],
        &["--timeout", "1"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--timeout"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run did not end near its deadline"
    );
}

#[test]
fn the_audited_model_can_be_pinned_to_a_revision() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let run = via_hub(
        &hub,
        &["audit", "acme-support/llama2-7b-helpdesk"],
        &["--revision", "v1.0"],
    );
    assert!(
        run.rules_of("acme-support/llama2-7b-helpdesk")
            .contains(&"license-drift".to_string())
    );
    let paths = hub.stats.paths.lock().unwrap().clone();
    assert!(
        paths
            .iter()
            .any(|p| p == "/api/models/acme-support/llama2-7b-helpdesk/revision/v1.0"),
        "{paths:?}"
    );
    // Its parent is read at its current revision.
    assert!(
        paths
            .iter()
            .any(|p| p == "/api/models/meta-llama/Llama-2-7b-hf"),
        "{paths:?}"
    );
}
