//! Pedigree: a licence-compliance auditor for models on the Hugging Face Hub.
//!
//! The crate is a one-way pipeline, and the modules read in its order:
//!
//! `source` (mirror, local repo) → `card` / `license` (what a model declares) → `lineage`
//! (its ancestors) → `checks` (each rule judges) → `findings` (stable ids, severities, waivers) →
//! `report` (human, JSON). `audit` wires the stages together; `main.rs` only parses the command
//! line. A check never fetches, and a renderer never decides.
#![forbid(unsafe_code)]

pub mod audit;
pub mod card;
pub mod checks;
pub mod config;
pub mod crawl;
pub mod error;
pub mod findings;
pub mod license;
pub mod lineage;
pub mod notify;
pub mod progress;
pub mod report;
pub mod similarity;
pub mod source;
pub mod stats;

pub use error::{Error, Result};
