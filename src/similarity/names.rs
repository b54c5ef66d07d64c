//! Model names as TF-IDF vectors of character 3-grams and word tokens, after the atlas of LLMs
//! that recovers families from names: `Llama-2-7b-chat-finetune` is close to `Llama-2-7b-chat-hf`.

use std::collections::HashMap;

/// Grams found in more than this share of names say nothing (`-7b`, `chat`) and are skipped
/// when looking for candidates.
const COMMON_SHARE: f64 = 0.2;

/// One feature of a name: a character 3-gram, its chars packed 21 bits each, or a word token
/// (`#word`, held without the `#`). Millions of names are cut into features, so a gram is no
/// string of its own. Features order as their text does (a gram holds no `#`): gram ids are
/// given in sorted order, and scores summed in gram order, so they must.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Feature {
    Gram(u64),
    Word(Box<str>),
}

impl Feature {
    fn gram(chars: &[char]) -> Feature {
        Feature::Gram(
            chars
                .iter()
                .fold(0, |packed, &c| packed << 21 | u64::from(c)),
        )
    }

    /// The first char of a gram (its highest 21 bits).
    fn first(gram: u64) -> char {
        char::from_u32((gram >> 42) as u32).unwrap_or_default()
    }
}

impl Ord for Feature {
    fn cmp(&self, other: &Feature) -> std::cmp::Ordering {
        match (self, other) {
            // Three chars each: the packed numbers order as the chars do, as their UTF-8 does.
            (Feature::Gram(a), Feature::Gram(b)) => a.cmp(b),
            (Feature::Word(a), Feature::Word(b)) => a.cmp(b),
            // `#` against a gram's first char, which is never `#`.
            (Feature::Gram(g), Feature::Word(_)) => Feature::first(*g).cmp(&'#'),
            (Feature::Word(_), Feature::Gram(g)) => '#'.cmp(&Feature::first(*g)),
        }
    }
}

impl PartialOrd for Feature {
    fn partial_cmp(&self, other: &Feature) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The features of a name: character 3-grams of the normalised name (with ^ and $ marking its
/// ends) and its word tokens.
fn features(name: &str) -> Vec<Feature> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut chars: Vec<char> = vec!['^'];
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            chars.push(' ');
        }
        chars.extend(word.chars());
    }
    chars.push('$');
    let mut out: Vec<Feature> = chars.windows(3).map(Feature::gram).collect();
    out.extend(words.into_iter().map(|w| Feature::Word(w.into())));
    out
}

/// A TF-IDF index of names with cosine similarity. Built over every model of a run (a million
/// on a whole-Hub audit), so it is held flat: each name's weighted grams are a slice of shared
/// arrays, sorted by gram id, and each gram's names likewise.
#[derive(Default)]
pub struct NameIndex {
    vocabulary: Vocabulary,
    /// Name `d`'s grams are `grams[starts[d]..starts[d + 1]]`, with their `weights`.
    starts: Vec<u32>,
    grams: Vec<u32>,
    weights: Vec<f64>,
    /// The names holding gram `g` (distinctive grams only) are
    /// `posted[post_starts[g]..post_starts[g + 1]]`.
    post_starts: Vec<u32>,
    posted: Vec<u32>,
}

/// The grams of a run's names with their document frequencies: what weighs a name, without the
/// postings that find similar ones. Comparing two given names needs only this, and it grows
/// with the distinct grams, not with the names.
#[derive(Default)]
pub struct Vocabulary {
    /// foldhash: a whole-Hub audit looks up every gram of millions of names.
    ids: HashMap<Feature, u32, foldhash::fast::RandomState>,
    idf: Vec<f64>,
    /// Names holding each gram.
    df: Vec<f64>,
    /// Names indexed (at least 1).
    names: f64,
}

/// Names whose grams are counted in one step.
const NAMES_PER_STEP: usize = 16_384;

/// A name's TF-IDF weights, L2-normalised, sorted by gram id.
pub struct Weighed(Vec<(u32, f64)>);

/// Each distinct feature with its count, sorted by feature.
fn counts(mut features: Vec<Feature>) -> Vec<(Feature, f64)> {
    features.sort_unstable();
    let mut tf: Vec<(Feature, f64)> = Vec::with_capacity(features.len());
    for f in features {
        match tf.last_mut() {
            Some((g, c)) if *g == f => *c += 1.0,
            _ => tf.push((f, 1.0)),
        }
    }
    tf
}

impl Vocabulary {
    /// Gram ids are given in the order names come, each name's grams in sorted order, so they
    /// are the same on every run (scores are summed in gram order). Calls `each` with every
    /// name's grams and counts, sorted by id.
    fn build<'a>(
        names: impl IntoIterator<Item = &'a str>,
        mut each: impl FnMut(&[(u32, f64)]),
    ) -> Vocabulary {
        use rayon::prelude::*;
        let mut v = Vocabulary::default();
        let mut grams: Vec<(u32, f64)> = Vec::new();
        let mut count = 0usize;
        let mut names = names.into_iter().peekable();
        // Grams are counted a chunk of names at a time, on every core unless this is already one
        // of the pool's threads (a build inside a check, which other checks may wait on: its
        // thread must not take up their work meanwhile); ids are given in order.
        let parallel = rayon::current_thread_index().is_none();
        let mut docs: Vec<Vec<(Feature, f64)>> = Vec::new();
        let mut chunk: Vec<&str> = Vec::with_capacity(NAMES_PER_STEP);
        while names.peek().is_some() {
            chunk.clear();
            chunk.extend(names.by_ref().take(NAMES_PER_STEP));
            if parallel {
                chunk
                    .par_iter()
                    .map(|name| counts(features(name)))
                    .collect_into_vec(&mut docs);
            } else {
                docs.extend(chunk.iter().map(|name| counts(features(name))));
            }
            for doc in docs.drain(..) {
                count += 1;
                grams.clear();
                for (gram, c) in doc {
                    let id = match v.ids.get(&gram) {
                        Some(&id) => id,
                        None => {
                            let id = v.ids.len() as u32;
                            v.ids.insert(gram, id);
                            v.df.push(0.0);
                            id
                        }
                    };
                    v.df[id as usize] += 1.0;
                    grams.push((id, c));
                }
                grams.sort_by_key(|(g, _)| *g);
                each(&grams);
            }
        }
        v.weigh_grams(count);
        v
    }

    /// The names' count and each gram's IDF, once every gram's document frequency is known.
    fn weigh_grams(&mut self, names: usize) {
        self.names = names.max(1) as f64;
        self.idf = self
            .df
            .iter()
            .map(|d| (self.names / d).ln() + 1.0)
            .collect();
    }

    /// Grams found in more than [`COMMON_SHARE`] of the names say nothing.
    fn distinctive(&self, gram: u32) -> bool {
        self.df[gram as usize] / self.names <= COMMON_SHARE
    }

    /// Counts weighed by IDF and L2-normalised (squares summed in gram order); grams outside
    /// the vocabulary are dropped.
    fn weigh(&self, tf: &[(Feature, f64)]) -> Weighed {
        let mut v: Vec<(u32, f64)> = tf
            .iter()
            .filter_map(|(g, c)| self.ids.get(g).map(|&id| (id, c * self.idf[id as usize])))
            .collect();
        v.sort_by_key(|(g, _)| *g);
        normalise(&mut v);
        Weighed(v)
    }

    /// A name's weights, as a query or as an indexed name (the same for a name indexed).
    pub fn weights(&self, name: &str) -> Weighed {
        self.weigh(&counts(features(name)))
    }

    /// Cosine similarity of two weighed names, when they share a distinctive gram (`None`
    /// otherwise: [`NameIndex::similar`] would not have found the pair). Summed in the query's
    /// gram order, as [`NameIndex::similar`] sums it, so the two agree to the last bit.
    pub fn similarity(&self, query: &Weighed, name: &Weighed) -> Option<f64> {
        let weight = |gram: u32| match name.0.binary_search_by_key(&gram, |(g, _)| *g) {
            Ok(i) => name.0[i].1,
            Err(_) => 0.0,
        };
        let has = |gram: u32| name.0.binary_search_by_key(&gram, |(g, _)| *g).is_ok();
        let shared = query.0.iter().any(|(g, _)| self.distinctive(*g) && has(*g));
        shared.then(|| query.0.iter().map(|(g, w)| w * weight(*g)).sum())
    }
}

fn normalise(v: &mut [(u32, f64)]) {
    let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, x)| *x /= norm);
    }
}

impl NameIndex {
    /// Builds the index over `names` (the part of each id after the owner).
    pub fn build<'a>(names: impl IntoIterator<Item = &'a str>) -> NameIndex {
        let mut index = NameIndex::default();
        index.starts.push(0);
        let mut counts_flat: Vec<f64> = Vec::new();
        index.vocabulary = Vocabulary::build(names, |grams| {
            for &(g, c) in grams {
                index.grams.push(g);
                counts_flat.push(c);
            }
            index.starts.push(index.grams.len() as u32);
        });
        let vocabulary = &index.vocabulary;
        // Weights: TF-IDF, L2-normalised (squares summed in gram order, as for a query).
        index.weights = counts_flat;
        for d in 0..index.starts.len() - 1 {
            let range = index.starts[d] as usize..index.starts[d + 1] as usize;
            for i in range.clone() {
                index.weights[i] *= vocabulary.idf[index.grams[i] as usize];
            }
            let norm = index.weights[range.clone()]
                .iter()
                .map(|x| x * x)
                .sum::<f64>()
                .sqrt();
            if norm > 0.0 {
                index.weights[range].iter_mut().for_each(|x| *x /= norm);
            }
        }
        // Postings of the distinctive grams, in name order.
        let grams = vocabulary.df.len();
        let mut per_gram = vec![0u32; grams + 1];
        for &g in &index.grams {
            if vocabulary.distinctive(g) {
                per_gram[g as usize + 1] += 1;
            }
        }
        for g in 0..grams {
            per_gram[g + 1] += per_gram[g];
        }
        let mut next = per_gram.clone();
        index.posted = vec![0; per_gram[grams] as usize];
        for d in 0..index.starts.len() - 1 {
            for i in index.starts[d] as usize..index.starts[d + 1] as usize {
                let g = index.grams[i];
                if vocabulary.distinctive(g) {
                    index.posted[next[g as usize] as usize] = d as u32;
                    next[g as usize] += 1;
                }
            }
        }
        index.post_starts = per_gram;
        index
    }

    /// The vocabulary alone, for comparing given names ([`Vocabulary::similarity`]): built on
    /// every core (a whole snapshot's names are millions), with the ids and counts
    /// [`Vocabulary::build`] gives; inside the pool's threads, as that builds it.
    pub fn vocabulary_of<'a>(names: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        use rayon::prelude::*;
        if rayon::current_thread_index().is_some() {
            return Vocabulary::build(names, |_| {});
        }
        let names: Vec<&str> = names.into_iter().collect();
        // Each distinct gram with where it first comes (the name, and its place among that
        // name's sorted grams), and how many names hold it: per chunk of names, then merged.
        type Found = ((usize, usize), u64);
        type Seen = HashMap<Feature, Found, foldhash::fast::RandomState>;
        let seen: Seen = names
            .par_chunks(NAMES_PER_STEP)
            .enumerate()
            .map(|(chunk_at, chunk)| {
                let mut seen = Seen::default();
                for (i, name) in chunk.iter().enumerate() {
                    let at = chunk_at * NAMES_PER_STEP + i;
                    for (place, (gram, _)) in counts(features(name)).into_iter().enumerate() {
                        seen.entry(gram).or_insert(((at, place), 0)).1 += 1;
                    }
                }
                seen
            })
            .reduce(Seen::default, |mut a, mut b| {
                if a.len() < b.len() {
                    std::mem::swap(&mut a, &mut b);
                }
                for (gram, (first, count)) in b {
                    let entry = a.entry(gram).or_insert((first, 0));
                    entry.0 = entry.0.min(first);
                    entry.1 += count;
                }
                a
            });
        // Ids in order of first coming, as a sequential build gives them.
        let mut grams: Vec<(Feature, Found)> = seen.into_iter().collect();
        grams.par_sort_unstable_by_key(|(_, (first, _))| *first);
        let mut v = Vocabulary::default();
        v.ids.reserve(grams.len());
        for (id, (gram, (_, count))) in grams.into_iter().enumerate() {
            v.ids.insert(gram, id as u32);
            v.df.push(count as f64);
        }
        v.weigh_grams(names.len());
        v
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Name `doc`'s weight for `gram` (0 when it has not got it).
    fn weight(&self, doc: usize, gram: u32) -> f64 {
        let range = self.starts[doc] as usize..self.starts[doc + 1] as usize;
        match self.grams[range.clone()].binary_search(&gram) {
            Ok(i) => self.weights[range.start + i],
            Err(_) => 0.0,
        }
    }

    /// Cosine similarity of `name` with every indexed name sharing a distinctive gram.
    pub fn similar(&self, name: &str) -> HashMap<usize, f64> {
        // Summed in gram order, so scores (and rankings on near ties) are the same every run.
        let query = self.vocabulary.weights(name).0;
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for &(gram, _) in &query {
            let posted = self.post_starts[gram as usize] as usize
                ..self.post_starts[gram as usize + 1] as usize;
            for &doc in &self.posted[posted] {
                scores.entry(doc as usize).or_insert(0.0);
            }
        }
        // The full dot products, over every gram of the query, for the candidates found.
        for (doc, score) in scores.iter_mut() {
            *score = query.iter().map(|(g, w)| w * self.weight(*doc, *g)).sum();
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::{Feature, NameIndex, counts, features};

    /// A feature as text, as features were once held: `#word`, or the gram's three chars.
    fn text(f: &Feature) -> String {
        match f {
            Feature::Word(w) => format!("#{w}"),
            Feature::Gram(g) => [g >> 42, (g >> 21) & 0x1f_ffff, g & 0x1f_ffff]
                .iter()
                .map(|&c| char::from_u32(c as u32).unwrap())
                .collect(),
        }
    }

    #[test]
    fn the_parallel_vocabulary_is_the_sequential_one() {
        let names: Vec<String> = (0..40_000)
            .map(|i| {
                format!(
                    "Model-{}-v{}-{}",
                    i % 977,
                    i % 13,
                    ["chat", "base", "GGUF", "模型"][i % 4]
                )
            })
            .collect();
        let refs = || names.iter().map(String::as_str);
        let parallel = NameIndex::vocabulary_of(refs());
        let sequential = super::Vocabulary::build(refs(), |_| {});
        assert_eq!(parallel.names, sequential.names);
        assert_eq!(parallel.df, sequential.df);
        assert_eq!(parallel.idf, sequential.idf);
        assert_eq!(parallel.ids.len(), sequential.ids.len());
        for (gram, id) in &sequential.ids {
            assert_eq!(parallel.ids.get(gram), Some(id), "{gram:?}");
        }
    }

    #[test]
    fn features_order_as_their_text_does() {
        let names = [
            "Llama-2-7b-chat-hf",
            "Qwen2.5-Coder-7B-Instruct-GGUF",
            "stable_diffusion 2 1",
            "Ünïcödé-模型-v1",
            "a",
            "#",
            "zz-ZZ-00",
        ];
        let mut all: Vec<Feature> = names.iter().flat_map(|n| features(n)).collect();
        assert!(all.iter().any(|f| text(f) == "^ll"));
        assert!(all.iter().any(|f| text(f) == "#模型"));
        all.sort();
        let mut texts: Vec<String> = all.iter().map(text).collect();
        let in_feature_order = texts.clone();
        texts.sort();
        assert_eq!(in_feature_order, texts);
        // Counted features are one per distinct text, as before.
        let counted = counts(features("llama-llama-llama"));
        assert_eq!(
            counted
                .iter()
                .find(|(f, _)| text(f) == "#llama")
                .map(|x| x.1),
            Some(3.0)
        );
    }

    #[test]
    fn close_names_score_high_and_unrelated_low() {
        let names = [
            "Llama-2-7b-chat-hf",
            "phi-2",
            "stable-diffusion-2-1",
            "Mistral-Small-24B-Base-2501",
            "gemma-2b",
        ];
        let index = NameIndex::build(names);
        let scores = index.similar("llama-2-7b-chat-finetuned-medical");
        let best = scores.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        assert_eq!(*best.0, 0);
        assert!(*best.1 > 0.4, "{}", best.1);
        assert!(scores.get(&2).copied().unwrap_or(0.0) < 0.2);
    }
}
