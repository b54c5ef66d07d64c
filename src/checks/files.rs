//! `license-file-mismatch` and `agreement-copy-missing`: the licence files a repo carries,
//! against what its card declares and what its ancestors' licences ask to be handed on. A file
//! that cannot be read is named, with the reason, in the undecidable finding that needed it.

use super::{Context, Subject};
use crate::findings::{Finding, Rule, Severity};
use crate::license::{Class, LicenseId, ObligationKind, Terms, identify};
use crate::lineage::{FileKind, Model};
use crate::source::SourceError;

/// What one licence file turned out to be.
pub(crate) enum Seen<'a> {
    Is(LicenseId, String),
    Unrecognised,
    Unreadable(&'a SourceError),
}

/// Files named for code (LICENSE-CODE) cover the code, not the weights.
fn covers_code_only(path: &str) -> bool {
    path.to_ascii_uppercase().contains("CODE")
}

/// The repo's licence files, each recognised once per model (text detection is costly).
pub(crate) fn recognise<'a>(ctx: &Context<'_>, model: &'a Model) -> Vec<(&'a str, Seen<'a>)> {
    model
        .files
        .iter()
        .filter(|f| FileKind::of(&f.path) == Some(FileKind::License))
        .map(|f| {
            let what = match &f.text {
                Err(e) => Seen::Unreadable(e),
                Ok(text) => match identify(ctx.catalogue, text, ctx.confidence_threshold) {
                    Some(found) => Seen::Is(found.license, found.how),
                    None => Seen::Unrecognised,
                },
            };
            (f.path.as_str(), what)
        })
        .collect()
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    if s.model.card.unreadable {
        return;
    }
    let seen = &s.licence_files;
    // What each unreadable file kept from being checked: one note per file says it all.
    let mut blocked: Vec<(&str, &SourceError, Vec<String>)> = Vec::new();
    mismatch(ctx, s, seen, &mut blocked, out);
    copies(ctx, s, seen, &mut blocked, out);
    // A file refused for leading out of the repo is said even when no check needed it.
    for (path, what) in seen {
        if let Seen::Unreadable(error @ SourceError::Refused(_)) = what
            && !blocked.iter().any(|(p, _, _)| p == path)
        {
            block(&mut blocked, path, error, "the licence it holds".into());
        }
    }
    for (path, error, needs) in blocked {
        let message = format!(
            "cannot check {}: `{path}` could not be read: {error}",
            needs.join(", nor ")
        );
        out.push(
            Finding::new(
                Rule::LicenseUndecidable,
                s.id(),
                &format!("unreadable {path}"),
                message,
            )
            .at(Some(path), None),
        );
    }
}

type Blocked<'a> = Vec<(&'a str, &'a SourceError, Vec<String>)>;

fn block<'a>(blocked: &mut Blocked<'a>, path: &'a str, error: &'a SourceError, need: String) {
    match blocked.iter_mut().find(|(p, _, _)| *p == path) {
        Some((_, _, needs)) => needs.push(need),
        None => blocked.push((path, error, vec![need])),
    }
}

fn mismatch<'a>(
    ctx: &Context<'_>,
    s: &Subject<'_>,
    seen: &'a [(&'a str, Seen<'a>)],
    blocked: &mut Blocked<'a>,
    out: &mut Vec<Finding>,
) {
    let Terms::Expr(declared) = &s.model.terms else {
        return;
    };
    let declared_ids = known_leaves(s);
    // A copy of an ancestor's licence is what that licence asks for, not a contradiction.
    let inherited: Vec<LicenseId> = ctx
        .binding(s)
        .filter_map(|(_, m)| m.terms.expr().and_then(|e| e.single()))
        .collect();
    let relevant: Vec<&(&str, Seen<'_>)> = seen
        .iter()
        .filter(|(path, _)| !covers_code_only(path))
        .filter(|(_, w)| !matches!(w, Seen::Is(id, _) if inherited.contains(id) && !declared_ids.contains(id)))
        .collect();
    // One file holding the declared licence is enough; others may cover other parts.
    if relevant
        .iter()
        .any(|(_, w)| matches!(w, Seen::Is(id, _) if declared_ids.contains(id)))
    {
        return;
    }
    let shown = declared.display(ctx.catalogue).to_string();
    if let Some((path, Seen::Is(id, how))) =
        relevant.iter().find(|(_, w)| matches!(w, Seen::Is(..)))
    {
        let other = &ctx.catalogue.get(*id).id;
        let message = format!(
            "`{path}` holds the text of `{other}` (recognised by its {how}), but the card declares `{shown}`"
        );
        out.push(
            Finding::new(
                Rule::LicenseFileMismatch,
                s.id(),
                &format!("{path} {other} {shown}"),
                message,
            )
            .at(Some(path), None),
        );
        return;
    }
    if let Some((path, Seen::Unreadable(error))) = relevant
        .iter()
        .find(|(_, w)| matches!(w, Seen::Unreadable(_)))
    {
        block(
            blocked,
            path,
            error,
            format!("that the licence file agrees with the declared `{shown}`"),
        );
    }
}

/// The catalogue licences the card's declaration names (any branch of an expression).
fn known_leaves(s: &Subject<'_>) -> Vec<LicenseId> {
    let Terms::Expr(declared) = &s.model.terms else {
        return Vec::new();
    };
    declared
        .leaves()
        .iter()
        .filter_map(|l| match l {
            crate::license::Leaf::Known(id) => Some(*id),
            crate::license::Leaf::Custom { .. } => None,
        })
        .collect()
}

fn copies<'a>(
    ctx: &Context<'_>,
    s: &Subject<'_>,
    seen: &'a [(&'a str, Seen<'a>)],
    blocked: &mut Blocked<'a>,
    out: &mut Vec<Finding>,
) {
    for (ancestor, model, licence) in ctx.binding_licences(s) {
        let entry = ctx.catalogue.get(licence);
        let Some(ob) = entry
            .obligations
            .iter()
            .find(|o| o.kind == ObligationKind::IncludeAgreementCopy)
        else {
            continue;
        };
        // A `license_link` counts as the copy unless it points at another licence's text.
        let linked = s
            .model
            .card
            .meta
            .license_link
            .as_deref()
            .map(|l| ctx.catalogue.by_link(l));
        // Where the text lets its URI stand for the copy, declaring the licence by its Hub id
        // gives one: the Hub shows the id as a link to the licence.
        let declared_uri = ob.uri_suffices && entry.hub && known_leaves(s).contains(&licence);
        if seen
            .iter()
            .any(|(_, w)| matches!(w, Seen::Is(id, _) if *id == licence))
            || linked.is_some_and(|to| to.is_none_or(|to| to == licence))
            || declared_uri
        {
            continue;
        }
        let needed = format!(
            "that a copy of `{}` (asked by ancestor `{}`) is present",
            entry.id, model.info.id
        );
        let chain = ctx.chain_ids(ancestor);
        if let Some((path, Seen::Unreadable(error))) =
            seen.iter().find(|(_, w)| matches!(w, Seen::Unreadable(_)))
        {
            block(blocked, path, error, needed);
            continue;
        }
        if let Some((path, _)) = seen.iter().find(|(_, w)| matches!(w, Seen::Unrecognised)) {
            let message = format!(
                "cannot check {needed}: `{path}` is there, but its text is not recognisably `{}`",
                entry.id
            );
            let finding = Finding::new(
                Rule::LicenseUndecidable,
                s.id(),
                &format!("copy {} {path}", entry.id),
                message,
            )
            .at(Some(path), None)
            .ancestors(chain)
            .clause(Some(ob.clause.clone()));
            out.push(finding);
            continue;
        }
        let message = format!(
            "ancestor `{}` is under `{}`, which asks for a copy of it with every distribution ({}); the repo has no licence file holding it{}",
            model.info.id,
            entry.id,
            ob.summary.trim().trim_end_matches('.'),
            if ob.uri_suffices && entry.hub {
                ", and the card neither declares it nor links it with `license_link`"
            } else {
                " and the card no `license_link`"
            }
        );
        let mut finding = Finding::new(Rule::AgreementCopyMissing, s.id(), &entry.id, message)
            .ancestors(chain)
            .clause(Some(ob.clause.clone()))
            .fix(if ob.uri_suffices && entry.hub {
                format!(
                    "add the {} text as a LICENSE file, or link it (`license_link`, or `license: {}` where the derivative may take it)",
                    entry.name, entry.id
                )
            } else {
                format!(
                    "add the {} text as a LICENSE file (or link it with `license_link`)",
                    entry.name
                )
            });
        // A permissive licence's copy duty is a note: little is at stake, and on the Hub such
        // notes would otherwise bury the findings that matter.
        if entry.class == Class::Permissive {
            finding = finding.at_most(Severity::Note);
        }
        out.push(s.at_key(finding, "license"));
    }
}
