//! The library's error type. Third-party errors are turned into text here, so none of them leak
//! into the public API.

use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rules data (built in, or a `--rules` directory) is unusable.
    #[error("rules {origin}: {message}")]
    Rules { origin: String, message: String },
    /// `.pedigree.yml` is unusable: the message names the key and line.
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },
    /// A file the user pointed at could not be read.
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    /// The model to audit could not be had at all (a parent that cannot be had is a finding instead).
    #[error("{model}: {message}")]
    Target { model: String, message: String },
    /// The source refused the whole run (the Hub rejected the token).
    #[error("{0}")]
    Source(String),
    /// The request itself is wrong (e.g. no source to read models from).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn rules(origin: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Rules {
            origin: origin.into(),
            message: message.into(),
        }
    }

    pub fn config(path: &Path, message: impl Into<String>) -> Error {
        Error::Config {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            message: err.to_string(),
        }
    }
}
