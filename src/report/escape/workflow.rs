//! GitHub Actions workflow commands (`::error file=...,title=...::message`). The runner reads a
//! command from any line whose first non-blank characters are `::`, and decodes `%25`, `%0D`,
//! `%0A` (and in properties `%3A`, `%2C`) in its values: encoded so, card text stays inside its
//! own command and cannot start another.

use super::visible;

/// A command's message. Line breaks are encoded (the annotation shows them); other hidden
/// characters are shown, as the log viewer would act on terminal escapes.
pub fn data(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body.strip_suffix('\r').unwrap_or(body), true),
            None => (line, false),
        };
        for c in visible(body).chars() {
            match c {
                '%' => out.push_str("%25"),
                c => out.push(c),
            }
        }
        if end {
            out.push_str("%0A");
        }
    }
    out
}

/// A property value (`file=`, `title=`): also `:` and `,`, which end a property.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_text_cannot_start_a_command() {
        let out = data("x\n::error::injected\r\n%0A::set-output name=a::b\u{1b}[2J");
        assert!(!out.contains(['\n', '\r', '\u{1b}']), "{out}");
        assert_eq!(
            out,
            "x%0A::error::injected%0A%250A::set-output name=a::b\\u{1b}[2J"
        );
        assert_eq!(property("README.md,line=1::x"), "README.md%2Cline=1%3A%3Ax");
    }
}
