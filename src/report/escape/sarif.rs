//! SARIF message text. It is plain text, except that `[text](target)` is an embedded link
//! (SARIF 2.1.0, §3.11.6) which code scanning shows as one: a literal bracket is escaped.

/// Card text for a SARIF `message.text`: brackets escaped, hidden characters shown.
pub fn text(text: &str) -> String {
    super::backslashed(text, &['[', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_embedded_link_from_a_card() {
        assert_eq!(
            text("[click](https://evil.example)"),
            "\\[click\\](https://evil.example)"
        );
    }
}
