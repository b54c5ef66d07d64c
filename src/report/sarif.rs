//! SARIF 2.1.0 for GitHub code scanning: one rule per finding id, results at the card line.

use super::Report;
use crate::findings::{Rule, RuleDocs, Severity};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note => sarif::ResultLevel::Note,
    }
}

pub fn render_sarif(report: &Report, docs: &RuleDocs, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<sarif::ReportingDescriptor> = Rule::ALL
        .iter()
        .map(|rule| {
            let doc = docs.get(*rule);
            let config = sarif::ReportingConfiguration::builder()
                .level(serde_json::to_value(level(doc.severity)).unwrap_or_default())
                .build();
            sarif::ReportingDescriptor::builder()
                .id(doc.id.clone())
                .name(doc.id.clone())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(doc.summary.clone())
                        .build(),
                )
                .full_description(
                    sarif::MultiformatMessageString::builder()
                        .text(doc.explain.trim().to_string())
                        .build(),
                )
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(format!("{}\nSource: {}", doc.explain.trim(), doc.source))
                        .markdown(format!(
                            "{}\n\n**Source:** {}",
                            doc.explain.trim(),
                            doc.source
                        ))
                        .build(),
                )
                .default_configuration(config)
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| {
            // Code scanning needs a location: a finding with no file points at the card.
            let uri = f.file.clone().unwrap_or_else(|| "README.md".into());
            let region = sarif::Region::builder()
                .start_line(f.line.unwrap_or(1) as i64)
                .build();
            let physical = sarif::PhysicalLocation::builder()
                .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                .region(region)
                .build();
            let location = sarif::Location::builder()
                .physical_location(physical)
                .build();
            let mut text = format!("{}: {}", f.model, f.message);
            if let Some(c) = &f.clause {
                text.push_str(&format!(" (clause: {} {})", c.section, c.url));
            }
            if let Some(fix) = &f.fix {
                text.push_str(&format!(" Fix: {fix}"));
            }
            let fingerprints = BTreeMap::from([("pedigree/v1".to_string(), f.fingerprint.clone())]);
            sarif::Result::builder()
                .rule_id(f.rule.id().to_string())
                .level(level(f.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location])
                .partial_fingerprints(fingerprints)
                .build()
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("pedigree".to_string())
        .version(report.tool.version.to_string())
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .version(serde_json::to_value(sarif::Version::V2_1_0).unwrap_or_default())
        .schema(sarif::SCHEMA_URL.to_string())
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
