//! The lineage graph: models as nodes, `base_model` links as edges from child to parent.
//!
//! Built by walking upward from the models under audit (and, for a family, downward from its
//! root first: see [`walk`]). Every model is fetched once per run; cycles and depth are bounded,
//! and a parent that cannot be had becomes an unresolved node rather than an error.

mod datasets;
mod files;
mod generators;
mod intern;
mod model;
mod relation;
mod shipped;
mod walk;

pub use datasets::{
    Dataset, DatasetState, Datasets, MAX_DATASETS_PER_MODEL, TrainingEntry, generators_of,
};
pub use files::{FileKind, RepoFile, licence_files, shared_code_files};
pub use generators::{EvidenceKind, GENERATOR_KEYS, Generator};
pub use intern::Interner;
pub use model::{CardFacts, CardText, Declared, Info, Model};
pub use relation::{Relation, infer as infer_relation};
pub use shipped::{Shipped, classify as classify_files};
pub use walk::{DEFAULT_BODY_BUDGET, Family, LineageBuilder, card_shingles};

use crate::source::SourceError;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

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
    /// One allocation shared with the index's key and the model's [`Info::id`]: a whole-Hub
    /// audit holds two million ids.
    pub id: Arc<str>,
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
    index: HashMap<Arc<str>, NodeIndex, foldhash::fast::RandomState>,
    /// Models read only as possible parents of an orphan under audit: ranked by
    /// `undeclared-parent`, neither audited nor ancestors.
    candidates: HashSet<NodeIndex>,
    /// The training data of the models under audit.
    datasets: Datasets,
}

impl Lineage {
    /// The datasets the models under audit were trained on (empty with `--no-datasets`).
    pub fn datasets(&self) -> &Datasets {
        &self.datasets
    }

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

    /// Read only as a possible parent of an orphan (not part of any model's lineage).
    pub fn is_candidate(&self, node: NodeIndex) -> bool {
        self.candidates.contains(&node)
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
                    let id = &*self.graph[parent].id;
                    if !seen.contains(&parent) && !cut.iter().any(|c| c == id) {
                        cut.push(id.to_string());
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

    /// Room for `models` more models and their links, made at once (a whole-snapshot read knows
    /// how many it puts in: no growing by doubling, each time moving what is there).
    fn reserve(&mut self, models: usize) {
        self.graph.reserve_nodes(models);
        self.graph.reserve_edges(models);
        self.index.reserve(models);
    }

    fn insert(&mut self, id: &str, state: NodeState) -> NodeIndex {
        if let Some(&index) = self.index.get(id) {
            self.graph[index].state = state;
            return index;
        }
        // A model read brings its id; a parent named but not read gets its own.
        let id = match &state {
            NodeState::Resolved(model) => Arc::clone(&model.info.id),
            _ => Arc::from(id),
        };
        let index = self.graph.add_node(Node {
            id: Arc::clone(&id),
            state,
        });
        self.index.insert(id, index);
        index
    }
}
