//! The report: everything a run concluded, as one serialisable value. Renderers only render it.

mod comment;
mod datasets;
mod digest;
mod discussion;
mod dot;
pub mod escape;
mod github;
mod html;
mod human;
mod json;
mod markdown;
mod marks;
pub mod mermaid;
mod place;
mod sarif;
mod statistics;

pub use comment::{PostLimits, render_post};
pub use datasets::{DatasetEntry, DatasetRole, dataset_entries};
pub use digest::{Digest, render_digest};
pub use discussion::{discussion_of, errors_by_model, render_discussion};
pub use dot::render_dot;
pub use github::render_github;
pub use html::render_html;
pub use human::render_human;
pub use json::render_json;
pub use markdown::render_markdown;
pub use place::{Artifact, Places};
pub use sarif::render_sarif;
pub use statistics::{RuleCount, render_statistics_human, render_statistics_json, rule_counts};

use crate::card::OneOrMany;
use crate::findings::{Findings, Severity};
use crate::lineage::Relation;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub models: Vec<ModelEntry>,
    /// The datasets the audited models were trained on (empty with `--no-datasets`).
    pub datasets: Vec<DatasetEntry>,
    pub findings: Findings,
    pub summary: Summary,
    /// Where the models' files are, for annotations and SARIF (set by whoever knows the file
    /// system; not part of the JSON report, whose files stay relative to each model's repo).
    #[serde(skip)]
    pub places: Places,
    /// What the run could not read for a transport reason (the Hub unreachable, timed out, rate
    /// limited past `--timeout`): the findings may lack what it would have shown. Absent from a
    /// complete run's JSON.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<Unread>,
}

/// Something a run needed and could not read.
#[derive(Clone, Debug, Serialize)]
pub struct Unread {
    /// A model id, `children of <id>`, or `<id>/<file>`.
    pub what: String,
    pub reason: String,
    /// The source rejected the credentials (not part of the report).
    #[serde(skip)]
    pub rejected: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "pedigree",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// How a model took part in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Audited: findings are reported on it.
    Audited,
    /// An ancestor read for context.
    Ancestor,
    /// Named as a parent but could not be read.
    Unresolved,
    /// Read because it generated a dataset a model of the run was trained on.
    Generator,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelEntry {
    pub id: String,
    pub role: Role,
    pub license: LicenseView,
    pub parents: Vec<ParentView>,
    /// Generations above the model in its lineage (0 for a model without known parents).
    pub depth: usize,
    /// The datasets it was trained on (ids in the report's `datasets`), for models under audit.
    pub datasets: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LicenseView {
    /// The `license` field as the card holds it: a string, a list, or null.
    pub declared: Option<OneOrMany>,
    /// The licence as Pedigree understood it, with Hub ids (`apache-2.0 OR mit`); null when
    /// missing or unknown.
    pub normalized: Option<String>,
    /// The licence's class when it is one catalogue licence.
    pub class: Option<&'static str>,
}

impl LicenseView {
    /// The view of a declaration and the terms Pedigree read from it.
    pub fn of(
        declared: Option<OneOrMany>,
        terms: &crate::license::Terms,
        catalogue: &crate::license::Catalogue,
    ) -> LicenseView {
        let expr = terms.expr();
        LicenseView {
            declared,
            normalized: expr.map(|e| e.display(catalogue).to_string()),
            class: expr
                .and_then(|e| e.single())
                .map(|id| catalogue.get(id).class.as_str()),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ParentView {
    pub id: String,
    pub relation: Relation,
}

#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Models audited (ancestors read for context are not counted).
    pub models: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Findings silenced by waivers in force.
    pub waived: usize,
}

impl Summary {
    pub fn count(findings: &Findings, models: usize, waived: usize) -> Summary {
        Summary {
            models,
            errors: findings.count(Severity::Error),
            warnings: findings.count(Severity::Warning),
            notes: findings.count(Severity::Note),
            waived,
        }
    }
}

impl Report {
    /// The entry of a model of the run (entries are sorted by id).
    pub fn model(&self, id: &str) -> Option<&ModelEntry> {
        self.models
            .binary_search_by(|m| m.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.models[i])
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Note]
            .into_iter()
            .find(|&s| self.findings.count(s) > 0)
    }
}

/// "1 model", "2 models".
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl Summary {
    /// "3 models: 1 error, 2 warnings, 0 notes".
    pub fn line(&self) -> String {
        format!(
            "{}: {}, {}, {}",
            plural(self.models, "model"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.notes, "note")
        )
    }
}
