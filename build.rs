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
    let mut out = String::from("/// `(file name, contents)` of every built-in licence entry.\n");
    out.push_str("pub const BUILTIN_LICENSES: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(name);
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
