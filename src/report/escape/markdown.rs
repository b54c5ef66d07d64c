//! Markdown for GitHub (comments, issues, job summaries) and Hub discussions. Card text is
//! either text, with every character Markdown could act on escaped, or a code span, whose fence
//! is longer than any run of backticks inside it. Either way: no raw HTML, no image or link, no
//! mention or issue reference, no heading or list from a card.

use super::{unlinked, visible};
use std::fmt::Write;

/// Card text as Markdown text. Backslash escapes for what would start emphasis, code, links,
/// tables, strikethrough and maths; entities for `<`, `>` and `&` (no raw HTML, no `<...>`
/// autolinks); zero-width spaces in mentions, references and URLs ([`unlinked`]); the first
/// character escaped when it could open a block (heading, list, quote, workflow command), after
/// the up to three spaces that may come before a block's marker.
pub fn text(text: &str) -> String {
    escaped(text, true)
}

/// [`text`]; `line_start` when the text may start a line (the block markers are escaped then).
fn escaped(text: &str, line_start: bool) -> String {
    let shown = visible(text);
    let unlinked = unlinked(&shown);
    let mut out = String::with_capacity(unlinked.len() + 8);
    for (i, c) in unlinked.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '$' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // A line that starts with these, after spaces or none, opens a block (or, `::`, a
            // workflow command). Text is one line: `visible` showed its line breaks and tabs.
            '#' | '-' | '+' | '=' | ':' | '{' | '}'
                if line_start && unlinked[..i].bytes().all(|b| b == b' ') =>
            {
                out.push('\\');
                out.push(c);
            }
            // `1.` or `1)` at the start opens a list.
            '.' | ')'
                if line_start && {
                    let number = unlinked[..i].trim_start_matches(' ');
                    !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
                } =>
            {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Card text as a code span: shown as it is, with nothing in it acted on.
pub fn code(text: &str) -> String {
    let shown = visible(text);
    if shown.is_empty() {
        return String::new();
    }
    let longest = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick, or with spaces at both ends, needs one space
    // of padding each side (the renderer strips it).
    let pad = shown.starts_with('`')
        || shown.ends_with('`')
        || (shown.starts_with(' ') && shown.ends_with(' ') && !shown.trim().is_empty());
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{shown}{pad}{fence}")
}

/// Card text as [`code`] inside a table cell. A pipe ends a cell even inside a code span, and a
/// backslash before it cannot be escaped there, so text with a pipe is written as [`text`].
pub fn cell_code(text: &str) -> String {
    if text.contains('|') {
        self::text(text)
    } else {
        code(text)
    }
}

/// A message that quotes card text between backticks, as the checks write them: the quoted
/// parts become code spans and the rest text. When the backticks do not pair up (card text
/// holding its own), the whole message is text. Either way every part is escaped, so a card
/// cannot change which is which to any effect.
pub fn message(message: &str, in_table: bool) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return text(message);
    }
    let mut out = String::with_capacity(message.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        match (i % 2 == 1, part.is_empty()) {
            (true, true) => out.push_str("\\`\\`"),
            (true, false) if in_table => out.push_str(&cell_code(part)),
            (true, false) => out.push_str(&code(part)),
            (false, _) if i == 0 => out.push_str(&text(part)),
            // Only the message's start opens a line.
            (false, _) => out.push_str(&escaped(&format!(" {part}"), false)[1..]),
        }
    }
    out
}

/// Whether a URL can be written into Markdown as it is: `http(s)`, and nothing that would end
/// it, start markup or act.
fn plain_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || super::is_hidden(c) || "<>\\`|".contains(c))
}

/// A URL of ours (the run's full report), written bare for GitHub to link when it is a plain
/// `http(s)` URL, else as text.
pub fn url(url: &str) -> String {
    if plain_url(url) && !url.contains(['(', ')', '[', ']', '*', '_', '~']) {
        url.to_string()
    } else {
        text(url)
    }
}

/// A link from our own data (a clause's section and URL). Only `http(s)` URLs become links,
/// written as `<...>` destinations; anything else is shown as text beside the label.
pub fn link(label: &str, url: &str) -> String {
    let label = text(label);
    let safe = plain_url(url);
    if safe && !url.contains(['(', ')']) {
        format!("[{label}]({url})")
    } else if safe {
        format!("[{label}](<{url}>)")
    } else {
        let mut out = label;
        let _ = write!(out, " ({})", text(url));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "x` <img src=https://evil.example/a.png> @org/team <!-- #123 [x](javascript:alert(1)) ![i](https://e.example/i.png) | # h\n::error::y \u{1b}[31m";

    fn no_live_markup(out: &str) {
        // An escaped bracket opens and closes nothing.
        let out = &out.replace("\\]", "");
        for live in ["<img", "<!--", "@org", "#123", "](", "://", "\n", "\u{1b}"] {
            assert!(!out.contains(live), "{live:?} in {out}");
        }
    }

    #[test]
    fn block_markers_after_leading_spaces_are_escaped() {
        for (card, shown) in [
            (" # h", " \\# h"),
            ("   - item", "   \\- item"),
            ("  12. item", "  12\\. item"),
            ("# h", "\\# h"),
            ("a # b - c 1. d", "a # b - c 1. d"),
        ] {
            assert_eq!(text(card), shown);
            no_live_markup(&text(card));
        }
        // Past a message's start, nothing opens a line: no escape is added there.
        assert_eq!(message("`x` - y", false), "`x` - y");
    }

    #[test]
    fn text_is_inert() {
        let out = text(HOSTILE);
        no_live_markup(&out);
        assert!(out.starts_with("x\\`"), "{out}");
        assert!(text("# heading").starts_with("\\#"));
        assert!(text("12. list").starts_with("12\\."));
        assert!(text("::error::x").starts_with("\\::"));
        assert_eq!(text("plain words, 1.5 times"), "plain words, 1.5 times");
    }

    #[test]
    fn code_spans_have_a_longer_fence_than_any_backtick_run() {
        assert_eq!(code("mit"), "`mit`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x```"), "```` `x``` ````");
        assert_eq!(code(" a "), "`  a  `");
        let out = code(HOSTILE);
        assert!(!out.contains(['\n', '\u{1b}']));
        // The span holds the whole value: it opens and closes with the same, longest fence.
        assert!(out.starts_with("``x`") && out.ends_with("[31m``"), "{out}");
    }

    #[test]
    fn messages_keep_their_code_spans_when_the_backticks_pair_up() {
        assert_eq!(
            message(
                "declares `mit`, but ancestor `a/b` is under `llama2`",
                false
            ),
            "declares `mit`, but ancestor `a/b` is under `llama2`"
        );
        // Card text with its own backtick: the pairs no longer line up, and all of it is text.
        let out = message(&format!("declares `{HOSTILE}`, but"), false);
        no_live_markup(&out);
        let out = message("declares `a|b` and `c`", true);
        assert!(out.contains("a\\|b") && out.contains("`c`"), "{out}");
    }

    #[test]
    fn links_only_to_http() {
        assert_eq!(
            link("§1.b", "https://ai.meta.com/llama/license/"),
            "[§1.b](https://ai.meta.com/llama/license/)"
        );
        assert_eq!(
            link("§4(a)", "https://e.example/a_(b)"),
            "[§4(a)](<https://e.example/a_(b)>)"
        );
        assert_eq!(
            url("https://github.com/o/r/actions/runs/7"),
            "https://github.com/o/r/actions/runs/7"
        );
        assert!(!url("https://x.example/a_b*c*").contains("*c*"));
        let out = link("x", "javascript:alert(1)");
        assert!(!out.contains("]("), "{out}");
    }
}
