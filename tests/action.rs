//! `action.yml`, run as a GitHub runner runs a composite action: each step's script under
//! `bash --noprofile --norc -eo pipefail`, its inputs in its environment, in a job that has
//! GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, RUNNER_TOOL_CACHE, RUNNER_OS/ARCH and a
//! workspace, and a PATH with the usual tools but no Rust. Releases come from a local server laid
//! out like GitHub releases, serving the built binary packed as the release workflow packs it;
//! parents come from the fake Hub.

mod common;

use common::fake_hub::{FakeHub, Faults};
use common::repo_root;
use serde_yaml::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn yaml(path: &str) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(repo_root().join(path)).unwrap()).unwrap()
}

fn action() -> Value {
    yaml("action.yml")
}

fn steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"].as_sequence().unwrap().clone()
}

/// This machine as a runner sees it: the release target, RUNNER_OS and RUNNER_ARCH.
fn platform() -> Option<(&'static str, &'static str, &'static str)> {
    let found = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => ("x86_64-unknown-linux-gnu", "Linux", "X64"),
        ("linux", "aarch64") => ("aarch64-unknown-linux-gnu", "Linux", "ARM64"),
        ("macos", "x86_64") => ("x86_64-apple-darwin", "macOS", "X64"),
        ("macos", "aarch64") => ("aarch64-apple-darwin", "macOS", "ARM64"),
        _ => {
            eprintln!("skipped: no release is built for this platform");
            return None;
        }
    };
    Some(found)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The built binary as a release holds it: stripped (by `strip`, when the machine has it, as the
/// release workflow strips), so that packing and checking it stays quick in a debug build.
fn released_binary() -> &'static [u8] {
    static BINARY: OnceLock<Vec<u8>> = OnceLock::new();
    BINARY.get_or_init(|| {
        let built = env!("CARGO_BIN_EXE_pedigree");
        let dir = tempfile::tempdir().unwrap();
        let stripped = dir.path().join("pedigree");
        let status = std::process::Command::new("strip")
            .arg("-o")
            .arg(&stripped)
            .arg(built)
            .status();
        match status {
            Ok(s) if s.success() => std::fs::read(&stripped).unwrap(),
            _ => {
                eprintln!("`strip` is missing: the release archive holds the unstripped binary");
                std::fs::read(built).unwrap()
            }
        }
    })
}

/// [`released_binary`] packed as the release workflow packs it: `pedigree-<target>/pedigree` in a
/// gzipped tar, made once per test run.
fn archive(target: &str) -> axum::body::Bytes {
    static ARCHIVE: OnceLock<axum::body::Bytes> = OnceLock::new();
    ARCHIVE
        .get_or_init(|| {
            let binary = released_binary();
            let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let mut tar = tar::Builder::new(gz);
            let mut header = tar::Header::new_gnu();
            header.set_size(binary.len() as u64);
            header.set_mode(0o755);
            header.set_cksum();
            tar.append_data(&mut header, format!("pedigree-{target}/pedigree"), binary)
                .unwrap();
            tar.into_inner().unwrap().finish().unwrap().into()
        })
        .clone()
}

/// The sha256 of [`archive`], as the release's `.sha256` file gives it.
fn archive_sum(target: &str) -> String {
    static SUM: OnceLock<String> = OnceLock::new();
    SUM.get_or_init(|| sha256_hex(&archive(target))).clone()
}

/// A local server laid out like a repository's GitHub releases, logging each path asked for.
struct Releases {
    /// What the Action is given as PEDIGREE_DOWNLOAD_URL.
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Releases {
    /// `VERSION` published for `target`, as `/download/v<VERSION>/...` and as the latest;
    /// `sum`: the content of the `.sha256` file (`None`: the archive's true sum).
    fn start(target: &str, sum: Option<String>) -> Releases {
        let archive = archive(target);
        let asset = format!("pedigree-{target}.tar.gz");
        let sum = sum.unwrap_or_else(|| format!("{}  {asset}\n", archive_sum(target)));
        let mut files: HashMap<String, axum::body::Bytes> = HashMap::new();
        for dir in [format!("download/v{VERSION}"), "latest/download".into()] {
            files.insert(
                format!("/o/pedigree/releases/{dir}/{asset}"),
                archive.clone(),
            );
            files.insert(
                format!("/o/pedigree/releases/{dir}/{asset}.sha256"),
                sum.clone().into(),
            );
        }
        let files = Arc::new(files);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
                    let (files, log) = (files.clone(), log.clone());
                    async move {
                        log.lock().unwrap().push(uri.path().to_string());
                        match files.get(uri.path()) {
                            Some(body) => (axum::http::StatusCode::OK, body.clone()),
                            None => (
                                axum::http::StatusCode::NOT_FOUND,
                                axum::body::Bytes::from_static(b"Not Found"),
                            ),
                        }
                    }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Releases {
            base: format!("http://{addr}/o/pedigree/releases"),
            requests,
            stop: Some(stop),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Releases {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// One runner machine for one job: RUNNER_TEMP, the tool cache, a home, the workspace (holding
/// `models/my-ft`, a copy of the example model repo), and a PATH without Rust.
struct Runner {
    root: tempfile::TempDir,
    os: &'static str,
    arch: &'static str,
}

/// What a step did.
struct Step {
    code: i32,
    log: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    elapsed: Duration,
}

impl Runner {
    fn new(os: &'static str, arch: &'static str) -> Runner {
        let root = tempfile::tempdir().unwrap();
        for dir in [
            "temp",
            "tool-cache",
            "home",
            "bin",
            "workspace/models/my-ft",
        ] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        for entry in std::fs::read_dir(repo_root().join("examples/my-model")).unwrap() {
            let entry = entry.unwrap();
            let to = root
                .path()
                .join("workspace/models/my-ft")
                .join(entry.file_name());
            std::fs::copy(entry.path(), to).unwrap();
        }
        // Every program of the system's bin directories, except Rust's.
        let bin = root.path().join("bin");
        for dir in ["/usr/local/bin", "/usr/bin", "/bin"] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rust = ["cargo", "rustc", "rustup", "rustdoc", "rust-"]
                    .iter()
                    .any(|p| name.starts_with(p));
                if !rust && !bin.join(&name).exists() {
                    let _ = std::os::unix::fs::symlink(entry.path(), bin.join(&name));
                }
            }
        }
        Runner { root, os, arch }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn workspace(&self) -> PathBuf {
        self.path("workspace")
    }

    /// Runs step `id` of the action with `inputs` (over the defaults), the job's `env`, and the
    /// outputs of the steps before it.
    fn run_step(
        &self,
        id: &str,
        inputs: &[(&str, &str)],
        env: &[(&str, &str)],
        before: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Step {
        let action = action();
        let step = steps(&action).into_iter().find(|s| s["id"] == id).unwrap();
        let github_token = env
            .iter()
            .find(|(k, _)| *k == "github.token")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        for (name, spec) in action["inputs"].as_mapping().unwrap() {
            let default = spec["default"].as_str().unwrap_or("");
            let value = match default {
                "${{ github.token }}" => github_token.clone(),
                d => d.to_string(),
            };
            values.insert(name.as_str().unwrap().to_string(), value);
        }
        for (k, v) in inputs {
            assert!(values.contains_key(*k), "no input `{k}`");
            values.insert(k.to_string(), v.to_string());
        }
        let script = self.path(&format!("temp/{id}.sh"));
        std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
        let output = self.path(&format!("temp/{id}-output"));
        let summary = self.path(&format!("temp/{id}-summary.md"));
        let mut command = std::process::Command::new(self.path("bin/bash"));
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(self.workspace())
            .env_clear()
            .env("PATH", self.path("bin"))
            .env("HOME", self.path("home"))
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_WORKSPACE", self.workspace())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "o/models")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_TOOL_CACHE", self.path("tool-cache"))
            .env("RUNNER_OS", self.os)
            .env("RUNNER_ARCH", self.arch);
        for (k, v) in env.iter().filter(|(k, _)| !k.contains('.')) {
            command.env(k, v);
        }
        for (key, value) in step["env"].as_mapping().unwrap() {
            let (key, expr) = (key.as_str().unwrap(), value.as_str().unwrap());
            let inner = expr
                .strip_prefix("${{ ")
                .and_then(|e| e.strip_suffix(" }}"))
                .unwrap_or_else(|| panic!("{key}: not an expression: {expr}"));
            let value = if let Some(input) = inner.strip_prefix("inputs.") {
                values[input].clone()
            } else if let Some(rest) = inner.strip_prefix("steps.") {
                let (step, output) = rest.split_once(".outputs.").unwrap();
                before[step][output].clone()
            } else {
                panic!("{key}: the test does not know `{inner}`")
            };
            command.env(key, value);
        }
        let started = Instant::now();
        let out = command.output().unwrap();
        let elapsed = started.elapsed();
        let outputs = std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Step {
            code: out.status.code().unwrap_or(-1),
            log: String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
            outputs,
            summary: std::fs::read_to_string(&summary).unwrap_or_default(),
            elapsed,
        }
    }

    /// The install step, then (when it succeeded) the audit step.
    fn run_action(&self, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> (Step, Option<Step>) {
        let install = self.run_step("install", inputs, env, &BTreeMap::new());
        if install.code != 0 {
            return (install, None);
        }
        let before = BTreeMap::from([("install".to_string(), install.outputs.clone())]);
        let audit = self.run_step("audit", inputs, env, &before);
        (install, Some(audit))
    }

    /// What the tool cache holds: `<version>/<arch>` entries marked complete.
    fn cached(&self) -> Vec<String> {
        let cache = self.path("tool-cache/pedigree");
        let Ok(versions) = std::fs::read_dir(&cache) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for version in versions.flatten() {
            for entry in std::fs::read_dir(version.path()).unwrap().flatten() {
                found.push(format!(
                    "{}/{}",
                    version.file_name().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                ));
            }
        }
        found.sort();
        found
    }
}

/// A runner, a release server and the fake Hub, ready for `run_action`.
struct Job {
    runner: Runner,
    releases: Releases,
    hub: FakeHub,
}

impl Job {
    fn start(sum: Option<String>) -> Option<Job> {
        let (target, os, arch) = platform()?;
        Some(Job {
            runner: Runner::new(os, arch),
            releases: Releases::start(target, sum),
            hub: FakeHub::start(&repo_root().join("examples/mirror"), Faults::default()),
        })
    }

    fn run(&self, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> (Step, Option<Step>) {
        let mut inputs = inputs.to_vec();
        inputs.push(("endpoint", &self.hub.url));
        let mut env = env.to_vec();
        env.push(("PEDIGREE_DOWNLOAD_URL", &self.releases.base));
        self.runner.run_action(&inputs, &env)
    }
}

#[test]
fn every_input_is_used_and_every_output_is_set() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let runs = serde_yaml::to_string(&action["runs"]).unwrap();
    let inputs = action["inputs"].as_mapping().unwrap();
    for name in [
        "command",
        "model",
        "working-directory",
        "endpoint",
        "hf-token",
        "fail-on",
        "config",
        "sarif",
        "comment",
        "github-token",
        "args",
        "version",
        "checksum",
        "install",
    ] {
        assert!(inputs.contains_key(name), "input `{name}` is missing");
    }
    for (name, spec) in inputs {
        let name = name.as_str().unwrap();
        assert!(
            runs.contains(&format!("inputs.{name} }}}}")),
            "input `{name}` is never used"
        );
        assert!(
            spec["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input `{name}` is undocumented"
        );
    }
    let outputs = action["outputs"].as_mapping().unwrap();
    for name in [
        "errors", "warnings", "notes", "models", "report", "sarif", "version",
    ] {
        assert!(outputs.contains_key(name), "output `{name}` is missing");
    }
    let ids: Vec<String> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    for (name, spec) in outputs {
        let value = spec["value"].as_str().unwrap();
        let (step, output) = value
            .strip_prefix("${{ steps.")
            .and_then(|v| v.strip_suffix(" }}"))
            .and_then(|v| v.split_once(".outputs."))
            .unwrap_or_else(|| panic!("{value}"));
        assert!(ids.iter().any(|id| id == step), "{value}");
        assert_eq!(output, name.as_str().unwrap());
    }
    // Inputs reach shell through env only: `${{ inputs.* }}` inside a script could inject code.
    for step in steps(&action) {
        let run = step["run"].as_str().unwrap_or("");
        assert!(
            !run.contains("${{"),
            "a step pastes an expression into its script: {run}"
        );
    }
}

#[test]
fn the_release_workflow_builds_what_the_action_downloads() {
    let release = yaml(".github/workflows/release.yml");
    let action = serde_yaml::to_string(&action()["runs"]).unwrap();
    let matrix = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let targets: Vec<&str> = matrix
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(targets.contains(&target), "the release builds no {target}");
        assert!(
            action.contains(target),
            "the action never asks for {target}"
        );
    }
    // The same archive and checksum names on both sides.
    let steps = serde_yaml::to_string(&release["jobs"]["build"]["steps"]).unwrap();
    assert!(
        steps.contains("name=\"pedigree-$TARGET\"") && steps.contains("\"$name.tar.gz.sha256\"")
    );
    assert!(action.contains("asset=\"pedigree-$target.tar.gz\"") && action.contains("$url.sha256"));
    assert!(action.contains("\"pedigree-$target/pedigree\""));
    // Stripped binaries, and a tag that must name the crate's version (the Action's default).
    assert_eq!(
        release["jobs"]["build"]["env"]["CARGO_PROFILE_RELEASE_STRIP"],
        "symbols"
    );
    assert!(steps.contains("\"v$version\""));
    assert_eq!(release["permissions"], Value::Mapping(Default::default()));
}

#[test]
fn workflows_pin_every_action_by_commit_with_its_version() {
    let mut files = vec![repo_root().join("action.yml")];
    for dir in [".github/workflows", "examples/workflows"] {
        for entry in std::fs::read_dir(repo_root().join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let Some(used) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
            else {
                continue;
            };
            seen += 1;
            let (_, rest) = used.split_once('@').expect("uses: owner/repo@ref");
            let (sha, comment) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: not pinned by commit: {line}",
                file.display()
            );
            assert!(
                comment.trim_start().starts_with("# v"),
                "{}: no version comment: {line}",
                file.display()
            );
        }
    }
    assert!(seen > 5, "{seen}");
}

#[test]
fn the_action_installs_a_verified_release_without_rust_and_annotates_the_card() {
    let Some(job) = Job::start(None) else {
        return;
    };
    assert!(
        !job.runner.path("bin/cargo").exists() && !job.runner.path("bin/rustc").exists(),
        "Rust is on the runner's PATH"
    );
    let (install, audit) = job.run(
        &[
            ("model", "models/my-ft"),
            ("hf-token", "hf_not-a-real-token-0000"),
        ],
        &[],
    );
    println!(
        "install from the local release server: {:.2} s ({} byte archive)",
        install.elapsed.as_secs_f64(),
        archive(platform().unwrap().0).len()
    );
    assert_eq!(install.code, 0, "{}", install.log);
    assert!(
        install.elapsed < Duration::from_secs(10),
        "{:?}",
        install.elapsed
    );
    assert_eq!(
        job.releases.requests(),
        [
            format!(
                "/o/pedigree/releases/download/v{VERSION}/pedigree-{}.tar.gz",
                platform().unwrap().0
            ),
            format!(
                "/o/pedigree/releases/download/v{VERSION}/pedigree-{}.tar.gz.sha256",
                platform().unwrap().0
            ),
        ]
    );
    // Cached as actions/tool-cache lays it out, and the very binary that was released.
    let arch = job.runner.arch.to_lowercase();
    assert_eq!(
        job.runner.cached(),
        [
            format!("{VERSION}/{arch}"),
            format!("{VERSION}/{arch}.complete")
        ]
    );
    let installed = install.outputs["path"].clone();
    assert_eq!(
        PathBuf::from(&installed),
        job.runner
            .path(&format!("tool-cache/pedigree/{VERSION}/{arch}/pedigree"))
    );
    assert!(std::fs::read(&installed).unwrap() == released_binary());
    assert_eq!(install.outputs["version"], VERSION);

    let audit = audit.unwrap();
    assert_eq!(
        audit.code, 1,
        "fail-on error with a drift error: {}",
        audit.log
    );
    assert!(
        audit
            .log
            .contains("::error file=models/my-ft/README.md,line=3,title=pedigree license-drift ("),
        "{}",
        audit.log
    );
    assert!(
        !audit.log.contains("hf_not-a-real-token"),
        "the token leaked"
    );
    for (name, value) in [
        ("errors", "1"),
        ("warnings", "2"),
        ("notes", "0"),
        ("models", "1"),
    ] {
        assert_eq!(audit.outputs[name], value, "{name}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&audit.outputs["report"]).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert!(
        audit.summary.contains("```mermaid") && audit.summary.contains("license-drift"),
        "{}",
        audit.summary
    );
    let sarif_path = PathBuf::from(&audit.outputs["sarif"]);
    assert_eq!(sarif_path, job.runner.workspace().join("pedigree.sarif"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let drift = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "license-drift")
        .unwrap();
    assert_eq!(
        drift["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "models/my-ft/README.md"
    );
}

#[test]
fn a_cached_release_is_not_downloaded_again() {
    let Some(job) = Job::start(None) else {
        return;
    };
    let (first, _) = job.run(&[("model", "models/my-ft")], &[]);
    assert_eq!(first.code, 0, "{}", first.log);
    let asked = job.releases.requests().len();
    let (second, audit) = job.run(&[("model", "models/my-ft")], &[]);
    assert_eq!(second.code, 0, "{}", second.log);
    assert!(second.log.contains("from the tool cache"), "{}", second.log);
    assert_eq!(job.releases.requests().len(), asked, "downloaded again");
    assert_eq!(second.outputs["path"], first.outputs["path"]);
    assert_eq!(audit.unwrap().code, 1);
}

#[test]
fn a_wrong_checksum_is_refused_and_nothing_is_installed() {
    let (target, _, _) = match platform() {
        Some(p) => p,
        None => return,
    };
    let forged = format!(
        "{}  pedigree-{target}.tar.gz\n",
        sha256_hex(b"some other archive")
    );
    let Some(job) = Job::start(Some(forged)) else {
        return;
    };
    let (install, audit) = job.run(&[("model", "models/my-ft")], &[]);
    assert_ne!(install.code, 0);
    assert!(audit.is_none());
    assert!(
        install
            .log
            .contains("::error title=pedigree install::checksum mismatch"),
        "{}",
        install.log
    );
    assert!(job.runner.cached().is_empty(), "{:?}", job.runner.cached());

    // A checksum pinned in the workflow wins over the published one, and is checked as strictly.
    let Some(job) = Job::start(None) else {
        return;
    };
    let (install, _) = job.run(
        &[("model", "models/my-ft"), ("checksum", &sha256_hex(b"x"))],
        &[],
    );
    assert_ne!(install.code, 0);
    assert!(install.log.contains("checksum mismatch"), "{}", install.log);
    assert!(job.runner.cached().is_empty());
    let (install, _) = job.run(
        &[
            ("model", "models/my-ft"),
            ("checksum", &archive_sum(target).to_uppercase()),
        ],
        &[],
    );
    assert_eq!(install.code, 0, "{}", install.log);
    assert!(
        !job.releases
            .requests()
            .iter()
            .any(|r| r.ends_with(".sha256")),
        "{:?}",
        job.releases.requests()
    );
}

#[test]
fn latest_is_downloaded_and_cached_under_its_version() {
    let Some(job) = Job::start(None) else {
        return;
    };
    let (install, _) = job.run(&[("model", "models/my-ft"), ("version", "latest")], &[]);
    assert_eq!(install.code, 0, "{}", install.log);
    assert!(
        job.releases
            .requests()
            .iter()
            .all(|r| r.starts_with("/o/pedigree/releases/latest/download/")),
        "{:?}",
        job.releases.requests()
    );
    assert_eq!(install.outputs["version"], VERSION);
    assert!(job.runner.cached().contains(&format!(
        "{VERSION}/{}.complete",
        job.runner.arch.to_lowercase()
    )));
    // An explicit version, with its `v`, is that release; a malformed one is refused.
    let (install, _) = job.run(&[("version", &format!("v{VERSION}"))], &[]);
    assert_eq!(install.code, 0, "{}", install.log);
    let (install, _) = job.run(&[("version", "1.0; rm -rf /")], &[]);
    assert_ne!(install.code, 0);
    assert!(
        install.log.contains("the version input is"),
        "{}",
        install.log
    );
}

#[test]
fn a_missing_release_fails_without_building_unless_cargo_is_asked_for() {
    let Some(job) = Job::start(None) else {
        return;
    };
    // A stand-in for cargo that records how it is called and "installs" the built binary.
    let calls = job.runner.path("temp/cargo-calls");
    let cargo = job.runner.path("bin/cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/bash\nprintf '%s\\n' \"$@\" >> '{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && ln -sf '{}' \"$root/bin/pedigree\"\n",
            calls.display(),
            env!("CARGO_BIN_EXE_pedigree")
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&cargo).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&cargo, permissions).unwrap();

    let (install, _) = job.run(&[("version", "9.9.9")], &[]);
    assert_ne!(install.code, 0);
    assert!(
        install.log.contains("could not download pedigree 9.9.9")
            && install.log.contains("install: cargo"),
        "{}",
        install.log
    );
    assert!(!calls.exists(), "cargo ran without being asked");

    let (install, audit) = job.run(&[("install", "cargo"), ("model", "models/my-ft")], &[]);
    assert_eq!(install.code, 0, "{}", install.log);
    let called = std::fs::read_to_string(&calls).unwrap();
    let root = repo_root();
    assert!(
        called.starts_with(&format!(
            "install\n--locked\n--path\n{}\n--root\n",
            root.display()
        )),
        "{called}"
    );
    assert_eq!(install.outputs["version"], VERSION);
    assert_eq!(audit.unwrap().code, 1);
    let (install, _) = job.run(&[("install", "brew")], &[]);
    assert_ne!(install.code, 0);
}

#[test]
fn working_directory_and_args_are_honoured_and_args_never_run() {
    let Some(job) = Job::start(None) else {
        return;
    };
    let dir = job.runner.workspace().join("models/my-ft");
    std::fs::write(
        dir.join("my policy.yml"),
        "severity:\n  agreement-copy-missing: off\n  notice-missing: off\n",
    )
    .unwrap();
    // `args` comes after the inputs' flags, so its `--fail-on` wins over the input's.
    let (_, audit) = job.run(
        &[
            ("working-directory", "models/my-ft"),
            ("model", "."),
            ("fail-on", "error"),
            ("args", "--fail-on never\n  --config \"my policy.yml\""),
        ],
        &[],
    );
    let audit = audit.unwrap();
    assert_eq!(audit.code, 0, "{}", audit.log);
    assert!(
        audit
            .log
            .contains("::error file=models/my-ft/README.md,line=3,"),
        "{}",
        audit.log
    );
    assert_eq!(audit.outputs["warnings"], "0");
    assert_eq!(
        audit.outputs["sarif"],
        dir.join("pedigree.sarif").display().to_string()
    );
    assert!(dir.join("pedigree.sarif").exists());

    // Shell syntax in `args` reaches pedigree as words; nothing runs.
    let (_, audit) = job.run(
        &[
            ("model", "models/my-ft"),
            (
                "args",
                "'$(touch pwned1)' ; touch pwned2 `touch pwned3` $HOME",
            ),
        ],
        &[],
    );
    let audit = audit.unwrap();
    assert_eq!(audit.code, 2, "{}", audit.log);
    assert!(audit.log.contains("$(touch pwned1)"), "{}", audit.log);
    for n in 1..=3 {
        for place in [job.runner.workspace(), job.runner.path("temp")] {
            assert!(!place.join(format!("pwned{n}")).exists(), "args ran code");
        }
    }
    let (_, audit) = job.run(
        &[("model", "models/my-ft"), ("args", "--config \"open")],
        &[],
    );
    let audit = audit.unwrap();
    assert_eq!(audit.code, 2);
    assert!(audit.log.contains("unmatched quote"), "{}", audit.log);
}

#[test]
fn fail_on_config_and_empty_sarif_are_honoured() {
    let Some(job) = Job::start(None) else {
        return;
    };
    let config = job.runner.path("temp/policy.yml");
    std::fs::write(
        &config,
        "severity:\n  agreement-copy-missing: off\n  notice-missing: off\n",
    )
    .unwrap();
    let (_, audit) = job.run(
        &[
            ("model", "models/my-ft"),
            ("fail-on", "never"),
            ("sarif", ""),
            ("config", config.to_str().unwrap()),
        ],
        &[],
    );
    let audit = audit.unwrap();
    assert!(
        !job.runner.workspace().join("pedigree.sarif").exists(),
        "an empty `sarif` writes none"
    );
    assert_eq!(audit.outputs["sarif"], "");
    assert_eq!(audit.code, 0, "{}", audit.log);
    assert_eq!(
        audit.outputs["warnings"], "0",
        "the config turned the warnings off"
    );
    assert!(!audit.log.contains("agreement-copy-missing"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_comment_input_keeps_a_sticky_comment_and_a_fork_only_warns() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let Some(job) = Job::start(None) else {
        return;
    };
    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/models/issues/8/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&github)
        .await;
    // A fork's pull request: the token may read, not write.
    Mock::given(method("POST"))
        .and(path("/repos/o/models/issues/8/comments"))
        .and(header("authorization", "Bearer ghs_fake-token-0000"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            serde_json::json!({"message": "Resource not accessible by integration"}),
        ))
        .expect(1)
        .mount(&github)
        .await;
    let uri = github.uri();
    // The runner's GitHub context: the pull request of the run, and the job's token.
    let env = [
        ("github.token", "ghs_fake-token-0000"),
        ("GITHUB_API_URL", uri.as_str()),
        ("GITHUB_REF", "refs/pull/8/merge"),
    ];
    let (_, audit) = job.run(&[("model", "models/my-ft"), ("comment", "true")], &env);
    let audit = audit.unwrap();
    // The findings decide the exit code; the refused comment is a warning.
    assert_eq!(audit.code, 1, "{}", audit.log);
    assert!(
        audit.log.contains("warning") && audit.log.contains("read-only"),
        "{}",
        audit.log
    );
    assert!(!audit.log.contains("ghs_fake-token"), "the token leaked");
    assert_eq!(audit.outputs["errors"], "1");
    assert!(audit.summary.contains("license-drift"));
    // Without `comment`, nothing is asked of GitHub (the mocks' counts stay as they are).
    let (_, audit) = job.run(&[("model", "models/my-ft"), ("fail-on", "never")], &env);
    assert_eq!(audit.unwrap().code, 0);
    github.verify().await;
}

#[test]
fn a_family_is_audited_through_the_action() {
    let Some(job) = Job::start(None) else {
        return;
    };
    let (_, audit) = job.run(
        &[
            ("command", "family"),
            ("model", "google/gemma-2b"),
            ("fail-on", "never"),
        ],
        &[],
    );
    let audit = audit.unwrap();
    assert_eq!(audit.code, 0, "{}", audit.log);
    let models: usize = audit.outputs["models"].parse().unwrap();
    assert!(models > 1, "{}", audit.outputs["models"]);
    assert!(
        audit.log.contains("sqlcraft/gemma-2b-sql-lora"),
        "{}",
        audit.log
    );
    let (_, audit) = job.run(&[("command", "rm -rf")], &[]);
    assert_eq!(audit.unwrap().code, 2);
}
