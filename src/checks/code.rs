//! `code-header-stripped`: custom code copied from an ancestor with its licence header removed.

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::lineage::FileKind;
use crate::similarity::Shingles;

/// Lines at the top of a file where a licence header lives.
const HEADER_LINES: usize = 40;
/// Code this close to the ancestor's file is a copy of it.
const COPIED: f64 = 0.5;

/// The header names a licence or a copyright holder.
fn has_licence_header(text: &str) -> bool {
    text.lines().take(HEADER_LINES).any(|l| {
        let l = l.to_lowercase();
        (l.contains("copyright")
            || l.contains("license")
            || l.contains("licence")
            || l.contains("spdx-license-identifier"))
            && (l.trim_start().starts_with('#')
                || l.trim_start().starts_with("\"\"\"")
                || l.trim_start().starts_with("//"))
    })
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    for file in s
        .model
        .files
        .iter()
        .filter(|f| FileKind::of(&f.path) == Some(FileKind::Code))
    {
        let Ok(ours) = &file.text else { continue };
        if has_licence_header(ours) {
            continue;
        }
        for ancestor in &s.ancestors {
            let Some(model) = ctx.lineage.node(ancestor.node).model() else {
                continue;
            };
            let Some(Ok(theirs)) = model
                .files
                .iter()
                .find(|f| f.path == file.path)
                .map(|f| &f.text)
            else {
                continue;
            };
            if !has_licence_header(theirs) {
                continue;
            }
            let similarity = Shingles::of(ours).jaccard(&Shingles::of(theirs));
            if similarity < COPIED {
                continue;
            }
            let message = format!(
                "`{}` is {:.0}% the same as the file of ancestor `{}`, whose copyright and licence header it no longer carries",
                file.path,
                similarity * 100.0,
                model.info.id
            );
            let finding = Finding::new(Rule::CodeHeaderStripped, s.id(), &file.path, message)
                .ancestors(ctx.chain_ids(ancestor))
                .at(Some(&file.path), Some(1));
            out.push(finding);
            break;
        }
    }
}
