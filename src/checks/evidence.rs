//! `no-derived-material`: accusations rest on what a repo distributes. Licence duties attach to
//! distributing the licensed material or a derivative; a repo that ships no weights, adapter or
//! quantization owes its ancestors' distribution terms nothing, whatever its card says. This
//! pass runs after every check and weighs their findings against the repo's file list.

use super::Subject;
use crate::findings::{Finding, Rule, Severity};
use crate::lineage::Shipped;

/// Findings that say the model breaks a duty owed on distribution.
const DISTRIBUTION_DUTIES: &[Rule] = &[
    Rule::LicenseDrift,
    Rule::IncompatibleParents,
    Rule::NamingObligation,
    Rule::AgreementVersionMismatch,
    Rule::InheritedTermsUnstated,
    Rule::AgreementCopyMissing,
    Rule::NoticeMissing,
    Rule::OutputsClause,
    Rule::DatasetLicenseConflict,
];

pub(super) fn weigh(s: &Subject<'_>, findings: Vec<Finding>) -> Vec<Finding> {
    let duty = |f: &Finding| DISTRIBUTION_DUTIES.contains(&f.rule);
    match s.model.shipped {
        shipped if shipped.is_derived_material() => findings,
        Shipped::Unknown => findings
            .into_iter()
            .map(|f| {
                if duty(&f) {
                    let mut f = f.at_most(Severity::Warning);
                    f.message.push_str(
                        " (the repo's file list is unknown, so whether it ships derived material, and so owes this, cannot be told)",
                    );
                    f
                } else {
                    f
                }
            })
            .collect(),
        shipped => {
            // A question about the ancestors' terms is moot when nothing is distributed.
            let moot = |f: &Finding| {
                duty(f) || (f.rule == Rule::LicenseUndecidable && !f.ancestors.is_empty())
            };
            let (set_aside, mut kept): (Vec<Finding>, Vec<Finding>) =
                findings.into_iter().partition(moot);
            let accusations: Vec<&Finding> = set_aside.iter().filter(|f| duty(f)).collect();
            if let Some(first) = accusations.first() {
                let mut rules: Vec<&str> = accusations.iter().map(|f| f.rule.id()).collect();
                rules.dedup();
                let mut ancestors: Vec<String> = Vec::new();
                for id in accusations.iter().flat_map(|f| &f.ancestors) {
                    if !ancestors.contains(id) {
                        ancestors.push(id.clone());
                    }
                }
                let message = format!(
                    "the repo ships {shipped} (no weights, adapter or quantization), so it distributes nothing derived from its ancestors and owes their distribution terms nothing yet; set aside: {}",
                    rules.join(", ")
                );
                let mut note = Finding::new(Rule::NoDerivedMaterial, s.id(), "nothing", message)
                    .ancestors(ancestors);
                if let Some(fix) = &first.fix {
                    note = note.fix(format!("before adding model files: {fix}"));
                }
                kept.push(note);
            }
            kept
        }
    }
}
