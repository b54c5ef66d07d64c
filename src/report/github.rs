//! GitHub Actions workflow commands: one annotation per finding, pinned to the card line by its
//! path in the workspace.
//!
//! Card text is hostile input. GitHub reads a command from any output line that starts with
//! `::`, so every value is escaped as the runner expects (`%`, CR, LF in data; also `:` and `,`
//! in properties): a card holding `::set-env` or `%0A` cannot start a command of its own.

use super::Report;
use super::escape::workflow::{data as escape_data, property as escape_property};
use crate::findings::Severity;
use std::io::{self, Write};

pub fn render_github(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        // The card's path in the workspace; a file GitHub cannot show (on the Hub) is left
        // out, and the annotation names the model in its title.
        if let Some(file) = f
            .file
            .as_deref()
            .and_then(|file| report.places.workspace_file(&f.model, file))
        {
            properties.push(format!("file={}", escape_property(&file)));
            if let Some(line) = f.line {
                properties.push(format!("line={line}"));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("pedigree {} ({})", f.rule, f.model))
        ));
        let mut message = f.message.clone();
        if let Some(c) = &f.clause {
            message.push_str(&format!("\nClause: {} {}", c.section, c.url));
        }
        if let Some(fix) = &f.fix {
            message.push_str(&format!("\nFix: {fix}"));
        }
        writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    writeln!(out, "pedigree: audited {}", report.summary.line())
}
