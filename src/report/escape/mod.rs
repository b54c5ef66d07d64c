//! One escaper per output format, used by every renderer and notifier. Card text is written by
//! strangers: it reaches terminals, CI logs, pull-request comments, Hub discussions and email,
//! and in none of them may it act (move the cursor, start a workflow command, show an image,
//! mention a team, link anywhere). Each format's escaper makes it inert there, and the text a
//! reader sees is still the text the card holds.
//!
//! Two steps are shared: [`visible`] (control, escape and bidi characters shown as `\u{1b}`,
//! never emitted, in every format) and [`unlinked`] (no mention, reference or autolink, in what
//! is posted to people).

pub mod csv;
pub mod dot;
pub mod email;
pub mod html;
pub mod json;
pub mod markdown;
pub mod mermaid;
pub mod sarif;
pub mod terminal;
pub mod workflow;

use std::borrow::Cow;

/// Characters that change how the text around them is shown rather than showing themselves:
/// C0 and C1 controls, DEL (terminal escapes start with them: ESC, CSI U+009B, OSC U+009D),
/// bidi embeddings, overrides, isolates and marks (they reorder what is read, as in "Trojan
/// Source"), and the Unicode line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// The text with every [`is_hidden`] character shown as an escape (`\n`, `\t`, `\r`,
/// `\u{1b}`): one line, nothing a terminal or a reader's eye would act on.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`visible`] text with a backslash before each of `special`: the escape of formats where a
/// backslash quotes the next character (DOT strings, SARIF messages).
pub(crate) fn backslashed(text: &str, special: &[char]) -> String {
    let shown = visible(text);
    let mut out = String::with_capacity(shown.len() + 4);
    for c in shown.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A zero-width space: it breaks a mention, reference or autolink without changing what is read.
const BREAK: char = '\u{200b}';

/// The text with a zero-width space where GitHub, the Hub or a mail client would otherwise
/// make a live link from it: after `@` before a name (mentions, and email addresses), after `#`
/// and `GH-` before a number (issue references, also `owner/repo#1`), inside `://` and `www.`
/// (autolinks).
pub fn unlinked(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let breaks_after = |i: usize| -> bool {
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        match bytes[i] {
            b'@' => next.is_ascii_alphanumeric() || next == b'_' || next == b'-',
            b'#' => next.is_ascii_digit(),
            b'-' => next.is_ascii_digit() && i >= 2 && bytes[i - 2..i].eq_ignore_ascii_case(b"gh"),
            b':' => bytes.get(i + 1..i + 3) == Some(b"//"),
            b'w' | b'W' => next == b'.' && i >= 2 && bytes[i - 2..i].eq_ignore_ascii_case(b"ww"),
            _ => false,
        }
    };
    if !(0..bytes.len()).any(breaks_after) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 12);
    for (i, c) in text.char_indices() {
        out.push(c);
        if c.is_ascii() && breaks_after(i) {
            out.push(BREAK);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown_not_emitted() {
        let hostile =
            "a\u{1b}]0;owned\u{7}b\u{9b}2Jc\u{7f}d\u{202e}txt.exe\u{2066}\r\n::error::x\t";
        let shown = visible(hostile);
        assert!(!shown.chars().any(is_hidden), "{shown:?}");
        assert_eq!(
            shown,
            "a\\u{1b}]0;owned\\u{7}b\\u{9b}2Jc\\u{7f}d\\u{202e}txt.exe\\u{2066}\\r\\n::error::x\\t"
        );
        assert!(matches!(visible("plain, ünïcode ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn mentions_references_and_autolinks_are_broken() {
        let text =
            "@org/team mail@x.org #123 GH-7 org/repo#9 https://evil.example www.evil.example";
        let out = unlinked(text);
        for live in ["@o", "@x", "#1", "GH-7", "#9", "://", "www."] {
            assert!(!out.contains(live), "{live} in {out}");
        }
        // Only zero-width spaces were added: the reader sees the same text.
        assert_eq!(out.replace(BREAK, ""), text);
        assert!(matches!(unlinked("a # b @ c: d"), Cow::Borrowed(_)));
    }
}
