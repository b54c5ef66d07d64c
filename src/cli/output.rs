//! Writing reports and listings to the terminal or files.

use super::args::{Format, ListFormat};
use anyhow::{Context as _, Result, bail};
use pedigree::findings::{Rule, RuleDocs};
use pedigree::license::Catalogue;
use pedigree::report::{
    Report, render_dot, render_github, render_human, render_json, render_markdown, render_sarif,
};
use std::io::Write;
use std::path::Path;

/// `--statistics`: counts per rule instead of the findings.
pub(crate) fn write_statistics(
    report: &Report,
    docs: &RuleDocs,
    format: Format,
    output: Option<&Path>,
) -> Result<()> {
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--output {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match format {
        Format::Json => pedigree::report::render_statistics_json(report, docs, &mut out)?,
        _ => pedigree::report::render_statistics_human(report, docs, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

pub(crate) fn write_report(
    report: &Report,
    docs: &RuleDocs,
    format: Format,
    output: Option<&Path>,
) -> Result<()> {
    let render = |out: &mut dyn Write, color: bool| -> std::io::Result<()> {
        match format {
            Format::Human => render_human(report, out, color),
            Format::Json => render_json(report, out),
            Format::Github => render_github(report, out),
            Format::Sarif => render_sarif(report, docs, out),
            Format::Markdown => render_markdown(report, out),
            Format::Dot => render_dot(report, out),
            Format::Html => pedigree::report::render_html(report, out),
            Format::Mermaid => out.write_all(pedigree::report::mermaid::render(report).as_bytes()),
        }?;
        out.flush()
    };
    if let Some(path) = output {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--output {}", path.display()))?,
        );
        render(&mut file, false).with_context(|| format!("--output {}", path.display()))?;
        return Ok(());
    }
    let stdout = std::io::stdout();
    let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    match render(&mut stdout.lock(), color) {
        // The reader went away (`pedigree ... | head`): nothing left to say to it.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

pub(crate) fn list_rules(
    catalogue: &Catalogue,
    docs: &RuleDocs,
    licenses: bool,
    format: ListFormat,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match (licenses, format) {
        (false, ListFormat::Human) => {
            for doc in docs.iter() {
                writeln!(
                    out,
                    "{:<22} {:<8} {}",
                    doc.id,
                    doc.severity.as_str(),
                    doc.summary
                )?;
            }
        }
        (false, ListFormat::Json) => {
            serde_json::to_writer_pretty(&mut out, &docs.iter().collect::<Vec<_>>())?;
            writeln!(out)?;
        }
        (true, ListFormat::Human) => {
            for (_, e) in catalogue.iter() {
                writeln!(out, "{:<38} {:<14} {}", e.id, e.class.as_str(), e.name)?;
            }
        }
        (true, ListFormat::Json) => {
            let list: Vec<_> = catalogue
                .iter()
                .map(|(_, e)| {
                    let terms: Vec<_> = e
                        .obligations
                        .iter()
                        .map(|o| serde_json::json!({"kind": o.kind.as_str(), "summary": o.summary, "clause": o.clause}))
                        .collect();
                    serde_json::json!({
                        "id": e.id, "spdx": e.spdx, "name": e.name, "class": e.class.as_str(),
                        "url": e.url, "hub": e.hub, "verified": e.source.verified, "terms": terms,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

pub(crate) fn explain(catalogue: &Catalogue, docs: &RuleDocs, id: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if let Some(rule) = Rule::from_id(id) {
        let doc = docs.get(rule);
        writeln!(
            out,
            "{} ({} by default)\n\n{}\n\n{}\nSource: {}",
            doc.id,
            doc.severity,
            doc.summary,
            doc.explain.trim_end(),
            doc.source
        )?;
        return Ok(());
    }
    if let Some(lid) = catalogue.by_name(id) {
        let e = catalogue.get(lid);
        writeln!(
            out,
            "{} — {}\nSPDX: {}\nclass: {}\ntext: {}",
            e.id, e.name, e.spdx, e.class, e.url
        )?;
        let verified = if e.source.verified {
            "terms read from it"
        } else {
            "terms NOT verified against it: never grounds an accusation"
        };
        writeln!(out, "read from: {} ({verified})", e.source.title)?;
        let declare = if e.hub {
            format!("license: {}", e.id)
        } else {
            format!("license: other, license_name: {}", e.id)
        };
        writeln!(out, "declared as: {declare}")?;
        if !e.commercial_use {
            writeln!(out, "commercial use: not allowed")?;
        }
        if let Some(set) = &e.use_restrictions {
            writeln!(out, "use restrictions: {set}")?;
        }
        writeln!(out, "\nWhat it asks of derivatives:")?;
        if e.obligations.is_empty() {
            writeln!(out, "  nothing")?;
        }
        for ob in &e.obligations {
            writeln!(
                out,
                "  - {}: {} [{}, {}]",
                ob.kind.as_str(),
                ob.summary.trim(),
                ob.clause.section,
                ob.clause.url
            )?;
        }
        return Ok(());
    }
    bail!(
        "`{id}` is neither a rule nor a licence id (see `pedigree rules` and `pedigree rules --licenses`)"
    )
}
