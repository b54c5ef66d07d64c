//! The repo files the checks read, fetched with the rest of the lineage (checks never fetch).

use super::Info;
use crate::source::SourceError;

/// Files read per model at most: a repo with more licence files than this is unusual, and the
/// bound keeps a hostile file list from multiplying requests.
const MAX_FILES: usize = 8;

/// A repo file as read, or why it could not be.
#[derive(Debug)]
pub struct RepoFile {
    pub path: String,
    pub text: Result<String, SourceError>,
}

/// Code files compared between a model and an ancestor at most.
const MAX_CODE_FILES: usize = 8;

/// What kind of licence material a file name says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// LICENSE, LICENCE, COPYING (any extension or suffix).
    License,
    /// NOTICE.
    Notice,
    /// USE_POLICY (an acceptable use policy).
    UsePolicy,
    /// Python source (custom modeling code, which carries its own licence header).
    Code,
}

impl FileKind {
    /// Top-level files only: a licence in a subfolder usually covers that folder's contents.
    pub fn of(path: &str) -> Option<FileKind> {
        if path.ends_with(".py") {
            return Some(FileKind::Code);
        }
        if path.contains('/') {
            return None;
        }
        let starts = |prefix: &str| {
            path.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        if starts("LICENSE") || starts("LICENCE") || starts("COPYING") {
            Some(FileKind::License)
        } else if starts("NOTICE") {
            Some(FileKind::Notice)
        } else if starts("USE_POLICY") {
            Some(FileKind::UsePolicy)
        } else {
            None
        }
    }
}

/// The licence material a repo lists, in its listed order, at most [`MAX_FILES`].
pub fn licence_files(info: &Info) -> Vec<String> {
    info.files()
        .filter(|f| {
            matches!(
                FileKind::of(f),
                Some(FileKind::License | FileKind::Notice | FileKind::UsePolicy)
            )
        })
        .take(MAX_FILES)
        .map(str::to_string)
        .collect()
}

/// Python files both repos list under the same path (a copied `modeling_*.py`), at most
/// [`MAX_CODE_FILES`].
pub fn shared_code_files(model: &Info, ancestor: &Info) -> Vec<String> {
    model
        .files()
        .filter(|f| FileKind::of(f) == Some(FileKind::Code))
        .filter(|f| ancestor.files().any(|a| a == *f))
        .take(MAX_CODE_FILES)
        .map(str::to_string)
        .collect()
}
