//! The text of a Hub discussion about one model: its error findings, the clause each rests on,
//! and how to fix it. Written for the model's author, who did not ask for it: plain, specific,
//! and open to being wrong. Card text goes through the Markdown escaper: a card cannot put an
//! image, a link or a mention into what Pedigree posts.

use super::Report;
use super::escape::markdown;
use crate::findings::{Finding, RuleDocs, Severity};
use std::collections::BTreeMap;

/// Title and Markdown body, or `None` when the model has no error finding.
pub fn render_discussion(
    report: &Report,
    docs: &RuleDocs,
    model: &str,
) -> Option<(String, String)> {
    let errors = errors_by_model(report).remove(model)?;
    discussion_of(docs, &errors)
}

/// Every model's error findings, in one pass over the report (the ones a discussion is about).
pub fn errors_by_model(report: &Report) -> BTreeMap<String, Vec<Finding>> {
    let mut out: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for f in report.findings.iter() {
        if f.severity == Severity::Error {
            let f = f.into_owned();
            out.entry(f.model.clone()).or_default().push(f);
        }
    }
    out
}

/// Title and Markdown body of a discussion about these error findings of one model, or `None`
/// when there are none.
pub fn discussion_of(docs: &RuleDocs, errors: &[Finding]) -> Option<(String, String)> {
    let first = errors.first()?;
    let title = match errors.len() {
        1 => format!(
            "License compliance: {}",
            docs.get(first.rule)
                .summary
                .trim_end_matches('.')
                .to_lowercase()
        ),
        n => format!("License compliance: {n} problems with this model's licence"),
    };
    let mut body = String::from(
        "Hello! Pedigree, an automated licence auditor, checked this model's card against the licences of the models it is built on, and found the following.\n\n",
    );
    for f in errors {
        let doc = docs.get(f.rule);
        body.push_str(&format!(
            "### `{}`\n\n{}\n\n",
            f.rule,
            markdown::message(&f.message, false)
        ));
        if !f.ancestors.is_empty() {
            body.push_str(&format!(
                "Lineage: {} ← {}\n\n",
                markdown::code(&f.model),
                f.ancestors
                    .iter()
                    .map(|a| markdown::code(a))
                    .collect::<Vec<_>>()
                    .join(" ← ")
            ));
        }
        if let Some(c) = &f.clause {
            body.push_str(&format!(
                "Clause: {}\n\n",
                markdown::link(&c.section, &c.url)
            ));
        }
        // The finding's own fix names the licence at stake; the rule's general advice is the
        // fallback.
        let fix = f
            .fix
            .clone()
            .or_else(|| doc.explain.split("Fix:").nth(1).map(str::to_string));
        if let Some(fix) = fix {
            body.push_str(&format!(
                "**How to fix:** {}\n\n",
                markdown::message(&fix.split_whitespace().collect::<Vec<_>>().join(" "), false)
            ));
        }
    }
    body.push_str(
        "If this is wrong (for example, you have separate permission from the licensor), please say so here: the check is automatic, and a reply helps improve it. This thread is updated only when the findings change.\n",
    );
    Some((title, body))
}
