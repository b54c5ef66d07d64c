//! A `.pedigree.yml`, which comes with the repo under audit: a config or an error naming the
//! file, never a panic.
#![no_main]

#[path = "catalogue.rs"]
mod catalogue;

use catalogue::catalogue;
use libfuzzer_sys::fuzz_target;
use pedigree::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Config::parse(&text, Path::new(".pedigree.yml"), catalogue());
});
