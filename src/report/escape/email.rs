//! The email digest: a plain-text part and an HTML part. Mail clients make links of anything
//! that looks like a URL or an address, so card text is also [`unlinked`] in both.

use super::{html, unlinked, visible};

/// Card text for the plain-text part: one line, nothing hidden, no live link.
pub fn text(text: &str) -> String {
    unlinked(&visible(text)).into_owned()
}

/// Card text for the HTML part: as [`html::text`], and no live link.
pub fn html(text: &str) -> String {
    html::text(&unlinked(text)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_link_markup_or_line_from_a_card() {
        let hostile = "x\r\nSubject: y <a href=https://evil.example>@org</a> www.evil.example";
        let plain = text(hostile);
        assert!(!plain.contains(['\r', '\n']) && !plain.contains("://") && !plain.contains("www."));
        let out = html(hostile);
        assert!(
            !out.contains('<') && !out.contains("://") && !out.contains("@o"),
            "{out}"
        );
    }
}
