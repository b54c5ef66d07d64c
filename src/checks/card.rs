//! `card-invalid`: metadata the Hub cannot read.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};

pub(super) fn check(_ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    for problem in &s.model.card.problems {
        // The key leaves out digits, so the fingerprint survives the problem moving lines.
        let key: String = problem
            .message
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        let finding = Finding::new(Rule::CardInvalid, s.id(), &key, problem.message.clone());
        out.push(finding.at(s.model.card_file().or(Some("README.md")), problem.line));
    }
    if let Some(relation) = s.model.bad_relation() {
        let message = format!(
            "`base_model_relation: {relation}` is not one of finetune, adapter, quantized, merge; the relation was inferred instead"
        );
        out.push(s.at_key(
            Finding::new(Rule::CardInvalid, s.id(), "base_model_relation", message),
            "base_model_relation",
        ));
    }
}
