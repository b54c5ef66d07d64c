//! `.pedigree.yml`: a project's licence policy, waivers and severity overrides.
//!
//! Parsed strictly (an unknown key is an error naming the key and its line), then validated
//! against the catalogue and the rule list into [`Config`].

use crate::card::{MAX_YAML_DEPTH, too_deep};
use crate::checks::LicensePolicy;
use crate::error::{Error, Result};
use crate::findings::{Overrides, Rule, Severity, Waiver};
use crate::license::Catalogue;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".pedigree.yml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    licenses: RawLicenses,
    #[serde(default)]
    waivers: Vec<RawWaiver>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    email: Option<EmailConfig>,
}

/// Where the email digest goes, as the file says it. The password is never in a file:
/// `SMTP_PASSWORD` only. `notify::email` builds the SMTP settings from it and the environment.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<Security>,
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    pub username: Option<String>,
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
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
    fn from_str(s: &str) -> std::result::Result<Security, String> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            other => Err(format!("`{other}` is not one of none, starttls, tls")),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLicenses {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    deny: Vec<String>,
    #[serde(rename = "confidence-threshold")]
    confidence_threshold: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    model: String,
    rule: String,
    reason: String,
    expires: Option<String>,
}

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where it was read from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    pub policy: LicensePolicy,
    /// Severity overrides and waivers, for the findings sink.
    pub overrides: Overrides,
    /// The lowest SPDX text-detection score that identifies a licence file.
    pub confidence_threshold: f32,
    /// The email digest's recipients and server, if configured.
    pub email: EmailConfig,
}

/// cargo-deny's default is 0.8; a licence auditor that accuses people wants more certainty.
pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.9;

impl Default for Config {
    fn default() -> Config {
        Config {
            path: None,
            policy: LicensePolicy::default(),
            overrides: Overrides::default(),
            confidence_threshold: DEFAULT_CONFIDENCE_THRESHOLD,
            email: EmailConfig::default(),
        }
    }
}

/// The 1-based line of the first line containing `needle` at or after `from`.
fn line_of(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        Config::parse(&text, path, catalogue)
    }

    /// The config a run uses: `explicit` if given, else `.pedigree.yml` in `dir`, else defaults.
    pub fn discover(explicit: Option<&Path>, dir: &Path, catalogue: &Catalogue) -> Result<Config> {
        match explicit {
            Some(path) => Config::load(path, catalogue),
            None => {
                let candidate = dir.join(FILE_NAME);
                if candidate.is_file() {
                    Config::load(&candidate, catalogue)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    pub fn parse(text: &str, path: &Path, catalogue: &Catalogue) -> Result<Config> {
        // A config comes with the repo under audit, from whoever wrote it: bounded like a card.
        if let Some(line) = too_deep(text, MAX_YAML_DEPTH) {
            return Err(Error::config(
                path,
                format!("line {line}: nested deeper than {MAX_YAML_DEPTH} levels"),
            ));
        }
        let raw: RawConfig = match serde_yaml::from_str::<Option<RawConfig>>(text) {
            Ok(raw) => raw.unwrap_or_default(),
            // serde_yaml's message names the key and says "at line N column M".
            Err(e) => return Err(Error::config(path, e.to_string())),
        };
        let mut problems = Vec::new();
        let mut licence_ids = |names: &[String], key: &str| {
            let mut ids = Vec::new();
            for name in names {
                let line = line_of(text, name, line_of(text, key, 1).unwrap_or(1)).unwrap_or(0);
                match catalogue.by_name(name) {
                    Some(id) => ids.push(id),
                    None => {
                        let hint = catalogue
                            .suggest(name)
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        problems.push(format!(
                            "line {line}: licenses.{key}: unknown licence `{name}`{hint}"
                        ));
                    }
                }
            }
            ids
        };
        let policy = LicensePolicy {
            allow: licence_ids(&raw.licenses.allow, "allow"),
            deny: licence_ids(&raw.licenses.deny, "deny"),
        };
        let rule = |name: &str, line: Option<usize>, problems: &mut Vec<String>| -> Option<Rule> {
            let found = Rule::from_id(name);
            if found.is_none() {
                let hint = Rule::ALL
                    .iter()
                    .map(|r| (strsim::jaro_winkler(name, r.id()), r.id()))
                    .filter(|(score, _)| *score > 0.85)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, id)| format!(" (did you mean `{id}`?)"))
                    .unwrap_or_default();
                problems.push(format!(
                    "line {}: unknown rule `{name}`{hint}",
                    line.unwrap_or(0)
                ));
            }
            found
        };
        let mut severity = BTreeMap::new();
        let severity_line = line_of(text, "severity", 1).unwrap_or(1);
        for (name, level) in &raw.severity {
            let line = line_of(text, name, severity_line);
            let Some(r) = rule(name, line, &mut problems) else {
                continue;
            };
            let level = match level.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "note" => Some(Severity::Note),
                "off" => None,
                other => {
                    problems.push(format!(
                        "line {}: severity.{name}: `{other}` is not one of error, warning, note, off",
                        line.unwrap_or(0)
                    ));
                    continue;
                }
            };
            severity.insert(r, level);
        }
        let mut waivers = Vec::new();
        let mut from = line_of(text, "waivers", 1).unwrap_or(1);
        for w in &raw.waivers {
            let line = line_of(text, &w.model, from);
            from = line.unwrap_or(from) + 1;
            let Some(r) = rule(&w.rule, line, &mut problems) else {
                continue;
            };
            if w.reason.trim().is_empty() {
                problems.push(format!(
                    "line {}: waiver for `{}` needs a reason",
                    line.unwrap_or(0),
                    w.model
                ));
            }
            let expires = match &w.expires {
                None => None,
                Some(date) => match date.parse::<jiff::civil::Date>() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        problems.push(format!(
                            "line {}: waiver for `{}`: expires `{date}` is not a date (YYYY-MM-DD)",
                            line.unwrap_or(0),
                            w.model
                        ));
                        None
                    }
                },
            };
            waivers.push(Waiver {
                model: w.model.clone(),
                rule: r,
                reason: w.reason.clone(),
                expires,
                line,
            });
        }
        let confidence_threshold = raw
            .licenses
            .confidence_threshold
            .unwrap_or(DEFAULT_CONFIDENCE_THRESHOLD);
        if !(0.0..=1.0).contains(&confidence_threshold) {
            let line = line_of(text, "confidence-threshold", 1).unwrap_or(0);
            problems.push(format!(
                "line {line}: licenses.confidence-threshold must be between 0 and 1"
            ));
        }
        if !problems.is_empty() {
            return Err(Error::config(path, problems.join("; ")));
        }
        Ok(Config {
            email: raw.email.unwrap_or_default(),
            confidence_threshold,
            path: Some(path.to_path_buf()),
            policy,
            overrides: Overrides {
                severity,
                waivers,
                file: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            },
        })
    }
}
