//! Graphviz DOT: text inside a double-quoted ID.

/// Card text for inside a DOT string: quotes and backslashes escaped (a backslash would start
/// a DOT escape such as `\N` or `\l`), hidden characters and line breaks shown.
pub fn string(text: &str) -> String {
    super::backslashed(text, &['"', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_cannot_close_the_string() {
        assert_eq!(
            string("a\"];\n x -> y [label=\"\\N"),
            "a\\\"];\\\\n x -> y [label=\\\"\\\\N"
        );
    }
}
