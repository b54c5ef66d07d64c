//! HTML text and attribute values: the email digest and the family report.

use super::visible;
use std::borrow::Cow;

/// Card text for HTML text or a quoted attribute value: `& < > " '` as entities, hidden
/// characters shown ([`visible`](super::visible)).
pub fn text(text: &str) -> Cow<'_, str> {
    let shown = visible(text);
    if !shown.contains(['&', '<', '>', '"', '\'']) {
        return shown;
    }
    let mut out = String::with_capacity(shown.len() + 16);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_markup_survives() {
        let out = text("x\" onmouseover='a()' <img src=x> <!-- &amp; \u{202e}");
        assert_eq!(
            out,
            "x&quot; onmouseover=&#39;a()&#39; &lt;img src=x&gt; &lt;!-- &amp;amp; \\u{202e}"
        );
        assert!(matches!(text("meta-llama/Llama-2-7b-hf"), Cow::Borrowed(_)));
    }
}
