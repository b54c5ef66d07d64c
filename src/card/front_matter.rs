//! Splitting a card into its YAML front matter and its Markdown body.

use super::CardProblem;
use std::collections::BTreeMap;

/// A card cut in two. `yaml` is `None` when the card has no front matter (or it is unusable).
#[derive(Debug)]
pub struct FrontMatter<'a> {
    pub yaml: Option<String>,
    /// README.md line of the first YAML line (the line after the opening `---`).
    pub first_line: usize,
    pub body: &'a str,
    pub problems: Vec<CardProblem>,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits README.md text. Accepts a UTF-8 BOM and CRLF line ends, as the Hub does.
pub fn split(text: &str) -> FrontMatter<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let no_front_matter = FrontMatter {
        yaml: None,
        first_line: 2,
        body: text,
        problems: Vec::new(),
    };
    match lines.next() {
        Some(first) if is_fence(first) => {}
        _ => return no_front_matter,
    }
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    let start = offset;
    for line in lines {
        if is_fence(line) || line.trim_end() == "..." {
            let yaml = text[start..offset].replace("\r\n", "\n");
            let body = &text[offset + line.len()..];
            return FrontMatter {
                yaml: Some(yaml),
                first_line: 2,
                body,
                problems: Vec::new(),
            };
        }
        offset += line.len();
    }
    FrontMatter {
        yaml: None,
        first_line: 2,
        body: text,
        problems: vec![CardProblem {
            message: "front matter opened with `---` on line 1 is never closed; the Hub reads no metadata from this card"
                .to_string(),
            line: Some(1),
        }],
    }
}

/// The README.md line of each top-level key. Front matter is a block mapping, so a top-level key
/// is a line that starts in column 0 and is not a comment, list item or continuation.
pub(super) fn top_level_key_lines(yaml: &str, first_line: usize) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    for (i, line) in yaml.lines().enumerate() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '}' | ']' | '|' | '>') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let key = line[..colon].trim().trim_matches(|c| c == '"' || c == '\'');
        if !key.is_empty() {
            keys.entry(key.to_string()).or_insert(first_line + i);
        }
    }
    keys
}
