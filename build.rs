//! Compiles every `rules/licenses/*.yml` into the binary: a file added to the folder is
//! registered without touching code, and `include_str!` keeps it a compile-time dependency.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new("rules/licenses");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("rules/licenses exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    names.sort();
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("/// `(file name, contents)` of every built-in licence entry.\n");
    out.push_str("pub const BUILTIN_LICENSES: &[(&str, &str)] = &[\n");
    for name in &names {
        // Read when the script runs, not when it was compiled: a build script compiled in another
        // checkout (a copied target/) would otherwise keep including that checkout's files.
        let path = Path::new(&manifest_dir).join(dir).join(name);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
        println!("cargo:rerun-if-changed={}", path.display());
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_licenses.rs");
    std::fs::write(dest, out).unwrap();
}
