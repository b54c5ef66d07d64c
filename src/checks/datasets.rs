//! `dataset-license-conflict` and `unresolved-dataset`: the model's declared licence judged
//! against the licence of each dataset it was trained on, as if the model were adapted material
//! of the data. Whether it is, is contested, so a breach is a warning worded as the question it
//! is, never an accusation: no data licence in the catalogue expressly reaches trained models,
//! and those that speak of them (C-UDA, CDLA-Permissive-2.0) set them free.

use super::verdict::{Judging, Verdict, judge};
use super::{Context, Subject, fix};
use crate::findings::{Finding, Rule, Severity};
use crate::license::{ObligationKind, Terms};
use crate::lineage::{Dataset, DatasetState};

/// Put before every conflict: the question the finding rests on.
const QUESTION: &str = "whether a trained model is adapted material of the dataset is contested";

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    for entry in ctx.lineage.datasets().of(s.node) {
        let Some(id) = &entry.id else {
            let message = if crate::source::local_builder(&entry.entry) {
                format!(
                    "`{}` in `datasets:` is the name the `datasets` library gives data loaded with its `{}` builder (local files, or a Python generator), which transformers' Trainer writes into the cards it generates; it names no Hub dataset, so this training data cannot be traced",
                    entry.entry.trim(),
                    entry.entry.trim()
                )
            } else {
                format!(
                    "`{}` in `datasets:` is not a Hub dataset id, so this training data cannot be traced",
                    entry.entry
                )
            };
            let finding = Finding::new(Rule::UnresolvedDataset, s.id(), &entry.entry, message)
                .dataset(entry.entry.clone());
            out.push(s.at_key(finding, "datasets"));
            continue;
        };
        match ctx.lineage.datasets().get(id) {
            Some(DatasetState::Resolved(dataset)) => judge_dataset(ctx, s, dataset, out),
            Some(DatasetState::Unresolved(error)) => {
                let message = format!(
                    "dataset `{id}` could not be read ({error}), so its licence and the models that generated it are unknown"
                );
                let finding =
                    Finding::new(Rule::UnresolvedDataset, s.id(), id, message).dataset(id.clone());
                out.push(s.at_key(finding, "datasets"));
            }
            None => {}
        }
    }
}

fn judge_dataset(ctx: &Context<'_>, s: &Subject<'_>, d: &Dataset, out: &mut Vec<Finding>) {
    let cat = ctx.catalogue;
    // A publisher's own data binds nobody here.
    if s.model.owner().is_some() && d.owner() == s.model.owner() {
        return;
    }
    let Terms::Expr(model) = &s.model.terms else {
        // `missing-license` / `unknown-license` already say the model's terms are unknown.
        return;
    };
    let finding = |message: String, severity: Severity| {
        let f = Finding::new(Rule::DatasetLicenseConflict, s.id(), &d.id, message)
            .dataset(d.id.clone())
            .at_most(severity);
        s.at_key(f, "datasets")
    };
    let data = match &d.terms {
        Terms::Expr(e) => e,
        Terms::Missing { .. } => {
            let message = format!(
                "trained on dataset `{}`, whose card declares no licence: the terms of this training data cannot be checked",
                d.id
            );
            out.push(finding(message, Severity::Note));
            return;
        }
        Terms::Unknown { reason, .. } => {
            let message = format!(
                "trained on dataset `{}`, whose licence cannot be identified ({reason}): the terms of this training data cannot be checked",
                d.id
            );
            out.push(finding(message, Severity::Note));
            return;
        }
    };
    let data_licence = data.display(cat).to_string();
    let declared = model.display(cat).to_string();
    // What the data licence itself says of trained models comes first.
    if let Some(entry) = data.single().map(|id| cat.get(id)) {
        if entry
            .obligation(ObligationKind::TrainedModelsFree)
            .is_some()
        {
            return;
        }
        if let Some(results) = entry.obligation(ObligationKind::ResultsFree) {
            let shipped = s.shipped_licences();
            let judging = Judging {
                catalogue: cat,
                only_quantized: false,
                shipped: &shipped,
            };
            if judge(judging, model, data) != Verdict::Satisfied {
                let message = format!(
                    "trained on dataset `{}` under `{data_licence}`, which imposes nothing on Results of computing on the data; the text does not say whether a trained model is one, and if it is, nothing is owed here",
                    d.id
                );
                out.push(finding(message, Severity::Note).clause(Some(results.clause.clone())));
            }
            return;
        }
    }
    let shipped = s.shipped_licences();
    let judging = Judging {
        catalogue: cat,
        only_quantized: false,
        shipped: &shipped,
    };
    match judge(judging, model, data) {
        Verdict::Satisfied => {}
        Verdict::Violated(r) | Verdict::Misstated(r, _) => {
            let message = format!(
                "declares `{declared}` and was trained on dataset `{}` under `{data_licence}`: {QUESTION}; if it is, {}",
                d.id,
                lowercase_first(&r.text)
            );
            let mut f = finding(message, Severity::Warning).clause(r.clause);
            if let Some((kind, licence)) = r.term {
                f = f.fix(format!(
                    "if the model is adapted material of the data: {}; if not, say in the card why the dataset's terms do not reach the weights",
                    fix::for_term(cat, kind, licence, &declared)
                ));
            }
            out.push(f);
        }
        Verdict::Undecidable(r) => {
            let message = format!(
                "cannot decide whether `{declared}` meets the terms of dataset `{}` (`{data_licence}`) the model was trained on: {}",
                d.id, r.text
            );
            out.push(finding(message, Severity::Note).clause(r.clause));
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
