//! The lineage graph: models as nodes, `base_model` links as edges from child to parent.
//!
//! Built by walking upward from the models under audit (and, for a family, downward from its
//! root first). Every model is fetched once per run; cycles and depth are bounded, and a parent
//! that cannot be had becomes an unresolved node rather than an error.

mod files;
mod model;
mod relation;
mod shipped;

pub use files::{FileKind, RepoFile, licence_files, shared_code_files};
pub use model::{CardFacts, CardText, Declared, Info, Model};
pub use relation::{Relation, infer as infer_relation};
pub use shipped::{Shipped, classify as classify_files};

use crate::license::Catalogue;
use crate::source::{Source, SourceError};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Debug)]
pub enum NodeState {
    Resolved(Box<Model>),
    /// Named as a parent, but could not be read.
    Unresolved(SourceError),
    /// Named as a parent above `--max-depth`; not fetched.
    BeyondDepth,
    /// Was resolved; its model was released once the report had taken what it needed (a run's
    /// report and its models are not held at once).
    Released,
}

#[derive(Debug)]
pub struct Node {
    pub id: String,
    pub state: NodeState,
}

impl Node {
    pub fn model(&self) -> Option<&Model> {
        match &self.state {
            NodeState::Resolved(m) => Some(m),
            _ => None,
        }
    }
}

/// An ancestor as seen from one model: the chain that reaches it, nearest first.
#[derive(Clone, Debug)]
pub struct Ancestor {
    pub node: NodeIndex,
    /// From the model's parent up to and including this ancestor.
    pub chain: Vec<NodeIndex>,
    /// Every edge on the chain is a quantization (a format change, not an adaptation).
    pub only_quantized: bool,
}

#[derive(Debug, Default)]
pub struct Lineage {
    graph: DiGraph<Node, Relation>,
    /// foldhash, seeded per run: a million lookups by id on a whole-Hub audit, and SipHash's
    /// strength against crafted keys is not needed against a random seed.
    index: HashMap<String, NodeIndex, foldhash::fast::RandomState>,
}

impl Lineage {
    pub fn node(&self, index: NodeIndex) -> &Node {
        &self.graph[index]
    }

    /// The node, if the index belongs to this lineage.
    pub fn node_checked(&self, index: NodeIndex) -> Option<&Node> {
        self.graph.node_weight(index)
    }

    pub fn find(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    pub fn nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph.node_indices()
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Takes a resolved model out of the lineage, leaving [`NodeState::Released`]; the graph
    /// (ids, edges) stays.
    pub fn release(&mut self, node: NodeIndex) -> Option<Box<Model>> {
        let state = std::mem::replace(&mut self.graph[node].state, NodeState::Released);
        match state {
            NodeState::Resolved(model) => Some(model),
            other => {
                self.graph[node].state = other;
                None
            }
        }
    }

    /// True when some model in the lineage names this one as a parent.
    pub fn has_children(&self, node: NodeIndex) -> bool {
        self.graph
            .neighbors_directed(node, petgraph::Direction::Incoming)
            .next()
            .is_some()
    }

    /// Direct parents with the relation of each edge, in the card's order.
    pub fn parents(&self, node: NodeIndex) -> Vec<(NodeIndex, Relation)> {
        let mut out: Vec<_> = self
            .graph
            .edges(node)
            .map(|e| (e.target(), *e.weight()))
            .collect();
        // petgraph lists edges newest first; the card's order is insertion order.
        out.reverse();
        out
    }

    /// Every ancestor, breadth first (nearest first), each once, whatever cycles the graph has.
    pub fn ancestors(&self, node: NodeIndex) -> Vec<Ancestor> {
        self.ancestors_within(node, usize::MAX).0
    }

    /// Ancestors at most `generations` above the model, and the ids of the models just above the
    /// cut (an empty list when the lineage ends within the cap).
    pub fn ancestors_within(
        &self,
        node: NodeIndex,
        generations: usize,
    ) -> (Vec<Ancestor>, Vec<String>) {
        let mut cut = Vec::new();
        let mut seen = HashSet::from([node]);
        let mut out = Vec::new();
        let mut queue = VecDeque::new();
        for (parent, relation) in self.parents(node) {
            if seen.insert(parent) {
                queue.push_back(Ancestor {
                    node: parent,
                    chain: vec![parent],
                    only_quantized: relation == Relation::Quantized,
                });
            }
        }
        while let Some(ancestor) = queue.pop_front() {
            for (parent, relation) in self.parents(ancestor.node) {
                if ancestor.chain.len() >= generations {
                    if !seen.contains(&parent) && !cut.contains(&self.graph[parent].id) {
                        cut.push(self.graph[parent].id.clone());
                    }
                    continue;
                }
                if seen.insert(parent) {
                    let mut chain = ancestor.chain.clone();
                    chain.push(parent);
                    queue.push_back(Ancestor {
                        node: parent,
                        chain,
                        only_quantized: ancestor.only_quantized && relation == Relation::Quantized,
                    });
                }
            }
            out.push(ancestor);
        }
        (out, cut)
    }

    /// Every cycle of `base_model` links, as the models in it.
    pub fn cycles(&self) -> Vec<Vec<NodeIndex>> {
        petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .collect()
    }

    /// Generations above the model: the longest of the shortest chains to its ancestors.
    pub fn depth(&self, node: NodeIndex) -> usize {
        self.ancestors(node)
            .iter()
            .map(|a| a.chain.len())
            .max()
            .unwrap_or(0)
    }

    fn insert(&mut self, id: &str, state: NodeState) -> NodeIndex {
        if let Some(&index) = self.index.get(id) {
            self.graph[index].state = state;
            return index;
        }
        let index = self.graph.add_node(Node {
            id: id.to_string(),
            state,
        });
        self.index.insert(id.to_string(), index);
        index
    }
}

/// Models read at once: bounds the raw records in memory while keeping enough requests in
/// flight for any concurrency a source allows.
const BATCH: usize = 4096;

/// Card text kept in memory by default, in bytes. Small runs keep every card; a large one keeps
/// none past this, and the similarity check reads again the few it needs (see [`card_shingles`]).
pub const DEFAULT_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// Builds a [`Lineage`] from a source.
pub struct LineageBuilder<'a> {
    progress: Option<&'a dyn crate::progress::Progress>,
    source: &'a dyn Source,
    catalogue: &'a Catalogue,
    max_depth: usize,
    /// Bytes of card text that may still be kept.
    body_budget: usize,
    lineage: Lineage,
}

impl<'a> LineageBuilder<'a> {
    pub fn new(source: &'a dyn Source, catalogue: &'a Catalogue, max_depth: usize) -> Self {
        LineageBuilder {
            progress: None,
            source,
            catalogue,
            max_depth,
            body_budget: DEFAULT_BODY_BUDGET,
            lineage: Lineage::default(),
        }
    }

    /// Keeps card text up to `bytes` in all (`usize::MAX`: every card, as statistics need).
    pub fn keep_bodies(mut self, bytes: usize) -> Self {
        self.body_budget = bytes;
        self
    }

    /// Reports models read to `progress`.
    pub fn with_progress(mut self, progress: Option<&'a dyn crate::progress::Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Every descendant of the roots (not the roots themselves), breadth first, each once. A
    /// child list that cannot be had is returned as an error beside what was found.
    /// At most `max` descendants are returned.
    pub async fn descendants(
        &self,
        roots: &[String],
        max: usize,
    ) -> (Vec<String>, Vec<(String, SourceError)>) {
        let mut seen: HashSet<String> = roots.iter().cloned().collect();
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let mut frontier = roots.to_vec();
        let mut depth = 0;
        while !frontier.is_empty() && depth < self.max_depth {
            let lists =
                futures_util::future::join_all(frontier.iter().map(|id| self.source.children(id)))
                    .await;
            let mut next = Vec::new();
            for (parent, list) in frontier.iter().zip(lists) {
                match list {
                    Ok(children) => {
                        for child in children {
                            if out.len() >= max {
                                return (out, errors);
                            }
                            if seen.insert(child.clone()) {
                                out.push(child.clone());
                                next.push(child);
                            }
                        }
                    }
                    Err(e) => errors.push((parent.clone(), e)),
                }
            }
            frontier = next;
            depth += 1;
        }
        (out, errors)
    }

    /// Fetches `ids` and all of their ancestors up to `max_depth` generations above each.
    pub async fn add_upward(&mut self, ids: &[String]) {
        let mut frontier: Vec<String> = ids
            .iter()
            .filter(|id| !self.is_fetched(id))
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        frontier.sort();
        let mut depth = 0;
        if let Some(p) = self.progress {
            p.stage("reading models", None);
        }
        while !frontier.is_empty() {
            let mut next = Vec::new();
            // A level is read in batches: at most BATCH raw records are in memory at once, however
            // wide the level (a whole-snapshot audit has a million models in its first level).
            for batch in frontier.chunks(BATCH) {
                let records =
                    futures_util::future::join_all(batch.iter().map(|id| self.source.model(id)))
                        .await;
                if let Some(p) = self.progress {
                    p.advance(records.len() as u64);
                }
                // Parsing cards is the costly part of reading; it runs on all cores (rayon).
                let catalogue = self.catalogue;
                let models: Vec<Result<(Model, String), SourceError>> = {
                    use rayon::prelude::*;
                    records
                        .into_par_iter()
                        .map(|r| r.map(|record| Model::from_record(record, catalogue)))
                        .collect()
                };
                for (id, model) in batch.iter().zip(models) {
                    let model = match model {
                        Ok((mut model, body)) => {
                            if body.len() <= self.body_budget {
                                self.body_budget -= body.len();
                                model.keep_body(body);
                            }
                            model
                        }
                        Err(e) => {
                            self.lineage.insert(id, NodeState::Unresolved(e));
                            continue;
                        }
                    };
                    let parents = model.card.meta.base_model.clone();
                    let relation = model.relation;
                    let child = self
                        .lineage
                        .insert(id, NodeState::Resolved(Box::new(model)));
                    for parent in parents {
                        let parent_index = match self.lineage.find(&parent) {
                            Some(index) => index,
                            // A placeholder until a later level fetches it, or for good beyond the cap.
                            None => self.lineage.insert(&parent, NodeState::BeyondDepth),
                        };
                        if depth < self.max_depth && !self.is_fetched(&parent) {
                            next.push(parent);
                        }
                        if !self.lineage.graph.contains_edge(child, parent_index) {
                            self.lineage.graph.add_edge(child, parent_index, relation);
                        }
                    }
                }
            }
            // A parent may have been fetched later in this same level.
            next.retain(|id| !self.is_fetched(id));
            next.sort();
            next.dedup();
            frontier = next;
            depth += 1;
        }
    }

    /// Reads the licence files of the given (already fetched) models, all at once.
    pub async fn add_files(&mut self, ids: &[String]) {
        let mut wanted: Vec<(NodeIndex, String, String)> = Vec::new();
        for node in ids.iter().filter_map(|id| self.lineage.find(id)) {
            let Some(model) = self.lineage.node(node).model() else {
                continue;
            };
            for path in licence_files(&model.info) {
                wanted.push((node, model.info.id.clone(), path));
            }
            // Custom code shared by name with an ancestor: both sides, to compare their headers.
            for ancestor in self.lineage.ancestors(node) {
                let Some(theirs) = self.lineage.node(ancestor.node).model() else {
                    continue;
                };
                for path in shared_code_files(&model.info, &theirs.info) {
                    for (n, id) in [(node, &model.info.id), (ancestor.node, &theirs.info.id)] {
                        if !wanted.iter().any(|(w, _, p)| *w == n && *p == path) {
                            wanted.push((n, id.clone(), path.clone()));
                        }
                    }
                }
            }
        }
        let source = self.source;
        let texts = futures_util::future::join_all(wanted.iter().map(|(_, id, path)| async move {
            let bytes = source.file(id, path).await?;
            Ok::<String, SourceError>(String::from_utf8_lossy(&bytes).into_owned())
        }))
        .await;
        for ((node, _, path), text) in wanted.into_iter().zip(texts) {
            if let NodeState::Resolved(model) = &mut self.lineage.graph[node].state {
                model.files.push(RepoFile { path, text });
            }
        }
    }

    fn is_fetched(&self, id: &str) -> bool {
        self.lineage
            .find(id)
            .is_some_and(|i| !matches!(self.lineage.node(i).state, NodeState::BeyondDepth))
    }

    pub fn finish(self) -> Lineage {
        self.lineage
    }
}

/// The card shingles of models whose text was not kept, read again from the source in one go. A
/// card that cannot be read again is left out, with a warning: its comparison is skipped, never
/// guessed.
pub async fn card_shingles(
    source: &dyn Source,
    lineage: &Lineage,
    nodes: &[NodeIndex],
) -> HashMap<NodeIndex, crate::similarity::Shingles> {
    let records =
        futures_util::future::join_all(nodes.iter().map(|&n| source.model(&lineage.node(n).id)))
            .await;
    let mut out = HashMap::with_capacity(nodes.len());
    for (&node, record) in nodes.iter().zip(records) {
        match record {
            Ok(record) => {
                let body = record.readme.as_deref().map_or("", crate::card::body_of);
                out.insert(node, crate::similarity::Shingles::of(body));
            }
            Err(e) => tracing::warn!(
                "the card of {} could not be read again to compare it: {e}",
                lineage.node(node).id
            ),
        }
    }
    out
}
