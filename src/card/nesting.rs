//! How deep YAML nests, measured before it is parsed. The YAML parser takes time quadratic in
//! the depth of flow collections (`[[[[...` 100,000 deep in a 200 KB card: 48 s), so text nested
//! deeper than [`MAX_YAML_DEPTH`] is refused unparsed, at the line where it gets too deep.
//!
//! The measure is one linear pass and errs high, never low: block levels (indentation, and
//! `- `, `? `, `: ` indicators on one line) plus open flow collections, outside quoted scalars,
//! block scalars and comments. Real cards nest a few levels; the Hub's deepest (`model-index`)
//! about eight.

/// YAML nested deeper than this is not parsed. serde_yaml itself stops at 128 levels, but only
/// after the slow part.
pub const MAX_YAML_DEPTH: usize = 64;

/// Where a quoted scalar that spans lines is, between lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// A node (and so a quoted scalar or a flow collection) can start after these, or at the start
/// of a line's content. Elsewhere `[`, `{` and quotes are characters of a plain scalar.
fn node_may_start(previous: Option<char>) -> bool {
    matches!(
        previous,
        None | Some(':' | '-' | '[' | '{' | ',' | '?' | '!' | '&')
    )
}

/// The 1-based line of `yaml` where nesting first goes deeper than `max`, if it does.
pub fn too_deep(yaml: &str, max: usize) -> Option<usize> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote = Quote::None;
    // The indentation of the line that opened a block scalar (`key: |`), while in one.
    let mut block_scalar: Option<usize> = None;
    for (number, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        if let Some(parent) = block_scalar {
            if content.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let mut compact = 0;
        if quote == Quote::None && flow == 0 {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            while indents.last().is_some_and(|&i| i > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
            // `- - - x` or `? ? x`: each indicator opens a level on the same line.
            let mut rest = content;
            while let Some(next) = ["- ", "? ", ": "].iter().find_map(|i| rest.strip_prefix(i)) {
                compact += 1;
                rest = next.trim_start_matches(' ');
            }
        }
        let mut previous: Option<char> = None;
        let mut chars = content.chars().peekable();
        let mut escaped = false;
        let mut comment_at = content.len();
        let mut at = 0;
        while let Some(c) = chars.next() {
            let here = at;
            at += c.len_utf8();
            match quote {
                Quote::Double => {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => quote = Quote::None,
                        _ => escaped = false,
                    }
                    continue;
                }
                Quote::Single => {
                    if c == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            at += 1;
                        } else {
                            quote = Quote::None;
                        }
                    }
                    continue;
                }
                Quote::None => {}
            }
            // What a node may start after: a structural character, not one of a plain scalar.
            let mut shown_as = c;
            match c {
                '#' if here == 0 || content[..here].ends_with([' ', '\t']) => {
                    comment_at = here;
                    break;
                }
                '"' if node_may_start(previous) => quote = Quote::Double,
                '\'' if node_may_start(previous) => quote = Quote::Single,
                '[' | '{' if node_may_start(previous) => {
                    flow += 1;
                    if indents.len() + compact + flow > max {
                        return Some(number + 1);
                    }
                }
                ']' | '}' if flow > 0 => flow -= 1,
                '"' | '\'' | '[' | '{' => shown_as = 'a',
                _ => {}
            }
            if !c.is_whitespace() {
                previous = Some(shown_as);
            }
        }
        if indents.len() + compact + flow > max {
            return Some(number + 1);
        }
        // `key: |`, `- >-`, `|2`: the lines after, indented deeper, are text.
        if quote == Quote::None && flow == 0 {
            let value = content[..comment_at].trim_end();
            let token = value.rsplit([' ', '\t']).next().unwrap_or("");
            let indicator = token.starts_with(['|', '>'])
                && token[1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '+' || c == '-');
            if indicator
                && (value == token
                    || value[..value.len() - token.len()]
                        .trim_end()
                        .ends_with([':', '-']))
            {
                block_scalar = Some(indent);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(yaml: &str) -> usize {
        (0..200).find(|&max| too_deep(yaml, max).is_none()).unwrap()
    }

    #[test]
    fn real_shapes_measure_shallow() {
        let card = "license: mit\nbase_model:\n- a/b\n- c/d\nmodel-index:\n- name: x\n  results:\n  - task:\n      type: text\n    metrics:\n    - {type: acc, value: [0.5, 0.6]}\n";
        assert!(depth(card) <= 6, "{}", depth(card));
        assert_eq!(depth("license: [mit, apache-2.0]\n"), 2);
    }

    #[test]
    fn brackets_in_text_do_not_count() {
        let yaml = "a: 'x [[[[[[[[ {{{{{{'\nb: \"[[[[[[ \\\" {{{{\"\nc: see [1] and {2\nd: |\n  {% for x in [[[[[[[[ %}\n  {{{{{{{{\ne: # [[[[[[[[[[\n  f\ng: don't [[[[[[[[\n";
        assert!(depth(yaml) <= 2, "{}", depth(yaml));
        // A quoted scalar over several lines.
        assert!(depth("a: \"x\n  [[[[[[[[[[\n  y\"\nb: 1\n") <= 1);
    }

    #[test]
    fn deep_nesting_is_found_at_its_line() {
        let flow = format!("license: mit\nx: {}\n", "[".repeat(100_000));
        assert_eq!(too_deep(&flow, MAX_YAML_DEPTH), Some(2));
        let maps = format!("a: 1\nb: 2\nx: {}\n", "{a: ".repeat(1000));
        assert_eq!(too_deep(&maps, MAX_YAML_DEPTH), Some(3));
        let compact = format!("{}x\n", "- ".repeat(1000));
        assert_eq!(too_deep(&compact, MAX_YAML_DEPTH), Some(1));
        let mut indented = String::new();
        for i in 0..100 {
            indented.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(
            too_deep(&indented, MAX_YAML_DEPTH),
            Some(MAX_YAML_DEPTH + 1)
        );
        assert_eq!(too_deep("[[[]]]\n", 4), None);
        assert_eq!(too_deep("[[[]]]\n", 3), Some(1));
    }
}
