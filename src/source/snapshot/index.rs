//! The index of a snapshot: every model's and dataset's id, where its line is, and who names whom
//! as a parent.
//! Held for every model of the snapshot (millions), so ids are held once, sorted, and the
//! children as positions among them.

use std::collections::HashMap;
use std::sync::Arc;

/// A model line as a part's reading found it.
#[derive(Debug)]
pub(super) struct Entry {
    /// Shared with the model a scan makes of the line (its id in the lineage).
    pub id: Arc<str>,
    /// Byte offset and length (line end included) of the line.
    pub at: u64,
    pub len: u32,
    /// The line's number within its part (0-based).
    pub line: usize,
    /// The parents its tags name.
    pub parents: Vec<String>,
}

/// What reading one part of the file found.
#[derive(Debug, Default)]
pub(super) struct PartIndex {
    /// Lines the part holds (all of them: blank, skipped and too long included).
    pub lines: usize,
    pub entries: Vec<Entry>,
    /// Dataset lines (without parents).
    pub datasets: Vec<Entry>,
    /// (line within the part, reason) of lines that are not models.
    pub problems: Vec<(usize, String)>,
}

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Sorted; each shared with the lineage's node of the model, when a scan read it.
    models: Vec<Arc<str>>,
    /// (offset, length) of `models[i]`'s line.
    lines: Vec<(u64, u32)>,
    /// Children of `models[i]` are `children[child_starts[i]..child_starts[i + 1]]`, positions
    /// in `models`, in id order.
    child_starts: Vec<u32>,
    children: Vec<u32>,
    /// Children of parents the snapshot does not hold, by the parent's id.
    children_of_absent: HashMap<String, Vec<u32>>,
    /// Datasets, sorted, with the (offset, length) of each one's line.
    datasets: Vec<Arc<str>>,
    dataset_lines: Vec<(u64, u32)>,
    /// Lines that are neither: (1-based line, reason), in line order.
    pub problems: Vec<(usize, String)>,
}

/// [`Entry::line`] of a line whose id a later line holds too.
const REPEATED: usize = usize::MAX;

/// Entries sorted by id, a later line first: of two lines with one id, the later is used, and
/// the earlier is named as a problem and marked [`REPEATED`] (its parents still count).
fn used(mut found: Vec<Entry>, what: &str, problems: &mut Vec<(usize, String)>) -> Vec<Entry> {
    found.sort_unstable_by(|a, b| a.id.cmp(&b.id).then(b.at.cmp(&a.at)));
    for i in 1..found.len() {
        if found[i].id == found[i - 1].id {
            let id = &found[i].id;
            problems.push((
                found[i].line + 1,
                format!("{what}`{id}` is listed again further down; that line is used"),
            ));
            found[i].line = REPEATED;
        }
    }
    found
}

impl Index {
    /// The index of a file read in parts, in file order.
    pub fn of_parts(parts: Vec<PartIndex>) -> Index {
        let mut found: Vec<Entry> = Vec::new();
        let mut found_datasets: Vec<Entry> = Vec::new();
        let mut problems = Vec::new();
        let mut before = 0;
        for part in parts {
            problems.extend(
                part.problems
                    .into_iter()
                    .map(|(line, why)| (before + line + 1, why)),
            );
            let numbered = |mut e: Entry| {
                e.line += before;
                e
            };
            found.extend(part.entries.into_iter().map(numbered));
            found_datasets.extend(part.datasets.into_iter().map(numbered));
            before += part.lines;
        }
        let mut index = Index::default();
        // (parent, child position) of every line, the repeated ones' included.
        let mut links: Vec<(String, u32)> = Vec::new();
        for entry in used(found, "", &mut problems) {
            let Entry {
                id,
                at,
                len,
                line,
                parents,
            } = entry;
            if line != REPEATED {
                index.models.push(id);
                index.lines.push((at, len));
            }
            let child = (index.models.len() - 1) as u32;
            links.extend(parents.into_iter().map(|p| (p, child)));
        }
        for entry in used(found_datasets, "dataset ", &mut problems) {
            if entry.line != REPEATED {
                index.datasets.push(entry.id);
                index.dataset_lines.push((entry.at, entry.len));
            }
        }
        problems.sort_by_key(|(line, _)| *line);
        index.problems = problems;
        let mut per_parent: Vec<(u32, u32)> = Vec::with_capacity(links.len());
        for (parent, child) in links {
            match index.position(&parent) {
                Some(p) => per_parent.push((p as u32, child)),
                None => index
                    .children_of_absent
                    .entry(parent)
                    .or_default()
                    .push(child),
            }
        }
        per_parent.sort_unstable();
        per_parent.dedup();
        index.child_starts = vec![0; index.models.len() + 1];
        for &(p, _) in &per_parent {
            index.child_starts[p as usize + 1] += 1;
        }
        for i in 0..index.models.len() {
            index.child_starts[i + 1] += index.child_starts[i];
        }
        index.children = per_parent.into_iter().map(|(_, c)| c).collect();
        for children in index.children_of_absent.values_mut() {
            children.sort_unstable();
            children.dedup();
        }
        index
    }

    /// Where dataset `id`'s line is.
    pub fn dataset_line(&self, id: &str) -> Option<(u64, u32)> {
        let i = self.datasets.binary_search_by(|d| (**d).cmp(id)).ok()?;
        Some(self.dataset_lines[i])
    }

    pub fn datasets(&self) -> usize {
        self.datasets.len()
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.models.binary_search_by(|m| (**m).cmp(id)).ok()
    }

    /// Where `id`'s line is.
    pub fn line(&self, id: &str) -> Option<(u64, u32)> {
        Some(self.lines[self.position(id)?])
    }

    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Every id, sorted.
    pub fn models(&self) -> impl Iterator<Item = &str> {
        self.models.iter().map(|m| &**m)
    }

    /// The ids whose tags name `id` as a parent, sorted.
    pub fn children(&self, id: &str) -> Vec<String> {
        let positions: &[u32] = match self.position(id) {
            Some(p) => {
                &self.children[self.child_starts[p] as usize..self.child_starts[p + 1] as usize]
            }
            None => self.children_of_absent.get(id).map_or(&[], Vec::as_slice),
        };
        positions
            .iter()
            .map(|&c| self.models[c as usize].to_string())
            .collect()
    }
}
