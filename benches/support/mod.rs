//! What both benchmarks share.

use std::path::PathBuf;

/// The crawl to measure on: `$PEDIGREE_BENCH_MIRROR`, else ../shared/data/hub-mirror. `None`
/// (after saying so) when it is not there.
pub fn mirror_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PEDIGREE_BENCH_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/hub-mirror")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: {} is not there (set PEDIGREE_BENCH_MIRROR)",
            dir.display()
        );
        None
    }
}
