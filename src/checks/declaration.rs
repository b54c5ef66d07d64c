//! `license-link-conflict` and `license-id-not-hub`: how a card declares its licence, where the
//! Hub or a reader would get it wrong even though Pedigree could read it.

use super::fix::declare;
use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::DeclarationIssue;

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let cat = ctx.catalogue;
    for issue in &s.model.declaration {
        match issue {
            DeclarationIssue::LinkConflict { declared, linked } => {
                let entry = cat.get(*linked);
                let message = format!(
                    "`license` says `{declared}` but `license_link` points at the text of `{}` ({}); a reader cannot tell which governs, so both readings were judged",
                    entry.id, entry.name
                );
                let finding = Finding::new(
                    Rule::LicenseLinkConflict,
                    s.id(),
                    &format!("{declared} | {}", entry.id),
                    message,
                )
                .fix(format!(
                    "make them agree: point `license_link` at the `{declared}` text, or declare {}",
                    declare(entry)
                ));
                out.push(s.at_key(finding, "license_link"));
            }
            DeclarationIssue::NotHubId { written, read_as } => {
                let (read, fix) = match read_as.map(|id| cat.get(id)) {
                    Some(entry) => (
                        format!("; Pedigree read it as `{}`", entry.id),
                        format!("write {}", declare(entry)),
                    ),
                    None => (
                        String::new(),
                        "write one Hub licence id, or a list of them (`license: [apache-2.0, mit]`)"
                            .to_string(),
                    ),
                };
                let message = format!(
                    "`{written}` is not one of the Hub's licence ids, so the Hub shows no licence for this model{read}"
                );
                let finding =
                    Finding::new(Rule::LicenseIdNotHub, s.id(), written, message).fix(fix);
                out.push(s.at_key(finding, "license"));
            }
        }
    }
}
