//! `--statistics`: how many findings each rule produced, most first (as ruff's `--statistics`),
//! for a first look at a large family before reading findings one by one.

use super::Report;
use crate::findings::{Rule, RuleDocs, Severity};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One rule's count in this run, by severity.
#[derive(Debug, Default, serde::Serialize)]
pub struct RuleCount {
    pub rule: &'static str,
    pub count: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Models with at least one finding of the rule.
    pub models: usize,
    pub summary: String,
}

/// Counts per rule, most frequent first (ties by rule id).
pub fn rule_counts(report: &Report, docs: &RuleDocs) -> Vec<RuleCount> {
    let mut by_rule: BTreeMap<Rule, (RuleCount, Option<String>)> = BTreeMap::new();
    for f in report.findings.iter() {
        let (count, last_model) = by_rule.entry(f.rule).or_insert_with(|| {
            (
                RuleCount {
                    rule: f.rule.id(),
                    summary: docs.get(f.rule).summary.clone(),
                    ..Default::default()
                },
                None,
            )
        });
        count.count += 1;
        match f.severity {
            Severity::Error => count.errors += 1,
            Severity::Warning => count.warnings += 1,
            Severity::Note => count.notes += 1,
        }
        // Findings come sorted by model: a model is new when it differs from the last seen.
        if last_model.as_deref() != Some(f.model.as_str()) {
            count.models += 1;
            *last_model = Some(f.model.clone());
        }
    }
    let mut out: Vec<RuleCount> = by_rule.into_values().map(|(c, _)| c).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    out
}

pub fn render_statistics_human(
    report: &Report,
    docs: &RuleDocs,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts = rule_counts(report, docs);
    let width = counts.iter().map(|c| c.rule.len()).max().unwrap_or(4);
    writeln!(
        out,
        "{:>7}  {:<width$}  {:>6} {:>8} {:>6} {:>7}  summary",
        "count", "rule", "errors", "warnings", "notes", "models"
    )?;
    for c in &counts {
        writeln!(
            out,
            "{:>7}  {:<width$}  {:>6} {:>8} {:>6} {:>7}  {}",
            c.count, c.rule, c.errors, c.warnings, c.notes, c.models, c.summary
        )?;
    }
    writeln!(out, "Audited {}", report.summary.line())
}

pub fn render_statistics_json(
    report: &Report,
    docs: &RuleDocs,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &rule_counts(report, docs))?;
    writeln!(out)
}
