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

/// Where huggingface_hub keeps the token: `$HF_TOKEN_PATH`, else `$HF_HOME/token`, else
/// `~/.cache/huggingface/token`.
pub fn default_token_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("HF_TOKEN_PATH") {
        return Some(PathBuf::from(path));
    }
    if let Some(home) = std::env::var_os("HF_HOME") {
        return Some(PathBuf::from(home).join("token"));
    }
    dirs::home_dir().map(|h| h.join(".cache/huggingface/token"))
}

/// The token to use: `HF_TOKEN`, else the given file, else the default file. A file that does
/// not exist means no token; one that cannot be read is an error naming the file (not its content).
pub fn discover(token_file: Option<&Path>) -> Result<Option<Token>, String> {
    if let Some(token) = std::env::var("HF_TOKEN").ok().and_then(Token::new) {
        return Ok(Some(token));
    }
    let (path, explicit) = match token_file {
        Some(p) => (p.to_path_buf(), true),
        None => match default_token_file() {
            Some(p) => (p, false),
            None => return Ok(None),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Token::new(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(e) => Err(format!("token file {}: {}", path.display(), e.kind())),
    }
}
