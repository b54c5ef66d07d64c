//! `incompatible-parents`: a merge whose ancestors' licences no declaration can honour at once.
//!
//! Rather than encode pairwise rules, declarations are tried: every licence in the catalogue
//! alone, and every ancestor's licence together (`A AND B`: two Llama agreements are honoured
//! by declaring both). If none satisfies every ancestor, the parents are incompatible. Only a
//! definite breach for every candidate counts: an undecidable candidate keeps the finding back.

use super::verdict::{Judging, Reason, Verdict, judge};
use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::{Class, LicenseExpr};

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    if ctx.lineage.parents(s.node).len() < 2 {
        return;
    }
    let cat = ctx.catalogue;
    // (ancestor id, its licence, quantizations only) for every ancestor with known terms.
    let mut bound: Vec<(String, &LicenseExpr, bool)> = Vec::new();
    for (a, model) in ctx.binding(s) {
        if let Some(expr) = model.terms.expr() {
            bound.push((model.info.id.to_string(), expr, a.only_quantized));
        }
    }
    let satisfiable = |set: &[&(String, &LicenseExpr, bool)]| -> Option<bool> {
        let mut undecided = false;
        // Every ancestor's licence declared together.
        let together = LicenseExpr::And(set.iter().map(|(_, e, _)| (*e).clone()).collect());
        let singles = cat
            .iter()
            .filter(|(_, e)| e.class != Class::Unknown)
            .map(|(id, _)| LicenseExpr::known(id));
        for candidate in std::iter::once(together).chain(singles) {
            let verdicts: Vec<Verdict> = set
                .iter()
                .map(|(_, expr, q)| {
                    judge(
                        Judging {
                            catalogue: cat,
                            only_quantized: *q,
                            // A declaration tried on paper ships nothing.
                            shipped: &[],
                        },
                        &candidate,
                        expr,
                    )
                })
                .collect();
            if verdicts.iter().all(|v| *v == Verdict::Satisfied) {
                return Some(true);
            }
            // A label slip (another version of an agreement) is no way out either.
            undecided |= verdicts
                .iter()
                .all(|v| matches!(v, Verdict::Satisfied | Verdict::Undecidable(_)));
        }
        if undecided { None } else { Some(false) }
    };
    let all: Vec<_> = bound.iter().collect();
    if satisfiable(&all) != Some(false) {
        return;
    }
    // Name the smallest conflict: the first pair of ancestors that cannot be satisfied together.
    let mut pair = None;
    'outer: for i in 0..bound.len() {
        for j in i + 1..bound.len() {
            if satisfiable(&[&bound[i], &bound[j]]) == Some(false) {
                pair = Some((i, j));
                break 'outer;
            }
        }
    }
    // The term that stops the two (or all) being declared together, for the clause it rests on.
    let conflict = |set: &[&(String, &LicenseExpr, bool)]| -> Option<Reason> {
        let together = LicenseExpr::And(set.iter().map(|(_, e, _)| (*e).clone()).collect());
        set.iter().find_map(|(_, expr, q)| {
            let judging = Judging {
                catalogue: cat,
                only_quantized: *q,
                shipped: &[],
            };
            match judge(judging, &together, expr) {
                Verdict::Violated(r) => Some(r),
                _ => None,
            }
        })
    };
    let reason = match pair {
        Some((i, j)) => conflict(&[&bound[i], &bound[j]]),
        None => conflict(&all),
    };
    let (names, ancestors): (String, Vec<String>) = match pair {
        Some((i, j)) => (
            format!(
                "`{}` ({}) and `{}` ({})",
                bound[i].0,
                bound[i].1.display(cat),
                bound[j].0,
                bound[j].1.display(cat)
            ),
            vec![bound[i].0.clone(), bound[j].0.clone()],
        ),
        None => (
            bound
                .iter()
                .map(|(id, e, _)| format!("`{id}` ({})", e.display(cat)))
                .collect::<Vec<_>>()
                .join(", "),
            bound.iter().map(|(id, _, _)| id.clone()).collect(),
        ),
    };
    let why = reason
        .as_ref()
        .map(|r| format!(": declared together, they break this term: {}", r.text))
        .unwrap_or_default();
    let message = format!(
        "no licence can satisfy the terms of {names} at once{why}; this merge cannot be distributed under any licence without separate permission"
    );
    let key = ancestors.join(" + ");
    let finding = Finding::new(Rule::IncompatibleParents, s.id(), &key, message)
        .ancestors(ancestors)
        .clause(reason.and_then(|r| r.clause))
        .fix("drop one of the conflicting parents, or get written permission from one of the licensors");
    out.push(s.at_key(finding, "base_model"));
}
