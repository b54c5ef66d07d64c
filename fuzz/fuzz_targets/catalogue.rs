//! The built-in catalogue, loaded once for every input.

use pedigree::license::Catalogue;
use std::sync::OnceLock;

pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::builtin().expect("the built-in catalogue loads"))
}
