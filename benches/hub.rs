//! `cargo bench --bench hub`: the families of ../shared/data/hub-mirror (every model no other
//! names as a parent in its tags: the roots of the Hub's model tree) audited by the release
//! binary through the fake Hub, 20 ms per request, at concurrency 8. Prints, per run:
//! - API requests per model audited (target ≤ 0.05 for metadata) and resolver (file) requests per
//!   model, over all families and for the largest ones alone;
//! - wall time against the floor `requests × 20 ms / 8`, and CPU seconds per model audited
//!   (target < 2 ms), from the child's own rusage;
//! - a second run on the warm cache (target: under half the cold run's time);
//! - a run under a real-shaped rate limit (a free account's 1,000 API and 5,000 resolver requests
//!   per 300 s window, scaled to 40 and 200 per 6 s; 429s without `Retry-After`), against the
//!   floor that limit sets;
//! - the same walk by Python's huggingface_hub (`list_models(expand=…)`, `model_info`,
//!   `hf_hub_download`) on 8 threads, installed with pip if missing.
//!
//! Figures are printed, not asserted: timings on shared machines vary.

#[path = "../tests/common/fake_hub.rs"]
mod fake_hub;

#[path = "support/child.rs"]
mod child;

mod support;

use fake_hub::{FakeHub, Faults, RateLimits};
use pedigree::source::{Mirror, Source};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 8;
const LIMITS: RateLimits = RateLimits {
    window_secs: 6,
    api: 40,
    resolvers: 200,
};

/// One run of `pedigree family` and what it cost.
struct Run {
    measured: child::Measured,
    models: u64,
    findings: BTreeSet<(String, String, String)>,
    api: u64,
    resolvers: u64,
}

/// `pedigree family <roots>` through the Hub at `hub`, with the cache in `cache` (or none).
fn family(hub: &FakeHub, roots: &[String], cache: Option<&Path>) -> Run {
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pedigree"));
    command
        .arg("family")
        .args(roots)
        .args([
            "--endpoint",
            &hub.url,
            "--format",
            "json",
            "--fail-on",
            "never",
            "-q",
        ])
        .args(["--concurrency", &CONCURRENCY.to_string(), "-o"])
        .arg(out.path())
        .env_remove("HF_TOKEN")
        .env("HF_HOME", out.path().with_extension("no-hf-home"));
    match cache {
        Some(dir) => command.arg("--cache-dir").arg(dir),
        None => command.arg("--no-cache"),
    };
    let (api, resolvers) = (hub.api_requests(), hub.resolver_requests());
    let measured = child::measure(&mut command);
    assert!(measured.code == 0, "pedigree exited {}", measured.code);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path()).unwrap()).unwrap();
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("model"), s("rule"), s("fingerprint"))
        })
        .collect();
    Run {
        measured,
        models: report["summary"]["models"].as_u64().unwrap_or(0),
        findings,
        api: hub.api_requests() - api,
        resolvers: hub.resolver_requests() - resolvers,
    }
}

/// The roots of the Hub's model tree in a mirror, and each one's family size.
fn roots_of(dir: &Path) -> Vec<(String, usize)> {
    let mirror = Mirror::open(dir).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let all = runtime.block_on(mirror.all_models()).unwrap();
    let children = |id: &str| runtime.block_on(mirror.children(id)).unwrap_or_default();
    let named: HashSet<String> = all.iter().flat_map(|id| children(id)).collect();
    let mut roots: Vec<(String, usize)> = all
        .iter()
        .filter(|id| !named.contains(*id))
        .map(|root| {
            let mut seen = HashSet::from([root.clone()]);
            let mut queue = vec![root.clone()];
            while let Some(id) = queue.pop() {
                for child in children(&id) {
                    if seen.insert(child.clone()) {
                        queue.push(child);
                    }
                }
            }
            (root.clone(), seen.len())
        })
        .collect();
    roots.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    roots
}

fn per_model(n: u64, models: u64) -> f64 {
    n as f64 / models.max(1) as f64
}

fn latency_floor(requests: u64) -> f64 {
    requests as f64 * LATENCY.as_secs_f64() / CONCURRENCY as f64
}

fn main() {
    let Some(dir) = support::mirror_dir() else {
        return;
    };
    let roots = roots_of(&dir);
    let ids: Vec<String> = roots.iter().map(|(r, _)| r.clone()).collect();
    println!(
        "family over the {} roots of {} through the fake Hub ({} ms a request, concurrency {CONCURRENCY})",
        ids.len(),
        dir.display(),
        LATENCY.as_millis()
    );
    let faults = || Faults {
        latency: LATENCY,
        ..Faults::default()
    };
    let hub = FakeHub::start(&dir, faults());
    let cache = tempfile::tempdir().unwrap();
    let cold = family(&hub, &ids, Some(cache.path()));
    let requests = cold.api + cold.resolvers;
    let floor = latency_floor(requests);
    println!("cold (empty cache):");
    println!("  models audited:        {}", cold.models);
    println!(
        "  API requests:          {} = {:.3} a model (target ≤ 0.05)",
        cold.api,
        per_model(cold.api, cold.models)
    );
    println!(
        "  resolver requests:     {} = {:.2} a model (cards and licence files)",
        cold.resolvers,
        per_model(cold.resolvers, cold.models)
    );
    println!(
        "  wall time:             {:.2} s; floor {floor:.2} s (requests × {} ms / {CONCURRENCY}); ratio {:.2}",
        cold.measured.wall,
        LATENCY.as_millis(),
        cold.measured.wall / floor
    );
    println!(
        "  CPU:                   {:.2} s = {:.2} ms a model (target < 2 ms); peak {:.0} MB",
        cold.measured.cpu,
        cold.measured.cpu * 1000.0 / cold.models.max(1) as f64,
        cold.measured.peak_mb
    );
    let cache_bytes: u64 = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "  cache:                 {} file(s), {:.1} MB",
        std::fs::read_dir(cache.path()).unwrap().count(),
        cache_bytes as f64 / 1e6
    );

    let warm = family(&hub, &ids, Some(cache.path()));
    println!("warm (the same cache, nothing changed):");
    println!(
        "  requests:              {} API (revalidated), {} resolver",
        warm.api, warm.resolvers
    );
    println!(
        "  wall time:             {:.2} s = {:.2} of the cold run (target < 0.5)",
        warm.measured.wall,
        warm.measured.wall / cold.measured.wall
    );
    println!(
        "  CPU:                   {:.2} s = {:.2} ms a model",
        warm.measured.cpu,
        warm.measured.cpu * 1000.0 / warm.models.max(1) as f64
    );
    println!(
        "  same findings:         {}",
        warm.findings == cold.findings
    );

    println!("largest families alone (cold, no cache):");
    for (root, size) in roots.iter().take(3) {
        let one = family(&hub, std::slice::from_ref(root), None);
        println!(
            "  {root} ({size} in the tree, {} audited): {:.3} API and {:.2} resolver requests a model",
            one.models,
            per_model(one.api, one.models),
            per_model(one.resolvers, one.models)
        );
    }

    let limited_hub = FakeHub::start(
        &dir,
        Faults {
            rate_limits: Some(LIMITS),
            ..faults()
        },
    );
    let limited = family(&limited_hub, &ids, None);
    let windows = |n: u64, quota: u64| n.div_ceil(quota).saturating_sub(1);
    let rate_floor = (windows(limited.api, LIMITS.api)
        .max(windows(limited.resolvers, LIMITS.resolvers))
        * LIMITS.window_secs) as f64;
    println!(
        "under a rate limit ({} API / {} resolver requests per {} s window; 429s without Retry-After):",
        LIMITS.api, LIMITS.resolvers, LIMITS.window_secs
    );
    println!(
        "  wall time:             {:.2} s; floor the windows set {rate_floor:.0} s; ratio {:.2}",
        limited.measured.wall,
        limited.measured.wall / rate_floor.max(floor)
    );
    println!(
        "  429 answers:           {} of {} requests",
        limited_hub.too_many(),
        limited.api + limited.resolvers
    );
    println!(
        "  same findings:         {}",
        limited.findings == cold.findings
    );

    python_walk(&dir, &ids, &cold);
}

/// The same walk by Python's huggingface_hub on as many threads, installed with pip if missing.
fn python_walk(dir: &Path, roots: &[String], rust: &Run) {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has = |python: &str| {
        Command::new(python)
            .args(["-c", "import huggingface_hub"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has(&python) {
        println!("installing huggingface_hub with pip ...");
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "huggingface_hub"])
            .status()
            .is_ok_and(|s| s.success());
        if !installed || !has(&python) {
            println!("skipped the huggingface_hub comparison: pip install huggingface_hub failed");
            return;
        }
    }
    let hub = FakeHub::start(
        dir,
        Faults {
            latency: LATENCY,
            ..Faults::default()
        },
    );
    let home = tempfile::tempdir().unwrap();
    let said_path = home.path().join("said.json");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/hf_walk.py");
    let mut command = Command::new(&python);
    command
        .arg(&script)
        .arg(CONCURRENCY.to_string())
        .args(roots)
        .env("HF_ENDPOINT", &hub.url)
        .env("HF_HOME", home.path())
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env_remove("HF_TOKEN")
        .stdout(std::fs::File::create(&said_path).unwrap());
    let measured = child::measure(&mut command);
    let wall = measured.wall;
    let version = Command::new(&python)
        .args([
            "-c",
            "import huggingface_hub; print(huggingface_hub.__version__)",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let said: serde_json::Value = std::fs::read(&said_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::Value::Null);
    let models = said["models"].as_u64().unwrap_or(0);
    println!(
        "huggingface_hub {version}, the same walk on {CONCURRENCY} threads (no licence files):"
    );
    println!(
        "  result:                {} models read, {} errors (404s pedigree meets too: cards listed but absent, missing parents)",
        models, said["errors"]
    );
    println!(
        "  requests:              {} API = {:.3} a model, {} resolver = {:.2} a model",
        hub.api_requests(),
        per_model(hub.api_requests(), models),
        hub.resolver_requests(),
        per_model(hub.resolver_requests(), models)
    );
    println!(
        "  wall time:             {wall:.2} s; floor {:.2} s; pedigree (cold) is {:.2}× faster",
        latency_floor(hub.requests()),
        wall / rust.measured.wall
    );
    println!(
        "  CPU:                   {:.2} s = {:.2} ms a model",
        measured.cpu,
        measured.cpu * 1000.0 / models.max(1) as f64
    );
}
