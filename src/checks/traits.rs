//! Trait drift along the family tree (Laufer et al. 2025): what a derivative loses of its parent
//! besides the licence. Notes, not errors: each is worth a look, none is a breach by itself.
//! `gating-dropped`, `language-drift`, `card-shrink`, `template-card`.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::lineage::{Relation, Shipped};
use crate::source::Gated;

/// A card this many times shorter than its parent's has shrunk.
const SHRINK_FACTOR: usize = 10;
/// Parents' cards shorter than this are too short for a shrink to mean anything.
const SHRINK_MIN_WORDS: usize = 300;
/// Languages a card must list to count as multilingual.
const MULTILINGUAL: usize = 3;

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let card = &s.model.card;
    if card.unreadable {
        return;
    }
    if s.model.text.template {
        let message = "the card is the Hub's auto-generated template, unfilled: it says nothing about the training data, the intended use or the licence it inherits".to_string();
        out.push(
            Finding::new(Rule::TemplateCard, s.id(), "template", message)
                .at(s.model.card_file(), None),
        );
    }
    let child_words = s.model.text.words();
    for (parent_node, relation) in ctx.lineage.parents(s.node) {
        let Some(parent) = ctx.lineage.node(parent_node).model() else {
            continue;
        };
        let parent_id = &parent.info.id;
        let re_hosts = relation != Relation::Adapter
            && matches!(s.model.shipped, Shipped::Weights | Shipped::Quantized);
        // Gating in front of a permissive licence only collects contact details; re-hosting such
        // weights breaks no agreement.
        let agreement = parent
            .terms
            .expr()
            .and_then(|e| e.single())
            .is_none_or(|id| ctx.catalogue.get(id).class != crate::license::Class::Permissive);
        if parent.info.gated != Gated::No
            && s.model.info.gated == Gated::No
            && re_hosts
            && agreement
        {
            let message = format!(
                "parent `{parent_id}` is gated (its weights are shared only after accepting its licence), but this {relation} re-hosts weights openly"
            );
            out.push(
                Finding::new(Rule::GatingDropped, s.id(), parent_id, message)
                    .ancestors(vec![parent_id.to_string()]),
            );
        }
        let parent_languages = &parent.card.meta.language;
        let languages = &card.meta.language;
        if parent_languages.len() >= MULTILINGUAL
            && languages.len() == 1
            && languages[0].eq_ignore_ascii_case("en")
        {
            let message = format!(
                "parent `{parent_id}` lists {} languages, this card only English: if the model still serves the others, say so",
                parent_languages.len()
            );
            let finding = Finding::new(Rule::LanguageDrift, s.id(), parent_id, message)
                .ancestors(vec![parent_id.to_string()]);
            out.push(s.at_key(finding, "language"));
        }
        let parent_words = parent.text.words();
        // Only cards actually read (README.md): metadata alone has no text to measure.
        let both_read = s.model.card_file().is_some() && parent.card_file().is_some();
        if both_read
            && parent_words >= SHRINK_MIN_WORDS
            && child_words * SHRINK_FACTOR < parent_words
        {
            let message = format!(
                "the card has {child_words} words where parent `{parent_id}`'s has {parent_words}: intended use, limitations and licence terms rarely survive such a cut"
            );
            let finding = Finding::new(Rule::CardShrink, s.id(), parent_id, message)
                .ancestors(vec![parent_id.to_string()]);
            out.push(finding.at(s.model.card_file(), None));
        }
    }
}
