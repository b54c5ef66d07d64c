//! A rules directory's files (`--rules DIR`): a licence file and `findings.yml` load or fail with
//! an error naming the file, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pedigree::findings::RuleDocs;
use pedigree::license::Catalogue;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = Catalogue::from_files(&[("fuzzed.yml".to_string(), text.clone())], "fuzz");
    let _ = RuleDocs::parse(&text, "findings.yml");
});
