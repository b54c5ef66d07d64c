//! Training data in the lineage: the datasets a model's card lists under `datasets:`, each read
//! once per run, with its licence and the models that generated it. The generating models are
//! read as models too (with their ancestors), so that the output clauses of their licences can
//! be judged without the checks fetching anything.

use super::LineageBuilder;
use super::generators::{self, Generator};
use super::walk::BATCH;
use crate::card::{Card, OneOrMany};
use crate::license::{Catalogue, Terms, normalize};
use crate::source::{DatasetRecord, Gated, SourceError, dataset_ref};
use petgraph::graph::NodeIndex;
use std::collections::{BTreeMap, HashMap, HashSet};

/// `datasets:` entries read per model at most (bounds the requests a hostile card can cause).
pub const MAX_DATASETS_PER_MODEL: usize = 64;

/// A dataset Pedigree could read.
#[derive(Debug)]
pub struct Dataset {
    pub id: String,
    /// The `license` field as the dataset card holds it.
    pub declared: Option<OneOrMany>,
    pub terms: Terms,
    /// Models that generated the data, as its card says.
    pub generators: Vec<Generator>,
    /// Tagged `synthetic`, or its text or annotations are `machine-generated`, or a generator
    /// is named plainly.
    pub synthetic: bool,
    pub gated: Gated,
    /// Why its card could not be read in full, if so.
    pub card_problems: Vec<String>,
}

impl Dataset {
    /// Reads a record: the card (or the Hub's `cardData` when there is no README.md), its
    /// licence, and its generators.
    pub fn from_record(record: DatasetRecord, catalogue: &Catalogue) -> Dataset {
        let DatasetRecord {
            info,
            readme,
            card_error,
        } = record;
        let (card, front) = card_of(readme.as_deref(), info.card_data.as_ref());
        let generators = generators::find(&front, &card.body);
        let machine_made = |key: &str| {
            front.get(key).is_some_and(|v| match v {
                serde_json::Value::String(s) => s == "machine-generated",
                serde_json::Value::Array(items) => items
                    .iter()
                    .any(|i| i.as_str() == Some("machine-generated")),
                _ => false,
            })
        };
        let synthetic = info
            .tags
            .iter()
            .chain(&card.meta.tags)
            .any(|t| t.eq_ignore_ascii_case("synthetic"))
            || machine_made("language_creators")
            || machine_made("annotations_creators")
            || generators.iter().any(|g| g.evidence.is_plain());
        let mut card_problems: Vec<String> = card_error.into_iter().collect();
        card_problems.extend(card.problems.iter().map(|p| match p.line {
            Some(line) => format!("README.md:{line}: {}", p.message),
            None => p.message.clone(),
        }));
        Dataset {
            id: info.id,
            terms: normalize(&card.meta, catalogue),
            declared: card.meta.license,
            generators,
            synthetic,
            gated: info.gated,
            card_problems,
        }
    }

    /// The owner in `owner/name` (none for a bare canonical id).
    pub fn owner(&self) -> Option<&str> {
        self.id.split_once('/').map(|(owner, _)| owner)
    }
}

/// The dataset card (or the Hub's `cardData` when there is no README.md), and its front matter
/// as JSON.
fn card_of(
    readme: Option<&str>,
    card_data: Option<&serde_json::Value>,
) -> (Card, serde_json::Value) {
    match (readme, card_data) {
        (Some(text), _) => (Card::parse(text), front_matter(text)),
        (None, Some(data)) => (Card::from_card_data(data), data.clone()),
        (None, None) => (Card::default(), serde_json::Value::Null),
    }
}

/// The models a dataset record's card says generated it (for a crawl, which keeps no dataset).
pub fn generators_of(record: &DatasetRecord) -> Vec<Generator> {
    let (card, front) = card_of(record.readme.as_deref(), record.info.card_data.as_ref());
    generators::find(&front, &card.body)
}

/// A card's front matter as JSON (the shape of the Hub's `cardData`); `Null` when it has none or
/// it cannot be read (the card's parse reports why).
fn front_matter(text: &str) -> serde_json::Value {
    if text.len() > crate::card::MAX_CARD_BYTES {
        return serde_json::Value::Null;
    }
    crate::card::split(text)
        .yaml
        .and_then(|y| serde_yaml::from_str(&y).ok())
        .unwrap_or(serde_json::Value::Null)
}

#[derive(Debug)]
pub enum DatasetState {
    Resolved(Box<Dataset>),
    /// Named by a card, but could not be read.
    Unresolved(SourceError),
}

/// One `datasets:` entry of a model card.
#[derive(Clone, Debug)]
pub struct TrainingEntry {
    /// As the card writes it.
    pub entry: String,
    /// The dataset id it names; `None` when it names no Hub dataset.
    pub id: Option<String>,
}

/// The datasets of a run: each read once, and which models were trained on which.
#[derive(Debug, Default)]
pub struct Datasets {
    by_id: BTreeMap<String, DatasetState>,
    trained_on: HashMap<NodeIndex, Vec<TrainingEntry>>,
}

impl Datasets {
    pub fn get(&self, id: &str) -> Option<&DatasetState> {
        self.by_id.get(id)
    }

    /// The dataset, when it was read.
    pub fn resolved(&self, id: &str) -> Option<&Dataset> {
        match self.by_id.get(id)? {
            DatasetState::Resolved(d) => Some(d),
            DatasetState::Unresolved(_) => None,
        }
    }

    /// The `datasets:` entries of a model, in the card's order (read for models under audit).
    pub fn of(&self, node: NodeIndex) -> &[TrainingEntry] {
        self.trained_on.get(&node).map_or(&[], Vec::as_slice)
    }

    /// Every dataset named in the run, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &DatasetState)> {
        self.by_id.iter().map(|(id, s)| (id.as_str(), s))
    }

    /// Models and their entries.
    pub fn uses(&self) -> impl Iterator<Item = (NodeIndex, &[TrainingEntry])> {
        self.trained_on.iter().map(|(n, e)| (*n, e.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

impl LineageBuilder<'_> {
    /// Reads the datasets the given (already fetched) models were trained on, each once, and
    /// then the models that generated them, with their ancestors.
    pub async fn add_datasets(&mut self, ids: &[String]) {
        let mut wanted: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        // The entries of each model that has some, made on every core (a whole snapshot's ids
        // are millions), then taken in the models' order.
        let lineage = &self.lineage;
        let per_model: Vec<(NodeIndex, Vec<TrainingEntry>)> = {
            use rayon::prelude::*;
            ids.par_iter()
                .filter_map(|id| {
                    let node = lineage.find(id)?;
                    let model = lineage.node(node).model()?;
                    let entries: Vec<TrainingEntry> = model
                        .card
                        .meta
                        .datasets
                        .iter()
                        .take(MAX_DATASETS_PER_MODEL)
                        .map(|entry| TrainingEntry {
                            entry: entry.to_string(),
                            id: dataset_ref(entry),
                        })
                        .collect();
                    (!entries.is_empty()).then_some((node, entries))
                })
                .collect()
        };
        for (node, entries) in per_model {
            for dataset in entries.iter().filter_map(|e| e.id.as_ref()) {
                if !self.lineage.datasets.by_id.contains_key(dataset)
                    && seen.insert(dataset.clone())
                {
                    wanted.push(dataset.clone());
                }
            }
            self.lineage.datasets.trained_on.insert(node, entries);
        }
        if wanted.is_empty() {
            return;
        }
        wanted.sort();
        if let Some(p) = self.progress {
            p.stage("reading datasets", Some(wanted.len() as u64));
        }
        let catalogue = self.catalogue;
        for batch in wanted.chunks(BATCH) {
            let records =
                futures_util::future::join_all(batch.iter().map(|id| self.source.dataset(id)))
                    .await;
            if let Some(p) = self.progress {
                p.advance(records.len() as u64);
            }
            for (id, record) in batch.iter().zip(records) {
                let state = match record {
                    Ok(record) => {
                        let mut dataset = Dataset::from_record(record, catalogue);
                        // Reported under the id the model's card uses.
                        dataset.id = id.clone();
                        DatasetState::Resolved(Box::new(dataset))
                    }
                    Err(e) => DatasetState::Unresolved(e),
                };
                self.lineage.datasets.by_id.insert(id.clone(), state);
            }
        }
        let mut generators: Vec<String> = self
            .lineage
            .datasets
            .by_id
            .values()
            .filter_map(|s| match s {
                DatasetState::Resolved(d) => Some(d),
                DatasetState::Unresolved(_) => None,
            })
            .flat_map(|d| d.generators.iter())
            .filter(|g| g.hub && !self.is_fetched(&g.model))
            .map(|g| g.model.clone())
            .collect();
        generators.sort();
        generators.dedup();
        if generators.is_empty() {
            return;
        }
        // Models again: the progress shows that stage anew.
        self.announced = false;
        self.add_upward(&generators).await;
    }
}
