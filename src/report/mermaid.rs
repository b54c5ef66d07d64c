//! The lineage as a Mermaid diagram: audited models and their ancestors, licences on the nodes,
//! edges along which a licence was broken drawn red.

use super::escape::mermaid::label;
use super::{Report, Role};
use std::collections::HashMap;
use std::fmt::Write;

/// GitHub renders Mermaid up to a size; past this many models the diagram is cut.
pub const MAX_NODES: usize = 150;

pub fn render(report: &Report) -> String {
    let models: Vec<_> = report.models.iter().take(MAX_NODES).collect();
    let index: HashMap<&str, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let marks = super::marks::Marks::of(report);
    let mut out = String::from("```mermaid\ngraph BT\n");
    for (i, m) in models.iter().enumerate() {
        let licence = m.license.normalized.as_deref().unwrap_or(match m.role {
            Role::Unresolved => "unreadable",
            _ => "no licence",
        });
        let _ = writeln!(out, "  n{i}[\"{}<br/>{}\"]", label(&m.id), label(licence));
        if marks.error(&m.id) {
            let _ = writeln!(out, "  class n{i} error");
        } else if m.role == Role::Unresolved {
            let _ = writeln!(out, "  class n{i} unresolved");
        }
    }
    let mut edge = 0;
    let mut red = Vec::new();
    for (i, m) in models.iter().enumerate() {
        for p in &m.parents {
            let Some(&j) = index.get(p.id.as_str()) else {
                continue;
            };
            let _ = writeln!(out, "  n{i} -->|{}| n{j}", p.relation);
            if marks.broken(&m.id, &p.id) {
                red.push(edge);
            }
            edge += 1;
        }
    }
    for e in red {
        let _ = writeln!(out, "  linkStyle {e} stroke:#d73a49,stroke-width:3px");
    }
    out.push_str("  classDef error fill:#ffeef0,stroke:#d73a49\n  classDef unresolved stroke-dasharray: 5 5\n```\n");
    if report.models.len() > MAX_NODES {
        let _ = writeln!(
            out,
            "\n_The diagram shows the first {MAX_NODES} of {} models._",
            report.models.len()
        );
    }
    out
}
