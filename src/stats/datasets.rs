//! Dataset → model licence transitions: for each model under audit and each dataset it was
//! trained on, the dataset's licence and the model's. Comparable with the published figures on
//! the dataset → model → application chain (Jewitt et al. 2025 count the transitions that drop
//! restrictive clauses by relicensing under permissive terms: 35.5% of model → application ones).

use super::licence_label;
use crate::license::{Catalogue, Class, Terms};
use crate::lineage::Lineage;
use petgraph::graph::NodeIndex;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize)]
pub struct DataTransitions {
    /// Dataset → model edges whose dataset was read.
    pub edges: usize,
    /// Edges along which the licence changes.
    pub license_changed: usize,
    /// Edges from a data licence with restrictive terms (any class but permissive) to a
    /// permissive model licence: the measure of dropped restrictive clauses.
    pub restrictive_to_permissive: usize,
    /// Edges whose data licence is one catalogue licence with restrictive terms (the base of
    /// the share above).
    pub restrictive: usize,
    /// `datasets:` entries that could not be read (not a Hub id, missing, private).
    pub unresolved: usize,
    /// Dataset licence → model licence → edges.
    pub transitions: BTreeMap<String, BTreeMap<String, usize>>,
}

/// The transitions of the given models.
pub fn transitions(
    lineage: &Lineage,
    catalogue: &Catalogue,
    nodes: &[NodeIndex],
) -> DataTransitions {
    let mut out = DataTransitions::default();
    let class = |terms: &Terms| {
        terms
            .expr()
            .and_then(|e| e.single())
            .map(|id| catalogue.get(id).class)
    };
    for &n in nodes {
        let Some(model) = lineage.node(n).model() else {
            continue;
        };
        for entry in lineage.datasets().of(n) {
            let Some(dataset) = entry
                .id
                .as_deref()
                .and_then(|id| lineage.datasets().resolved(id))
            else {
                out.unresolved += 1;
                continue;
            };
            out.edges += 1;
            let (from, to) = (
                licence_label(&dataset.terms, catalogue),
                licence_label(&model.terms, catalogue),
            );
            if from != to {
                out.license_changed += 1;
            }
            if let Some(data_class) = class(&dataset.terms)
                && !matches!(data_class, Class::Permissive | Class::Unknown)
            {
                out.restrictive += 1;
                if class(&model.terms) == Some(Class::Permissive) {
                    out.restrictive_to_permissive += 1;
                }
            }
            *out.transitions
                .entry(from)
                .or_default()
                .entry(to)
                .or_default() += 1;
        }
    }
    out
}
