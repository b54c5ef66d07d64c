//! `--select` and `--ignore` on the command line (as ruff has them): which rules a run reports.
//! Patterns are rule ids or globs (`license-*`); a pattern that matches no rule is an error, with
//! the closest id, so a typo never silently selects nothing.

use super::{Rule, Severity};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use wildmatch::WildMatch;

fn matching(pattern: &str) -> Result<Vec<Rule>> {
    let glob = WildMatch::new(pattern);
    let found: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|r| glob.matches(r.id()))
        .collect();
    if found.is_empty() {
        let closest = Rule::ALL
            .iter()
            .map(|r| (strsim::jaro_winkler(pattern, r.id()), r.id()))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| format!(" (did you mean `{id}`?)"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "`{pattern}` matches no rule{closest}; `pedigree rules` lists them"
        )));
    }
    Ok(found)
}

/// Turns off every rule that `select` (when given) does not name, and every rule `ignore` names,
/// on top of the configured severities.
pub fn apply_selection(
    severity: &mut BTreeMap<Rule, Option<Severity>>,
    select: &[String],
    ignore: &[String],
) -> Result<()> {
    if !select.is_empty() {
        let mut selected = Vec::new();
        for pattern in select {
            selected.extend(matching(pattern)?);
        }
        for rule in Rule::ALL {
            if !selected.contains(rule) {
                severity.insert(*rule, None);
            }
        }
    }
    for pattern in ignore {
        for rule in matching(pattern)? {
            severity.insert(rule, None);
        }
    }
    Ok(())
}
