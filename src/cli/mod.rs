//! The binary's own modules: argument shapes, output, and notifier wiring.

pub mod args;
pub mod notify;
pub mod output;
pub mod progress;
pub mod snapshot;
