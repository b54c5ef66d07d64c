//! The visual family report: one self-contained HTML file (no network at view time: inline CSS
//! and script, no CDN). This file gathers the report into one JSON block; the page's own script
//! (`tree.js`, `canvas.js`, `data.js`, `panel.js`) lays the family and its training data out,
//! draws them on a canvas, and wires search, the severity filter, zoom and pan, the errors-first
//! list and the selected model's or dataset's findings.
//!
//! Why the layout is in the page and not a Rust crate: families are wide and shallow (Llama 2:
//! 425 of 458 models are children of the root), and every Rust layout crate we looked at
//! (layout-rs, which this file used; the dagre ports; reingold-tilford; tidy-tree) keeps
//! siblings on one rank, so that family became one row 119,734 px wide. Wrapping sibling sets
//! into rows is what makes a family fit a screen, and the wrap width that fits depends on the
//! viewer's window, which only the page knows; collapsing a subtree or filtering by severity
//! lays the drawing out again, which also happens in the page.
//!
//! Card text reaches the file only inside the JSON block (with every `<` escaped, so nothing can
//! close the script element), and the script puts it on the page as text, never as markup.

mod datasets;

use super::escape::json;
use super::{LicenseView, Report, Role};
use crate::findings::{Finding, Severity};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

const STYLE: &str = include_str!("page.css");
/// The page's script, in four files that share one function scope: the tree and its layout,
/// the canvas drawing, the training data's nodes, the side panel.
const SCRIPTS: [&str; 4] = [
    include_str!("tree.js"),
    include_str!("canvas.js"),
    include_str!("data.js"),
    include_str!("panel.js"),
];

/// The page's data. Short keys, defaults left out and tables keep a 10,000-model family's file
/// small: licences, messages, file names and clauses repeat across models, so each is written
/// once.
#[derive(Serialize)]
struct PageData<'a> {
    summary: &'a super::Summary,
    /// `[licence as Pedigree understood it, its class]`, indexed by models and datasets.
    licences: Vec<(Option<&'a str>, Option<&'static str>)>,
    /// Rule ids, indexed by findings.
    rules: Vec<&'static str>,
    /// Messages, file names, fixes, and the datasets' evidence quotes and reasons.
    texts: Vec<String>,
    /// `[section, url]`, indexed by findings.
    clauses: Vec<(String, String)>,
    models: Vec<PageModel<'a>>,
    /// The training datasets, in the report's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    datasets: Vec<datasets::PageDataset<'a>>,
}

#[derive(Serialize)]
struct PageModel<'a> {
    id: Cow<'a, str>,
    /// Index in `licences`; none when the model has neither licence nor class.
    #[serde(skip_serializing_if = "Option::is_none")]
    l: Option<usize>,
    /// Left out for an audited model.
    #[serde(skip_serializing_if = "is_audited")]
    role: Role,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    up: Vec<Up<'a>>,
    /// The datasets it was trained on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    d: Vec<datasets::TrainedOn>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    f: Vec<PageFinding>,
}

fn is_audited(role: &Role) -> bool {
    *role == Role::Audited
}

/// `[parent, relation]`, or `[parent, relation, 1]` when a finding says the licence was broken
/// along that edge. The parent is its index in `models`, or its id when the run has no entry for
/// it.
#[derive(Serialize)]
#[serde(untagged)]
enum Up<'a> {
    Kept(ParentRef<'a>, &'static str),
    Broken(ParentRef<'a>, &'static str, u8),
}

#[derive(Serialize)]
#[serde(untagged)]
enum ParentRef<'a> {
    Index(usize),
    Id(&'a str),
}

/// `[rule, severity (0 note, 1 warning, 2 error), text, clause, file, line, fix, dataset]`
/// (indexes in `rules`, `texts`, `clauses`, `texts`, -, `texts`, `datasets`), written up to its
/// last value: most findings have no line, fix or dataset.
struct PageFinding {
    rule: usize,
    severity: u8,
    text: usize,
    /// Clause, file, line, fix, dataset.
    rest: [Option<usize>; 5],
}

impl Serialize for PageFinding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let given = self
            .rest
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |at| at + 1);
        let mut row = serializer.serialize_seq(Some(3 + given))?;
        row.serialize_element(&self.rule)?;
        row.serialize_element(&self.severity)?;
        row.serialize_element(&self.text)?;
        for value in &self.rest[..given] {
            row.serialize_element(value)?;
        }
        row.end()
    }
}

/// Indexes of strings written once.
#[derive(Default)]
struct Table<T> {
    items: Vec<T>,
    index: HashMap<T, usize>,
}

impl<T: Clone + Eq + std::hash::Hash> Table<T> {
    fn of(&mut self, item: T) -> usize {
        if let Some(&i) = self.index.get(&item) {
            return i;
        }
        self.items.push(item.clone());
        self.index.insert(item, self.items.len() - 1);
        self.items.len() - 1
    }
}

/// A licence's entry in the page's licence table; none when neither it nor its class is known.
fn licence_index<'a>(
    licences: &mut Table<(Option<&'a str>, Option<&'static str>)>,
    view: &'a LicenseView,
) -> Option<usize> {
    match (view.normalized.as_deref(), view.class) {
        (None, None) => None,
        known => Some(licences.of(known)),
    }
}

/// 0 note, 1 warning, 2 error: the page compares them.
fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Note => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

fn page_data(report: &Report) -> PageData<'_> {
    let marks = super::marks::Marks::of(report);
    let index: HashMap<&str, usize> = report
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut licences = Table::default();
    let mut texts = Table::default();
    let mut data = datasets::PageDatasets::of(&report.datasets, &index, &mut licences, &mut texts);
    let mut models: Vec<PageModel> = report
        .models
        .iter()
        .map(|m| PageModel {
            id: Cow::Borrowed(&m.id),
            l: licence_index(&mut licences, &m.license),
            role: m.role,
            up: m
                .parents
                .iter()
                .map(|p| {
                    let parent = match index.get(p.id.as_str()) {
                        Some(&i) => ParentRef::Index(i),
                        None => ParentRef::Id(&p.id),
                    };
                    if marks.broken(&m.id, &p.id) {
                        Up::Broken(parent, p.relation.as_str(), 1)
                    } else {
                        Up::Kept(parent, p.relation.as_str())
                    }
                })
                .collect(),
            d: m.datasets
                .iter()
                .map(|id| {
                    let j = data.index(id);
                    if marks.broken_dataset(&m.id, id) {
                        datasets::TrainedOn::Broken(j, 1)
                    } else {
                        datasets::TrainedOn::Kept((j,))
                    }
                })
                .collect(),
            f: Vec::new(),
        })
        .collect();
    let mut rules = Table::default();
    let mut clauses = Table::default();
    // A finding about a model the run has no entry for still gets a node, so none is lost.
    let mut extra: Vec<(String, Vec<PageFinding>)> = Vec::new();
    let mut extra_index: HashMap<String, usize> = HashMap::new();
    for f in &report.findings {
        let Finding {
            rule,
            severity,
            model,
            message,
            clause,
            file,
            line,
            fix,
            dataset,
            ..
        } = f.as_ref();
        let row = PageFinding {
            rule: rules.of(rule.id()),
            severity: severity_rank(*severity),
            text: texts.of(message.clone()),
            rest: [
                clause
                    .as_ref()
                    .map(|c| clauses.of((c.section.clone(), c.url.clone()))),
                file.as_ref().map(|name| texts.of(name.clone())),
                *line,
                fix.as_ref().map(|text| texts.of(text.clone())),
                dataset.as_ref().map(|id| data.index(id)),
            ],
        };
        match index.get(model.as_str()) {
            Some(&i) => models[i].f.push(row),
            None => {
                let at = *extra_index.entry(model.clone()).or_insert_with(|| {
                    extra.push((model.clone(), Vec::new()));
                    extra.len() - 1
                });
                extra[at].1.push(row);
            }
        }
    }
    models.extend(extra.into_iter().map(|(id, f)| PageModel {
        id: Cow::Owned(id),
        l: None,
        role: Role::Unresolved,
        up: Vec::new(),
        d: Vec::new(),
        f,
    }));
    PageData {
        summary: &report.summary,
        licences: licences.items,
        rules: rules.items,
        texts: texts.items,
        clauses: clauses.items,
        models,
        datasets: data.entries,
    }
}

pub fn render_html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Escaped so it can sit in a `<script>` element: no `<` in it can open `</script>` or `<!--`.
    let data = json::to_string(&page_data(report)).map_err(io::Error::other)?;
    // Only numbers of ours reach the markup outside the JSON block.
    let s = &report.summary;
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pedigree licence audit</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>
{STYLE}</style></head>
<body>
<main id="pane">
<div id="toolbar">
<button type="button" id="zoom-in" title="Zoom in (+)">+</button><button type="button" id="zoom-out" title="Zoom out (-)">&minus;</button><button type="button" id="fit" title="Show the whole family (0)">Fit</button>
<span id="legend"></span>
</div>
<canvas id="drawing" aria-label="The family tree and its training data, drawn; the lists beside it and the outline here name every model and dataset"><div id="outline"></div></canvas>
<noscript><p class="noscript">The family is drawn by the page's script: allow JavaScript to see it.</p></noscript>
</main>
<aside id="side">
<h1>Pedigree licence audit</h1>
<p id="summary">{models}: {errors}, {warnings}, {notes}.</p>
<div id="controls">
<input type="search" id="search" placeholder="Search model and dataset ids (press /)" autocomplete="off" spellcheck="false" aria-label="Search model and dataset ids">
<div id="filter" role="group" aria-label="Severity filter">
<button type="button" data-min="-1" class="on" aria-pressed="true">All</button><button type="button" data-min="2" aria-pressed="false" title="Models with an error, and their ancestors">Errors</button><button type="button" data-min="1" aria-pressed="false" title="Models with a warning or an error, and their ancestors">Warnings+</button><button type="button" data-min="0" aria-pressed="false" title="Models with any finding, and their ancestors">Any finding</button>
</div>
</div>
<section id="details" hidden></section>
<h2 id="list-title">Models, errors first</h2>
<ol id="list" class="rows"></ol>
<h2 id="data-title" hidden>Training data</h2>
<ol id="data-list" class="rows" hidden></ol>
</aside>
<script type="application/json" id="data">"#,
        models = super::plural(s.models, "model"),
        errors = super::plural(s.errors, "error"),
        warnings = super::plural(s.warnings, "warning"),
        notes = super::plural(s.notes, "note"),
    )?;
    out.write_all(data.as_bytes())?;
    out.write_all(b"</script>\n<script>\n(() => {\n\"use strict\";\n")?;
    for script in SCRIPTS {
        out.write_all(script.as_bytes())?;
    }
    out.write_all(b"})();\n</script>\n</body></html>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Clause, Rule};
    use crate::lineage::Relation;
    use crate::report::{LicenseView, ModelEntry, ParentView, Summary, Tool};

    fn entry(id: &str, licence: Option<&str>, parents: &[&str]) -> ModelEntry {
        ModelEntry {
            id: id.into(),
            role: Role::Audited,
            license: LicenseView {
                declared: None,
                normalized: licence.map(str::to_string),
                class: licence.map(|_| "permissive"),
            },
            parents: parents
                .iter()
                .map(|p| ParentView {
                    id: p.to_string(),
                    relation: Relation::Finetune,
                })
                .collect(),
            depth: parents.len(),
            datasets: Vec::new(),
        }
    }

    fn sample() -> Report {
        let mut drift = Finding::new(Rule::LicenseDrift, "a/child", "k", "drifted".into())
            .ancestors(vec!["a/root".into()])
            .clause(Some(Clause {
                section: "§1".into(),
                url: "https://example.org/licence".into(),
            }));
        drift.fix = Some("declare `mit`".into());
        let mut orphan = Finding::new(Rule::ModelUnreadable, "gone/model", "k", "drifted".into());
        orphan.severity = Severity::Warning;
        let findings = vec![drift, orphan];
        Report {
            tool: Tool::default(),
            models: vec![
                entry("a/child", Some("mit"), &["a/root", "elsewhere/base"]),
                entry("a/root", Some("mit"), &[]),
            ],
            datasets: Vec::new(),
            summary: Summary::count(&findings.clone().into(), 2, 0),
            findings: findings.into(),
            places: Default::default(),
            incomplete: Vec::new(),
        }
    }

    #[test]
    fn the_page_data_names_every_model_edge_and_finding_once() {
        let report = sample();
        let data = serde_json::to_value(page_data(&report)).unwrap();
        let models = data["models"].as_array().unwrap();
        // A finding about a model the run has no entry for still gets a node.
        assert_eq!(models.len(), 3);
        assert_eq!(models[2]["id"], "gone/model");
        assert_eq!(models[2]["role"], "unresolved");
        // Parents by index when the run has them, by id when not; the drift edge is broken.
        assert_eq!(
            models[0]["up"],
            serde_json::json!([[1, "finetune", 1], ["elsewhere/base", "finetune"]])
        );
        // One licence entry for both models; the audited role is left out.
        assert_eq!(data["licences"], serde_json::json!([["mit", "permissive"]]));
        assert_eq!(models[0]["l"], 0);
        assert_eq!(models[1]["l"], 0);
        assert!(models[0].get("role").is_none());
        // Both findings say "drifted": the text is written once.
        assert_eq!(
            data["texts"],
            serde_json::json!(["drifted", "declare `mit`"])
        );
        assert_eq!(
            models[0]["f"][0],
            serde_json::json!([0, 2, 0, 0, null, null, 1])
        );
        assert_eq!(models[2]["f"][0][1], 1);
        assert_eq!(
            data["clauses"],
            serde_json::json!([["§1", "https://example.org/licence"]])
        );
    }

    /// Two models trained on a Llama 3-generated set (one breaking the clause) and one on a
    /// dataset the report does not list.
    fn with_datasets() -> Report {
        use crate::lineage::{EvidenceKind, Generator};
        use crate::report::{DatasetEntry, DatasetRole};
        let mut report = sample();
        report.models[0].datasets = vec!["synth/chat".into(), "gone/set".into()];
        report.models[1].datasets = vec!["synth/chat".into()];
        report
            .models
            .push(entry("meta-llama/Meta-Llama-3-8B", Some("llama3"), &[]));
        report.models[2].role = Role::Generator;
        report.datasets = vec![DatasetEntry {
            id: "synth/chat".into(),
            role: DatasetRole::Training,
            license: LicenseView {
                declared: None,
                normalized: Some("mit".into()),
                class: Some("permissive"),
            },
            synthetic: true,
            generators: vec![
                Generator {
                    model: "meta-llama/Meta-Llama-3-8B".into(),
                    hub: true,
                    evidence: EvidenceKind::Stated,
                    quote: "answers generated with Llama 3".into(),
                },
                Generator {
                    model: "GPT-4".into(),
                    hub: false,
                    evidence: EvidenceKind::Mentioned,
                    quote: "answers generated with Llama 3".into(),
                },
            ],
            used_by: vec!["a/child".into(), "a/root".into()],
            reason: None,
        }];
        let outputs = Finding::new(Rule::OutputsClause, "a/child", "k", "trained on".into())
            .dataset("synth/chat");
        let note = Finding::new(Rule::UnresolvedDataset, "a/child", "n", "unread".into())
            .dataset("elsewhere/set");
        let mut findings: Vec<Finding> = report.findings.iter().map(|f| f.into_owned()).collect();
        findings.extend([outputs, note]);
        report.findings = findings.into();
        report
    }

    #[test]
    fn datasets_are_written_once_and_named_by_their_models_and_findings() {
        let report = with_datasets();
        let data = serde_json::to_value(page_data(&report)).unwrap();
        let datasets = data["datasets"].as_array().unwrap();
        // The listed dataset; the ones only a model or a finding names get unresolved entries.
        let ids: Vec<&str> = datasets.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["synth/chat", "gone/set", "elsewhere/set"]);
        assert_eq!(datasets[1]["role"], "unresolved");
        assert!(datasets[0].get("role").is_none());
        assert_eq!(datasets[0]["s"], true);
        // Its licence shares the models' table; a generator the run read by index, one it did
        // not by name; the quote written once.
        assert_eq!(
            data["licences"][datasets[0]["l"].as_u64().unwrap() as usize][0],
            "mit"
        );
        assert_eq!(datasets[0]["g"][0][0], 2);
        assert_eq!(datasets[0]["g"][1][0], "GPT-4");
        assert_eq!(datasets[0]["g"][0][2], datasets[0]["g"][1][2]);
        let quote = datasets[0]["g"][0][2].as_u64().unwrap() as usize;
        assert_eq!(data["texts"][quote], "answers generated with Llama 3");
        // The outputs-clause error marks the child's edge to the set, not the root's.
        let models = data["models"].as_array().unwrap();
        assert_eq!(models[0]["d"], serde_json::json!([[0, 1], [1]]));
        assert_eq!(models[1]["d"], serde_json::json!([[0]]));
        // Findings name their dataset last; rows stop at their last value.
        let rows = models[0]["f"].as_array().unwrap();
        let named: Vec<_> = rows.iter().filter_map(|r| r.get(7)).collect();
        assert_eq!(named, [&serde_json::json!(0), &serde_json::json!(2)]);
        assert_eq!(
            rows.iter().map(|r| r.as_array().unwrap().len()).max(),
            Some(8)
        );
        assert_eq!(data["models"][3]["f"][0].as_array().unwrap().len(), 3);
    }

    #[test]
    fn the_page_is_one_file_with_the_data_inside() {
        let mut out = Vec::new();
        render_html(&sample(), &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("2 models: 1 error, 1 warning, 0 notes."));
        let data = page
            .split(r#"<script type="application/json" id="data">"#)
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(data).unwrap();
        assert_eq!(parsed["models"][1]["id"], "a/root");
        for asset in SCRIPTS {
            assert!(page.contains(asset));
        }
        assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    }

    #[test]
    fn no_lt_is_left_in_the_json_block() {
        let text = json::to_string(&serde_json::json!({"m": "</script><!-- a<b"})).unwrap();
        assert_eq!(text, r#"{"m":"\u003c/script\u003e\u003c!-- a\u003cb"}"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["m"], "</script><!-- a<b");
    }

    #[test]
    fn repeated_strings_are_written_once() {
        let mut table = Table::default();
        assert_eq!(table.of("a".to_string()), 0);
        assert_eq!(table.of("b".to_string()), 1);
        assert_eq!(table.of("a".to_string()), 0);
        assert_eq!(table.items, ["a", "b"]);
    }
}
