//! The page's training data: each dataset of the report once, with its licence (in the page's
//! licence table), whether it could be read, and its generators with the card's words. Which
//! models were trained on it is written on the models (`d`), and which findings name it on the
//! findings, so nothing is written twice.

use super::{ParentRef, Table, licence_index};
use crate::report::{DatasetEntry, DatasetRole};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Serialize)]
pub(super) struct PageDataset<'a> {
    id: Cow<'a, str>,
    /// Index in `licences`; none when neither a licence nor a class is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    l: Option<usize>,
    /// Left out for a dataset that was read.
    #[serde(skip_serializing_if = "is_training")]
    role: DatasetRole,
    /// Tagged or described as machine-generated (left out when not).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    s: bool,
    /// `[generator, evidence, quote]`: the generator by its index in `models` when the run read
    /// it, else by its name; the card's words by their index in `texts`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    g: Vec<(ParentRef<'a>, &'static str, usize)>,
    /// Why it could not be read, by index in `texts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<usize>,
}

fn is_training(role: &DatasetRole) -> bool {
    *role == DatasetRole::Training
}

/// A model's training dataset: `[dataset]`, or `[dataset, 1]` when an error finding says an
/// output clause was broken through it (the dataset by its index in `datasets`).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum TrainedOn {
    Kept((usize,)),
    Broken(usize, u8),
}

/// The page's datasets, and where each one is among them.
pub(super) struct PageDatasets<'a> {
    pub entries: Vec<PageDataset<'a>>,
    index: HashMap<String, usize>,
}

impl<'a> PageDatasets<'a> {
    pub fn of(
        datasets: &'a [DatasetEntry],
        models: &HashMap<&str, usize>,
        licences: &mut Table<(Option<&'a str>, Option<&'static str>)>,
        texts: &mut Table<String>,
    ) -> PageDatasets<'a> {
        let entries: Vec<PageDataset> = datasets
            .iter()
            .map(|d| PageDataset {
                id: Cow::Borrowed(&d.id),
                l: licence_index(licences, &d.license),
                role: d.role,
                s: d.synthetic,
                g: d.generators
                    .iter()
                    .map(|g| {
                        let generator = match models.get(g.model.as_str()) {
                            Some(&i) if g.hub => ParentRef::Index(i),
                            _ => ParentRef::Id(&g.model),
                        };
                        (generator, g.evidence.as_str(), texts.of(g.quote.clone()))
                    })
                    .collect(),
                r: d.reason.as_ref().map(|r| texts.of(r.clone())),
            })
            .collect();
        let index = datasets
            .iter()
            .enumerate()
            .map(|(j, d)| (d.id.clone(), j))
            .collect();
        PageDatasets { entries, index }
    }

    /// The index of dataset `id`. One the report does not list (a model or a finding names it
    /// all the same) gets an entry of its own, so nothing that names it is lost.
    pub fn index(&mut self, id: &str) -> usize {
        if let Some(&j) = self.index.get(id) {
            return j;
        }
        self.entries.push(PageDataset {
            id: Cow::Owned(id.to_string()),
            l: None,
            role: DatasetRole::Unresolved,
            s: false,
            g: Vec::new(),
            r: None,
        });
        self.index.insert(id.to_string(), self.entries.len() - 1);
        self.entries.len() - 1
    }
}
