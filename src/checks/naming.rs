//! `naming-obligation`: Llama 3 and later require derivative names to begin with "Llama".

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::ObligationKind;

/// Lowercase with separators removed: "Llama-3.1_8B" → "llama318b".
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let name = squash(s.model.name());
    let mut reported: Vec<String> = Vec::new();
    for ancestor in &s.ancestors {
        let Some(model) = ctx.lineage.node(ancestor.node).model() else {
            continue;
        };
        // The licensor's own releases are not bound by its licence.
        if s.model.owner().is_some() && model.owner() == s.model.owner() {
            continue;
        }
        let Some(licence) = model.terms.expr().and_then(|e| e.single()) else {
            continue;
        };
        let entry = ctx.catalogue.get(licence);
        for ob in entry
            .obligations
            .iter()
            .filter(|o| o.kind == ObligationKind::NamePrefix)
        {
            if ob.prefixes.iter().any(|p| name.starts_with(&squash(p)))
                || reported.contains(&entry.id)
            {
                continue;
            }
            reported.push(entry.id.clone());
            let wanted = ob
                .prefixes
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(" or ");
            let message = format!(
                "the name `{}` does not begin with {wanted}, which `{}` requires of models built on ancestor `{}`: {}",
                s.model.name(),
                entry.id,
                model.info.id,
                ob.summary.trim()
            );
            let finding = Finding::new(Rule::NamingObligation, s.id(), &entry.id, message)
                .ancestors(ctx.chain_ids(ancestor))
                .clause(Some(ob.clause.clone()));
            out.push(finding);
        }
    }
}
