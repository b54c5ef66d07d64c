//! Text for a terminal or a CI log: the human report, progress and errors on stderr.

use super::visible;
use std::borrow::Cow;

/// Card text as it may be printed: control and escape characters shown, never emitted, so a
/// card cannot move the cursor, retitle the window, clear the screen or start a new line.
pub fn text(text: &str) -> Cow<'_, str> {
    visible(text)
}

/// A whole line of output. Besides [`text`], a line whose first non-blank characters are `::`
/// gets a backslash before them: GitHub Actions reads such a line (even indented) as a
/// workflow command, so card text printed there could set outputs or stop commands.
pub fn line(line: &str) -> Cow<'_, str> {
    let shown = visible(line);
    let blank = shown.len() - shown.trim_start().len();
    if !shown[blank..].starts_with("::") {
        return shown;
    }
    Cow::Owned(format!("{}\\{}", &shown[..blank], &shown[blank..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_line_prints_as_one_inert_line() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\n::error::injected\u{202e}";
        let out = text(hostile);
        assert!(!out.contains(['\u{1b}', '\u{7}', '\u{9b}', '\n', '\u{202e}']));
        assert!(out.contains("\\u{1b}]0;pwned"), "{out}");
        for hostile in ["::error::x", "   ::set-output name=a::b", "\t::warning::y"] {
            let out = line(hostile);
            assert!(!out.trim_start().starts_with("::"), "{out}");
            assert!(!out.contains('\t'));
        }
        assert_eq!(line("  chain: a ← b"), "  chain: a ← b");
    }
}
