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
        }
        marks
    }

    /// The model has an error finding.
    pub fn error(&self, model: &str) -> bool {
        self.errors.contains(model)
    }

    /// A finding says the licence was broken along the edge from `child` to `parent`.
    pub fn broken(&self, child: &str, parent: &str) -> bool {
        self.broken
            .contains(&(child.to_string(), parent.to_string()))
    }
}
