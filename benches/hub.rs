//! `cargo bench --bench hub`: `family` over every family of ../shared/data/hub-mirror through the
//! fake Hub with 20 ms of latency per request, at concurrency 8. Prints wall time, requests made and
//! the ratio to the floor `requests × 20 ms / concurrency` (target ≤ 1.3), then a second run on
//! the warm cache (target: zero bodies), then the same walk by Python's huggingface_hub and the
//! ratio of the two wall times. Figures are printed, not asserted: timings on shared machines vary.

#[path = "../tests/common/fake_hub.rs"]
mod fake_hub;

mod support;

use fake_hub::{FakeHub, Faults};
use pedigree::audit::{Auditor, DEFAULT_MAX_DEPTH, Target, today};
use pedigree::config::Config;
use pedigree::findings::RuleDocs;
use pedigree::license::Catalogue;
use pedigree::report::{Report, Role};
use pedigree::source::{HubClient, HubOptions, Mirror};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const LATENCY: Duration = Duration::from_millis(20);
const CONCURRENCY: usize = 8;

struct Setup {
    catalogue: Catalogue,
    docs: RuleDocs,
    config: Config,
}

impl Setup {
    fn audit(&self, source: &dyn pedigree::source::Source, target: &Target) -> Report {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let auditor = Auditor {
            source,
            catalogue: &self.catalogue,
            docs: &self.docs,
            config: &self.config,
            max_depth: DEFAULT_MAX_DEPTH,
            max_family: pedigree::audit::DEFAULT_MAX_FAMILY,
            today: today(),
            body_budget: pedigree::lineage::DEFAULT_BODY_BUDGET,
            progress: None,
        };
        runtime.block_on(auditor.run(target)).expect("audit")
    }

    /// Runs `family <roots>` through the Hub at `url`; returns the report and the wall time.
    fn via_hub(&self, url: &str, cache: &Path, roots: &[String]) -> (Report, Duration) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        let options = HubOptions {
            concurrency: CONCURRENCY,
            cache_dir: Some(cache.to_path_buf()),
            ..HubOptions::new(url)
        };
        let client = HubClient::new(options).expect("client");
        let start = Instant::now();
        let report = self.audit(&client, &Target::Family(roots.to_vec()));
        (report, start.elapsed())
    }
}

fn main() {
    let Some(dir) = support::mirror_dir() else {
        return;
    };
    let setup = Setup {
        catalogue: Catalogue::builtin().unwrap(),
        docs: RuleDocs::builtin().unwrap(),
        config: Config::default(),
    };
    // Every model without a readable parent is a root; together their families are the mirror.
    let mirror = Mirror::open(&dir).unwrap();
    let all = setup.audit(&mirror, &Target::All);
    let unresolved = |id: &str| {
        all.models
            .iter()
            .any(|m| m.id == id && m.role == Role::Unresolved)
    };
    let roots: Vec<String> = all
        .models
        .iter()
        .filter(|m| m.role == Role::Audited && m.parents.iter().all(|p| unresolved(&p.id)))
        .map(|m| m.id.clone())
        .collect();

    let hub = FakeHub::start(
        &dir,
        Faults {
            latency: LATENCY,
            ..Faults::default()
        },
    );
    let cache = tempfile::tempdir().unwrap();
    let (report, wall) = setup.via_hub(&hub.url, cache.path(), &roots);
    let requests = hub.requests();
    let floor = LATENCY.as_secs_f64() * requests as f64 / CONCURRENCY as f64;
    println!(
        "family over {} roots of {} through the fake Hub ({} ms per request, concurrency {CONCURRENCY})",
        roots.len(),
        dir.display(),
        LATENCY.as_millis()
    );
    println!(
        "  models audited:  {} (a mirror run audits {})",
        report.summary.models, all.summary.models
    );
    println!("  wall time:       {:.2} s", wall.as_secs_f64());
    println!("  requests:        {requests}");
    println!(
        "  floor:           {floor:.2} s (requests × {} ms / {CONCURRENCY})",
        LATENCY.as_millis()
    );
    println!(
        "  ratio to floor:  {:.2} (target ≤ 1.3)",
        wall.as_secs_f64() / floor
    );
    println!("  bodies sent:     {}", hub.bodies());

    let bodies_before = hub.bodies();
    let requests_before = hub.requests();
    let (again, wall2) = setup.via_hub(&hub.url, cache.path(), &roots);
    println!("second run, warm cache:");
    println!("  wall time:       {:.2} s", wall2.as_secs_f64());
    println!("  requests:        {}", hub.requests() - requests_before);
    println!(
        "  bodies sent:     {} (target 0)",
        hub.bodies() - bodies_before
    );
    println!(
        "  304 answers:     {}",
        hub.stats.not_modified.load(Ordering::SeqCst)
    );
    println!(
        "  same findings:   {}",
        again.findings.len() == report.findings.len()
    );

    python_walk(&dir, &roots, wall);
}

/// The same walk by Python's huggingface_hub, installed with pip if missing.
fn python_walk(dir: &Path, roots: &[String], rust_wall: Duration) {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has = std::process::Command::new(&python)
        .args(["-c", "import huggingface_hub"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        println!("installing huggingface_hub with pip ...");
        let ok = std::process::Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "huggingface_hub"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("skipped the Python comparison: pip install huggingface_hub failed");
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
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/hf_walk.py");
    let start = Instant::now();
    let out = std::process::Command::new(&python)
        .arg(script)
        .args(roots)
        .env("HF_ENDPOINT", &hub.url)
        .env("HF_HOME", home.path())
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env_remove("HF_TOKEN")
        .output()
        .expect("python");
    let wall = start.elapsed();
    let version = std::process::Command::new(&python)
        .args([
            "-c",
            "import huggingface_hub; print(huggingface_hub.__version__)",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("huggingface_hub {version}, same walk, sequential as its API is:");
    println!(
        "  result:          {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    println!(
        "                   (its errors are the 404s pedigree meets too: cards the crawl lists but lacks, missing parents)"
    );
    if !out.status.success() {
        println!(
            "  stderr:          {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    println!("  wall time:       {:.2} s", wall.as_secs_f64());
    println!("  requests:        {}", hub.requests());
    println!(
        "  pedigree is {:.1}× faster",
        wall.as_secs_f64() / rust_wall.as_secs_f64()
    );
}
