//! How a long run tells how it is going. The library reports; the caller decides whether and how
//! to show it (the binary draws a progress bar on a terminal). Below every stage that reports
//! (the Hub client, the lineage walk, the checks), so none of them depends on another to report.

use std::time::Duration;

pub trait Progress: Send + Sync {
    /// A new stage begins, with its size when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The run is held up for `left` (a rate limit window to wait out), for the reason given;
    /// `None` when it goes on again.
    fn waiting(&self, _why: Option<(&str, Duration)>) {}
}

/// Where a run's time and memory go: logs the end of a phase at debug level
/// (`PEDIGREE_LOG=pedigree=debug`) with the seconds since the first phase began, the CPU
/// seconds the process has spent (both cores busy: twice the wall time), and the resident
/// memory then. One clock for the whole run, so the phases read as one timeline.
pub fn phase_done(phase: &str) {
    if tracing::enabled!(tracing::Level::DEBUG) {
        let (cpu, resident) = usage();
        tracing::debug!(
            "{phase}: {:.2?}, process CPU {cpu:.2} s, resident {} MB",
            started().elapsed(),
            resident >> 20
        );
    }
}

/// Starts the clock of [`phase_done`] (else its first call does).
pub fn phases_begin() {
    started();
}

fn started() -> std::time::Instant {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(std::time::Instant::now)
}

/// The process's CPU seconds so far and its resident bytes now (zeros where /proc does not say).
fn usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's `)`: utime and stime are the 12th and 13th, in clock ticks
    // (100 a second on Linux), and rss the 22nd, in pages (4 KiB).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    ((field(11) + field(12)) as f64 / 100.0, field(21) * 4096)
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn usage_reads_this_process() {
        let (cpu, resident) = super::usage();
        // A test binary holds at least a few MB, and has spent some CPU getting here.
        assert!(resident > 1 << 20, "{resident}");
        // Busy until the CPU seconds read move on (a tick is 10 ms; a loaded machine may take
        // a while to give them), or 10 s.
        let busy = std::time::Instant::now();
        let mut x = 0u64;
        let mut later = cpu;
        while later <= cpu && busy.elapsed() < std::time::Duration::from_secs(10) {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
            later = super::usage().0;
        }
        assert!(later > cpu, "{cpu} then {later}");
    }
}
