//! The visual family report: one self-contained HTML file (no network at view time) with the
//! family tree drawn as SVG, laid out by `layout-rs`. Nodes are coloured by licence class,
//! edges along which a licence was broken are red, and a click on a node lists its findings.

use super::{ModelEntry, Report, Role};
use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::collections::HashMap;
use std::io::{self, Write};

/// Models drawn at most: a larger family is drawn in part (the page says so).
pub const MAX_DRAWN: usize = 300;

/// Fill colour per licence class (and for models without a usable licence).
fn fill(class: Option<&str>, role: Role) -> u32 {
    if role == Role::Unresolved {
        return 0xeeeeeeff;
    }
    match class {
        Some("permissive") => 0xdcfce7ff,
        Some("weak-copyleft") => 0xccfbf1ff,
        Some("copyleft") => 0xdbeafeff,
        Some("rail") => 0xffedd5ff,
        Some("community") => 0xede9feff,
        Some("non-commercial") | Some("research-only") => 0xfee2e2ff,
        _ => 0xf3f4f6ff,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The SVG of the lineage.
pub fn render_svg(report: &Report) -> String {
    let mut graph = VisualGraph::new(Orientation::TopToBottom);
    let drawn: Vec<&ModelEntry> = report.models.iter().take(MAX_DRAWN).collect();
    let marks = super::marks::Marks::of(report);
    let mut handles = HashMap::new();
    for m in &drawn {
        let licence = m
            .license
            .normalized
            .clone()
            .unwrap_or_else(|| "no licence".into());
        // Card text never reaches the SVG unescaped: ids are validated, licences are ours or escaped.
        let label = format!("{}\n{}", m.id, licence);
        let width = label.lines().map(str::len).max().unwrap_or(10) as f64 * 7.5 + 24.0;
        let error = marks.error(&m.id);
        let line = if error {
            Color::new(0xd73a49ff)
        } else {
            Color::new(0x6b7280ff)
        };
        let look = StyleAttr::new(
            line,
            if error { 3 } else { 1 },
            Some(Color::new(fill(m.license.class, m.role))),
            6,
            13,
        );
        let element = Element::create(
            ShapeKind::new_box(&escape(&label)),
            look,
            Orientation::LeftToRight,
            Point::new(width, 46.0),
        );
        handles.insert(m.id.as_str(), graph.add_node(element));
    }
    for m in &drawn {
        for p in &m.parents {
            let (Some(&child), Some(&parent)) =
                (handles.get(m.id.as_str()), handles.get(p.id.as_str()))
            else {
                continue;
            };
            let broken = marks.broken(&m.id, &p.id);
            let colour = if broken {
                Color::new(0xd73a49ff)
            } else {
                Color::new(0x9ca3afff)
            };
            let look = StyleAttr::new(colour, if broken { 3 } else { 1 }, None, 0, 11);
            let arrow = Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                LineStyleKind::Normal,
                p.relation.as_str(),
                &look,
                &None,
                &None,
            );
            // Parents above children: the edge runs from parent to child.
            graph.add_edge(arrow, parent, child);
        }
    }
    let mut svg = SVGWriter::new();
    graph.do_it(false, false, false, &mut svg);
    svg.finalize()
}

pub fn render_html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let svg = render_svg(report);
    // Findings per model, as data for the page's script (JSON inside a script element: `<` is
    // escaped so no card text can close the element).
    let mut by_model: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for f in &report.findings {
        by_model
            .entry(f.model.clone())
            .or_default()
            .push(serde_json::json!({
                "rule": f.rule.id(), "severity": f.severity.as_str(), "message": f.message,
                "clause": f.clause.as_ref().map(|c| format!("{} {}", c.section, c.url)),
            }));
    }
    let models: Vec<serde_json::Value> = report
        .models
        .iter()
        .map(|m| serde_json::json!({"id": m.id, "licence": m.license.normalized, "class": m.license.class, "findings": by_model.get(m.id.as_str())}))
        .collect();
    let data = serde_json::to_string(&models)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let s = &report.summary;
    let cut = if report.models.len() > MAX_DRAWN {
        format!(
            "<p class=\"note\">The tree shows the first {MAX_DRAWN} of {} models.</p>",
            report.models.len()
        )
    } else {
        String::new()
    };
    write!(
        out,
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pedigree licence audit</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; display: flex; height: 100vh; color: #111827; }}
#tree {{ flex: 3; overflow: auto; padding: 16px; border-right: 1px solid #e5e7eb; }}
#side {{ flex: 1; min-width: 320px; padding: 16px; overflow: auto; }}
h1 {{ font-size: 18px; margin: 0 0 8px; }} .note {{ color: #6b7280; font-size: 13px; }}
.legend span {{ display: inline-block; padding: 2px 8px; margin: 2px; border-radius: 4px; font-size: 12px; }}
.finding {{ border-left: 4px solid #9ca3af; padding: 4px 8px; margin: 8px 0; font-size: 13px; }}
.finding.error {{ border-color: #d73a49; }} .finding.warning {{ border-color: #d97706; }} .finding.note {{ border-color: #2563eb; }}
svg g, svg rect, svg text {{ cursor: pointer; }}
</style></head>
<body><div id="tree"><h1>Pedigree licence audit</h1>
<p>Audited {models}: {errors}, {warnings}, {notes}. Click a model to see its findings; red edges are where a licence was broken.</p>
<div class="legend"><span style="background:#dcfce7">permissive</span><span style="background:#ccfbf1">weak copyleft</span><span style="background:#dbeafe">copyleft</span><span style="background:#ffedd5">RAIL</span><span style="background:#ede9fe">community</span><span style="background:#fee2e2">non-commercial / research</span><span style="background:#f3f4f6">none or unknown</span></div>
{cut}
{svg}
</div>
<div id="side"><h1 id="title">Select a model</h1><div id="details" class="note">Its licence and findings appear here.</div></div>
<script type="application/json" id="data">{data}</script>
<script>
"use strict";
const models = JSON.parse(document.getElementById("data").textContent);
const byId = new Map(models.map(m => [m.id, m]));
function show(id) {{
  const m = byId.get(id);
  if (!m) return;
  document.getElementById("title").textContent = m.id;
  const details = document.getElementById("details");
  details.replaceChildren();
  const licence = document.createElement("p");
  licence.textContent = "Licence: " + (m.licence || "none or unknown") + (m.class ? " (" + m.class + ")" : "");
  details.appendChild(licence);
  const findings = m.findings || [];
  if (findings.length === 0) {{ const p = document.createElement("p"); p.textContent = "No findings."; details.appendChild(p); }}
  for (const f of findings) {{
    const div = document.createElement("div");
    div.className = "finding " + f.severity;
    const head = document.createElement("b");
    head.textContent = f.severity + " " + f.rule;
    const text = document.createElement("div");
    text.textContent = f.message + (f.clause ? " (" + f.clause + ")" : "");
    div.append(head, text);
    details.appendChild(div);
  }}
}}
// layout-rs draws a node as a group holding its box, then the label, whose first line is the id.
for (const text of document.querySelectorAll("#tree svg text")) {{
  const first = text.querySelector("tspan");
  const id = first ? first.textContent.trim() : "";
  if (!byId.has(id)) continue;
  const box = text.previousElementSibling;
  for (const el of box && box.tagName === "g" ? [text, box] : [text]) el.addEventListener("click", () => {{ show(id); history.replaceState(null, "", "#" + encodeURIComponent(id)); }});
}}
// A link to report.html#owner%2Fname opens with that model selected.
if (location.hash.length > 1) show(decodeURIComponent(location.hash.slice(1)));
</script></body></html>
"##,
        models = super::plural(s.models, "model"),
        errors = super::plural(s.errors, "error"),
        warnings = super::plural(s.warnings, "warning"),
        notes = super::plural(s.notes, "note"),
    )
}
