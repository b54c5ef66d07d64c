//! `notice-missing`: the fixed Notice text (Llama's "Llama 2 is licensed under ...", Gemma's
//! "Gemma is provided under ...") and the "Built with ..." display that an ancestor's licence
//! requires, looked for in the card and the repo's NOTICE files.

use super::{Context, Subject};
use crate::findings::{Finding, Rule, Severity};
use crate::license::{Class, NoticeSet, ObligationKind};
use crate::lineage::FileKind;

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    if s.model.card.unreadable {
        return;
    }
    let notices: Vec<_> = s
        .model
        .files
        .iter()
        .filter(|f| FileKind::of(&f.path) == Some(FileKind::Notice))
        .collect();
    // The card's notices were measured when it was read; NOTICE files are read for this run.
    let in_files: Vec<NoticeSet> = notices
        .iter()
        .filter_map(|f| f.text.as_ref().ok())
        .map(|text| NoticeSet::of(text, ctx.catalogue.notice_finder()))
        .collect();
    let carried = |index: u16| {
        s.model.text.notices.contains(index) || in_files.iter().any(|set| set.contains(index))
    };
    let unreadable = notices
        .iter()
        .find_map(|f| f.text.as_ref().err().map(|e| (f.path.as_str(), e)));
    for (ancestor, model, licence) in ctx.binding_licences(s) {
        let entry = ctx.catalogue.get(licence);
        for ob in &entry.obligations {
            let Some(text) = &ob.text else { continue };
            let what = match ob.kind {
                ObligationKind::NoticeFile => "the Notice text",
                ObligationKind::AttributionDisplay => "the attribution",
                _ => continue,
            };
            if ob.notice.is_some_and(carried) {
                continue;
            }
            let key = format!("{} {:?}", entry.id, ob.kind);
            if let Some((path, error)) = unreadable {
                let message = format!(
                    "cannot check that {what} \"{text}\" required by `{}` is present: `{path}` could not be read: {error}",
                    entry.id
                );
                out.push(
                    Finding::new(Rule::LicenseUndecidable, s.id(), &key, message)
                        .at(Some(path), None),
                );
                continue;
            }
            let elsewhere = if ob.kind == ObligationKind::AttributionDisplay {
                " (it may be shown elsewhere, e.g. on a website or in documentation, which Pedigree cannot see)"
            } else {
                ""
            };
            let message = format!(
                "ancestor `{}` is under `{}`, which requires {what} \"{text}\" ({}); neither the card nor a NOTICE file has it{elsewhere}",
                model.info.id,
                entry.id,
                ob.summary.trim().trim_end_matches('.')
            );
            let fix = match ob.kind {
                ObligationKind::AttributionDisplay => {
                    format!(
                        "show \"{text}\" prominently in the card (or the related website or documentation)"
                    )
                }
                _ => format!("add a NOTICE file containing \"{text}\""),
            };
            let mut finding = Finding::new(Rule::NoticeMissing, s.id(), &key, message)
                .ancestors(ctx.chain_ids(ancestor))
                .clause(Some(ob.clause.clone()))
                .fix(fix);
            // A permissive licence's notice duty is a courtesy to check, not a stake.
            if entry.class == Class::Permissive {
                finding = finding.at_most(Severity::Note);
            }
            out.push(finding.at(s.model.card_file(), None));
        }
    }
}
