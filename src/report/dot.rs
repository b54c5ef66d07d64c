//! The lineage as Graphviz DOT: audited models and ancestors, licences on the nodes, edges along
//! which a licence was broken drawn red.

use super::Report;
use super::escape::dot::string as escape;
use std::io::{self, Write};

fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

pub fn render_dot(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "digraph lineage {{")?;
    writeln!(
        out,
        "  rankdir=BT;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"sans-serif\"];"
    )?;
    let marks = super::marks::Marks::of(report);
    for m in &report.models {
        let licence = m.license.normalized.as_deref().unwrap_or("no licence");
        let error = marks.error(&m.id);
        let colour = if error {
            ", fillcolor=\"#ffeef0\", color=\"#d73a49\""
        } else {
            ""
        };
        let (id, label) = (quoted(&m.id), escape(&m.id));
        let licence = escape(licence);
        writeln!(out, "  {id} [label=\"{label}\\n{licence}\"{colour}];")?;
    }
    for m in &report.models {
        for p in &m.parents {
            let broken = marks.broken(&m.id, &p.id);
            let style = if broken {
                ", color=\"#d73a49\", penwidth=2"
            } else {
                ""
            };
            writeln!(
                out,
                "  {} -> {} [label={}{style}];",
                quoted(&m.id),
                quoted(&p.id),
                quoted(p.relation.as_str())
            )?;
        }
    }
    writeln!(out, "}}")
}
