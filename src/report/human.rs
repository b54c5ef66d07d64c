//! The human report: findings grouped by model, each with its chain and clause. Colour only
//! when the caller says the output is a terminal.

use super::Report;
use crate::findings::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Note => AnsiColor::Cyan,
        };
        self.paint(Style::new().bold().fg_color(Some(color.into())), s.as_str())
    }
}

/// True when `ancestors` is a path upward from `model`, each the parent of the one before.
fn is_chain(report: &Report, model: &str, ancestors: &[String]) -> bool {
    let mut child = model;
    for ancestor in ancestors {
        let Some(entry) = report.model(child) else {
            return false;
        };
        if !entry.parents.iter().any(|p| p.id == *ancestor) {
            return false;
        }
        child = ancestor;
    }
    true
}

/// Card text is hostile: control characters (ANSI escapes, carriage returns) are shown escaped,
/// so a card cannot rewrite the user's terminal.
fn clean(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn location(f: &Finding) -> Option<String> {
    match (&f.file, f.line) {
        (Some(file), Some(line)) => Some(format!("{file}:{line}")),
        (Some(file), None) => Some(file.clone()),
        _ => None,
    }
}

pub fn render_human(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint { color };
    let dim = Style::new().dimmed();
    // Findings come sorted by model: one pass, a heading whenever the model changes.
    let mut current: Option<String> = None;
    for f in &report.findings {
        let model = f.model.as_str();
        if current.as_deref() != Some(model) {
            if current.is_some() {
                writeln!(out)?;
            }
            let licence = report
                .model(model)
                .map(|m| match (&m.license.normalized, m.license.class) {
                    (Some(n), Some(c)) => format!("{n} ({c})"),
                    (Some(n), None) => n.clone(),
                    (None, _) => "no usable licence".to_string(),
                })
                .unwrap_or_default();
            writeln!(
                out,
                "{}  {}",
                p.paint(Style::new().bold(), model),
                p.paint(dim, &clean(&licence))
            )?;
            current = Some(model.to_string());
        }
        let at = location(&f)
            .map(|l| format!(" {}", p.paint(dim, &l)))
            .unwrap_or_default();
        writeln!(out, "  {}[{}]{at}", p.severity(f.severity), f.rule)?;
        writeln!(out, "    {}", clean(&f.message))?;
        if is_chain(report, model, &f.ancestors) && !f.ancestors.is_empty() {
            let chain = std::iter::once(model)
                .chain(f.ancestors.iter().map(String::as_str))
                .collect::<Vec<_>>();
            writeln!(out, "    {} {}", p.paint(dim, "chain:"), chain.join(" ← "))?;
        } else if !f.ancestors.is_empty() {
            writeln!(
                out,
                "    {} {}",
                p.paint(dim, "ancestors:"),
                f.ancestors.join(", ")
            )?;
        }
        if let Some(clause) = &f.clause {
            writeln!(
                out,
                "    {} {} {}",
                p.paint(dim, "clause:"),
                clause.section,
                clause.url
            )?;
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "    {} {}", p.paint(dim, "fix:"), clean(fix))?;
        }
    }
    if current.is_some() {
        writeln!(out)?;
    }
    let s = &report.summary;
    let mut line = format!("Audited {}", s.line());
    if s.waived > 0 {
        line.push_str(&format!(" ({} waived)", s.waived));
    }
    writeln!(out, "{}", p.paint(Style::new().bold(), &line))
}
