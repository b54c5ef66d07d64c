//! The fixed texts some licences require derivatives to carry: Notice texts ("Llama 2 is
//! licensed under ...") and attribution displays ("Built with Llama"). They are compared ignoring
//! case, punctuation and symbols, because ©, (c), quotes and full stops vary between copies of the
//! same notice.

use aho_corasick::AhoCorasick;

/// Text as notices are compared: lowercase words of letters and digits, one space apart, without
/// the "c" of a "(c)". One pass: every card of a run goes through it.
pub fn comparable(text: &str) -> String {
    fn flush(out: &mut String, word: &mut String) {
        if !word.is_empty() && word != "c" {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        word.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut out, &mut word);
        }
    }
    flush(&mut out, &mut word);
    out
}

/// All of a catalogue's notice texts, searched for at once.
#[derive(Debug)]
pub struct NoticeFinder {
    count: usize,
    automaton: Option<AhoCorasick>,
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
        }
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
