//! A card's `license` value (and `license_name`), read as the Hub's ids or an SPDX-like
//! expression against the built-in catalogue: terms or an unknown licence, never a panic.
#![no_main]

#[path = "catalogue.rs"]
mod catalogue;

use catalogue::catalogue;
use libfuzzer_sys::fuzz_target;
use pedigree::card::{Metadata, OneOrMany};
use pedigree::license::normalize;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Split on the first NUL: a licence value, and optionally a licence name.
    let (license, name) = match text.split_once('\0') {
        Some((l, n)) => (l.to_string(), Some(n.to_string())),
        None => (text.into_owned(), None),
    };
    let meta = Metadata {
        license: Some(OneOrMany::Many(
            license.split('\u{1}').map(str::to_string).collect(),
        )),
        license_name: name,
        ..Metadata::default()
    };
    let _ = normalize(&meta, catalogue());
    let _ = catalogue().suggest(&license);
});
