//! The email digest over SMTP (lettre): one multipart message (plain text and HTML) per run.

use crate::config::{EmailConfig, Security};
use crate::report::Digest;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::fmt;
use std::time::Duration;

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

impl SmtpSettings {
    /// The settings of a run: the config's `email:`, overridden by `SMTP_HOST`, `SMTP_PORT`,
    /// `SMTP_SECURITY`, `SMTP_FROM`, `SMTP_TO` (comma-separated), `SMTP_USERNAME`; the password
    /// from `SMTP_PASSWORD` only.
    pub fn resolve(config: &EmailConfig) -> Result<SmtpSettings, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let host = env("SMTP_HOST")
            .or_else(|| config.host.clone())
            .ok_or("no SMTP server: set email.host or SMTP_HOST")?;
        let security = match env("SMTP_SECURITY") {
            Some(s) => s.parse()?,
            None => config.security.unwrap_or(Security::Starttls),
        };
        let default_port = match security {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        };
        let port = match env("SMTP_PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("SMTP_PORT `{p}` is not a port"))?,
            None => config.port.unwrap_or(default_port),
        };
        let from = env("SMTP_FROM")
            .or_else(|| config.from.clone())
            .ok_or("no sender: set email.from or SMTP_FROM")?;
        let to = match env("SMTP_TO") {
            Some(list) => list
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            None => config.to.clone(),
        };
        Ok(SmtpSettings {
            host,
            port,
            security,
            from,
            to,
            username: env("SMTP_USERNAME").or_else(|| config.username.clone()),
            password: env("SMTP_PASSWORD").and_then(Password::new),
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("email: {0}")]
pub struct EmailError(String);

fn mailbox(address: &str) -> Result<Mailbox, EmailError> {
    address
        .parse()
        .map_err(|e| EmailError(format!("`{address}` is not an email address ({e})")))
}

/// The digest as a message to the configured recipients (plain text and HTML alternatives).
pub fn digest_message(settings: &SmtpSettings, digest: &Digest) -> Result<Message, EmailError> {
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
    Ok(message)
}

/// Sends the digest; an error means nothing was delivered.
pub fn send_digest(settings: &SmtpSettings, digest: &Digest) -> Result<(), EmailError> {
    let message = digest_message(settings, digest)?;
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
