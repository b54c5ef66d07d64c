//! `card-copied-license-changed`: a card so close to an ancestor's that independent writing is
//! excluded (the "striking similarity" standard), declaring a less restrictive licence.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::{Class, LicenseId};
use crate::lineage::{Ancestor, Model};
use crate::similarity::SHINGLE_WORDS;
use petgraph::graph::NodeIndex;

/// Jaccard similarity of the card bodies' 5-word shingles at or above which two cards are
/// "strikingly similar". Calibrated on the shared Hub crawl (`pedigree stats`, README).
pub const STRIKING_SIMILARITY: f64 = 0.5;

/// Cards shorter than this many shingles are too short to call a copy.
const MIN_SHINGLES: usize = 30;

/// How much a licence restricts, for "less restrictive": `None` when it cannot be ranked.
pub fn restrictiveness(class: Class) -> Option<u8> {
    Some(match class {
        Class::Permissive => 0,
        Class::WeakCopyleft => 1,
        Class::Copyleft | Class::Rail => 2,
        Class::Community | Class::NonCommercial | Class::NoDerivatives => 3,
        Class::ResearchOnly => 4,
        Class::Unknown => return None,
    })
}

/// An ancestor whose card is compared with the subject's, and its licence.
type Pair<'s> = (&'s Ancestor, &'s Model, LicenseId);

/// The ancestors whose cards the subject's card is compared with: under a single licence more
/// restrictive than the subject's, both cards long enough to call a copy. Returns the subject's
/// own licence with them.
fn candidates<'s>(ctx: &'s Context<'_>, s: &'s Subject<'_>) -> Option<(LicenseId, Vec<Pair<'s>>)> {
    let cat = ctx.catalogue;
    let long_enough = |m: &Model| m.text.words() + 1 >= MIN_SHINGLES + SHINGLE_WORDS;
    let own = s.model.terms.expr().and_then(|e| e.single())?;
    let own_rank = restrictiveness(cat.get(own).class)?;
    if !long_enough(s.model) {
        return None;
    }
    let out = ctx
        .binding(s)
        .filter_map(|(ancestor, model)| {
            let theirs = model.terms.expr().and_then(|e| e.single())?;
            let their_rank = restrictiveness(cat.get(theirs).class)?;
            (their_rank > own_rank && long_enough(model)).then_some((ancestor, model, theirs))
        })
        .collect();
    Some((own, out))
}

/// The models whose card shingles the check will need for this subject and which are not in
/// memory: the auditor reads them again before the subject is checked.
pub(super) fn wanted(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<NodeIndex>) {
    let Some((_, pairs)) = candidates(ctx, s) else {
        return;
    };
    if pairs.is_empty() {
        return;
    }
    if s.model.text.body().is_none() {
        out.push(s.node);
    }
    for (ancestor, model, _) in pairs {
        if model.text.body().is_none() {
            out.push(ancestor.node);
        }
    }
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let cat = ctx.catalogue;
    let Some((own, pairs)) = candidates(ctx, s) else {
        return;
    };
    for (ancestor, model, theirs) in pairs {
        let (Some(mine), Some(other)) = (ctx.shingles(s.node), ctx.shingles(ancestor.node)) else {
            // Read again and lost (the auditor logged why): no comparison, no finding.
            continue;
        };
        if mine.len() < MIN_SHINGLES || other.len() < MIN_SHINGLES {
            continue;
        }
        let similarity = mine.jaccard(other);
        if similarity < STRIKING_SIMILARITY {
            continue;
        }
        let message = format!(
            "the card is {:.0}% the same as the card of ancestor `{}` (strikingly similar: at least {:.0}% of shared 5-word passages), yet declares `{}` ({}) where the ancestor declares `{}` ({})",
            similarity * 100.0,
            model.info.id,
            STRIKING_SIMILARITY * 100.0,
            cat.get(own).id,
            cat.get(own).class,
            cat.get(theirs).id,
            cat.get(theirs).class
        );
        let key = format!(
            "{} {} {}",
            model.info.id,
            cat.get(own).id,
            cat.get(theirs).id
        );
        let finding = Finding::new(Rule::CardCopiedLicenseChanged, s.id(), &key, message)
            .ancestors(ctx.chain_ids(ancestor));
        out.push(s.at_key(finding, "license"));
        return;
    }
}
