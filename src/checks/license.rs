//! `missing-license`, `unknown-license`, `license-drift`, `agreement-version-mismatch`,
//! `inherited-terms-unstated`, `license-undecidable`: the declared licence judged against every
//! ancestor's.

use super::fix;
use super::verdict::{Judging, Misstatement, Reason, Verdict, judge};
use super::{Context, Subject};
use crate::findings::{Clause, Finding, Rule};
use crate::license::{LicenseExpr, LicenseId, ObligationKind, Terms};

/// Findings of one kind about one ancestor licence, gathered across ancestors.
struct Group {
    key: String,
    /// The ancestors whose licence is at stake.
    offenders: Vec<String>,
    /// Every model on the chains to them, for the report.
    ancestors: Vec<String>,
    licence: String,
    reason: String,
    clause: Option<Clause>,
    /// The ancestor's term at stake, for the fix.
    term: Option<(ObligationKind, LicenseId)>,
}

impl Group {
    fn join(&mut self, chain: Vec<String>) {
        self.offenders
            .push(chain.last().cloned().unwrap_or_default());
        for id in chain {
            if !self.ancestors.contains(&id) {
                self.ancestors.push(id);
            }
        }
    }
}

/// Groups a verdict's reason by the ancestor licence it is about.
fn add_reason(groups: &mut Vec<Group>, licence: String, r: Reason, chain: Vec<String>) {
    let key = licence.clone();
    add(groups, key.clone(), licence, r.text, r.clause, chain);
    if let Some(g) = groups.iter_mut().find(|g| g.key == key)
        && g.term.is_none()
    {
        g.term = r.term;
    }
}

fn add(
    groups: &mut Vec<Group>,
    key: String,
    licence: String,
    reason: String,
    clause: Option<Clause>,
    chain: Vec<String>,
) {
    match groups.iter_mut().find(|g| g.key == key) {
        Some(g) => g.join(chain),
        None => groups.push(Group {
            key,
            offenders: vec![chain.last().cloned().unwrap_or_default()],
            ancestors: chain,
            licence,
            reason,
            clause,
            term: None,
        }),
    }
}

fn ancestor_list(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|a| format!("`{a}`")).collect();
    format!(
        "{} {}",
        if ids.len() > 1 {
            "ancestors"
        } else {
            "ancestor"
        },
        quoted.join(", ")
    )
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let cat = ctx.catalogue;
    if s.model.card.unreadable {
        // `card-invalid` already says the metadata cannot be read; its silence proves nothing.
        return;
    }
    let child = match &s.model.terms {
        Terms::Missing { licence_key } => {
            let mut message = String::from("the card declares no licence");
            if *licence_key {
                message.push_str(
                    " (it has a `licence` key, a spelling the Hub ignores; use `license`)",
                );
            }
            let inherited: Vec<String> = ctx
                .binding(s)
                .filter_map(|(_, m)| {
                    m.terms
                        .expr()
                        .map(|e| format!("`{}` ({})", m.info.id, e.display(cat)))
                })
                .collect();
            if !inherited.is_empty() {
                message.push_str(&format!(
                    "; its ancestors' terms still apply: {}",
                    inherited.join(", ")
                ));
            }
            let key = if *licence_key { "licence" } else { "license" };
            out.push(s.at_key(
                Finding::new(Rule::MissingLicense, s.id(), "missing", message),
                key,
            ));
            return;
        }
        Terms::Unknown { reason, suggestion } => {
            let mut message =
                format!("{reason}; its terms cannot be checked against the ancestors'");
            if let Some(s) = suggestion {
                message.push_str(&format!(" (did you mean `{s}`?)"));
            }
            out.push(s.at_key(
                Finding::new(Rule::UnknownLicense, s.id(), reason, message),
                "license",
            ));
            return;
        }
        Terms::Expr(expr) => expr,
    };
    let declared = child.display(cat).to_string();
    let shipped = s.shipped_licences();
    let mut drift: Vec<Group> = Vec::new();
    let mut misstated: Vec<(Group, Misstatement)> = Vec::new();
    let mut undecidable: Vec<Group> = Vec::new();
    for (ancestor, model) in ctx.binding(s) {
        let chain = ctx.chain_ids(ancestor);
        let ancestor_expr: &LicenseExpr = match &model.terms {
            Terms::Expr(e) => e,
            unusable => {
                let id = &model.info.id;
                let reason = match unusable {
                    Terms::Unknown { reason, .. } => {
                        format!("the licence of ancestor `{id}` is unknown ({reason})")
                    }
                    _ => format!("ancestor `{id}` declares no licence, so its terms are unknown"),
                };
                add(
                    &mut undecidable,
                    reason.clone(),
                    String::new(),
                    reason,
                    None,
                    chain,
                );
                continue;
            }
        };
        let licence = ancestor_expr.display(cat).to_string();
        let judging = Judging {
            catalogue: cat,
            only_quantized: ancestor.only_quantized,
            shipped: &shipped,
        };
        match judge(judging, child, ancestor_expr) {
            Verdict::Satisfied => {}
            Verdict::Violated(r) => add_reason(&mut drift, licence, r, chain),
            Verdict::Misstated(r, how) => {
                let key = format!("{licence} {how:?}");
                match misstated.iter_mut().find(|(g, _)| g.key == key) {
                    Some((g, _)) => g.join(chain),
                    None => {
                        let mut groups = Vec::new();
                        add_reason(&mut groups, licence, r, chain);
                        let mut g = groups.remove(0);
                        g.key = key;
                        misstated.push((g, how));
                    }
                }
            }
            Verdict::Undecidable(r) => add(
                &mut undecidable,
                r.text.clone(),
                licence,
                r.text,
                r.clause,
                chain,
            ),
        }
    }
    // Breaches and misstatements read alike; they differ in rule and fix.
    let drift = drift.into_iter().map(|g| {
        let fix = g
            .term
            .map(|(kind, licence)| fix::for_term(cat, kind, licence, &declared));
        (g, Rule::LicenseDrift, fix)
    });
    let misstated = misstated.into_iter().map(|(g, how)| {
        let (rule, fix) = match how {
            Misstatement::OtherVersion(other) => (
                Rule::AgreementVersionMismatch,
                g.term
                    .map(|(_, licence)| fix::for_other_version(cat, licence, &cat.get(other).id)),
            ),
            Misstatement::TermsStillBind => (
                Rule::InheritedTermsUnstated,
                g.term
                    .map(|(kind, licence)| fix::for_term(cat, kind, licence, &declared)),
            ),
        };
        (g, rule, fix)
    });
    for (g, rule, fix) in drift.chain(misstated) {
        let message = format!(
            "declares `{declared}`, but {} {} under `{}`: {}",
            ancestor_list(&g.offenders),
            if g.offenders.len() > 1 { "are" } else { "is" },
            g.licence,
            g.reason
        );
        let key = format!("{} -> {declared}", g.licence);
        let mut finding = Finding::new(rule, s.id(), &key, message)
            .ancestors(g.ancestors)
            .clause(g.clause);
        if let Some(fix) = fix {
            finding = finding.fix(fix);
        }
        out.push(s.at_key(finding, "license"));
    }
    for g in undecidable {
        let against = if g.licence.is_empty() {
            String::new()
        } else {
            format!(" (`{}`)", g.licence)
        };
        let message = format!(
            "cannot decide whether `{declared}` meets the terms of {}{against}: {}",
            ancestor_list(&g.offenders),
            g.reason
        );
        let finding = Finding::new(Rule::LicenseUndecidable, s.id(), &g.key, message)
            .ancestors(g.ancestors)
            .clause(g.clause);
        out.push(s.at_key(finding, "license"));
    }
}
