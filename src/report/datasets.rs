//! The training data of a run, as the report shows it: each dataset once, with its licence, the
//! models that generated it and the models trained on it. Renderers draw datasets as nodes of
//! their own beside the models.

use super::LicenseView;
use crate::license::Catalogue;
use crate::lineage::{DatasetState, Generator, Lineage};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a dataset took part in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetRole {
    /// Read: a model of the run was trained on it.
    Training,
    /// Named by a card, but could not be read (or names no Hub dataset).
    Unresolved,
}

#[derive(Clone, Debug, Serialize)]
pub struct DatasetEntry {
    /// The Hub dataset id; for an entry that names no Hub dataset, the entry as written.
    pub id: String,
    pub role: DatasetRole,
    pub license: LicenseView,
    /// Tagged or described as machine-generated, or a generator is named plainly.
    pub synthetic: bool,
    /// The models that generated it, with the card's evidence.
    pub generators: Vec<Generator>,
    /// Models of the run trained on it, by id.
    pub used_by: Vec<String>,
    /// Why it could not be read (unresolved only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every dataset the run's models were trained on, sorted by id.
pub fn dataset_entries(lineage: &Lineage, catalogue: &Catalogue) -> Vec<DatasetEntry> {
    let datasets = lineage.datasets();
    let mut used_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (node, entries) in datasets.uses() {
        for entry in entries {
            let key = entry.id.as_deref().unwrap_or(&entry.entry);
            used_by
                .entry(key)
                .or_default()
                .push(lineage.node(node).id.to_string());
        }
    }
    used_by
        .into_iter()
        .map(|(key, mut users)| {
            users.sort();
            users.dedup();
            let unresolved = |reason: String| DatasetEntry {
                id: key.to_string(),
                role: DatasetRole::Unresolved,
                license: LicenseView::default(),
                synthetic: false,
                generators: Vec::new(),
                used_by: users.clone(),
                reason: Some(reason),
            };
            match datasets.get(key) {
                Some(DatasetState::Resolved(d)) => DatasetEntry {
                    id: key.to_string(),
                    role: DatasetRole::Training,
                    license: LicenseView::of(d.declared.clone(), &d.terms, catalogue),
                    synthetic: d.synthetic,
                    generators: d.generators.clone(),
                    used_by: users,
                    reason: None,
                },
                Some(DatasetState::Unresolved(e)) => unresolved(e.to_string()),
                None => unresolved("not a Hub dataset id".into()),
            }
        })
        .collect()
}
