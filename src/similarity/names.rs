//! Model names as TF-IDF vectors of character 3-grams and word tokens, after the atlas of LLMs
//! that recovers families from names: `Llama-2-7b-chat-finetune` is close to `Llama-2-7b-chat-hf`.

use std::collections::HashMap;

/// Grams found in more than this share of names say nothing (`-7b`, `chat`) and are skipped
/// when looking for candidates.
const COMMON_SHARE: f64 = 0.2;

/// The features of a name: character 3-grams of the normalised name (with ^ and $ marking its
/// ends) and its word tokens.
fn features(name: &str) -> Vec<String> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let joined = format!("^{}$", words.join(" "));
    let chars: Vec<char> = joined.chars().collect();
    let mut out: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    out.extend(words.into_iter().map(|w| format!("#{w}")));
    out
}

/// A TF-IDF index of names with cosine similarity.
#[derive(Default)]
pub struct NameIndex {
    vectors: Vec<HashMap<u32, f64>>,
    vocabulary: HashMap<String, u32>,
    idf: Vec<f64>,
    postings: Vec<Vec<u32>>,
}

fn counts(features: Vec<String>) -> HashMap<String, f64> {
    let mut tf = HashMap::new();
    for f in features {
        *tf.entry(f).or_insert(0.0) += 1.0;
    }
    tf
}

impl NameIndex {
    /// Builds the index over `names` (the part of each id after the owner).
    pub fn build<'a>(names: impl IntoIterator<Item = &'a str>) -> NameIndex {
        let docs: Vec<HashMap<String, f64>> =
            names.into_iter().map(|n| counts(features(n))).collect();
        let mut index = NameIndex::default();
        let mut df: Vec<f64> = Vec::new();
        for doc in &docs {
            // Sorted, so grams get the same ids on every run.
            let mut grams: Vec<&String> = doc.keys().collect();
            grams.sort();
            for gram in grams {
                let next = index.vocabulary.len() as u32;
                let id = *index.vocabulary.entry(gram.clone()).or_insert(next);
                if id as usize == df.len() {
                    df.push(0.0);
                }
                df[id as usize] += 1.0;
            }
        }
        let n = docs.len().max(1) as f64;
        index.idf = df.iter().map(|d| (n / d).ln() + 1.0).collect();
        index.postings = vec![Vec::new(); df.len()];
        for (doc_id, doc) in docs.iter().enumerate() {
            let vector = index.weigh(doc);
            for &gram in vector.keys() {
                if df[gram as usize] / n <= COMMON_SHARE {
                    index.postings[gram as usize].push(doc_id as u32);
                }
            }
            index.vectors.push(vector);
        }
        index
    }

    /// TF-IDF weights, L2-normalised; grams outside the vocabulary are dropped.
    fn weigh(&self, tf: &HashMap<String, f64>) -> HashMap<u32, f64> {
        let mut v: HashMap<u32, f64> = tf
            .iter()
            .filter_map(|(g, c)| {
                self.vocabulary
                    .get(g)
                    .map(|&id| (id, c * self.idf[id as usize]))
            })
            .collect();
        let mut squares: Vec<(u32, f64)> = v.iter().map(|(g, x)| (*g, x * x)).collect();
        squares.sort_by_key(|(g, _)| *g);
        let norm = squares.iter().map(|(_, x)| x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.values_mut().for_each(|x| *x /= norm);
        }
        v
    }

    /// Cosine similarity of `name` with every indexed name sharing a distinctive gram.
    pub fn similar(&self, name: &str) -> HashMap<usize, f64> {
        // Summed in gram order, so scores (and rankings on near ties) are the same every run.
        let mut query: Vec<(u32, f64)> = self.weigh(&counts(features(name))).into_iter().collect();
        query.sort_by_key(|(g, _)| *g);
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for &(gram, w) in &query {
            for &doc in &self.postings[gram as usize] {
                let other = self.vectors[doc as usize]
                    .get(&gram)
                    .copied()
                    .unwrap_or(0.0);
                *scores.entry(doc as usize).or_insert(0.0) += w * other;
            }
        }
        // Complete the dot products over common grams, for the candidates found.
        for (doc, score) in scores.iter_mut() {
            let full: f64 = query
                .iter()
                .map(|(g, w)| w * self.vectors[*doc].get(g).copied().unwrap_or(0.0))
                .sum();
            *score = full;
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

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
