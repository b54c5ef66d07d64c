//! The JSON report. A whole-snapshot audit's report holds millions of findings (more bytes than
//! the snapshot): they are written on every core, a chunk per thread, into the report that holds
//! everything else, byte for byte as one pretty serialisation of the whole report would be.

use super::{DatasetEntry, Report, Summary, Tool, Unread, escape};
use serde::Serialize;
use std::io::{self, Write};

/// Findings serialised by one thread at a time.
const CHUNK: usize = 1024;

/// The report as [`Report`] serialises, with its models and findings left empty: the same
/// fields, in the same order (a test holds the two to the same bytes).
#[derive(Serialize)]
struct Shell<'a> {
    tool: &'a Tool,
    models: [(); 0],
    datasets: &'a [DatasetEntry],
    findings: [(); 0],
    summary: &'a Summary,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    incomplete: &'a [Unread],
}

/// Where the shell's lists stand: keys of the top-level object (a raw line break is never
/// inside a JSON string, so this is the only place each can be).
const MODELS: &[u8] = b"\n  \"models\": []";
const FINDINGS: &[u8] = b"\n  \"findings\": []";

fn other(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

/// The JSON report: a stable contract, documented in the README.
pub fn render_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let shell = Shell {
        tool: &report.tool,
        models: [],
        datasets: &report.datasets,
        findings: [],
        summary: &report.summary,
        incomplete: &report.incomplete,
    };
    let mut head = Vec::new();
    escape::json::to_writer_pretty(&mut head, &shell).map_err(other)?;
    let find = |key: &[u8]| {
        head.windows(key.len())
            .position(|w| w == key)
            .map(|at| at + key.len() - 1)
            .ok_or_else(|| io::Error::other("the report's lists are missing"))
    };
    // Each list's `]`: the shell up to it, the list's elements, then the rest.
    let (models, findings) = (find(MODELS)?, find(FINDINGS)?);
    out.write_all(&head[..models])?;
    write_list(report.models.iter(), out)?;
    out.write_all(&head[models..findings])?;
    write_list(report.findings.iter(), out)?;
    out.write_all(&head[findings..])?;
    writeln!(out)
}

/// Writes the elements of a list that is a value of the report's object, serialised on every
/// core a chunk at a time, and the list's line break before its `]` when it has any.
fn write_list<T: Serialize + Send + Sync>(
    items: impl Iterator<Item = T>,
    out: &mut dyn Write,
) -> io::Result<()> {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads().max(1);
    let mut items = items.peekable();
    let mut first = true;
    while items.peek().is_some() {
        let mut chunks: Vec<Vec<T>> = Vec::new();
        while chunks.len() < threads * 4 && items.peek().is_some() {
            chunks.push(items.by_ref().take(CHUNK).collect());
        }
        // Each chunk is consumed by the thread that writes it, so its items (findings read
        // back from their blocks, strings and all) are freed on every core, not one.
        let written: Vec<io::Result<Vec<u8>>> = chunks
            .into_par_iter()
            .map(|chunk| {
                // A report's entries run to hundreds of bytes each.
                let mut bytes = Vec::with_capacity(chunk.len() * 1024);
                let mut one = Vec::new();
                for item in chunk {
                    one.clear();
                    escape::json::to_writer_pretty(&mut one, &item).map_err(other)?;
                    // Two levels in: the list's, and the object's around it.
                    bytes.extend_from_slice(b",\n    ");
                    let mut rest = &one[..];
                    while let Some(end) = memchr::memchr(b'\n', rest) {
                        bytes.extend_from_slice(&rest[..=end]);
                        bytes.extend_from_slice(b"    ");
                        rest = &rest[end + 1..];
                    }
                    bytes.extend_from_slice(rest);
                }
                Ok(bytes)
            })
            .collect();
        for bytes in written {
            let bytes = bytes?;
            // The list's first element has no comma before it.
            let skip = if std::mem::take(&mut first) { 1 } else { 0 };
            out.write_all(&bytes[skip..])?;
        }
    }
    if !first {
        out.write_all(b"\n  ")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Findings, Rule, Severity};

    fn report(count: usize, incomplete: bool) -> Report {
        let all: Vec<Finding> = (0..count)
            .map(|i| {
                let mut f = Finding::new(
                    Rule::MissingLicense,
                    &format!("o/m{i:05}"),
                    "license",
                    format!("<line>\n{i} & \u{202e}"),
                );
                f.severity = [Severity::Note, Severity::Warning, Severity::Error][i % 3];
                f.ancestors = vec![format!("o/p{i}")];
                f
            })
            .collect();
        let findings = Findings::from(all);
        let models = (0..count / 2)
            .map(|i| crate::report::ModelEntry {
                id: format!("o/m{i:05}"),
                role: crate::report::Role::Audited,
                license: Default::default(),
                parents: Vec::new(),
                depth: i % 3,
                datasets: vec![format!("d/<{i}>")],
            })
            .collect();
        Report {
            tool: Tool::default(),
            models,
            datasets: Vec::new(),
            summary: Summary::count(&findings, findings.len(), 0),
            findings,
            places: Default::default(),
            incomplete: if incomplete {
                vec![Unread {
                    what: "a/b".into(),
                    reason: "timed out".into(),
                    rejected: false,
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn the_report_is_written_as_one_serialisation_of_it() {
        for (findings, incomplete) in [(0, false), (1, true), (2, false), (3 * CHUNK + 7, false)] {
            let report = report(findings, incomplete);
            let mut whole = Vec::new();
            escape::json::to_writer_pretty(&mut whole, &report).unwrap();
            whole.push(b'\n');
            let mut written = Vec::new();
            render_json(&report, &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{findings} findings"
            );
        }
    }
}
