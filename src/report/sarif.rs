//! SARIF 2.1.0 for GitHub code scanning: one rule per finding id, results at the card line.
//!
//! Every result names its model as a logical location, and the file it is about as a physical
//! one: a path in the workspace, or the model's page on the Hub (code scanning refuses a file
//! whose results carry no physical location). A region is given only when the line is known.

use super::escape;
use super::{Places, Report};
use crate::findings::{BUILTIN_FINDINGS, Finding, Rule, RuleDocs, Severity};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The project's home page: the tool's `informationUri`, and where rule help links point.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A rule's documentation at this version: its entry in `rules/findings.yml`.
fn help_uri(rule: Rule) -> String {
    let entry = format!("- id: {}", rule.id());
    let line = BUILTIN_FINDINGS
        .lines()
        .position(|l| l == entry)
        .map(|i| format!("#L{}", i + 1))
        .unwrap_or_default();
    format!("{REPOSITORY}/blob/v{VERSION}/rules/findings.yml{line}")
}

fn location(places: &Places, f: &Finding) -> sarif::Location {
    let artifact = places.artifact(&f.model, f.file.as_deref());
    let physical = sarif::PhysicalLocation::builder().artifact_location(
        sarif::ArtifactLocation::builder()
            .uri(artifact.uri())
            .build(),
    );
    let physical = match f.line {
        Some(line) => physical
            .region(sarif::Region::builder().start_line(line as i64).build())
            .build(),
        None => physical.build(),
    };
    let model = sarif::LogicalLocation::builder()
        .name(f.model.rsplit('/').next().unwrap_or(&f.model).to_string())
        .fully_qualified_name(f.model.clone())
        .kind("module".to_string())
        .build();
    sarif::Location::builder()
        .physical_location(physical)
        .logical_locations(vec![model])
        .build()
}

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
                .help_uri(help_uri(*rule))
                .properties(sarif::PropertyBag::builder().tags(doc.tags.clone()).build())
                .default_configuration(config)
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| {
            let location = location(&report.places, &f);
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
                .message(
                    sarif::Message::builder()
                        .text(escape::sarif::text(&text))
                        .build(),
                )
                .locations(vec![location])
                .partial_fingerprints(fingerprints)
                .build()
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("pedigree".to_string())
        .version(report.tool.version.to_string())
        .semantic_version(report.tool.version.to_string())
        .information_uri(REPOSITORY.to_string())
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
    escape::json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
