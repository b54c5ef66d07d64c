//! The fixed texts some licences require derivatives to carry: Notice texts ("Llama 2 is
//! licensed under ...") and attribution displays ("Built with Llama"). They are compared ignoring
//! case, punctuation and symbols, because ©, (c), quotes and full stops vary between copies of the
//! same notice.

use super::catalogue::normalize_text;

/// Text as notices are compared: normalised, and without punctuation or symbols.
pub fn comparable(text: &str) -> String {
    let kept: String = normalize_text(text)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    kept.split_whitespace()
        .filter(|w| *w != "c")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which of the catalogue's notice texts a text carries: indices into
/// [`Catalogue::notices`](super::Catalogue::notices), sorted. Measured once per card, so the card
/// itself need not be kept for the notice check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeSet(Box<[u16]>);

impl NoticeSet {
    /// The notices (in comparable form, indexed as given) that `text` contains.
    pub fn of(text: &str, notices: &[String]) -> NoticeSet {
        if notices.is_empty() {
            return NoticeSet::default();
        }
        let haystack = comparable(text);
        NoticeSet(
            (0..notices.len())
                .filter(|&i| haystack.contains(notices[i].as_str()))
                .map(|i| i as u16)
                .collect(),
        )
    }

    pub fn contains(&self, index: u16) -> bool {
        self.0.binary_search(&index).is_ok()
    }
}
