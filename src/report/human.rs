//! The human report: findings grouped by model, each with its chain and clause. Colour only
//! when the caller says the output is a terminal.

use super::Report;
use super::escape::terminal;
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

/// The model's line of descent through first parents, as far as the report knows it.
fn first_parent_chain<'r>(report: &'r Report, model: &'r str) -> Vec<&'r str> {
    let mut chain = vec![model];
    let mut current = model;
    while let Some(parent) = report
        .model(current)
        .and_then(|m| m.parents.first())
        .map(|p| p.id.as_str())
    {
        // A cycle ends the chain where it would repeat.
        if chain.contains(&parent) || chain.len() > 64 {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    chain
}

/// Card text is hostile: control and escape characters are shown, never emitted, so a card
/// cannot rewrite the user's terminal ([`terminal::text`]).
fn clean(text: &str) -> String {
    terminal::text(text).into_owned()
}

fn location(f: &Finding) -> Option<String> {
    match (&f.file, f.line) {
        (Some(file), Some(line)) => Some(format!("{file}:{line}")),
        (Some(file), None) => Some(file.clone()),
        _ => None,
    }
}

/// Models with errors first, then those with warnings, then notes; within a model, findings by
/// severity. Each model's line of descent is printed once, under its name; a finding names its
/// own chain only where it runs through another parent.
pub fn render_human(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint { color };
    let dim = Style::new().dimmed();
    // Findings come sorted by model, worst first: a model's first finding is its worst. The
    // findings are read once per tier rather than held (a family's may not fit in memory).
    let mut worst: std::collections::HashMap<String, Severity> = std::collections::HashMap::new();
    for f in report.findings.iter() {
        if !worst.contains_key(&f.model) {
            worst.insert(f.model.clone(), f.severity);
        }
    }
    let mut any = false;
    for tier in [Severity::Error, Severity::Warning, Severity::Note] {
        let mut current: Option<String> = None;
        for f in report.findings.iter().filter(|f| worst[&f.model] == tier) {
            let model = f.model.as_str();
            let chain = first_parent_chain(report, model);
            if current.as_deref() != Some(model) {
                if any {
                    writeln!(out)?;
                }
                any = true;
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
                    // The id starts the line: escaped as a line (no workflow command).
                    p.paint(Style::new().bold(), &terminal::line(model)),
                    p.paint(dim, &clean(&licence))
                )?;
                if chain.len() > 1 {
                    let shown: Vec<String> = chain.iter().map(|id| clean(id)).collect();
                    writeln!(out, "  {} {}", p.paint(dim, "chain:"), shown.join(" ← "))?;
                }
                current = Some(model.to_string());
            }
            let at = location(&f)
                .map(|l| format!(" {}", p.paint(dim, &clean(&l))))
                .unwrap_or_default();
            writeln!(out, "  {}[{}]{at}", p.severity(f.severity), f.rule)?;
            writeln!(out, "    {}", clean(&f.message))?;
            // The model's chain covers findings about ancestors on it; others say which way.
            let on_chain = f
                .ancestors
                .iter()
                .zip(chain.iter().skip(1))
                .all(|(a, c)| a == c)
                && f.ancestors.len() < chain.len();
            if !f.ancestors.is_empty() && !on_chain {
                let via: Vec<String> = f.ancestors.iter().map(|a| clean(a)).collect();
                if is_chain(report, model, &f.ancestors) {
                    let path = format!("{} ← {}", clean(model), via.join(" ← "));
                    writeln!(out, "    {} {path}", p.paint(dim, "chain:"))?;
                } else {
                    writeln!(out, "    {} {}", p.paint(dim, "ancestors:"), via.join(", "))?;
                }
            }
            if let Some(clause) = &f.clause {
                writeln!(
                    out,
                    "    {} {} {}",
                    p.paint(dim, "clause:"),
                    clean(&clause.section),
                    clean(&clause.url)
                )?;
            }
            if let Some(fix) = &f.fix {
                writeln!(out, "    {} {}", p.paint(dim, "fix:"), clean(fix))?;
            }
        }
    }
    if any {
        writeln!(out)?;
    }
    let s = &report.summary;
    let mut line = format!("Audited {}", s.line());
    if s.waived > 0 {
        line.push_str(&format!(" ({} waived)", s.waived));
    }
    writeln!(out, "{}", p.paint(Style::new().bold(), &line))
}
