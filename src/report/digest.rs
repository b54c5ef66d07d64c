//! The email digest of a scheduled audit: what is new, resolved and still open since the last
//! run, grouped by family and severity, as plain text and as HTML. Card text goes through the
//! email escapers. Lines end in CRLF, as mail wants them: given LF, lettre would insert each CR
//! by shifting the rest of the text, which is quadratic in the digest's size.

use super::Report;
use super::escape::email;
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
/// Entries are looked up by id (sorted), so a large family costs no more than a walk per model.
fn family_of<'a>(report: &'a Report, model: &'a str) -> &'a str {
    let mut current = model;
    for _ in 0..report.models.len() {
        let parent = report
            .model(current)
            .and_then(|m| m.parents.iter().find(|p| report.model(&p.id).is_some()));
        match parent {
            Some(p) if p.id != current => current = &p.id,
            _ => break,
        }
    }
    current
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
        "{subject}\r\n{}\r\n\r\nAudited {}.\r\n",
        "=".repeat(subject.len()),
        report.summary.line()
    );
    let mut html = format!(
        "<html><body style=\"font-family: sans-serif\"><h2>{subject}</h2><p>Audited {}.</p>\r\n",
        report.summary.line()
    );
    for (title, list) in sections {
        let _ = write!(
            text,
            "\r\n{title} ({})\r\n{}\r\n",
            list.len(),
            "-".repeat(title.len() + 4)
        );
        let _ = write!(html, "<h3>{title} ({})</h3>\r\n", list.len());
        if list.is_empty() {
            text.push_str("  none\r\n");
            html.push_str("<p>none</p>\r\n");
            continue;
        }
        for (family, by_severity) in grouped(report, list) {
            let _ = write!(text, "\r\n  family {}\r\n", email::text(family));
            let _ = write!(
                html,
                "<h4>family <code>{}</code></h4><ul>\r\n",
                email::html(family)
            );
            for (severity, items) in by_severity {
                for k in items {
                    let _ = write!(
                        text,
                        "    {} [{}] {}: {}\r\n",
                        severity.0,
                        email::text(&k.rule),
                        email::text(&k.model),
                        email::text(&k.message)
                    );
                    let _ = write!(
                        html,
                        "<li><b>{}</b> <code>{}</code> <code>{}</code>: {}</li>\r\n",
                        severity.0,
                        email::html(&k.rule),
                        email::html(&k.model),
                        email::html(&k.message)
                    );
                }
            }
            html.push_str("</ul>\r\n");
        }
    }
    text.push_str("\r\n`pedigree explain <rule>` explains each rule.\r\n");
    html.push_str("<p><small><code>pedigree explain &lt;rule&gt;</code> explains each rule.</small></p></body></html>\r\n");
    Digest {
        subject,
        text,
        html,
    }
}
