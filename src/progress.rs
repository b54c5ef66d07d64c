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
