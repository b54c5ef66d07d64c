//! `cargo bench --bench scale`: audits synthetic snapshots of 10k, 100k and 1M models with the
//! real binary (`family --all --snapshot`), sequential (`--jobs 1`) and on every core, and prints
//! wall time, models per second and peak memory of each run. Targets: linear growth; 1M models in
//! under 60 s and 2 GB on one core. `PEDIGREE_SCALE_SIZES=10000,100000` picks the sizes.

#[path = "support/synth.rs"]
mod synth;

#[path = "support/child.rs"]
mod child;

use std::io::{BufWriter, Write};
use std::process::Command;

/// Runs a command; returns (seconds, peak resident memory in MB) of that one process.
fn measure(command: &mut Command) -> (f64, f64) {
    let run = child::measure(command);
    assert!(
        run.code == 0 || run.code == 1,
        "pedigree failed: exit {}",
        run.code
    );
    (run.wall, run.peak_mb)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PEDIGREE_SCALE_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");
    println!("| models | snapshot MB | threads | wall s | models/s | peak MB |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let file = dir.path().join(format!("synthetic-{n}.jsonl"));
        {
            let mut out = BufWriter::new(std::fs::File::create(&file).unwrap());
            synth::write_synthetic(&mut out, n, 42).unwrap();
            out.flush().unwrap();
        }
        let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
        for jobs in [1, cores] {
            let mut command = Command::new(env!("CARGO_BIN_EXE_pedigree"));
            command
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
                    "--jobs",
                    &jobs.to_string(),
                ]);
            let (wall, peak) = measure(&mut command);
            println!(
                "| {n} | {mb:.0} | {jobs} | {wall:.2} | {:.0} | {peak:.0} |",
                n as f64 / wall
            );
        }
        // PEDIGREE_SCALE_KEEP=DIR keeps the snapshots there, for experiments.
        if let Some(keep) = std::env::var_os("PEDIGREE_SCALE_KEEP") {
            let _ = std::fs::copy(
                &file,
                std::path::Path::new(&keep).join(file.file_name().unwrap()),
            );
        }
        let _ = std::fs::remove_file(&file);
    }
}
