//! From what a card declares (`license`, `license_name`, `license_link`) to [`Terms`].

use super::catalogue::{Catalogue, Class, LicenseId};
use super::expression::{self, Leaf, LicenseExpr};
use crate::card::Metadata;

/// A model's licence terms as far as its card tells them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terms {
    /// No `license` key. `licence_key` notes the British spelling, which the Hub ignores.
    Missing {
        licence_key: bool,
    },
    /// Declared, but nothing can be verified from it.
    Unknown {
        reason: String,
        suggestion: Option<String>,
    },
    Expr(LicenseExpr),
}

impl Terms {
    pub fn expr(&self) -> Option<&LicenseExpr> {
        match self {
            Terms::Expr(e) => Some(e),
            _ => None,
        }
    }
}

/// Normalises a card's licence fields against the catalogue.
pub fn normalize(meta: &Metadata, catalogue: &Catalogue) -> Terms {
    let expr = match normalize_plain(meta, catalogue) {
        Terms::Expr(expr) => expr,
        other => return other,
    };
    // A `license_link` to another catalogue licence's text: recipients read both, so both
    // readings are judged (and `declaration_issues` reports the conflict).
    if let Some(linked) = linked_elsewhere(meta, catalogue, &expr) {
        let why = format!(
            "`license` says {} but `license_link` points at the text of `{}`",
            expr.display(catalogue),
            catalogue.get(linked).id
        );
        return Terms::Expr(LicenseExpr::Ambiguous {
            readings: vec![expr, LicenseExpr::known(linked)],
            why,
        });
    }
    Terms::Expr(expr)
}

/// [`normalize`] without the `license_link` cross-check.
fn normalize_plain(meta: &Metadata, catalogue: &Catalogue) -> Terms {
    let Some(license) = &meta.license else {
        return Terms::Missing {
            licence_key: meta.has_licence_key,
        };
    };
    let items = license.items();
    let mut readings = Vec::with_capacity(items.len());
    for item in &items {
        match one(item, meta, catalogue) {
            Ok(expr) => {
                if !readings.contains(&expr) {
                    readings.push(expr);
                }
            }
            // With several items, an unreadable one still stands for some licence we cannot judge.
            Err(_) if items.len() > 1 => {
                let custom = LicenseExpr::Leaf(Leaf::Custom {
                    name: Some(item.to_string()),
                    link: None,
                });
                if !readings.contains(&custom) {
                    readings.push(custom);
                }
            }
            Err(unknown) => return unknown,
        }
    }
    // Every item yields one reading (or returned early), so `readings` is never empty.
    let expr = if readings.len() == 1 {
        readings.remove(0)
    } else {
        LicenseExpr::Ambiguous {
            why: format!(
                "the card lists {} licences without saying whether they apply together or as a choice",
                readings.len()
            ),
            readings: vec![
                LicenseExpr::And(readings.clone()),
                LicenseExpr::Or(readings),
            ],
        }
    };
    // `license: mit` with `license_name: deepseek` (seen on real DeepSeek repos): the card names two
    // licences, and which one governs the weights is not said.
    if license
        .items()
        .iter()
        .all(|i| !i.eq_ignore_ascii_case("other"))
        && let Some(name) = &meta.license_name
        && let Some(named) = catalogue.by_name(name)
        && expr.single() != Some(named)
    {
        let why = format!(
            "`license` says {} but `license_name` says `{name}`",
            expr.display(catalogue)
        );
        return Terms::Expr(LicenseExpr::Ambiguous {
            readings: vec![expr, LicenseExpr::known(named)],
            why,
        });
    }
    Terms::Expr(expr)
}

/// The catalogue licence a `license_link` points at, when the declared expression does not
/// name it.
fn linked_elsewhere(
    meta: &Metadata,
    catalogue: &Catalogue,
    expr: &LicenseExpr,
) -> Option<LicenseId> {
    let linked = catalogue.by_link(meta.license_link.as_deref()?)?;
    let named = expr.leaves().iter().any(|l| **l == Leaf::Known(linked));
    (!named).then_some(linked)
}

/// Something about how a card declares its licence that the Hub or a reader gets wrong, even
/// though Pedigree could read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeclarationIssue {
    /// `license_link` points at the text of another licence than `license` names.
    LinkConflict { declared: String, linked: LicenseId },
    /// A `license` value that is not one of the Hub's licence ids (`llama-2`, `Apache-2.0`, an
    /// expression): the Hub shows no licence for it. `read_as` is what Pedigree understood.
    NotHubId {
        written: String,
        read_as: Option<LicenseId>,
    },
}

/// The declaration issues of a card, beside its [`Terms`].
pub fn declaration_issues(meta: &Metadata, catalogue: &Catalogue) -> Vec<DeclarationIssue> {
    let mut out = Vec::new();
    let Some(license) = &meta.license else {
        return out;
    };
    for item in license.items() {
        let item = item.trim();
        if item.eq_ignore_ascii_case("other") || item.eq_ignore_ascii_case("unknown") {
            continue;
        }
        let exact_hub_id = catalogue
            .by_name(item)
            .map(|id| catalogue.get(id))
            .is_some_and(|e| e.hub && e.id == item);
        if !exact_hub_id {
            // Unreadable values are `unknown-license` already.
            if let Ok(read) = expression::parse(catalogue, item) {
                out.push(DeclarationIssue::NotHubId {
                    written: item.to_string(),
                    read_as: read.single(),
                });
            }
        }
    }
    if let Terms::Expr(expr) = normalize_plain(meta, catalogue)
        && let Some(linked) = linked_elsewhere(meta, catalogue, &expr)
    {
        out.push(DeclarationIssue::LinkConflict {
            declared: expr.display(catalogue).to_string(),
            linked,
        });
    }
    out
}

/// One `license` item.
fn one(item: &str, meta: &Metadata, catalogue: &Catalogue) -> Result<LicenseExpr, Terms> {
    match item.trim().to_ascii_lowercase().as_str() {
        "other" => other(meta, catalogue),
        "unknown" => Err(Terms::Unknown {
            reason: "the card declares `license: unknown`".into(),
            suggestion: None,
        }),
        _ => {
            let expr = expression::parse(catalogue, item).map_err(|u| Terms::Unknown {
                reason: u.reason,
                suggestion: u.suggestion,
            })?;
            if let Some(id) = expr.single() {
                let entry = catalogue.get(id);
                if entry.class == Class::Unknown {
                    return Err(Terms::Unknown {
                        reason: format!(
                            "`{}` ({}) does not name one licence whose terms can be checked",
                            entry.id, entry.name
                        ),
                        suggestion: None,
                    });
                }
            }
            Ok(expr)
        }
    }
}

/// `license: other`: the licence is named by `license_name` and/or `license_link`.
fn other(meta: &Metadata, catalogue: &Catalogue) -> Result<LicenseExpr, Terms> {
    let name = meta.license_name.as_deref();
    let link = meta.license_link.as_deref();
    if let Some(id) = name
        .and_then(|n| catalogue.by_name(n))
        .or_else(|| link.and_then(|l| catalogue.by_link(l)))
    {
        return Ok(LicenseExpr::known(id));
    }
    if name.is_none() && link.is_none() {
        return Err(Terms::Unknown {
            reason: "`license: other` without `license_name` or `license_link`".into(),
            suggestion: None,
        });
    }
    Ok(LicenseExpr::Leaf(Leaf::Custom {
        name: name.map(str::to_string),
        link: link.map(str::to_string),
    }))
}
