//! Progress of a long run, told to whoever shows it. Below every stage that reports (lineage
//! reads, audit checks), so none of them reaches up to another for it.

/// Told how a long run is going. The library reports; the caller decides whether and how to
/// show it (the binary draws a progress bar on a terminal).
pub trait Progress: Sync {
    /// A new stage begins, with its size when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
}
