//! What a snapshot line holds, read once. A line is a model's, or a dataset's (`"repoType":
//! "dataset"`); [`read`] and [`read_head`] are the places that decide which.
//!
//! A line is parsed in one pass into [`ModelLine`], which borrows its strings from the line.
//! A line that pass refuses is read again the way lines were always read ([`Head`], then
//! [`ModelInfo`] and [`Extra`]), so that what is skipped, what is unreadable, and every message,
//! stay as they were; both passes accept exactly the same lines.

use crate::source::mirror::parents_from_tags;
use crate::source::{
    CardData, DatasetInfo, DatasetRecord, Gated, HeldFiles, InfoRef, ModelInfo, RecordRef,
    SourceError, card_from_file, valid_dataset_id, valid_model_id,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

/// The fields every line is first read for: which model it is, and its parents.
#[derive(Deserialize)]
pub(super) struct Head {
    #[serde(default)]
    id: String,
    #[serde(default, rename = "modelId")]
    model_id: String,
    #[serde(default)]
    tags: Vec<String>,
    /// `"dataset"` on a dataset's line; absent on a model's.
    #[serde(default, rename = "repoType")]
    repo_type: Option<String>,
}

/// A line's own fields, beside the model info. Read in a second pass over the line rather than
/// with `#[serde(flatten)]`, which buffers the whole object (card included) before reading it.
#[derive(Deserialize)]
pub(super) struct Extra {
    pub readme: Option<String>,
    #[serde(default)]
    pub files: HashMap<String, String>,
}

/// The fields of [`ModelInfo`] and [`Extra`] in one pass, with the same types, strings borrowed
/// from the line where JSON lets them be (those without escapes).
#[derive(Deserialize)]
pub(super) struct ModelLine<'a> {
    #[serde(default, borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow, rename = "modelId")]
    model_id: Cow<'a, str>,
    // Read for their types only, as ModelInfo reads them.
    #[serde(default, borrow)]
    #[allow(dead_code)]
    sha: Option<Cow<'a, str>>,
    #[serde(default)]
    #[allow(dead_code)]
    private: bool,
    #[serde(default, deserialize_with = "crate::source::de_gated")]
    gated: Gated,
    #[serde(default)]
    #[allow(dead_code)]
    disabled: bool,
    #[serde(default, borrow)]
    tags: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    siblings: Vec<SiblingRef<'a>>,
    /// Needed only for a model without README.md: kept as text, parsed when needed.
    #[serde(default, borrow, rename = "cardData")]
    card_data: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "createdAt")]
    created_at: Option<Cow<'a, str>>,
    #[serde(default, rename = "childrenModelCount")]
    #[allow(dead_code)]
    children_model_count: Option<u64>,
    #[serde(default, borrow, rename = "pipeline_tag")]
    pipeline_tag: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    readme: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    files: HashMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(default, borrow, rename = "repoType")]
    repo_type: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct SiblingRef<'a> {
    #[serde(borrow)]
    rfilename: Cow<'a, str>,
}

/// `cardData` nested at least this deep is read the old way: as a [`serde_json::Value`] it
/// meets serde_json's recursion limit (127 levels), which the text alone does not.
const DEEP: usize = 100;

/// How deeply JSON text nests, or at least [`DEEP`].
fn nesting(text: &str) -> usize {
    let (mut depth, mut most, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text.as_bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                most = most.max(depth);
                if most >= DEEP {
                    return most;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    most
}

/// A model's fields as read, ready to be handed over borrowed.
pub(super) enum Fields<'a> {
    /// Read in one pass, borrowing from the line.
    Line(Box<ModelLine<'a>>),
    /// Read the old way (the one pass refused the line, yet it is readable).
    Owned(Box<(ModelInfo, Extra)>),
}

/// What a line holds.
pub(super) enum Read<'a> {
    /// A model: its id, the parents its tags name (for the index), and its fields or why they
    /// cannot be read (a model that is listed but unreadable, reported as such).
    Model {
        id: Cow<'a, str>,
        parents: Vec<String>,
        fields: Result<Fields<'a>, SourceError>,
    },
    /// A dataset: its id (its line is read when the lineage asks for it).
    Dataset { id: Cow<'a, str> },
    /// Neither: why, for the warning that names the line.
    Skipped(String),
}

/// A model line's id: `id`, else `modelId` (which older API answers carried instead).
fn model_id<S: Default + AsRef<str>>(id: &mut S, model_id: &mut S) -> S {
    if id.as_ref().is_empty() {
        std::mem::take(model_id)
    } else {
        std::mem::take(id)
    }
}

/// What a dataset's line is read as: its id, or why it is skipped.
fn dataset<'a>(id: Cow<'a, str>) -> Read<'a> {
    if valid_dataset_id(&id) {
        Read::Dataset { id }
    } else {
        Read::Skipped(format!("`{id}` is not a dataset id"))
    }
}

/// Reads a line (line end included). Blank lines are skipped without a word, by the caller.
pub(super) fn read(line: &[u8]) -> Read<'_> {
    // One pass, in the common case of a well-formed line.
    if let Ok(parsed) = serde_json::from_slice::<ModelLine>(line)
        && parsed.card_data.is_none_or(|c| nesting(c.get()) < DEEP)
    {
        let mut parsed = Box::new(parsed);
        if parsed.repo_type.as_deref() == Some("dataset") {
            return dataset(std::mem::take(&mut parsed.id));
        }
        let parsed_line = &mut *parsed;
        let id = model_id(&mut parsed_line.id, &mut parsed_line.model_id);
        if !valid_model_id(&id) {
            return Read::Skipped(format!("`{id}` is not a model id"));
        }
        return Read::Model {
            parents: parents_from_tags(&parsed.tags),
            fields: Ok(Fields::Line(parsed)),
            id,
        };
    }
    match read_head(line) {
        Read::Model { id, parents, .. } => Read::Model {
            fields: read_owned(&id, line).map(|both| Fields::Owned(Box::new(both))),
            id,
            parents,
        },
        other => other,
    }
}

/// Reads what the index needs of a line: whether it is a model or a dataset, its id and its
/// parents. Decides as [`read`] does (a line [`ModelLine`] accepts, [`Head`] accepts too).
pub(super) fn read_head(line: &[u8]) -> Read<'_> {
    match serde_json::from_slice::<Head>(line) {
        Ok(head) if head.repo_type.as_deref() == Some("dataset") => dataset(Cow::Owned(head.id)),
        Ok(mut head) => {
            let id = model_id(&mut head.id, &mut head.model_id);
            if !valid_model_id(&id) {
                return Read::Skipped(format!("`{id}` is not a model id"));
            }
            Read::Model {
                parents: parents_from_tags(&head.tags),
                id: Cow::Owned(id),
                fields: Err(SourceError::Other("not read".into())),
            }
        }
        Err(e) => Read::Skipped(e.to_string()),
    }
}

/// A model's card alone, from its line (for a card read again to be compared).
pub(super) fn read_readme(id: &str, line: &[u8]) -> Result<Option<String>, SourceError> {
    #[derive(Deserialize)]
    struct Readme {
        readme: Option<String>,
    }
    let readme: Readme = serde_json::from_slice(line)
        .map_err(|e| SourceError::Invalid(format!("snapshot line of {id}: {e}")))?;
    Ok(readme
        .readme
        .map(|text| crate::source::card_text(text.into_bytes()).0))
}

/// A model's line read the old way: its info, then its own fields.
pub(super) fn read_owned(id: &str, line: &[u8]) -> Result<(ModelInfo, Extra), SourceError> {
    let invalid =
        |e: serde_json::Error| SourceError::Invalid(format!("snapshot line of {id}: {e}"));
    let info: ModelInfo = serde_json::from_slice(line).map_err(invalid)?;
    let extra: Extra = serde_json::from_slice(line).map_err(invalid)?;
    Ok((info, extra))
}

/// A dataset's line: its info and its card.
pub(super) fn read_dataset(id: &str, line: &[u8]) -> Result<DatasetRecord, SourceError> {
    let invalid =
        |e: serde_json::Error| SourceError::Invalid(format!("snapshot line of dataset {id}: {e}"));
    let info: DatasetInfo = serde_json::from_slice(line).map_err(invalid)?;
    let extra: Extra = serde_json::from_slice(line).map_err(invalid)?;
    let card = card_from_file(Ok(extra.readme.map(String::into_bytes)));
    Ok(DatasetRecord::of(id, info, card))
}

impl<'a> Fields<'a> {
    /// The record, borrowed. `id` is the id the line is listed under.
    pub fn record<'s>(&'s self, id: &'s str) -> RecordRef<'s> {
        match self {
            Fields::Line(line) => RecordRef {
                info: InfoRef {
                    id,
                    gated: line.gated,
                    tags: line.tags.iter().map(|t| &**t).collect(),
                    files: line.siblings.iter().map(|s| &*s.rfilename).collect(),
                    card_data: line.card_data.map(CardData::Raw),
                    created_at: line.created_at.as_deref(),
                    pipeline_tag: line.pipeline_tag.as_deref(),
                },
                readme: line.readme.as_deref(),
                renamed_to: None,
                card_error: None,
            },
            Fields::Owned(both) => {
                let (info, extra) = &**both;
                RecordRef {
                    info: InfoRef {
                        id,
                        ..info.as_ref()
                    },
                    readme: extra.readme.as_deref(),
                    renamed_to: None,
                    card_error: None,
                }
            }
        }
    }
}

/// The files a line holds, as [`Source::file`](crate::source::Source::file) answers for them.
pub(super) struct LineFiles<'f> {
    pub id: &'f str,
    pub fields: Result<&'f Fields<'f>, &'f SourceError>,
}

impl HeldFiles for LineFiles<'_> {
    fn file(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        let text = match self.fields {
            Ok(Fields::Line(line)) => line.files.get(path).map(|t| t.as_bytes().to_vec()),
            Ok(Fields::Owned(both)) => both.1.files.get(path).map(|t| t.as_bytes().to_vec()),
            Err(e) => return Err(e.clone()),
        };
        text.ok_or_else(|| not_held(self.id, path))
    }
}

/// A file the snapshot does not hold.
pub(super) fn not_held(id: &str, path: &str) -> SourceError {
    SourceError::NotFound(format!("{id}/{path} is not in the snapshot"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the old reading made of a line: skipped (and why), or a model with its info and
    /// card, or unreadable (and why).
    fn old(line: &[u8]) -> String {
        match serde_json::from_slice::<Head>(line) {
            Err(e) => format!("skipped: {e}"),
            Ok(head) if head.repo_type.as_deref() == Some("dataset") => {
                if valid_dataset_id(&head.id) {
                    format!("dataset {}", head.id)
                } else {
                    format!("skipped: `{}` is not a dataset id", head.id)
                }
            }
            Ok(mut head) => {
                let id = model_id(&mut head.id, &mut head.model_id);
                if !valid_model_id(&id) {
                    return format!("skipped: `{id}` is not a model id");
                }
                match read_owned(&id, line) {
                    Ok((info, extra)) => shown(&id, &info.as_ref(), extra.readme.as_deref()),
                    Err(e) => format!("{id} unreadable: {e}"),
                }
            }
        }
    }

    fn shown(id: &str, info: &InfoRef<'_>, readme: Option<&str>) -> String {
        let data = info.card_data.map(|d| d.value().into_owned());
        format!(
            "{id}: {:?} {:?} {:?} {data:?} {:?} {:?} {readme:?}",
            info.gated, info.tags, info.files, info.created_at, info.pipeline_tag
        )
    }

    fn new(line: &[u8]) -> String {
        match read(line) {
            Read::Skipped(why) => format!("skipped: {why}"),
            Read::Dataset { id } => format!("dataset {id}"),
            Read::Model { id, fields, .. } => match fields {
                Ok(fields) => {
                    let record = fields.record(&id);
                    shown(&id, &record.info, record.readme)
                }
                Err(e) => format!("{id} unreadable: {e}"),
            },
        }
    }

    #[test]
    fn one_pass_reads_lines_as_the_old_reading_did() {
        let deep = format!("{}{}", "[".repeat(130), "]".repeat(130));
        for line in [
            r#"{"id": "a/b", "tags": ["base_model:c/d"], "readme": "---\nlicense: mit\n---\n", "cardData": {"license": "mit"}, "gated": "manual", "siblings": [{"rfilename": "LICENSE"}]}"#.to_string(),
            r#"{"modelId": "a/b", "createdAt": "2024-01-01T00:00:00.000Z", "files": {"LICENSE": "text"}}"#.to_string(),
            r#"{"id": "a\/b", "tags": ["x\"y"], "siblings": [{"rfilename": "caf\u00e9"}]}"#.to_string(),
            r#"{"id": "a/b", "private": "yes", "readme": 5}"#.to_string(),
            r#"{"id": "a/b", "readme": 5, "private": "yes"}"#.to_string(),
            r#"{"id": "a/b", "readme": "x", "readme": "y"}"#.to_string(),
            r#"{"id": "a/b", "files": null}"#.to_string(),
            r#"{"id": "a/b", "siblings": [{}]}"#.to_string(),
            r#"{"id": "a/b", "tags": "x"}"#.to_string(),
            r#"{"id": "../x"}"#.to_string(),
            r#"[1, 2]"#.to_string(),
            r#"{"id": "broken"#.to_string(),
            format!(r#"{{"id": "a/b", "cardData": {deep}}}"#),
            format!(r#"{{"id": "a/b", "other": {deep}}}"#),
            format!(r#"{{"id": "a/b", "gated": {deep}}}"#),
            r#"{"id": "d/e", "repoType": "dataset", "readme": "x", "siblings": [{"rfilename": "a.csv"}]}"#.to_string(),
            r#"{"modelId": "d/e", "repoType": "dataset"}"#.to_string(),
            r#"{"id": "d/e", "repoType": "model", "tags": ["base_model:c/d"]}"#.to_string(),
            r#"{"id": "d/e", "repoType": 3}"#.to_string(),
            format!(r#"{{"id": "d/e", "repoType": "dataset", "cardData": {deep}}}"#),
        ] {
            assert_eq!(new(line.as_bytes()), old(line.as_bytes()), "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_line_reads_as_the_old_reading_did(
            fields in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["id", "modelId", "tags", "siblings", "cardData", "readme", "files", "gated", "private", "sha", "createdAt", "pipeline_tag", "repoType", "other"]),
                    proptest::sample::select(vec![
                        r#""a/b""#, r#""x\ny""#, "null", "true", "3", "[]", r#"["base_model:a/c"]"#,
                        r#"[{"rfilename": "LICENSE"}]"#, r#"{"LICENSE": "t"}"#, "{}", r#"{"license": ["mit"]}"#,
                        r#""manual""#, "[[[]]]", r#"[{"x": 1}]"#, r#""dataset""#,
                    ]),
                ),
                0..6,
            ),
        ) {
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let line = format!("{{{}}}\n", body.join(", "));
            proptest::prop_assert_eq!(new(line.as_bytes()), old(line.as_bytes()), "{}", line);
        }
    }
}
