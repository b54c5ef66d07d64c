//! A `.pedigree.yml`, which comes with the repo under audit: a config or an error naming the
//! file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pedigree::config::Config;
use pedigree::license::Catalogue;
use std::path::Path;
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::builtin().expect("the built-in catalogue loads"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Config::parse(&text, Path::new(".pedigree.yml"), catalogue());
});
