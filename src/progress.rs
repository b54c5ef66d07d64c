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

/// Where a run's time and memory go, logged at debug level (`PEDIGREE_LOG=pedigree=debug`)
/// as each phase ends: the seconds since the clock started and the resident memory then.
pub struct Clock(std::time::Instant);

impl Clock {
    pub fn start() -> Clock {
        Clock(std::time::Instant::now())
    }

    /// Logs the end of a phase.
    pub fn mark(&self, phase: &str) {
        if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug!(
                "{phase}: {:.2?}, resident {} MB",
                self.0.elapsed(),
                resident_bytes() >> 20
            );
        }
    }
}

/// The process's resident memory now (0 where /proc does not say).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb << 10)
}
