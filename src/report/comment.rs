//! The Markdown a pull-request comment or a tracking issue shows. GitHub refuses a body over
//! 65,536 characters, and a family's full report is many times that (Llama 2's: 695,113), so a
//! post says the counts, then the findings errors first, as many as fit, and links the full
//! report (the workflow run, whose job summary and artifacts hold it).

use super::escape::markdown;
use super::markdown::{FINDINGS_TABLE, finding_row, footer, headline};
use super::{Report, mermaid, plural};
use crate::findings::{Rule, Severity};
use std::collections::BTreeMap;

/// How much a post may hold.
#[derive(Clone, Debug)]
pub struct PostLimits {
    /// Bytes of Markdown at most (bytes, not characters: never more characters than bytes).
    pub max_bytes: usize,
    /// Findings listed at most.
    pub max_findings: usize,
    /// Where the full report is, for the reader of a shortened post.
    pub full_report: Option<String>,
}

impl Default for PostLimits {
    fn default() -> Self {
        PostLimits {
            // GitHub's limit, less room for the notifier's marker line.
            max_bytes: 63_000,
            max_findings: 100,
            full_report: None,
        }
    }
}

/// Room kept for the closing lines after the findings.
const CLOSING_ROOM: usize = 1_024;

pub fn render_post(report: &Report, limits: &PostLimits) -> String {
    let mut out = headline(report);
    let total = report.findings.len();
    if total > 0 {
        out.push_str(&rule_counts(report));
    }
    // The lineage drawing, when it leaves room for the findings (a family's seldom does).
    let lineage = mermaid::render(report);
    if lineage.len() <= limits.max_bytes / 4 {
        out.push_str("\n### Lineage\n\n");
        out.push_str(&lineage);
    }
    if total == 0 {
        out.push_str("\nNo findings.\n");
        return out;
    }
    out.push_str("\n### Findings, errors first\n\n");
    out.push_str(FINDINGS_TABLE);
    let mut shown = 0;
    'rows: for severity in [Severity::Error, Severity::Warning, Severity::Note] {
        for f in report.findings.iter().filter(|f| f.severity == severity) {
            let row = finding_row(&f);
            if shown == limits.max_findings
                || out.len() + row.len() + CLOSING_ROOM > limits.max_bytes
            {
                break 'rows;
            }
            out.push_str(&row);
            shown += 1;
        }
    }
    if shown < total {
        out.push_str(&format!(
            "\nShowing {shown} of {}, errors first.",
            plural(total, "finding")
        ));
        match &limits.full_report {
            Some(url) => out.push_str(&format!(" The full report: {}\n", markdown::url(url))),
            None => out.push_str(" Run pedigree with `--format markdown` for the full report.\n"),
        }
    }
    out.push_str(&footer(report));
    out
}

/// Findings per rule and severity, most errors first: what a family's maintainer reads first.
fn rule_counts(report: &Report) -> String {
    let mut counts: BTreeMap<Rule, [usize; 3]> = BTreeMap::new();
    for f in &report.findings {
        let slot = match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        };
        counts.entry(f.rule).or_default()[slot] += 1;
    }
    let mut rows: Vec<(Rule, [usize; 3])> = counts.into_iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    let mut out = String::from("\n| rule | errors | warnings | notes |\n|---|--:|--:|--:|\n");
    for (rule, [e, w, n]) in rows {
        out.push_str(&format!("| `{rule}` | {e} | {w} | {n} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Findings};
    use crate::report::{Summary, Tool};

    fn report(n: usize) -> Report {
        let mut findings = Findings::default();
        for i in 0..n {
            let severity = if i % 10 == 9 {
                Severity::Error
            } else {
                Severity::Warning
            };
            let mut f = Finding::new(
                Rule::MissingLicense,
                &format!("org/model-{i:05}"),
                "",
                "x".repeat(300),
            );
            f.severity = severity;
            findings.insert(f);
        }
        let summary = Summary::count(&findings, n, 0);
        Report {
            datasets: Vec::new(),
            tool: Tool::default(),
            models: Vec::new(),
            findings,
            summary,
            places: Default::default(),
            incomplete: Vec::new(),
        }
    }

    #[test]
    fn a_long_report_is_cut_to_the_limit_errors_first_with_a_link() {
        let limits = PostLimits {
            max_bytes: 20_000,
            max_findings: 1_000,
            full_report: Some("https://github.com/o/r/actions/runs/7".into()),
        };
        let post = render_post(&report(300), &limits);
        assert!(post.len() <= 20_000, "{}", post.len());
        assert!(post.contains("Showing "), "{post}");
        assert!(post.contains(
            "of 300 findings, errors first. The full report: https://github.com/o/r/actions/runs/7"
        ));
        // The 30 errors all come, before any warning.
        assert_eq!(post.matches("| error |").count(), 30);
        let first_warning = post.find("| warning |").unwrap();
        let last_error = post.rfind("| error |").unwrap();
        assert!(last_error < first_warning);
        assert!(
            post.contains("| `missing-license` | 30 | 270 | 0 |"),
            "{post}"
        );
    }

    #[test]
    fn a_short_report_is_shown_whole() {
        let post = render_post(&report(5), &PostLimits::default());
        assert_eq!(post.matches("| `missing-license` | `org/").count(), 5);
        assert!(!post.contains("Showing"));
    }
}
