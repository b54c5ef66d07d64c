//! Text similarity for cards and names: word shingles compared as sets (Jaccard, Dice), and
//! names as TF-IDF vectors. Cards are compared only along lineage edges and within a bounded
//! window of siblings, never all against all, so cost grows linearly with a family.

mod names;

pub use names::{NameIndex, Vocabulary, Weighed};

/// Words per shingle. Five words make a shared shingle unlikely by chance but survive small
/// edits; it is the usual choice for near-duplicate detection of prose.
pub const SHINGLE_WORDS: usize = 5;

/// Shingles kept per text at most: a huge card costs no more than a long one.
const MAX_SHINGLES: usize = 20_000;

/// A text's shingles: sorted, deduplicated 64-bit hashes (FNV-1a, stable across runs and
/// platforms, so fingerprints and calibrations can be compared).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shingles(Vec<u64>);

fn fnv1a(words: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for word in words {
        for byte in word.bytes().chain(std::iter::once(b' ')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// ASCII letters and digits, by byte.
const ASCII_ALPHANUMERIC: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// How many words [`Words::of`] would find, without building them: one pass over the bytes,
/// ASCII by table without decoding (every card of a run is counted).
pub fn word_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut count, mut in_word, mut i) = (0, false, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let alphanumeric = if b < 128 {
            i += 1;
            ASCII_ALPHANUMERIC[b as usize]
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            c.is_alphanumeric()
        };
        count += usize::from(alphanumeric & !in_word);
        in_word = alphanumeric;
    }
    count
}

/// Lowercase words of letters and digits (Markdown, HTML and punctuation fall away), laid end to
/// end in one string: a card's words without an allocation each (cards are shingled by the
/// million).
struct Words {
    flat: String,
    ends: Vec<usize>,
}

impl Words {
    fn of(text: &str) -> Words {
        let mut flat = String::with_capacity(text.len());
        let mut ends = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            if word.is_ascii() {
                flat.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                // The whole word at once: lowercasing reads context (a final sigma).
                flat.push_str(&word.to_lowercase());
            }
            ends.push(flat.len());
        }
        Words { flat, ends }
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.ends.iter().scan(0, |start, &end| {
            let word = &self.flat[*start..end];
            *start = end;
            Some(word)
        })
    }
}

impl Shingles {
    pub fn of(text: &str) -> Shingles {
        let words = Words::of(text);
        let refs: Vec<&str> = words.iter().collect();
        let mut hashes: Vec<u64> = if refs.len() < SHINGLE_WORDS {
            // A very short text is one shingle of what it has.
            if refs.is_empty() {
                Vec::new()
            } else {
                vec![fnv1a(&refs)]
            }
        } else {
            refs.windows(SHINGLE_WORDS)
                .take(MAX_SHINGLES)
                .map(fnv1a)
                .collect()
        };
        hashes.sort_unstable();
        hashes.dedup();
        Shingles(hashes)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn hashes(&self) -> &[u64] {
        &self.0
    }

    /// Shingles in both (a merge of two sorted lists).
    pub fn shared(&self, other: &Shingles) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < self.0.len() && j < other.0.len() {
            match self.0[i].cmp(&other.0[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }

    /// |A ∩ B| / |A ∪ B|; 0 when both are empty.
    pub fn jaccard(&self, other: &Shingles) -> f64 {
        let shared = self.shared(other);
        let union = self.0.len() + other.0.len() - shared;
        if union == 0 {
            0.0
        } else {
            shared as f64 / union as f64
        }
    }

    /// 2|A ∩ B| / (|A| + |B|), the measure GitHub's licensee uses for licence texts.
    pub fn dice(&self, other: &Shingles) -> f64 {
        let total = self.0.len() + other.0.len();
        if total == 0 {
            0.0
        } else {
            2.0 * self.shared(other) as f64 / total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of a card's words, a string each.
    fn words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn words_are_the_lowercased_runs_of_letters_and_digits() {
        let text = "ΟΔΟΣ Σ.  Llama-2 is *licensed* under the İstanbul (c) 2024 — 模型 ok";
        let expected = words(text);
        let words = Words::of(text);
        assert_eq!(words.iter().collect::<Vec<_>>(), expected);
        assert_eq!(words.iter().next(), Some("οδος"));
        assert_eq!(word_count(text), expected.len());
    }

    #[test]
    fn identical_texts_score_one_and_unrelated_zero() {
        let a = Shingles::of(
            "This model is a fine-tune of Llama 2 on customer support dialogues for airlines.",
        );
        let b = Shingles::of(
            "this MODEL is a fine tune of llama 2, on customer-support dialogues for airlines!",
        );
        assert_eq!(
            a.jaccard(&b),
            1.0,
            "case, punctuation and Markdown do not count"
        );
        let c = Shingles::of(
            "A diffusion model that paints watercolour landscapes from short prompts.",
        );
        assert_eq!(a.jaccard(&c), 0.0);
        assert_eq!(Shingles::of("").jaccard(&Shingles::of("")), 0.0);
    }

    proptest::proptest! {
        #[test]
        fn word_count_counts_the_words(text in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(word_count(&text), words(&text).len());
            let found = Words::of(&text);
            proptest::prop_assert_eq!(found.iter().collect::<Vec<_>>(), words(&text));
        }
    }

    #[test]
    fn a_small_edit_keeps_most_shingles() {
        let base = "Llama 2 is a collection of pretrained and fine-tuned generative text models ranging in scale from 7 billion to 70 billion parameters. This is the repository for the 7B fine-tuned model, optimized for dialogue use cases.";
        let edited = base.replace("dialogue", "medical question answering");
        let (a, b) = (Shingles::of(base), Shingles::of(&edited));
        assert!(
            a.jaccard(&b) > 0.5 && a.jaccard(&b) < 1.0,
            "{}",
            a.jaccard(&b)
        );
        assert!(a.dice(&b) >= a.jaccard(&b));
    }
}
