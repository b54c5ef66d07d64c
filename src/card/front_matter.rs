//! Splitting a card into its YAML front matter and its Markdown body.

use super::CardProblem;

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

/// Splits README.md text. Accepts a UTF-8 BOM, CRLF line ends and blank lines before the opening
/// `---`, as the Hub does (real cards start with an empty line more often than one would think).
pub fn split(text: &str) -> FrontMatter<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let no_front_matter = FrontMatter {
        yaml: None,
        first_line: 2,
        body: text,
        problems: Vec::new(),
    };
    // Skip blank lines; the first other line must be the opening fence.
    let mut offset = 0;
    let mut fence_line = 1;
    loop {
        let rest = &text[offset..];
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_len];
        if line.trim().is_empty() && line_len > 0 && line.ends_with('\n') {
            offset += line_len;
            fence_line += 1;
            continue;
        }
        if !is_fence(line) {
            return no_front_matter;
        }
        offset += line_len;
        break;
    }
    let start = offset;
    let first_line = fence_line + 1;
    for line in text[start..].split_inclusive('\n') {
        if is_fence(line) || line.trim_end() == "..." {
            let yaml = text[start..offset].replace("\r\n", "\n");
            let body = &text[offset + line.len()..];
            return FrontMatter {
                yaml: Some(yaml),
                first_line,
                body,
                problems: Vec::new(),
            };
        }
        offset += line.len();
    }
    FrontMatter {
        yaml: None,
        first_line,
        body: text,
        problems: vec![CardProblem {
            message: format!(
                "front matter opened with `---` on line {fence_line} is never closed; the Hub reads no metadata from this card"
            ),
            line: Some(fence_line),
        }],
    }
}

/// The top-level keys Pedigree reads; findings point at no others, so no others' lines are kept.
pub(super) const READ_KEYS: &[&str] = &[
    "license",
    "license_name",
    "license_link",
    "base_model",
    "base_model_relation",
    "language",
    "datasets",
    "tags",
    "pipeline_tag",
    "library_name",
    "licence",
];

/// The README.md line of each top-level key Pedigree reads: a few entries, held for every model of
/// a run, so a small exact-sized list of (place in [`READ_KEYS`], line), 8 bytes an entry, rather
/// than a map of every key the card has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLines(Box<[(u8, u32)]>);

impl KeyLines {
    pub fn get(&self, key: &str) -> Option<usize> {
        self.iter().find(|(k, _)| *k == key).map(|(_, line)| line)
    }

    /// Every key with its line.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.0
            .iter()
            .map(|&(k, line)| (READ_KEYS[usize::from(k)], line as usize))
    }
}

/// The README.md line of each top-level key that Pedigree reads. Front matter is a block mapping,
/// so a top-level key is a line that starts in column 0 and is not a comment, list item or
/// continuation.
pub(super) fn top_level_key_lines(yaml: &str, first_line: usize) -> KeyLines {
    let mut keys: Vec<(u8, u32)> = Vec::new();
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
        let Some(known) = READ_KEYS.iter().position(|k| *k == key) else {
            continue;
        };
        // READ_KEYS has a handful of entries, so its places fit a byte.
        let known = known as u8;
        if !keys.iter().any(|(k, _)| *k == known) {
            let line = u32::try_from(first_line + i).unwrap_or(u32::MAX);
            keys.push((known, line));
        }
    }
    KeyLines(keys.into_boxed_slice())
}
