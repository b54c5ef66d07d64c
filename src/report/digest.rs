//! The email digest of a scheduled audit: what is new, resolved and still open since the last
//! run, grouped by family and severity, as plain text and as HTML.

use super::Report;
use crate::findings::Severity;
use crate::findings::baseline::{Changes, Known};
use std::collections::BTreeMap;
use std::fmt::Write;

pub struct Digest {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The family a model belongs to: its topmost ancestor in the report (first parents first).
fn family_of<'a>(report: &'a Report, model: &'a str) -> &'a str {
    let mut current = model;
    for _ in 0..report.models.len() {
        let parent = report
            .models
            .iter()
            .find(|m| m.id == current)
            .and_then(|m| {
                m.parents
                    .iter()
                    .find(|p| report.models.iter().any(|o| o.id == p.id))
            });
        match parent {
            Some(p) if p.id != current => current = &p.id,
            _ => break,
        }
    }
    current
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// family → severity (worst first) → findings.
fn grouped<'a>(
    report: &'a Report,
    list: &'a [Known],
) -> BTreeMap<&'a str, BTreeMap<std::cmp::Reverse<Severity>, Vec<&'a Known>>> {
    let mut out: BTreeMap<&str, BTreeMap<std::cmp::Reverse<Severity>, Vec<&Known>>> =
        BTreeMap::new();
    for k in list {
        out.entry(family_of(report, &k.model))
            .or_default()
            .entry(std::cmp::Reverse(k.severity))
            .or_default()
            .push(k);
    }
    out
}

pub fn render_digest(report: &Report, changes: &Changes) -> Digest {
    let subject = format!(
        "Pedigree licence audit: {} new, {} resolved, {} still open",
        changes.new.len(),
        changes.resolved.len(),
        changes.still_open.len()
    );
    let sections = [
        ("New", &changes.new),
        ("Resolved", &changes.resolved),
        ("Still open", &changes.still_open),
    ];
    let mut text = format!(
        "{subject}\n{}\n\nAudited {}.\n",
        "=".repeat(subject.len()),
        report.summary.line()
    );
    let mut html = format!(
        "<html><body style=\"font-family: sans-serif\"><h2>{}</h2><p>Audited {}.</p>",
        escape_html(&subject),
        escape_html(&report.summary.line())
    );
    for (title, list) in sections {
        let _ = write!(
            text,
            "\n{title} ({})\n{}\n",
            list.len(),
            "-".repeat(title.len() + 4)
        );
        let _ = write!(html, "<h3>{title} ({})</h3>", list.len());
        if list.is_empty() {
            text.push_str("  none\n");
            html.push_str("<p>none</p>");
            continue;
        }
        for (family, by_severity) in grouped(report, list) {
            let _ = writeln!(text, "\n  family {family}");
            let _ = write!(
                html,
                "<h4>family <code>{}</code></h4><ul>",
                escape_html(family)
            );
            for (severity, items) in by_severity {
                for k in items {
                    let _ = writeln!(
                        text,
                        "    {} [{}] {}: {}",
                        severity.0, k.rule, k.model, k.message
                    );
                    let _ = write!(
                        html,
                        "<li><b>{}</b> <code>{}</code> <code>{}</code>: {}</li>",
                        severity.0,
                        escape_html(&k.rule),
                        escape_html(&k.model),
                        escape_html(&k.message)
                    );
                }
            }
            html.push_str("</ul>");
        }
    }
    text.push_str("\n`pedigree explain <rule>` explains each rule.\n");
    html.push_str("<p><small><code>pedigree explain &lt;rule&gt;</code> explains each rule.</small></p></body></html>");
    Digest {
        subject,
        text,
        html,
    }
}
