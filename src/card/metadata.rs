//! Typed card metadata that accepts what the real Hub holds: strings or lists, missing keys,
//! odd scalar types. A key with a value of the wrong shape is a problem, not a failure.

use super::CardProblem;
use super::front_matter::KeyLines;
use serde::Serialize;
use serde_yaml::Value;

/// A field that the Hub accepts as one string or as a list of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// The front-matter keys Pedigree reads. Unknown keys are ignored, as the Hub ignores them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub license: Option<OneOrMany>,
    pub license_name: Option<String>,
    pub license_link: Option<String>,
    /// Parents, in the order the card lists them.
    pub base_model: Vec<String>,
    pub base_model_relation: Option<String>,
    pub language: Vec<String>,
    /// Datasets the model was trained on (Hub dataset ids, as the card lists them).
    pub datasets: Vec<String>,
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    pub library_name: Option<String>,
    /// The card has a `licence` key (British spelling), which the Hub ignores.
    pub has_licence_key: bool,
}

struct Reader<'a> {
    map: &'a serde_yaml::Mapping,
    lines: &'a KeyLines,
    problems: Vec<CardProblem>,
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

impl Reader<'_> {
    fn problem(&mut self, key: &str, message: String) {
        self.problems.push(CardProblem {
            message,
            line: self.lines.get(key),
        });
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &str) -> Option<String> {
        let value = self.get(key)?;
        let out = scalar(value);
        if out.is_none() && !matches!(value, Value::String(_)) {
            let found = type_name(value);
            self.problem(key, format!("`{key}` should be a string, found {found}"));
        }
        out
    }

    fn one_or_many(&mut self, key: &str) -> Option<OneOrMany> {
        // Cloned so problems can be recorded while reading; values of these keys are small.
        match self.get(key)?.clone() {
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    match scalar(item) {
                        Some(s) => out.push(s),
                        None if item.is_null() => {}
                        None => {
                            let found = type_name(item);
                            self.problem(key, format!("`{key}` lists {found}, expected strings"));
                        }
                    }
                }
                match out.len() {
                    0 => None,
                    1 => out.pop().map(OneOrMany::One),
                    _ => Some(OneOrMany::Many(out)),
                }
            }
            value => {
                let out = scalar(&value);
                if out.is_none() && !matches!(value, Value::String(_)) {
                    let found = type_name(&value);
                    self.problem(
                        key,
                        format!("`{key}` should be a string or a list of strings, found {found}"),
                    );
                }
                out.map(OneOrMany::One)
            }
        }
    }

    fn list(&mut self, key: &str) -> Vec<String> {
        match self.one_or_many(key) {
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
            None => Vec::new(),
        }
    }
}

impl Metadata {
    /// Reads metadata from front-matter YAML whose first line is README.md line `first_line`.
    /// The flag is false when nothing could be read at all.
    pub(super) fn from_yaml(
        yaml: &str,
        first_line: usize,
        lines: &KeyLines,
    ) -> (Metadata, Vec<CardProblem>, bool) {
        match serde_yaml::from_str::<Value>(yaml) {
            Ok(value) => Metadata::from_value(&value, lines, Some(first_line - 1)),
            Err(err) => {
                // serde_yaml counts lines from the start of the YAML block; README.md lines are
                // what a user (and a GitHub annotation) needs.
                let offset = first_line - 1;
                // The parser also breaks lines at a lone CR, which README.md lines do not count:
                // a line past the front matter is its closing fence.
                let fence = first_line + yaml.lines().count();
                let line = err.location().map(|l| (l.line() + offset).min(fence));
                let message = format!(
                    "front matter is not valid YAML: {}",
                    shift_line_numbers(&err.to_string(), offset)
                );
                (
                    Metadata::default(),
                    vec![CardProblem { message, line }],
                    false,
                )
            }
        }
    }

    /// Reads metadata from the Hub's `cardData` JSON.
    pub(super) fn from_json(json: &serde_json::Value) -> (Metadata, Vec<CardProblem>, bool) {
        match serde_yaml::to_value(json) {
            Ok(value) => Metadata::from_value(&value, &KeyLines::default(), None),
            Err(err) => (
                Metadata::default(),
                vec![CardProblem {
                    message: format!("cardData is unusable: {err}"),
                    line: None,
                }],
                false,
            ),
        }
    }

    fn from_value(
        value: &Value,
        lines: &KeyLines,
        fence_line: Option<usize>,
    ) -> (Metadata, Vec<CardProblem>, bool) {
        let map = match value {
            Value::Mapping(map) => map,
            Value::Null => return (Metadata::default(), Vec::new(), true),
            other => {
                let found = type_name(other);
                let problem = CardProblem {
                    message: format!("front matter should be a mapping of keys, found {found}"),
                    line: fence_line,
                };
                return (Metadata::default(), vec![problem], false);
            }
        };
        let mut r = Reader {
            map,
            lines,
            problems: Vec::new(),
        };
        let meta = Metadata {
            license: r.one_or_many("license"),
            license_name: r.string("license_name"),
            license_link: r.string("license_link"),
            base_model: r.list("base_model"),
            base_model_relation: r.string("base_model_relation"),
            language: r.list("language"),
            datasets: r.list("datasets"),
            tags: r.list("tags"),
            pipeline_tag: r.string("pipeline_tag"),
            library_name: r.string("library_name"),
            has_licence_key: map.contains_key("licence"),
        };
        (meta, r.problems, true)
    }
}

/// Adds `offset` to every "line N" in a parser message.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("line ") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}
