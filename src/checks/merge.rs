//! `incompatible-parents`: a merge whose ancestors' licences no single licence can satisfy.
//!
//! Rather than encode pairwise rules, every licence in the catalogue is tried as the merge's
//! licence; if none satisfies every ancestor, the parents are incompatible. Only a definite
//! "violated" for every candidate counts: an undecidable candidate keeps the finding back.

use super::verdict::{Judging, Verdict, judge};
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
    for a in &s.ancestors {
        if let Some(expr) = ctx
            .lineage
            .node(a.node)
            .model()
            .and_then(|m| m.terms.expr())
        {
            bound.push((ctx.lineage.node(a.node).id.clone(), expr, a.only_quantized));
        }
    }
    let satisfiable = |set: &[&(String, &LicenseExpr, bool)]| -> Option<bool> {
        let mut undecided = false;
        for id in cat
            .iter()
            .filter(|(_, e)| e.class != Class::Unknown)
            .map(|(id, _)| id)
        {
            let candidate = LicenseExpr::known(id);
            let verdicts: Vec<Verdict> = set
                .iter()
                .map(|(_, expr, q)| {
                    judge(
                        Judging {
                            catalogue: cat,
                            only_quantized: *q,
                        },
                        &candidate,
                        expr,
                    )
                })
                .collect();
            if verdicts.iter().all(|v| *v == Verdict::Satisfied) {
                return Some(true);
            }
            undecided |= verdicts.iter().all(|v| !matches!(v, Verdict::Violated(_)));
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
    let message = format!(
        "no licence can satisfy the terms of {names} at once; this merge cannot be distributed under any licence without separate permission"
    );
    let key = ancestors.join(" + ");
    out.push(s.at_key(
        Finding::new(Rule::IncompatibleParents, s.id(), &key, message).ancestors(ancestors),
        "base_model",
    ));
}
