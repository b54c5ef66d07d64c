//! Model cards: a README.md with YAML front matter between `---` lines, then Markdown.
//!
//! Parsing never fails: problems become [`CardProblem`]s with the 1-based line in README.md they
//! point at, and the metadata that could be read is kept.

mod front_matter;
mod metadata;
mod nesting;

pub use front_matter::{FrontMatter, KeyLines, split};
pub use metadata::{Metadata, OneOrMany};
pub use nesting::{MAX_YAML_DEPTH, too_deep};

/// Cards larger than this are not parsed (real cards are well under 1 MiB; the Hub itself limits
/// the metadata block). The audit goes on with a `card-invalid` finding.
pub const MAX_CARD_BYTES: usize = 8 * 1024 * 1024;

/// Something wrong with the card's metadata, at a line of README.md when one is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardProblem {
    pub message: String,
    pub line: Option<usize>,
}

/// A parsed model card.
#[derive(Clone, Debug, Default)]
pub struct Card {
    pub meta: Metadata,
    /// 1-based README.md line of every top-level front-matter key.
    pub key_lines: KeyLines,
    pub problems: Vec<CardProblem>,
    /// The front matter exists but none of it could be read (invalid YAML, not a mapping, never
    /// closed, too large): the card's silence on a key then proves nothing.
    pub unreadable: bool,
    /// The Markdown after the front matter.
    pub body: String,
}

/// The Markdown body of README.md text, as [`Card::parse`] would keep it, without reading the
/// metadata.
pub fn body_of(text: &str) -> &str {
    if text.len() > MAX_CARD_BYTES {
        return "";
    }
    split(text).body
}

impl Card {
    /// Parses README.md text.
    pub fn parse(text: &str) -> Card {
        if text.len() > MAX_CARD_BYTES {
            return Card {
                problems: vec![CardProblem {
                    message: format!(
                        "card is {} bytes, over the {} byte limit; its metadata was not read",
                        text.len(),
                        MAX_CARD_BYTES
                    ),
                    line: None,
                }],
                unreadable: true,
                ..Card::default()
            };
        }
        let fm = split(text);
        let mut problems = fm.problems;
        let mut unreadable = !problems.is_empty();
        let (meta, key_lines) = match &fm.yaml {
            Some(yaml) => {
                let lines = front_matter::top_level_key_lines(yaml, fm.first_line);
                // Measured before parsing: the parser is quadratic in nesting depth.
                if let Some(line) = too_deep(yaml, MAX_YAML_DEPTH) {
                    let line = fm.first_line + line - 1;
                    problems.push(CardProblem {
                        message: format!(
                            "front matter nests deeper than {MAX_YAML_DEPTH} levels (line {line}); it was not parsed"
                        ),
                        line: Some(line),
                    });
                    return Card {
                        key_lines: lines,
                        problems,
                        unreadable: true,
                        body: fm.body.to_string(),
                        ..Card::default()
                    };
                }
                let (meta, mut meta_problems, ok) =
                    Metadata::from_yaml(yaml, fm.first_line, &lines);
                unreadable |= !ok;
                problems.append(&mut meta_problems);
                (meta, lines)
            }
            None => (Metadata::default(), KeyLines::default()),
        };
        Card {
            meta,
            key_lines,
            problems,
            unreadable,
            body: fm.body.to_string(),
        }
    }

    /// Builds a card from the Hub's `cardData` (the front matter as JSON), for repos whose
    /// README.md is not at hand. No line numbers are known then.
    pub fn from_card_data(card_data: &serde_json::Value) -> Card {
        let (meta, problems, ok) = Metadata::from_json(card_data);
        Card {
            meta,
            problems,
            unreadable: !ok,
            ..Card::default()
        }
    }

    /// The README.md line of a top-level key, if the card has it.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.key_lines.get(key)
    }
}
