//! The email digest over SMTP (lettre): one multipart message (plain text and HTML) per run.

use crate::report::Digest;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::fmt;
use std::time::Duration;

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP: only for a relay on the same machine or network.
    None,
    /// Upgrade a plain connection with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl std::str::FromStr for Security {
    type Err = String;
    fn from_str(s: &str) -> Result<Security, String> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            other => Err(format!("`{other}` is not one of none, starttls, tls")),
        }
    }
}

/// An SMTP password: never shown.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(secret: String) -> Option<Password> {
        (!secret.is_empty()).then_some(Password(secret))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    pub password: Option<Password>,
}

#[derive(Debug, thiserror::Error)]
#[error("email: {0}")]
pub struct EmailError(String);

fn mailbox(address: &str) -> Result<Mailbox, EmailError> {
    address
        .parse()
        .map_err(|e| EmailError(format!("`{address}` is not an email address ({e})")))
}

/// Sends the digest; an error means nothing was delivered.
pub fn send_digest(settings: &SmtpSettings, digest: &Digest) -> Result<(), EmailError> {
    if settings.to.is_empty() {
        return Err(EmailError("no recipients (email.to, or SMTP_TO)".into()));
    }
    let mut builder = Message::builder()
        .message_id(None)
        .from(mailbox(&settings.from)?)
        .subject(&digest.subject);
    for to in &settings.to {
        builder = builder.to(mailbox(to)?);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            digest.text.clone(),
            digest.html.clone(),
        ))
        .map_err(|e| EmailError(e.to_string()))?;
    let transport = match settings.security {
        Security::None => SmtpTransport::builder_dangerous(&settings.host),
        Security::Starttls => {
            SmtpTransport::starttls_relay(&settings.host).map_err(|e| EmailError(e.to_string()))?
        }
        Security::Tls => {
            SmtpTransport::relay(&settings.host).map_err(|e| EmailError(e.to_string()))?
        }
    };
    let mut transport = transport
        .port(settings.port)
        .timeout(Some(Duration::from_secs(30)));
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        transport = transport.credentials(Credentials::new(user.clone(), password.0.clone()));
    }
    transport
        .build()
        .send(&message)
        .map(drop)
        .map_err(|e| EmailError(format!("{}:{}: {e}", settings.host, settings.port)))
}
