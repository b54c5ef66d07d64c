//! The fixed texts some licences require derivatives to carry: Notice texts ("Llama 2 is
//! licensed under ...") and attribution displays ("Built with Llama"). They are compared ignoring
//! case, punctuation and symbols, because ©, (c), quotes and full stops vary between copies of the
//! same notice.

use aho_corasick::AhoCorasick;

/// Text as notices are compared: lowercase words of letters and digits, one space apart, without
/// the "c" of a "(c)". One pass: every card of a run goes through it.
pub fn comparable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Where the word being written starts in `out` (`None` between words).
    let mut word: Option<usize> = None;
    let end_word = |out: &mut String, word: &mut Option<usize>| {
        if let Some(start) = word.take()
            && &out[start..] == "c"
        {
            out.truncate(start.saturating_sub(1));
        }
    };
    let push = |out: &mut String, word: &mut Option<usize>, c: char| {
        if c.is_alphanumeric() {
            if word.is_none() {
                if !out.is_empty() {
                    out.push(' ');
                }
                *word = Some(out.len());
            }
            out.push(c);
        } else {
            end_word(out, word);
        }
    };
    for c in text.chars() {
        // Most cards are ASCII: lowercase it without the general Unicode mapping.
        if c.is_ascii() {
            push(&mut out, &mut word, c.to_ascii_lowercase());
        } else {
            for l in c.to_lowercase() {
                push(&mut out, &mut word, l);
            }
        }
    }
    end_word(&mut out, &mut word);
    out
}

/// All of a catalogue's notice texts, searched for at once.
#[derive(Debug)]
pub struct NoticeFinder {
    count: usize,
    automaton: Option<AhoCorasick>,
    /// The words of the notices, found ignoring ASCII case, to rule texts out cheaply: a text
    /// lacking a word of every notice holds none, and most cards are told so without being
    /// made comparable (a lowercased copy of every card of a run). `None` when a notice has no
    /// word to look for.
    words: Option<NoticeWords>,
}

#[derive(Debug)]
struct NoticeWords {
    automaton: AhoCorasick,
    /// Per notice, the words (automaton patterns) it needs.
    needs: Vec<Vec<usize>>,
}

/// Words shorter than this are everywhere, and are not looked for.
const SHORTEST_WORD: usize = 4;

impl NoticeWords {
    /// The ASCII words of each notice (at least [`SHORTEST_WORD`] long, when it has some);
    /// `None` when a notice has no ASCII word.
    fn new(notices: &[String]) -> Option<NoticeWords> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut needs = Vec::with_capacity(notices.len());
        for notice in notices {
            let ascii: Vec<&str> = notice
                .split(' ')
                .filter(|w| !w.is_empty() && w.is_ascii())
                .collect();
            let long: Vec<&str> = ascii
                .iter()
                .copied()
                .filter(|w| w.len() >= SHORTEST_WORD)
                .collect();
            let words = if long.is_empty() { ascii } else { long };
            if words.is_empty() {
                return None;
            }
            let mut need: Vec<usize> = words
                .into_iter()
                .map(|w| match patterns.iter().position(|p| *p == w) {
                    Some(i) => i,
                    None => {
                        patterns.push(w);
                        patterns.len() - 1
                    }
                })
                .collect();
            need.sort_unstable();
            need.dedup();
            needs.push(need);
        }
        // A DFA: a few dozen words, searched for in every card of a run.
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .ok()?;
        Some(NoticeWords { automaton, needs })
    }

    /// Whether some notice has all of its words in `text`, in some ASCII case.
    fn any_possible(&self, text: &str) -> bool {
        let mut found = vec![false; self.automaton.patterns_len()];
        for m in self.automaton.find_overlapping_iter(text) {
            found[m.pattern().as_usize()] = true;
        }
        self.needs.iter().any(|need| need.iter().all(|&w| found[w]))
    }
}

impl NoticeFinder {
    /// A finder for these notices (in comparable form).
    pub fn new(notices: &[String]) -> NoticeFinder {
        let automaton = (!notices.is_empty())
            .then(|| AhoCorasick::new(notices).ok())
            .flatten();
        NoticeFinder {
            count: notices.len(),
            automaton,
            words: NoticeWords::new(notices),
        }
    }

    /// Whether `text` cannot hold any notice. A word of the comparable text is a run of
    /// alphanumeric characters of the text, lowercased; only two characters lowercase to ASCII
    /// from outside it (KELVIN SIGN to `k`, capital dotted I to `i` and a combining dot), so
    /// without them every ASCII word of the comparable text is in the text itself, in some case.
    fn rules_out(&self, text: &str) -> bool {
        let Some(words) = &self.words else {
            return false;
        };
        // One char each (found by its last byte, with memchr), not a set of chars (decoded
        // one by one): every card of a run is searched.
        !text.contains('\u{212A}') && !text.contains('\u{130}') && !words.any_possible(text)
    }
}

/// Which of the catalogue's notice texts a text carries: indices into
/// [`Catalogue::notices`](super::Catalogue::notices), sorted. Measured once per card, so the card
/// itself need not be kept for the notice check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeSet(Box<[u16]>);

impl NoticeSet {
    /// The notices (in comparable form, indexed as the finder was built) that `text` contains.
    pub fn of(text: &str, finder: &NoticeFinder) -> NoticeSet {
        let Some(automaton) = &finder.automaton else {
            return NoticeSet::default();
        };
        if finder.rules_out(text) {
            return NoticeSet::default();
        }
        let haystack = comparable(text);
        let mut found = vec![false; finder.count];
        for m in automaton.find_overlapping_iter(&haystack) {
            found[m.pattern().as_usize()] = true;
        }
        NoticeSet(
            (0..finder.count)
                .filter(|&i| found[i])
                .map(|i| i as u16)
                .collect(),
        )
    }

    pub fn contains(&self, index: u16) -> bool {
        self.0.binary_search(&index).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::comparable;

    /// The definition, spelled out the slow way.
    fn reference(text: &str) -> String {
        let lowered: String = text.chars().flat_map(char::to_lowercase).collect();
        let kept: String = lowered
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        kept.split_whitespace()
            .filter(|w| *w != "c")
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn one_pass_matches_the_definition() {
        for text in [
            "",
            "c",
            " (c) ",
            "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.",
            "**Built with Llama**\n\n# Notice: (C) 2024",
            "c c abc c",
            "İstanbul ÉCOLE straße ΣΑΣ c",
            "tabs\tand\r\nnew lines__under_scores--dashes",
            "ends with c",
            "c starts",
            "日本語のテキスト (c) 二〇二四",
        ] {
            assert_eq!(comparable(text), reference(text), "{text:?}");
        }
    }

    /// The notices of the catalogue, found with and without the notices' words ruling texts out.
    fn both_ways(text: &str) -> (super::NoticeSet, super::NoticeSet) {
        let catalogue = crate::license::Catalogue::builtin().unwrap();
        let finder = catalogue.notice_finder();
        let mut unfiltered = super::NoticeFinder::new(catalogue.notices());
        unfiltered.words = None;
        (
            super::NoticeSet::of(text, finder),
            super::NoticeSet::of(text, &unfiltered),
        )
    }

    #[test]
    fn ruling_texts_out_finds_the_same_notices() {
        let llama = "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.";
        for text in [
            String::new(),
            llama.to_string(),
            llama.to_uppercase(),
            llama
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect(),
            // KELVIN SIGN lowercases to `k`; capital dotted I to `i` and a combining dot.
            "BUILT WITH LLAMA".replace('L', "l"),
            "Built with Llama 3 (\u{212A})".to_string(),
            "ᏴUILT WITH LLAMA İ".to_string(),
            "Powered by xAI".to_string(),
            "## Notice\n\nBuilt   with\n**Llama**".to_string(),
            "a card without any notice".to_string(),
        ] {
            let (filtered, full) = both_ways(&text);
            assert_eq!(filtered, full, "{text:?}");
        }
        assert!(!both_ways(llama).0.0.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn ruling_out_finds_the_same_notices_on_any_text(
            text in "(Built|built|BUILT|with|With|Llama|LLAMA|llama|[İ\u{212A}]|Powered|by|xAI| |\\(c\\)|\\.|é|[a-z]{1,4}){0,12}"
        ) {
            let (filtered, full) = both_ways(&text);
            proptest::prop_assert_eq!(filtered, full);
        }

        #[test]
        fn one_pass_matches_the_definition_on_any_text(text in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(comparable(&text), reference(&text));
        }
    }
}
