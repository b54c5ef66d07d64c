//! `notice-missing`: the fixed Notice text (Llama's "Llama 2 is licensed under ...", Gemma's
//! "Gemma is provided under ...") and the "Built with ..." display that an ancestor's licence
//! requires, looked for in the card and the repo's NOTICE files.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::{ObligationKind, normalize_text};
use crate::lineage::FileKind;

/// Text as notices are compared: normalised, and without punctuation or symbols (©, (c), quotes
/// and full stops vary between copies of the same notice).
fn comparable(text: &str) -> String {
    let kept: String = normalize_text(text)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    kept.split_whitespace()
        .filter(|w| *w != "c")
        .collect::<Vec<_>>()
        .join(" ")
}

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
    let mut haystack = comparable(&s.model.card.body);
    for file in &notices {
        if let Ok(text) = &file.text {
            haystack.push(' ');
            haystack.push_str(&comparable(text));
        }
    }
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
            if haystack.contains(&comparable(text)) {
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
            let message = format!(
                "ancestor `{}` is under `{}`, which requires {what} \"{text}\" ({}); neither the card nor a NOTICE file has it",
                model.info.id,
                entry.id,
                ob.summary.trim().trim_end_matches('.')
            );
            let finding = Finding::new(Rule::NoticeMissing, s.id(), &key, message)
                .ancestors(ctx.chain_ids(ancestor))
                .clause(Some(ob.clause.clone()));
            out.push(finding.at(s.model.card_file, None));
        }
    }
}
