//! The one-line fix each accusation carries: what to declare or ship instead, in the card's own
//! terms (`license: <hub id>`, or `license: other` with `license_name` for licences the Hub does
//! not list).

use crate::license::{Catalogue, LicenseEntry, LicenseId, ObligationKind};

/// How a card declares this licence.
pub(crate) fn declare(entry: &LicenseEntry) -> String {
    if entry.hub {
        format!("`license: {}`", entry.id)
    } else {
        format!("`license: other` with `license_name: {}`", entry.id)
    }
}

/// Other licences that carry the same use-restriction set (or that the term accepts), for the
/// "or another licence that ..." part of a fix.
fn alternatives(cat: &Catalogue, a: LicenseId, accepts: &[LicenseId]) -> Vec<String> {
    let entry = cat.get(a);
    let mut out: Vec<String> = cat
        .iter()
        .filter(|(id, e)| {
            *id != a
                && (accepts.contains(id)
                    || (e.use_restrictions.is_some()
                        && e.use_restrictions == entry.use_restrictions))
        })
        .map(|(_, e)| format!("`{}`", e.id))
        .collect();
    out.truncate(3);
    out
}

/// The fix for a licence-level term of `a` that the declared `declared` does not meet.
pub(crate) fn for_term(
    cat: &Catalogue,
    kind: ObligationKind,
    a: LicenseId,
    declared: &str,
) -> String {
    let entry = cat.get(a);
    let hint = declare(entry);
    let accepts: Vec<LicenseId> = entry
        .obligation(kind)
        .map(|o| o.accepts.clone())
        .unwrap_or_default();
    match kind {
        // Beside a licence that allows commercial use, a non-commercial agreement would be
        // contradicted; beside other terms it is kept.
        ObligationKind::KeepAgreement if !entry.commercial_use => format!(
            "declare {hint} instead of `{declared}` and add the {} as a LICENSE file",
            entry.name
        ),
        ObligationKind::KeepAgreement => format!(
            "declare {hint} instead of `{declared}` (or beside it) and add the {} as a LICENSE file",
            entry.name
        ),
        ObligationKind::StayNonCommercial => {
            format!("declare {hint}, which keeps the non-commercial terms, instead of `{declared}`")
        }
        ObligationKind::NonCommercialBinds => format!(
            "state the non-commercial terms that still bind: declare {hint} instead of `{declared}` (or beside it)"
        ),
        ObligationKind::CarryUseRestrictions => {
            let others = alternatives(cat, a, &accepts);
            if others.is_empty() {
                format!("declare {hint}, whose use restrictions must travel with the model")
            } else {
                format!(
                    "declare {hint} or a licence with the same use restrictions ({})",
                    others.join(", ")
                )
            }
        }
        ObligationKind::ShareAlike => format!(
            "declare {hint} (or a licence it lists as compatible), with no licence beside it that adds restrictions"
        ),
        ObligationKind::NoDerivatives => format!(
            "take the adapted material down, or get the licensor's written permission: `{}` allows sharing the material only unmodified",
            entry.id
        ),
        _ => format!("follow the terms of `{}` ({})", entry.id, entry.url),
    }
}

/// The fix for declaring `other` (another agreement of the same licensor) instead of `a`.
pub(crate) fn for_other_version(cat: &Catalogue, a: LicenseId, other: &str) -> String {
    let entry = cat.get(a);
    format!(
        "declare {} (the ancestor's agreement); if the model also builds on `{other}` material, declare both and ship both agreements",
        declare(entry)
    )
}
