//! The binary's own modules: argument shapes, output, logging, and notifier wiring.

pub mod args;
pub mod log;
pub mod notify;
pub mod output;
pub mod progress;
pub mod snapshot;
