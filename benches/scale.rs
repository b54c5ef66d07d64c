//! `cargo bench --bench scale`: whole-snapshot audits (`family --all --snapshot`, the release
//! binary, on every core) against the parse floor of the same snapshot, measured in the same
//! run: a pass that reads and JSON-parses every line and pulls out licence and parents
//! (benches/support/floor.rs), on every core too.
//!
//! Two shapes of snapshot:
//! - `real` (the default when ../shared/data/hub-mirror is there): the crawl's families grown
//!   K-fold, so a family has thousands of children at 100k models and hundreds of thousands at
//!   2M, with real info and card sizes and synthetic text (benches/support/shaped.rs);
//! - `synthetic`: small seeded families (benches/support/synth.rs).
//!
//! Per size it prints the medians of `PEDIGREE_SCALE_RUNS` runs (3) of each, floor and audit
//! alternating: wall time, the audit's ratio to the floor, CPU utilisation (CPU seconds per wall
//! second: 2.0 is both cores busy), peak memory and bytes of it per model. Then it asserts the
//! growth: at 10 times the models, the audit takes at most 12 times as long.
//!
//! `PEDIGREE_SCALE_SHAPE=real|synthetic`; `PEDIGREE_SCALE_SIZES=10000,100000` picks the sizes
//! (default 10k, 100k, 1M and 2M; a 2M real-shaped snapshot is about 9 GB, written to the temp
//! directory and deleted after its runs); `PEDIGREE_SCALE_KEEP=DIR` keeps the snapshots there.

#[path = "support/mod.rs"]
mod support;

#[path = "support/synth.rs"]
mod synth;

#[path = "support/shaped.rs"]
mod shaped;

#[path = "support/floor.rs"]
mod floor;

#[path = "support/child.rs"]
mod child;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

/// Set (to a snapshot path) when this binary runs as the floor's child process.
const FLOOR_ENV: &str = "PEDIGREE_SCALE_FLOOR";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn env_list(name: &str) -> Option<Vec<usize>> {
    std::env::var(name).ok().map(|s| {
        s.split(',')
            .filter_map(|n| n.trim().replace('_', "").parse().ok())
            .collect()
    })
}

/// The audit and the floor of one snapshot, `runs` times each.
struct Row {
    models: usize,
    snapshot_mb: f64,
    floor: Vec<child::Measured>,
    audit: Vec<child::Measured>,
}

impl Row {
    fn audit_s(&self) -> f64 {
        median(self.audit.iter().map(|m| m.wall).collect())
    }

    fn print(&self) {
        let floor = median(self.floor.iter().map(|m| m.wall).collect());
        let audit = self.audit_s();
        // Each audit against the floor run just before it.
        let ratio = median(
            self.audit
                .iter()
                .zip(&self.floor)
                .map(|(a, f)| a.wall / f.wall)
                .collect(),
        );
        let cpu = median(self.audit.iter().map(|m| m.cpu / m.wall).collect());
        let floor_cpu = median(self.floor.iter().map(|m| m.cpu / m.wall).collect());
        let peak = median(self.audit.iter().map(|m| m.peak_mb).collect());
        let floor_peak = median(self.floor.iter().map(|m| m.peak_mb).collect());
        println!(
            "| {} | {:.0} | {floor:.2} | {floor_cpu:.2} | {floor_peak:.0} | {audit:.2} | {ratio:.2} | {cpu:.2} | {peak:.0} | {:.0} | {:.0} |",
            self.models,
            self.snapshot_mb,
            peak * 1024.0 * 1024.0 / self.models as f64,
            self.models as f64 / audit,
        );
    }
}

fn main() {
    if let Some(path) = std::env::var_os(FLOOR_ENV) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let found = floor::run(Path::new(&path), cores);
        assert!(found.models > 0, "the floor read no model");
        eprintln!("{found:?}");
        return;
    }
    let crawl_dir = support::mirror_dir();
    let shape = std::env::var("PEDIGREE_SCALE_SHAPE").unwrap_or_else(|_| {
        if crawl_dir.is_some() {
            "real".into()
        } else {
            "synthetic".into()
        }
    });
    let crawl = match shape.as_str() {
        "real" => {
            Some(shaped::Crawl::read(crawl_dir.as_deref().expect(
                "the real shape needs the crawl (PEDIGREE_BENCH_MIRROR)",
            )))
        }
        "synthetic" => None,
        other => panic!("PEDIGREE_SCALE_SHAPE={other}: real or synthetic"),
    };
    let sizes = env_list("PEDIGREE_SCALE_SIZES")
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000, 2_000_000]);
    let runs = env_list("PEDIGREE_SCALE_RUNS")
        .and_then(|r| r.first().copied())
        .unwrap_or(3)
        .max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");
    match &crawl {
        Some(c) => println!(
            "real-shaped snapshots: the {} models of the crawl, children copied K-fold; {cores} cores; medians of {runs} runs",
            c.len()
        ),
        None => println!("synthetic snapshots; {cores} cores; medians of {runs} runs"),
    }
    println!();
    println!(
        "| models | snapshot MB | floor s | floor CPU | floor peak MB | audit s | audit ÷ floor | audit CPU | audit peak MB | peak bytes/model | models/s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows: Vec<Row> = Vec::new();
    for n in sizes {
        let file = dir.path().join(format!("{shape}-{n}.jsonl"));
        {
            let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&file).unwrap());
            match &crawl {
                Some(c) => c.write(&mut out, n, 42).unwrap(),
                None => synth::write_synthetic(&mut out, n, 42).unwrap(),
            }
            out.flush().unwrap();
        }
        let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
        let mut row = Row {
            models: n,
            snapshot_mb: mb,
            floor: Vec::new(),
            audit: Vec::new(),
        };
        for _ in 0..runs {
            let floor = child::measure(
                Command::new(std::env::current_exe().unwrap()).env(FLOOR_ENV, &file),
            );
            assert_eq!(floor.code, 0, "the floor failed");
            row.floor.push(floor);
            let audit = child::measure(
                Command::new(env!("CARGO_BIN_EXE_pedigree"))
                    .args(["family", "--all", "--snapshot"])
                    .arg(&file)
                    .args([
                        "--format",
                        "json",
                        "-o",
                        "/dev/null",
                        "--fail-on",
                        "never",
                        "-q",
                    ]),
            );
            assert!(audit.code == 0, "pedigree failed: exit {}", audit.code);
            row.audit.push(audit);
        }
        row.print();
        rows.push(row);
        // PEDIGREE_SCALE_KEEP=DIR keeps the snapshots there, for experiments.
        if let Some(keep) = std::env::var_os("PEDIGREE_SCALE_KEEP") {
            let _ = std::fs::copy(&file, Path::new(&keep).join(file.file_name().unwrap()));
        }
        let _ = std::fs::remove_file(&file);
    }
    // Growth: at 10 times the models, at most 12 times the time (linear, with slack for a
    // shared machine). Sizes further apart are held to the same exponent.
    println!();
    let mut grew_too_fast = Vec::new();
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let size = b.models as f64 / a.models as f64;
        let time = b.audit_s() / a.audit_s();
        let allowed = size.powf(12f64.ln() / 10f64.ln());
        println!(
            "growth {} → {}: {time:.1}× the time for {size:.1}× the models (allowed {allowed:.1}×)",
            a.models, b.models
        );
        if time > allowed {
            grew_too_fast.push(format!("{} → {}", a.models, b.models));
        }
    }
    assert!(
        grew_too_fast.is_empty(),
        "the audit grew faster than linear: {grew_too_fast:?}"
    );
}
