//! What a Hub error answer means. The status alone does not say it: a 401 is a missing repo asked
//! anonymously, a private one, a gated file, or a token the Hub rejects on every request. The
//! Hub names the case in `X-Error-Code` (`RepoNotFound`, `GatedRepo`, `EntryNotFound`,
//! `RevisionNotFound`) and `X-Error-Message`, as huggingface_hub's `hf_raise_for_status` reads them.

use super::super::SourceError;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The message the Hub sends with a token it does not accept.
const INVALID_TOKEN: &str = "Invalid credentials in Authorization header";
/// The message of a repo the Hub has disabled.
const DISABLED: &str = "Access to this resource is disabled.";

/// A header's text, made safe to show: printable characters only, bounded.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    let text: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!text.trim().is_empty()).then(|| text.trim().to_string())
}

/// The error of a non-2xx answer to a GET of `what`. `token_sent`: whether the request carried
/// the token (a missing repo and a private one look alike, and the hint differs).
pub fn status_error(
    status: StatusCode,
    headers: &HeaderMap,
    what: &str,
    token_sent: bool,
) -> SourceError {
    let code = header_text(headers, "x-error-code");
    let message = header_text(headers, "x-error-message");
    let said = match (&code, &message) {
        (Some(c), _) => format!("{} {c}", status.as_u16()),
        (None, _) => status.as_u16().to_string(),
    };
    if status == StatusCode::UNAUTHORIZED
        && message
            .as_deref()
            .is_some_and(|m| m.contains(INVALID_TOKEN))
    {
        return SourceError::Rejected(format!(
            "the Hub rejected the token ({said}: invalid or expired credentials) while reading {what}; renew the token, or unset HF_TOKEN to read public models only"
        ));
    }
    if message.as_deref() == Some(DISABLED) {
        return SourceError::Denied(format!("{what}: the Hub has disabled this repo ({said})"));
    }
    match code.as_deref() {
        Some("GatedRepo") => {
            let how = if token_sent {
                "accept its licence on the Hub with the account whose token is set"
            } else {
                "accept its licence on the Hub and set HF_TOKEN"
            };
            SourceError::Denied(format!("{what}: the repo is gated ({said}): {how}"))
        }
        Some("RevisionNotFound") => SourceError::NotFound(format!(
            "{what}: the revision does not exist on the Hub ({said})"
        )),
        Some("EntryNotFound") => {
            SourceError::NotFound(format!("{what}: the repo has no such file ({said})"))
        }
        Some("RepoNotFound") => not_found(what, &said, token_sent),
        _ => match status {
            // An API 401 without a code is the Hub's answer for a repo it will not show.
            StatusCode::UNAUTHORIZED => not_found(what, &said, token_sent),
            StatusCode::NOT_FOUND => {
                SourceError::NotFound(format!("{what}: not found on the Hub ({said})"))
            }
            StatusCode::FORBIDDEN | StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS => {
                let why = message.map(|m| format!(": {m}")).unwrap_or_default();
                SourceError::Denied(format!("{what}: the Hub refused access ({said}{why})"))
            }
            StatusCode::TOO_MANY_REQUESTS => SourceError::Unavailable(format!(
                "{what}: still rate limited ({said}) when the run's --timeout ran out"
            )),
            StatusCode::REQUEST_TIMEOUT => {
                SourceError::Unavailable(format!("{what}: the Hub timed out ({said})"))
            }
            s if s.is_server_error() => {
                SourceError::Unavailable(format!("{what}: the Hub answered {said} after retries"))
            }
            _ => {
                let why = message.map(|m| format!(": {m}")).unwrap_or_default();
                SourceError::Other(format!("{what}: the Hub answered {said}{why}"))
            }
        },
    }
}

fn not_found(what: &str, said: &str, token_sent: bool) -> SourceError {
    let why = if token_sent {
        "it does not exist, or it is private and the token has no access"
    } else {
        "it does not exist, or it is private (no token was sent: set HF_TOKEN if you have access)"
    };
    SourceError::NotFound(format!("{what}: not found on the Hub ({said}): {why}"))
}

/// Statuses worth another try after a pause.
pub fn is_transient(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn with(code: Option<&str>, message: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = code {
            h.insert("x-error-code", HeaderValue::from_str(c).unwrap());
        }
        if let Some(m) = message {
            h.insert("x-error-message", HeaderValue::from_str(m).unwrap());
        }
        h
    }

    #[test]
    fn the_codes_tell_the_401s_apart() {
        let e = status_error(
            StatusCode::UNAUTHORIZED,
            &with(None, Some(INVALID_TOKEN)),
            "a/b",
            true,
        );
        assert!(matches!(e, SourceError::Rejected(_)), "{e:?}");
        let e = status_error(
            StatusCode::UNAUTHORIZED,
            &with(Some("RepoNotFound"), Some("Repository not found")),
            "a/b",
            false,
        );
        assert!(
            matches!(&e, SourceError::NotFound(m) if m.contains("not found") && m.contains("no token was sent")),
            "{e:?}"
        );
        let e = status_error(
            StatusCode::UNAUTHORIZED,
            &with(Some("GatedRepo"), None),
            "a/b/LICENSE",
            false,
        );
        assert!(
            matches!(&e, SourceError::Denied(m) if m.contains("gated")),
            "{e:?}"
        );
        let e = status_error(
            StatusCode::NOT_FOUND,
            &with(Some("EntryNotFound"), None),
            "a/b/LICENSE",
            false,
        );
        assert!(matches!(e, SourceError::NotFound(_)));
        let e = status_error(StatusCode::BAD_GATEWAY, &HeaderMap::new(), "a/b", false);
        assert!(e.is_transport());
    }

    #[test]
    fn header_text_is_shown_without_control_characters() {
        let h = with(None, Some("bad\tday"));
        assert_eq!(
            header_text(&h, "x-error-message").as_deref(),
            Some("badday")
        );
    }
}
