//! What the lineage drawings (dot, Mermaid, HTML) mark: models with an error, and the
//! child-to-parent edges along which a finding says a licence was broken. Gathered in one pass
//! over the findings, so drawing stays linear however many findings a run has.

use super::Report;
use crate::findings::{Rule, Severity};
use std::collections::HashSet;

#[derive(Default)]
pub(crate) struct Marks {
    errors: HashSet<String>,
    broken: HashSet<(String, String)>,
}

impl Marks {
    pub fn of(report: &Report) -> Marks {
        let mut marks = Marks::default();
        for f in &report.findings {
            if f.severity == Severity::Error {
                marks.errors.insert(f.model.clone());
            }
            let parents: &[String] = match f.rule {
                Rule::LicenseDrift => f.ancestors.get(..1).unwrap_or_default(),
                Rule::IncompatibleParents => &f.ancestors,
                _ => &[],
            };
            for parent in parents {
                marks.broken.insert((f.model.clone(), parent.clone()));
            }
            // An output clause broken through training data marks the edge to the dataset.
            if f.rule == Rule::OutputsClause
                && f.severity == Severity::Error
                && let Some(dataset) = &f.dataset
            {
                marks
                    .broken
                    .insert((f.model.clone(), dataset_node(dataset)));
            }
        }
        marks
    }

    /// The model has an error finding.
    pub fn error(&self, model: &str) -> bool {
        self.errors.contains(model)
    }

    /// An error finding says a licence was broken through training on `dataset`.
    pub fn broken_dataset(&self, model: &str, dataset: &str) -> bool {
        self.broken
            .contains(&(model.to_string(), dataset_node(dataset)))
    }

    /// A finding says the licence was broken along the edge from `child` to `parent`.
    pub fn broken(&self, child: &str, parent: &str) -> bool {
        self.broken
            .contains(&(child.to_string(), parent.to_string()))
    }
}

/// A dataset's key among the marked edges, apart from model ids.
fn dataset_node(id: &str) -> String {
    format!("dataset:{id}")
}
