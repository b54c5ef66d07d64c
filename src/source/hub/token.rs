//! The Hub token: found the way huggingface_hub finds it, and never shown.

use std::fmt;
use std::path::{Path, PathBuf};

/// A secret. Debug and Display print a placeholder, so a token cannot reach a log, an error
/// message or a panic through formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Option<Token> {
        let secret = secret.into().trim().to_string();
        (!secret.is_empty()).then_some(Token(secret))
    }

    /// The secret itself, for the one place that needs it: the `authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where huggingface_hub keeps the token: `$HF_TOKEN_PATH`, else `$HF_HOME/token`, with
/// `HF_HOME` defaulting to `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
pub fn default_token_file() -> Option<PathBuf> {
    if let Some(path) = non_empty_var("HF_TOKEN_PATH") {
        return Some(PathBuf::from(path));
    }
    if let Some(home) = non_empty_var("HF_HOME") {
        return Some(PathBuf::from(home).join("token"));
    }
    if let Some(cache) = non_empty_var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(cache).join("huggingface/token"));
    }
    dirs::home_dir().map(|h| h.join(".cache/huggingface/token"))
}

fn non_empty_var(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// Whether a variable is set to one of huggingface_hub's true values.
pub fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

/// How a token was found: given explicitly (`--token-file`), or found implicitly (the
/// environment, the default file). `HF_HUB_DISABLE_IMPLICIT_TOKEN` keeps an implicit token off
/// reads, as huggingface_hub does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Explicit,
    Implicit,
}

/// The token to use: `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the given file, else the
/// default file. A file that does not exist means no token; one that cannot be read is an error
/// naming the file (not its content).
pub fn discover(token_file: Option<&Path>) -> Result<Option<(Token, Found)>, String> {
    for var in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
        if let Some(token) = std::env::var(var).ok().and_then(Token::new) {
            return Ok(Some((token, Found::Implicit)));
        }
    }
    let (path, explicit) = match token_file {
        Some(p) => (p.to_path_buf(), true),
        None => match default_token_file() {
            Some(p) => (p, false),
            None => return Ok(None),
        },
    };
    let found = if explicit {
        Found::Explicit
    } else {
        Found::Implicit
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Token::new(text).map(|t| (t, found))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(e) => Err(format!("token file {}: {}", path.display(), e.kind())),
    }
}

/// The token for reading models: none when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set and the token
/// was found implicitly.
pub fn for_reading(found: Option<(Token, Found)>) -> Option<Token> {
    match found {
        Some((token, Found::Explicit)) => Some(token),
        Some((token, Found::Implicit)) if !env_flag("HF_HUB_DISABLE_IMPLICIT_TOKEN") => Some(token),
        _ => None,
    }
}
