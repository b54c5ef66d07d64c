//! The live Hub source, proven against a fake Hub on 127.0.0.1 that speaks the real API: the
//! real `pedigree` binary and the real reqwest client, with faults injected.

mod common;

use common::fake_hub::{Every, FakeHub, Faults, RateLimits, RepoFault};
use common::{Fixture, Run, model, pedigree, repo_root};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const SECRET: &str = "hf_test-secret-not-a-real-token-0123";

fn examples() -> std::path::PathBuf {
    repo_root().join("examples/mirror")
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

/// The binary with the environment given (and nothing of the caller's Hub settings).
fn with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pedigree"));
    command.args(args).current_dir(repo_root());
    for var in [
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_TOKEN_PATH",
        "HF_HOME",
        "XDG_CACHE_HOME",
        "HF_HUB_OFFLINE",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN",
        "PEDIGREE_MIRROR",
    ] {
        command.env_remove(var);
    }
    command.env(
        "HF_HOME",
        std::env::temp_dir().join("pedigree-tests-no-hf-home"),
    );
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The paths the fake Hub was asked for, without their queries.
fn paths(hub: &FakeHub) -> Vec<String> {
    hub.stats
        .paths
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.split('?').next().unwrap().to_string())
        .collect()
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
        assert_eq!(a.findings(), b.findings(), "family {root}\n{}", b.stderr);
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
        assert_eq!(a.findings(), b.findings(), "audit {id}\n{}", b.stderr);
    }
}

#[test]
fn a_family_is_read_from_listings_without_an_info_call_per_model() {
    let f = Fixture::new();
    f.add(model("org/root", "license: llama2\n"));
    for i in 0..6 {
        f.add(model(
            &format!("kids/c{i}"),
            "license: mit\nbase_model: org/root\n",
        ));
    }
    f.add(model(
        "grand/g0",
        "license: apache-2.0\nbase_model: kids/c0\n",
    ));
    let hub = FakeHub::start(
        f.path(),
        Faults {
            page_size: 4,
            ..Faults::default()
        },
    );
    let run = via_hub(&hub, &["family", "org/root"], &[]);
    assert_eq!(run.json()["summary"]["models"], 8, "{}", run.stderr);
    let asked = paths(&hub);
    let infos: Vec<&String> = asked
        .iter()
        .filter(|p| p.starts_with("/api/models/"))
        .collect();
    assert_eq!(infos, vec!["/api/models/org/root"], "only the root's info");
    // The root's children in two pages, and c0's: the others have no children to list.
    let listings = asked.iter().filter(|p| *p == "/api/models").count();
    assert_eq!(listings, 3, "{asked:?}");
    let cards = asked.iter().filter(|p| p.ends_with("/README.md")).count();
    assert_eq!(cards, 8, "one card per model, at its commit");
    assert!(
        asked.iter().all(|p| !p.contains("/resolve/main/")),
        "cards and files are read at the commit of the info: {asked:?}"
    );
    assert_eq!(hub.api_requests(), 4);
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
    let asked = hub.stats.paths.lock().unwrap().clone();
    let unique: BTreeSet<&String> = asked.iter().collect();
    assert_eq!(
        asked.len(),
        unique.len(),
        "something was read twice: {asked:?}"
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
            // A stall well past the request timeout below, which leaves a loaded machine (the
            // tests of two cores in parallel) room for the requests that do not stall.
            Every::Stall {
                n: 11,
                delay: Duration::from_secs(6),
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
        let b = via_hub(&faulty, &["family", root], &["--request-timeout", "2"]);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(a.findings(), b.findings(), "family {root}\n{}", b.stderr);
    }
    assert!(
        faulty.requests() > clean.requests(),
        "faults were injected and retried"
    );
}

#[test]
fn rate_limits_without_retry_after_are_waited_out_with_nothing_lost() {
    // A real-shaped limit, scaled down: a few requests per 1 s window; 429s carry no
    // Retry-After, only the RateLimit header.
    let limits = RateLimits {
        window_secs: 1,
        api: 3,
        resolvers: 6,
    };
    let hub = FakeHub::start(
        &examples(),
        Faults {
            rate_limits: Some(limits),
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let limited = via_hub(&hub, &["family", "meta-llama/Llama-2-7b-hf"], &[]);
    let took = started.elapsed();
    let mirror = via_mirror(&examples(), &["family", "meta-llama/Llama-2-7b-hf"]);
    assert_eq!(limited.code, 0, "{}", limited.stderr);
    assert_eq!(mirror.findings(), limited.findings(), "{}", limited.stderr);
    assert_eq!(mirror.json()["models"], limited.json()["models"]);
    let resolvers = hub.resolver_requests();
    assert!(
        resolvers > limits.resolvers,
        "the run needed more than one window"
    );
    assert!(
        took >= Duration::from_secs(resolvers / limits.resolvers / 2),
        "windows were waited out ({took:?} for {resolvers} file requests)"
    );
    // The quota is paced from the headers, so few requests are refused (at most those in flight
    // when a window runs out).
    assert!(
        hub.too_many() <= 8 * 2,
        "{} answers were 429",
        hub.too_many()
    );
}

#[test]
fn a_rate_limit_lifting_after_the_deadline_fails_the_run_closed_at_once() {
    let hub = FakeHub::start(
        &examples(),
        Faults {
            rate_limits: Some(RateLimits {
                window_secs: 120,
                api: 2,
                resolvers: 100,
            }),
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let run = via_hub(
        &hub,
        &["family", "meta-llama/Llama-2-7b-hf"],
        &["--timeout", "20"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it did not wait for a window it could not see the end of"
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("incomplete") && run.stderr.contains("rate limit"),
        "{}",
        run.stderr
    );
    // The report is still written, and says what was not read.
    let report = run.json();
    assert!(!report["incomplete"].as_array().unwrap().is_empty());
}

#[test]
fn an_unreachable_ancestor_fails_the_run_closed_unless_allowed() {
    let f = Fixture::new();
    f.add(model("corp/base", "license: llama2\n"));
    f.add(model("a/child", "license: mit\nbase_model: corp/base\n"));
    f.add(model("a/other", "license: mit\nbase_model: corp/deleted\n"));
    let hub = FakeHub::start(
        f.path(),
        Faults {
            repos: [(
                "corp/base".to_string(),
                RepoFault::ServerError { times: 1000 },
            )]
            .into(),
            ..Faults::default()
        },
    );
    let run = via_hub(&hub, &["audit", "a/child"], &["--request-timeout", "2"]);
    assert_eq!(run.code, 2, "an outage is not a pass: {}", run.stderr);
    let line = run.stderr.lines().last().unwrap();
    assert!(
        line.starts_with("error: the run is incomplete") && line.contains("corp/base"),
        "{}",
        run.stderr
    );
    assert_eq!(run.rules_of("a/child"), vec!["unresolved-parent"]);
    assert_eq!(run.json()["incomplete"][0]["what"], "corp/base");
    let allowed = via_hub(
        &hub,
        &["audit", "a/child"],
        &["--request-timeout", "2", "--allow-incomplete"],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    // A parent that does not exist is a finding, not an outage.
    let missing = via_hub(&hub, &["audit", "a/other"], &[]);
    assert_eq!(missing.code, 0, "{}", missing.stderr);
    assert_eq!(missing.rules_of("a/other"), vec!["unresolved-parent"]);
    assert!(missing.json().get("incomplete").is_none());
}

#[test]
fn private_missing_and_gated_parents_say_what_they_are() {
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
    // Anonymously, a private repo and a missing one look alike (401 RepoNotFound): "not found",
    // with the hint that a token may see it.
    let private = via_hub(&hub, &["audit", "a/on-private"], &[]);
    assert_eq!(private.rules_of("a/on-private"), vec!["unresolved-parent"]);
    assert!(
        private
            .stdout
            .contains("not found on the Hub (401 RepoNotFound)")
            && private.stdout.contains("HF_TOKEN"),
        "{}",
        private.stdout
    );
    let missing = via_hub(&hub, &["audit", "a/on-missing"], &[]);
    assert_eq!(missing.rules_of("a/on-missing"), vec!["unresolved-parent"]);
    assert!(missing.stdout.contains("not found"), "{}", missing.stdout);
    assert!(!missing.stdout.contains("gated"), "{}", missing.stdout);
    // A gated repo's info and card are public: it is audited, and the drift is found.
    let gated = via_hub(&hub, &["audit", "a/on-gated"], &[]);
    assert!(
        gated
            .rules_of("a/on-gated")
            .contains(&"license-drift".to_string()),
        "{}",
        gated.stdout
    );
    // The audited model itself missing is an error, not a finding.
    let target = via_hub(&hub, &["audit", "corp/nothing-here"], &[]);
    assert_eq!(target.code, 2);
    assert!(target.stderr.contains("not found"), "{}", target.stderr);
}

#[test]
fn the_token_is_sent_but_never_shown_and_a_rejected_one_stops_the_run() {
    let f = Fixture::new();
    f.add(model("corp/private-base", "license: llama2\n"));
    f.add(model(
        "a/child",
        "license: mit\nbase_model: corp/private-base\n",
    ));
    let faults = Faults {
        repos: [("corp/private-base".to_string(), RepoFault::Private)].into(),
        accepted_token: Some(SECRET.to_string()),
        ..Faults::default()
    };
    let hub = FakeHub::start(f.path(), faults);
    let token_file = f.path().join("token");
    std::fs::write(&token_file, format!("{SECRET}\n")).unwrap();
    let tf = token_file.to_str().unwrap();
    // With the token, the private parent is read and the drift found.
    let run = via_hub(&hub, &["audit", "a/child"], &["--token-file", tf]);
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
    // An expired token: the Hub refuses it on every request, so the run stops at once with one
    // clear error, exit 2, with every log on and the token never printed.
    let before = hub.requests();
    let wrong = format!("{SECRET}-expired");
    let out = with_env(
        &[
            "audit",
            "a/child",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--format",
            "json",
        ],
        &[("HF_TOKEN", &wrong), ("PEDIGREE_LOG", "trace")],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let last = out.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: the Hub rejected the token"),
        "{last}"
    );
    assert!(hub.requests() - before <= 2, "it stopped at once");
    let shown = format!("{}{}", out.stdout, out.stderr);
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
fn the_token_never_leaves_the_endpoints_origin() {
    let f = Fixture::new();
    f.add(model("org/root", "license: llama2\n"));
    for i in 0..5 {
        f.add_raw(
            &format!("kids/c{i}"),
            Some("---\nlicense: mit\nbase_model: org/root\n---\n# kid\n"),
            &["LICENSE"],
            &[],
        );
        std::fs::write(f.path().join(format!("kids/c{i}/LICENSE")), "MIT License\n").unwrap();
    }
    // A second origin serving the same repos: where the first sends its next pages and files.
    let elsewhere = FakeHub::start(f.path(), Faults::default());
    let hub = FakeHub::start(
        f.path(),
        Faults {
            page_size: 2,
            link_base: Some(elsewhere.url.clone()),
            repos: [(
                "kids/c1".to_string(),
                RepoFault::FilesAt(elsewhere.url.clone()),
            )]
            .into(),
            ..Faults::default()
        },
    );
    let run = with_env(
        &[
            "family",
            "org/root",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &[("HF_TOKEN", SECRET)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["summary"]["models"],
        6,
        "every page was followed"
    );
    let elsewhere_paths = paths(&elsewhere);
    assert!(
        elsewhere_paths.iter().any(|p| p == "/api/models")
            && elsewhere_paths
                .iter()
                .any(|p| p.starts_with("/kids/c1/resolve/")),
        "pages and files were read on the second origin: {elsewhere_paths:?}"
    );
    assert!(
        elsewhere.stats.auth_seen.lock().unwrap().is_empty(),
        "the token went to another origin"
    );
    assert!(!hub.stats.auth_seen.lock().unwrap().is_empty());
}

#[test]
fn huggingface_hub_token_conventions() {
    let f = Fixture::new();
    f.add(model("corp/private-base", "license: llama2\n"));
    f.add(model(
        "a/child",
        "license: mit\nbase_model: corp/private-base\n",
    ));
    let hub = FakeHub::start(
        f.path(),
        Faults {
            repos: [("corp/private-base".to_string(), RepoFault::Private)].into(),
            accepted_token: Some(SECRET.to_string()),
            ..Faults::default()
        },
    );
    let args = [
        "audit",
        "a/child",
        "--endpoint",
        &hub.url,
        "--no-cache",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let reads_private = |run: &Run| {
        run.rules_of("a/child")
            .contains(&"license-drift".to_string())
    };
    let legacy = with_env(&args, &[("HUGGING_FACE_HUB_TOKEN", SECRET)]);
    assert!(reads_private(&legacy), "{}", legacy.stderr);
    // $XDG_CACHE_HOME/huggingface/token when HF_HOME is not set.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("huggingface")).unwrap();
    std::fs::write(xdg.path().join("huggingface/token"), SECRET).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pedigree"));
    command
        .args(args)
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .env_remove("HF_TOKEN_PATH")
        .env_remove("HF_HOME")
        .env("XDG_CACHE_HOME", xdg.path());
    let out = command.output().unwrap();
    let from_xdg = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(reads_private(&from_xdg), "{}", from_xdg.stderr);
    // HF_HUB_DISABLE_IMPLICIT_TOKEN: a token found in the environment is not sent on reads.
    let seen = hub.stats.auth_seen.lock().unwrap().len();
    let implicit_off = with_env(
        &args,
        &[("HF_TOKEN", SECRET), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")],
    );
    assert!(!reads_private(&implicit_off), "{}", implicit_off.stdout);
    assert_eq!(hub.stats.auth_seen.lock().unwrap().len(), seen);
}

/// `family ROOT` through the Hub with the HTTP cache in `cache`, as JSON.
fn cached_family<'a>(hub: &'a FakeHub, root: &'a str, cache: &'a Path) -> [&'a str; 10] {
    [
        "family",
        root,
        "--endpoint",
        &hub.url,
        "--cache-dir",
        cache.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]
}

#[test]
fn offline_runs_read_only_the_cache() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let cache = tempfile::tempdir().unwrap();
    let args = cached_family(&hub, "google/gemma-2b", cache.path());
    let online = with_env(&args, &[]);
    assert_eq!(online.code, 0, "{}", online.stderr);
    let before = hub.requests();
    let offline = with_env(&args, &[("HF_HUB_OFFLINE", "1")]);
    assert_eq!(hub.requests(), before, "HF_HUB_OFFLINE sent a request");
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(online.findings(), offline.findings());
    // Nothing cached: the run cannot be complete.
    let empty = tempfile::tempdir().unwrap();
    let cold = cached_family(&hub, "google/gemma-2b", empty.path());
    let nothing = with_env(&cold, &[("HF_HUB_OFFLINE", "1")]);
    assert_eq!(nothing.code, 2);
    assert!(
        nothing.stderr.contains("HF_HUB_OFFLINE"),
        "{}",
        nothing.stderr
    );
    assert_eq!(hub.requests(), before);
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
fn namespace_less_ids_and_cards_known_only_as_card_data() {
    let f = Fixture::new();
    // `gpt2`-style: a model id without an owner.
    f.add(model("gpt2", "license: llama2\n"));
    f.add(model("a/child", "license: mit\nbase_model: gpt2\n"));
    // A repo whose file list has no README.md, but whose info has the card data.
    f.add(model("b/no-readme", "license: mit\nbase_model: gpt2\n"));
    std::fs::remove_file(f.path().join("b/no-readme/README.md")).unwrap();
    let info_path = f.path().join("b/no-readme/info.json");
    let mut info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&info_path).unwrap()).unwrap();
    info["siblings"] =
        serde_json::json!([{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}]);
    std::fs::write(&info_path, info.to_string()).unwrap();
    let hub = FakeHub::start(f.path(), Faults::default());
    for id in ["a/child", "b/no-readme"] {
        let on_hub = via_hub(&hub, &["audit", id], &[]);
        assert!(
            on_hub.rules_of(id).contains(&"license-drift".to_string()),
            "{id}: {}\n{}",
            on_hub.stdout,
            on_hub.stderr
        );
        assert_eq!(
            on_hub.findings(),
            via_mirror(f.path(), &["audit", id]).findings()
        );
    }
    assert!(
        !paths(&hub)
            .iter()
            .any(|p| p.starts_with("/b/no-readme/resolve/")),
        "no card is asked for when the file list has none"
    );
    let family = via_hub(&hub, &["family", "gpt2"], &[]);
    assert_eq!(family.json()["summary"]["models"], 3, "{}", family.stderr);
}

#[test]
fn a_warm_cache_reads_no_card_again_and_a_corrupt_cache_is_replaced() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let cache = tempfile::tempdir().unwrap();
    let args = cached_family(&hub, "meta-llama/Llama-2-7b-hf", cache.path());
    let first = pedigree(&args, &repo_root());
    let (bodies, files) = (hub.bodies(), hub.resolver_requests());
    assert!(bodies > 0 && files > 0);
    let asked = hub.requests() as usize;
    let second = pedigree(&args, &repo_root());
    assert_eq!(hub.bodies(), bodies, "the second run downloaded bodies");
    assert_eq!(
        hub.resolver_requests(),
        files,
        "cards and files at a commit are never asked for again: {:?}",
        &hub.stats.paths.lock().unwrap()[asked..]
    );
    assert!(
        hub.stats
            .not_modified
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0,
        "listings and infos are revalidated"
    );
    assert_eq!(first.findings(), second.findings());
    // One file, not a file per answer.
    let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    std::fs::write(entries[0].path(), b"garbage").unwrap();
    let third = pedigree(&args, &repo_root());
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(first.findings(), third.findings());
}

#[test]
fn the_deadline_ends_a_run_even_when_bodies_trickle() {
    // Headers at once, then the body a piece a second: only a deadline that covers bodies
    // ends this.
    let hub = FakeHub::start(
        &examples(),
        Faults {
            trickle: Some(Duration::from_secs(1)),
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let run = via_hub(
        &hub,
        &["audit", "acme-support/helpdesk-7b-GGUF"],
        &["--timeout", "3", "--request-timeout", "60"],
    );
    let took = started.elapsed();
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--timeout"), "{}", run.stderr);
    assert!(
        took < Duration::from_secs(6),
        "the run outlived its deadline: {took:?}"
    );
}

#[test]
fn the_audited_model_can_be_pinned_to_a_revision() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let run = via_hub(
        &hub,
        &["audit", "acme-support/llama2-7b-helpdesk"],
        &["--revision", "refs/pr/1"],
    );
    assert!(
        run.rules_of("acme-support/llama2-7b-helpdesk")
            .contains(&"license-drift".to_string()),
        "{}",
        run.stderr
    );
    let asked = paths(&hub);
    assert!(
        asked
            .iter()
            .any(|p| p == "/api/models/acme-support/llama2-7b-helpdesk/revision/refs%2Fpr%2F1"),
        "the revision is one encoded path segment: {asked:?}"
    );
    // Its parent is read at its current revision; every file at the commit the info named.
    assert!(
        asked
            .iter()
            .any(|p| p == "/api/models/meta-llama/Llama-2-7b-hf"),
        "{asked:?}"
    );
    assert!(
        asked.iter().all(|p| !p.contains("/resolve/main/")),
        "{asked:?}"
    );
}

#[test]
fn an_orphan_audited_alone_gets_parents_suggested_from_the_hub_search() {
    let f = Fixture::new();
    f.add_card(
        "meta-llama/Llama-2-7b-chat-hf",
        "license: llama2\n",
        "The Llama 2 chat model.",
    );
    f.add_card(
        "kid/llama-2-chat-declared",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\n",
        "A declared child.",
    );
    f.add_card(
        "orphan/llama-2-7b-chat-medical",
        "license: mit\n",
        "A fine-tuned version of [meta-llama/Llama-2-7b-chat-hf](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf) on medical dialogues.",
    );
    let hub = FakeHub::start(f.path(), Faults::default());
    for run in [
        via_hub(&hub, &["audit", "orphan/llama-2-7b-chat-medical"], &[]),
        via_mirror(f.path(), &["audit", "orphan/llama-2-7b-chat-medical"]),
    ] {
        let report = run.json();
        let note = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "undeclared-parent")
            .unwrap_or_else(|| panic!("a suggestion: {}\n{}", run.stdout, run.stderr))
            .clone();
        assert!(
            note["message"]
                .as_str()
                .unwrap()
                .contains("`meta-llama/Llama-2-7b-chat-hf` (score"),
            "{note}"
        );
        // Candidates are ranked, not reported as part of the lineage.
        assert_eq!(report["models"].as_array().unwrap().len(), 1, "{report}");
    }
    assert!(
        hub.stats
            .paths
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.starts_with("/api/models?search=")),
        "the Hub was searched"
    );
}

#[test]
fn rate_limit_waits_are_told_to_the_progress_reporter() {
    use pedigree::progress::Progress;
    use pedigree::source::{HubClient, HubOptions, Source};
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);
    impl Progress for Recorder {
        fn stage(&self, _: &str, _: Option<u64>) {}
        fn advance(&self, _: u64) {}
        fn waiting(&self, why: Option<(&str, Duration)>) {
            let said = why.map_or("resumed".to_string(), |(w, _)| w.to_string());
            self.0.lock().unwrap().push(said);
        }
    }
    let hub = FakeHub::start(
        &examples(),
        Faults {
            rate_limits: Some(RateLimits {
                window_secs: 1,
                api: 2,
                resolvers: 100,
            }),
            ..Faults::default()
        },
    );
    let recorder = Arc::new(Recorder::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let client = HubClient::new(HubOptions {
        progress: Some(recorder.clone()),
        ..HubOptions::new(hub.url.clone())
    })
    .unwrap();
    for id in [
        "google/gemma-2b",
        "microsoft/phi-2",
        "meta-llama/Llama-2-7b-hf",
    ] {
        runtime.block_on(client.model(id)).unwrap();
    }
    let said = recorder.0.lock().unwrap().clone();
    assert!(
        said.iter().any(|s| s == "Hub rate limit (api)") && said.contains(&"resumed".into()),
        "{said:?}"
    );
    assert_eq!(hub.too_many(), 0, "the window was waited out, not overrun");
}
