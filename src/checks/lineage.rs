//! `unresolved-parent`, `lineage-cycle`, `lineage-too-deep`: what stops a lineage from being
//! walked to its end.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::lineage::NodeState;
use crate::source::SourceError;

fn hint(error: &SourceError) -> &'static str {
    match error {
        SourceError::NotFound(_) => {
            "check the `base_model` id; a deleted or renamed repo cannot be audited"
        }
        SourceError::Denied(_) => "accept the model's licence on the Hub and set HF_TOKEN",
        _ => "the rest of the lineage was still audited",
    }
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let mut beyond = Vec::new();
    for ancestor in &s.ancestors {
        let node = ctx.lineage.node(ancestor.node);
        match &node.state {
            NodeState::Unresolved(error) if ctx.nearest_audited(ancestor) => {
                let chain = ctx.chain_ids(ancestor);
                let via = if chain.len() > 1 {
                    format!(" (via {})", chain[..chain.len() - 1].join(" ← "))
                } else {
                    String::new()
                };
                let message = format!(
                    "ancestor `{}`{via} could not be read: {error}; its licence obligations are unknown ({})",
                    node.id,
                    hint(error)
                );
                let finding = Finding::new(Rule::UnresolvedParent, s.id(), &node.id, message)
                    .ancestors(chain);
                out.push(s.at_key(finding, "base_model"));
            }
            NodeState::BeyondDepth if ctx.nearest_audited(ancestor) => {
                beyond.push(node.id.to_string())
            }
            _ => {}
        }
    }
    for (parent, _) in ctx.lineage.parents(s.node) {
        let Some(new_id) = ctx
            .lineage
            .node(parent)
            .model()
            .and_then(|m| m.renamed_to())
        else {
            continue;
        };
        let old = &ctx.lineage.node(parent).id;
        let message = format!(
            "`base_model` names `{old}`, which the Hub now serves as `{new_id}`; update the card"
        );
        let finding =
            Finding::new(Rule::RepoRenamed, s.id(), old, message).ancestors(vec![old.to_string()]);
        out.push(s.at_key(finding, "base_model"));
    }
    // Ancestors read (in a whole-family run) but past the cap are not judged either.
    for id in &s.beyond_depth {
        if !beyond.contains(id) {
            beyond.push(id.clone());
        }
    }
    if !beyond.is_empty() {
        let message = format!(
            "the lineage goes on above the depth limit; not audited: {}",
            beyond
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.push(Finding::new(Rule::LineageTooDeep, s.id(), "depth", message).ancestors(beyond));
    }
    for cycle in ctx.cycles {
        let on_cycle = cycle.contains(&s.node);
        // Reached from below: reported here only if no audited model on the way (the cycle's
        // own members included) reports it already.
        let reached = s
            .ancestors
            .iter()
            .any(|a| cycle.contains(&a.node) && a.chain.iter().all(|n| !ctx.audited.contains(n)));
        if !on_cycle && !reached {
            continue;
        }
        let mut ids: Vec<String> = cycle
            .iter()
            .map(|&n| ctx.lineage.node(n).id.to_string())
            .collect();
        ids.sort();
        let shown = if ids.len() == 1 {
            format!("`{}` names itself as its own base model", ids[0])
        } else {
            format!(
                "the `base_model` links of {} form a cycle",
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let message = format!("{shown}; the walk stopped there and the rest was audited");
        let key = ids.join(" ");
        let others = ids.into_iter().filter(|id| id != s.id()).collect();
        let finding = Finding::new(Rule::LineageCycle, s.id(), &key, message).ancestors(others);
        out.push(s.at_key(finding, "base_model"));
    }
}
