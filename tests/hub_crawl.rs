//! `pedigree snapshot --from-hub ROOT...` and `--all`: the Hub crawled into a snapshot through
//! its listings (against the fake Hub), audited offline with the same findings, and a whole-Hub
//! crawl that resumes from its last page after an interruption.

mod common;

use common::fake_hub::{FakeHub, Faults, RepoFault};
use common::{Run, pedigree, repo_root};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

fn examples() -> std::path::PathBuf {
    repo_root().join("examples/mirror")
}

fn audit(target: &[&str], source: &[&str]) -> Run {
    let mut args: Vec<&str> = vec!["family"];
    args.extend(target);
    args.extend(source);
    args.extend(["--format", "json", "--fail-on", "never"]);
    pedigree(&args, &repo_root())
}

/// The lines of a snapshot, gzipped (any number of members) or not.
/// The model lines of a snapshot (dataset lines are counted apart).
fn lines(file: &Path) -> Vec<serde_json::Value> {
    all_lines(file)
        .into_iter()
        .filter(|l| l.get("repoType").is_none())
        .collect()
}

fn all_lines(file: &Path) -> Vec<serde_json::Value> {
    let bytes = std::fs::read(file).unwrap();
    let mut text = String::new();
    if file.extension().is_some_and(|e| e == "gz") {
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
    } else {
        text = String::from_utf8(bytes).unwrap();
    }
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_family_crawled_from_the_hub_audits_offline_like_the_hub() {
    let hub = FakeHub::start(&examples(), Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("llama2.jsonl.gz");
    let f = file.to_str().unwrap();
    let root = "meta-llama/Llama-2-7b-hf";
    let crawl = pedigree(
        &[
            "snapshot",
            "--from-hub",
            root,
            "-o",
            f,
            "--endpoint",
            &hub.url,
            "--no-cache",
        ],
        &repo_root(),
    );
    assert_eq!(crawl.code, 0, "{}", crawl.stderr);
    let written = lines(&file);
    let ids: BTreeSet<&str> = written.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), written.len(), "each model once");
    // The frankenmerge's second parent is read upward, though it is no descendant.
    assert!(ids.contains("meta-llama/Meta-Llama-3-8B"), "{ids:?}");
    assert!(
        written
            .iter()
            .any(|l| l["readme"].is_string() && l["files"].is_object())
    );
    // The family's training data comes along, each dataset once, with its card.
    let datasets: Vec<serde_json::Value> = all_lines(&file)
        .into_iter()
        .filter(|l| l["repoType"] == "dataset")
        .collect();
    assert_eq!(datasets.len(), 1, "{datasets:?}");
    assert_eq!(datasets[0]["id"], "acme-support/helpdesk-tickets-2023");
    assert!(datasets[0]["readme"].is_string());
    assert!(
        crawl.stderr.contains("and 1 dataset to"),
        "{}",
        crawl.stderr
    );
    let online = audit(&[root], &["--endpoint", &hub.url, "--no-cache"]);
    let offline = audit(&[root], &["--snapshot", f]);
    assert_eq!(online.findings(), offline.findings(), "{}", offline.stderr);
    assert_eq!(online.json()["models"], offline.json()["models"]);
    // Metadata only: no card, no file.
    let bare = dir.path().join("bare.jsonl");
    let before = hub.resolver_requests();
    let crawl = pedigree(
        &[
            "snapshot",
            "--from-hub",
            root,
            "--no-cards",
            "-o",
            bare.to_str().unwrap(),
            "--endpoint",
            &hub.url,
            "--no-cache",
        ],
        &repo_root(),
    );
    assert_eq!(crawl.code, 0, "{}", crawl.stderr);
    let bare_lines = lines(&bare);
    assert_eq!(bare_lines.len(), written.len());
    assert!(bare_lines.iter().all(|l| l.get("readme").is_none()));
    assert!(
        hub.resolver_requests() - before <= 2,
        "only the models read by id (the root, ancestors) bring a card"
    );
}

/// The ids of a mirror, sorted (as the fake Hub lists them).
fn ids_of(mirror: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for owner in std::fs::read_dir(mirror).unwrap().flatten() {
        for name in std::fs::read_dir(owner.path()).unwrap().flatten() {
            if name.path().join("info.json").is_file() {
                ids.push(format!(
                    "{}/{}",
                    owner.file_name().to_string_lossy(),
                    name.file_name().to_string_lossy()
                ));
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn the_whole_hub_crawl_resumes_from_its_last_page() {
    // Five models a page; one model of the second page has a card that fails on every try of
    // the first run.
    let all = ids_of(&examples());
    let hub = FakeHub::start(
        &examples(),
        Faults {
            page_size: 5,
            repos: [(all[6].clone(), RepoFault::ServerError { times: 5 })].into(),
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.jsonl.gz");
    let f = file.to_str().unwrap();
    let args = [
        "snapshot",
        "--all",
        "-o",
        f,
        "--endpoint",
        &hub.url,
        "--no-cache",
    ];
    let first = pedigree(&args, &repo_root());
    assert_eq!(first.code, 2, "{}", first.stderr);
    assert!(
        first.stderr.contains("run the same command again"),
        "{}",
        first.stderr
    );
    assert_eq!(lines(&file).len(), 5, "the first page is kept whole");
    assert!(dir.path().join("hub.jsonl.gz.resume").is_file());
    let second = pedigree(&args, &repo_root());
    assert_eq!(second.code, 0, "{}", second.stderr);
    let written = lines(&file);
    let ids: BTreeSet<&str> = written.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(written.len(), all.len(), "{ids:?}");
    assert_eq!(ids.len(), all.len(), "no model twice");
    assert!(!dir.path().join("hub.jsonl.gz.resume").exists());
    let first_pages = hub
        .stats
        .paths
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p.starts_with("/api/models?") && !p.contains("cursor="))
        .count();
    assert_eq!(first_pages, 1, "the second run went on from its last page");
    // The snapshot audits as the mirror does.
    let offline = audit(&["--all"], &["--snapshot", f]);
    let mirror = audit(&["--all"], &["--mirror", examples().to_str().unwrap()]);
    assert_eq!(mirror.findings(), offline.findings(), "{}", offline.stderr);
    assert!(offline.has("synthforge/phi-2-synth-chat", "outputs-clause"));
}
