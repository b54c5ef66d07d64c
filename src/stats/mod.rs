//! `pedigree stats`: what a family's tree looks like. Licence transitions along parent→child
//! edges, the share of edges that change or break the licence, how alike parent and child cards
//! are against siblings, and how card length changes with depth. The trait-drift questions of
//! Laufer et al. (2025), answered for the families at hand.

mod datasets;
mod render;

pub use datasets::DataTransitions;
pub use render::{render_csv, render_human};

use crate::checks::{Judging, STRIKING_SIMILARITY, Verdict, judge};
use crate::license::{Catalogue, Terms};
use crate::lineage::Lineage;
use petgraph::graph::NodeIndex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Cards with fewer shingles than this are left out of similarity figures.
const MIN_SHINGLES: usize = 30;
/// Each card is compared with at most this many of its siblings: linear, not quadratic.
const SIBLING_WINDOW: usize = 5;

/// A distribution of similarities in [0, 1].
#[derive(Clone, Debug, Default, Serialize)]
pub struct Distribution {
    pub pairs: usize,
    pub mean: f64,
    pub median: f64,
    /// The 0th, 10th, ... 100th percentiles.
    pub deciles: Vec<f64>,
    /// The 90th, 95th and 99th percentiles: card similarity is mostly zero, and the tail matters.
    pub upper: Vec<f64>,
    /// Pairs that share at least one passage.
    pub nonzero: usize,
    /// Pairs at or above the striking-similarity threshold.
    pub striking: usize,
}

impl Distribution {
    fn of(mut values: Vec<f64>) -> Distribution {
        if values.is_empty() {
            return Distribution::default();
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
        Distribution {
            pairs: values.len(),
            mean: values.iter().sum::<f64>() / values.len() as f64,
            median: at(0.5),
            deciles: (0..=10).map(|d| at(f64::from(d) / 10.0)).collect(),
            upper: [0.90, 0.95, 0.99].iter().map(|q| at(*q)).collect(),
            nonzero: values.iter().filter(|v| **v > 0.0).count(),
            striking: values.iter().filter(|v| **v >= STRIKING_SIMILARITY).count(),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FamilyStats {
    pub root: String,
    pub root_license: String,
    pub models: usize,
    /// Parent→child edges between two readable models.
    pub edges: usize,
    /// Edges along which the declared licence changes.
    pub license_changed: usize,
    /// Edges along which the child breaks the parent's licence.
    pub license_violating: usize,
    /// Parent licence → child licence → edges.
    pub transitions: BTreeMap<String, BTreeMap<String, usize>>,
    pub parent_child_similarity: Distribution,
    pub sibling_similarity: Distribution,
    /// Generations below the root → (cards, mean words).
    pub card_words_by_depth: BTreeMap<usize, (usize, f64)>,
    /// Dataset licence → model licence, over the datasets the models were trained on.
    pub datasets: DataTransitions,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub striking_similarity_threshold: f64,
    pub families: Vec<FamilyStats>,
    /// All families together.
    pub total: FamilyStats,
    /// How well `undeclared-parent` finds hidden parents: each declared `base_model` hidden in turn.
    pub undeclared_parent_recovery: crate::checks::Recovery,
}

fn licence_label(terms: &Terms, catalogue: &Catalogue) -> String {
    match terms {
        Terms::Expr(e) => e.display(catalogue).to_string(),
        Terms::Missing { .. } => "none".into(),
        Terms::Unknown { .. } => "unknown".into(),
    }
}

/// Per-family figures for the audited models of a lineage.
pub fn compute(lineage: &Lineage, audited: &HashSet<NodeIndex>, catalogue: &Catalogue) -> Stats {
    let readable = |n: NodeIndex| lineage.node(n).model();
    // Each model's family: follow first readable parents to the top.
    let mut family_of: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut depth_of: HashMap<NodeIndex, usize> = HashMap::new();
    for &n in audited {
        let (mut top, mut depth, mut seen) = (n, 0, HashSet::from([n]));
        while let Some((p, _)) = lineage
            .parents(top)
            .into_iter()
            .find(|(p, _)| readable(*p).is_some())
        {
            if !seen.insert(p) {
                break;
            }
            top = p;
            depth += 1;
        }
        family_of.insert(n, top);
        depth_of.insert(n, depth);
    }
    let mut members: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
    for (&n, &root) in &family_of {
        members
            .entry(lineage.node(root).id.to_string())
            .or_default()
            .push(n);
    }
    let mut families = Vec::new();
    let mut all_members = Vec::new();
    for (root_id, mut nodes) in members {
        nodes.sort();
        let root = lineage.find(&root_id).expect("root is in the lineage");
        families.push(family(
            lineage, catalogue, &root_id, root, &nodes, &depth_of,
        ));
        all_members.extend(nodes);
    }
    families.sort_by(|a, b| b.models.cmp(&a.models).then(a.root.cmp(&b.root)));
    let mut total = family(
        lineage,
        catalogue,
        "all",
        NodeIndex::end(),
        &all_members,
        &depth_of,
    );
    total.root_license = String::new();
    let finder = crate::checks::ParentFinder::build(lineage);
    let undeclared_parent_recovery = crate::checks::measure_recovery(lineage, &finder);
    Stats {
        striking_similarity_threshold: STRIKING_SIMILARITY,
        families,
        total,
        undeclared_parent_recovery,
    }
}

fn family(
    lineage: &Lineage,
    catalogue: &Catalogue,
    root_id: &str,
    root: NodeIndex,
    nodes: &[NodeIndex],
    depth_of: &HashMap<NodeIndex, usize>,
) -> FamilyStats {
    let mut stats = FamilyStats {
        root: root_id.to_string(),
        models: nodes.len(),
        ..FamilyStats::default()
    };
    if let Some(m) = lineage.node_checked(root).and_then(|n| n.model()) {
        stats.root_license = licence_label(&m.terms, catalogue);
    }
    let mut parent_child = Vec::new();
    let mut children: BTreeMap<NodeIndex, Vec<NodeIndex>> = BTreeMap::new();
    let mut words_by_depth: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for &n in nodes {
        let Some(child) = lineage.node(n).model() else {
            continue;
        };
        let entry = words_by_depth
            .entry(depth_of.get(&n).copied().unwrap_or(0))
            .or_default();
        entry.0 += 1;
        entry.1 += child.text.words();
        for (p, relation) in lineage.parents(n) {
            let Some(parent) = lineage.node(p).model() else {
                continue;
            };
            stats.edges += 1;
            children.entry(p).or_default().push(n);
            let (from, to) = (
                licence_label(&parent.terms, catalogue),
                licence_label(&child.terms, catalogue),
            );
            if from != to {
                stats.license_changed += 1;
            }
            if let (Some(c), Some(a)) = (child.terms.expr(), parent.terms.expr()) {
                let judging = Judging {
                    catalogue,
                    only_quantized: relation == crate::lineage::Relation::Quantized,
                    // An edge's licences, judged as declared.
                    shipped: &[],
                };
                if matches!(judge(judging, c, a), Verdict::Violated(_)) {
                    stats.license_violating += 1;
                }
            }
            *stats
                .transitions
                .entry(from)
                .or_default()
                .entry(to)
                .or_default() += 1;
            // Statistics keep every card (`keep_bodies`); a card not kept is left out.
            if let (Some(c), Some(p)) = (child.text.shingles(), parent.text.shingles())
                && c.len() >= MIN_SHINGLES
                && p.len() >= MIN_SHINGLES
            {
                parent_child.push(c.jaccard(p));
            }
        }
    }
    let mut siblings = Vec::new();
    for kids in children.values() {
        let cards: Vec<_> = kids
            .iter()
            .filter_map(|&k| lineage.node(k).model()?.text.shingles())
            .filter(|s| s.len() >= MIN_SHINGLES)
            .collect();
        for (i, a) in cards.iter().enumerate() {
            for b in cards.iter().skip(i + 1).take(SIBLING_WINDOW) {
                siblings.push(a.jaccard(b));
            }
        }
    }
    stats.datasets = datasets::transitions(lineage, catalogue, nodes);
    stats.parent_child_similarity = Distribution::of(parent_child);
    stats.sibling_similarity = Distribution::of(siblings);
    stats.card_words_by_depth = words_by_depth
        .into_iter()
        .map(|(d, (n, total))| (d, (n, total as f64 / n.max(1) as f64)))
        .collect();
    stats
}
