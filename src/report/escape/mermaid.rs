//! Mermaid: text inside a `["..."]` node label.

use super::visible;

/// Card text for inside a quoted Mermaid label, as Mermaid's entity codes: no quote to close
/// the label, no markup, no entity or Markdown string of the card's own.
pub fn label(text: &str) -> String {
    let shown = visible(text);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_cannot_leave_its_label() {
        let out = label("x\"] --> y[\"<img src=x> #lt;b#gt; `**md**`\n%%");
        assert!(!out.contains(['"', '<', '>', '`', '\n']), "{out}");
        assert!(out.contains("#35;lt;"), "{out}");
    }
}
