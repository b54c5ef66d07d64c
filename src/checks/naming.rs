//! `naming-obligation`: Llama 3 and later require derivative names to begin with "Llama" ("Llama
//! 3" for Llama 3). The text leaves no doubt, so it is an error; case and the separators between
//! words do not matter. A quantized re-upload that keeps the licensor's own model name
//! (`Meta-Llama-3.1-8B-Instruct-GGUF`) is a warning: it names the original, not a new model.

use super::{Context, Subject};
use crate::findings::{Finding, Rule, Severity};
use crate::license::ObligationKind;

/// Lowercase with separators removed: "Llama-3.1_8B" → "llama318b".
pub(super) fn squash(text: &str) -> String {
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
            let wanted = wanted(&ob.prefixes);
            let message = format!(
                "the name `{}` does not begin with {wanted}, which `{}` requires of models built on ancestor `{}`: {}",
                s.model.name(),
                entry.id,
                model.info.id,
                ob.summary.trim()
            );
            let mut finding = Finding::new(Rule::NamingObligation, s.id(), &entry.id, message)
                .ancestors(ctx.chain_ids(ancestor))
                .clause(Some(ob.clause.clone()))
                .fix(rename(&ob.prefixes, s.model.name()));
            if ancestor.only_quantized && keeps_original_name(s, ctx, ancestor) {
                finding = finding.at_most(Severity::Warning);
                finding.message.push_str(
                    "; it keeps the licensor's own model name, as quantized re-uploads do, so it is not passed off as a new model",
                );
            }
            out.push(finding);
        }
    }
}

/// The model's name holds the name of a model on its chain published by the licensor (the
/// nearest ancestor under the licence whose owner published the licence's root).
fn keeps_original_name(
    s: &Subject<'_>,
    ctx: &Context<'_>,
    ancestor: &crate::lineage::Ancestor,
) -> bool {
    let name = squash(s.model.name());
    ancestor.chain.iter().any(|&n| {
        ctx.lineage.node(n).model().is_some_and(|m| {
            let original = squash(m.name());
            !original.is_empty() && name.contains(&original)
        })
    })
}

/// "\"Llama\" or \"Llama 3\"": the prefixes a name may begin with.
pub(super) fn wanted(prefixes: &[String]) -> String {
    prefixes
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The fix for a name without its prefix.
pub(super) fn rename(prefixes: &[String], name: &str) -> String {
    let first = prefixes.first().map_or("", String::as_str);
    format!(
        "rename the model to begin with \"{first}\", e.g. `{}-{name}`",
        first.replace(' ', "-")
    )
}
