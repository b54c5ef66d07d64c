//! The house has no circles: the library's modules import one another one way, as the pipeline
//! runs (source → card/licence → lineage → checks → findings → report → notify). Read from the
//! `crate::` paths of `src/` (comments left out); `main.rs` and `cli/`, the binary, are outside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every library file's module path and text, comments left out.
fn library() -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Module = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if module.first().is_some_and(|m| m == "main" || m == "cli") {
                continue;
            }
            if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code: Vec<&str> = text
                .lines()
                .map(|l| l.split("//").next().unwrap())
                .collect();
            out.insert(module, code.join("\n"));
        }
    }
    out
}

/// The module a path names: its longest prefix that is a file of the library.
fn resolve(files: &BTreeMap<Module, String>, path: &[&str]) -> Module {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].iter().map(|s| s.to_string()).collect::<Module>())
        .find(|m| files.contains_key(m))
        .unwrap_or_default()
}

/// The paths after `crate::` in `code`, with `crate::{a::X, b::{c, d}}` groups spread out.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => return true,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(group.len(), |(i, _)| i);
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(segments(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            out.push(segments(rest));
        }
    }
    out
}

/// The identifiers a path starts with (`e::g();` → `e`, `g`).
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in path.trim().split("::") {
        let piece = piece.trim();
        let ident: String = piece
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        let whole = ident.len() == piece.len();
        out.push(ident);
        if !whole {
            break;
        }
    }
    out
}

/// A cycle in `edges`, if there is one.
fn cycle<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn visit<N: Ord + Clone>(
        node: &N,
        edges: &BTreeMap<N, BTreeSet<N>>,
        path: &mut Vec<N>,
        done: &mut BTreeSet<N>,
    ) -> Option<Vec<N>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_one_another_one_way() {
    let files = library();
    assert!(files.len() > 50, "the library's files were found");
    let mut between_files: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut between_modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &files {
        for path in crate_paths(code) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let target = resolve(&files, &path);
            if target.is_empty() || &target == module {
                continue;
            }
            between_files
                .entry(module.clone())
                .or_default()
                .insert(target.clone());
            if let (Some(from), Some(to)) = (module.first(), target.first())
                && from != to
            {
                between_modules
                    .entry(from.clone())
                    .or_default()
                    .insert(to.clone());
            }
        }
    }
    for (from, to) in &between_modules {
        eprintln!(
            "{from} -> {}",
            to.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert_eq!(cycle(&between_modules), None, "modules import in a circle");
    assert_eq!(cycle(&between_files), None, "files import in a circle");
    // The stages below never reach up to the ones after them.
    for (low, high) in [
        ("lineage", "audit"),
        ("findings", "config"),
        ("config", "notify"),
        ("report", "stats"),
    ] {
        let reaches = between_modules.get(low).is_some_and(|t| t.contains(high));
        assert!(!reaches, "{low} imports {high}");
    }
}

#[test]
fn the_reader_finds_grouped_and_inline_paths() {
    let code = "use crate::{a::X, b::{c, d::Y}};\nfn f() { crate::e::g(); }\nsuper::crate::x;";
    let found = crate_paths(code);
    assert!(found.contains(&vec!["a".to_string(), "X".to_string()]));
    assert!(found.contains(&vec!["b".to_string()]));
    assert!(found.contains(&vec!["e".to_string(), "g".to_string()]));
    let edges = BTreeMap::from([(1, BTreeSet::from([2])), (2, BTreeSet::from([1]))]);
    assert!(cycle(&edges).is_some());
}
