//! An inverted index from shingle to texts, for finding the texts most like a query without
//! comparing it to all of them.

use super::Shingles;
use std::collections::HashMap;

/// Shingles shared by more texts than this are boilerplate (licence paragraphs, the Hub's card
/// template) and say nothing about who copied whom; they are not used to find candidates.
const COMMON: usize = 200;

#[derive(Default)]
pub struct ShingleIndex {
    texts: Vec<Shingles>,
    postings: HashMap<u64, Vec<u32>>,
}

impl ShingleIndex {
    pub fn new() -> ShingleIndex {
        ShingleIndex::default()
    }

    /// Adds a text; returns its number.
    pub fn add(&mut self, shingles: Shingles) -> usize {
        let id = self.texts.len();
        for &h in shingles.hashes() {
            self.postings.entry(h).or_default().push(id as u32);
        }
        self.texts.push(shingles);
        id
    }

    pub fn get(&self, id: usize) -> &Shingles {
        &self.texts[id]
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The texts most like `query` by Jaccard, best first, at most `limit`; only texts sharing a
    /// shingle that is not boilerplate are scored.
    pub fn nearest(&self, query: &Shingles, limit: usize) -> Vec<(usize, f64)> {
        let mut shared: HashMap<u32, u32> = HashMap::new();
        for h in query.hashes() {
            if let Some(list) = self.postings.get(h).filter(|l| l.len() <= COMMON) {
                for &id in list {
                    *shared.entry(id).or_default() += 1;
                }
            }
        }
        let mut scored: Vec<(usize, f64)> = shared
            .into_keys()
            .map(|id| (id as usize, query.jaccard(&self.texts[id as usize])))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored
    }
}
