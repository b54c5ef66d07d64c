//! `card-copied-license-changed`: a card so close to an ancestor's that independent writing is
//! excluded (the "striking similarity" standard), declaring a less restrictive licence.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::Class;

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
        Class::Community | Class::NonCommercial => 3,
        Class::ResearchOnly => 4,
        Class::Unknown => return None,
    })
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let cat = ctx.catalogue;
    let Some(own) = s.model.terms.expr().and_then(|e| e.single()) else {
        return;
    };
    let Some(own_rank) = restrictiveness(cat.get(own).class) else {
        return;
    };
    // Shingles are computed only for pairs the licences make worth comparing.
    for (ancestor, model) in ctx.binding(s) {
        let Some(theirs) = model.terms.expr().and_then(|e| e.single()) else {
            continue;
        };
        let Some(their_rank) = restrictiveness(cat.get(theirs).class) else {
            continue;
        };
        if their_rank <= own_rank
            || s.model.shingles().len() < MIN_SHINGLES
            || model.shingles().len() < MIN_SHINGLES
        {
            continue;
        }
        let similarity = s.model.shingles().jaccard(model.shingles());
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
