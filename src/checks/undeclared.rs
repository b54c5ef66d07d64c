//! `undeclared-parent`: a model that names no `base_model`, and the known model it most likely
//! descends from, by name (TF-IDF of character 3-grams and tokens), by the model ids its card
//! mentions, and by how often a candidate is already a parent. A note, with the score: a
//! suggestion, never an accusation.
//!
//! Card similarity was measured as a fourth signal and left out: fine-tunes of one parent share a
//! card template, so similar cards point at siblings, not parents (top-1 recovery fell from 82%
//! to 2% on its own, and no weight above zero helped; README).

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::lineage::{Lineage, Model};
use crate::similarity::{NameIndex, Vocabulary};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// Weights of the signals, chosen on the shared crawl (README: recovery figures; the crawl is
/// also what they are measured on, so the figures are not held-out).
const W_NAME: f64 = 0.2;
const W_MENTION: f64 = 0.6;
const W_PRIOR: f64 = 0.2;
/// Suggestions below this score are not reported: above it, 99.7% of top candidates were the
/// true parent on the crawl.
pub const MIN_SCORE: f64 = 0.5;

/// Ranks the models of a run as possible parents of a model. Holds indices into the lineage it
/// was built from, not copies of ids: it spans every model of the run.
pub struct ParentFinder {
    nodes: Vec<NodeIndex>,
    /// Per lineage node, its candidate number (`u32::MAX`: not a candidate).
    candidate_of: Vec<u32>,
    names: Names,
    /// Children each candidate has in the run: a model that is already a parent is a likelier one.
    children: Vec<u32>,
    /// The most children any candidate has (at least 1): the prior's scale.
    most: f64,
}

/// What the finder knows of names: the full index ranks every model sharing a distinctive gram
/// ([`ParentFinder::rank`]); the vocabulary alone compares given names
/// ([`ParentFinder::suggest`]), at a fraction of the memory.
enum Names {
    Index(NameIndex),
    Vocabulary(Vocabulary),
}

impl Names {
    fn vocabulary(&self) -> &Vocabulary {
        match self {
            Names::Index(index) => index.vocabulary(),
            Names::Vocabulary(v) => v,
        }
    }
}

impl ParentFinder {
    /// A finder that can [`rank`](ParentFinder::rank) every model of the lineage.
    pub fn build(lineage: &Lineage) -> ParentFinder {
        ParentFinder::new(lineage, true)
    }

    /// A finder that can only [`suggest`](ParentFinder::suggest), as the check does.
    pub fn for_suggestions(lineage: &Lineage) -> ParentFinder {
        ParentFinder::new(lineage, false)
    }

    fn new(lineage: &Lineage, ranking: bool) -> ParentFinder {
        let nodes: Vec<NodeIndex> = lineage
            .nodes()
            .filter(|&n| lineage.node(n).model().is_some())
            .collect();
        let mut candidate_of = vec![u32::MAX; lineage.len()];
        for (c, n) in nodes.iter().enumerate() {
            candidate_of[n.index()] = c as u32;
        }
        let model = |n: NodeIndex| lineage.node(n).model();
        let names = nodes.iter().filter_map(|&n| Some(model(n)?.name()));
        let names = if ranking {
            Names::Index(NameIndex::build(names))
        } else {
            Names::Vocabulary(NameIndex::vocabulary_of(names))
        };
        let mut children = vec![0; nodes.len()];
        for &n in &nodes {
            for (p, _) in lineage.parents(n) {
                if let Some(&c) = candidate_of.get(p.index()).filter(|c| **c != u32::MAX) {
                    children[c as usize] += 1;
                }
            }
        }
        // A model read only as a candidate has its children counted by the source, not read.
        for (c, &n) in nodes.iter().enumerate() {
            if let Some(known) = model(n).and_then(|m| m.info.known_children) {
                children[c] = children[c].max(known);
            }
        }
        let most = children.iter().copied().max().unwrap_or(0).max(1) as f64;
        ParentFinder {
            nodes,
            candidate_of,
            names,
            children,
            most,
        }
    }

    /// The candidate's id (as its repo answered, like the findings about it).
    pub fn id<'l>(&self, lineage: &'l Lineage, candidate: usize) -> &'l str {
        let node = lineage.node(self.nodes[candidate]);
        node.model().map_or(&node.id, |m| &m.info.id)
    }

    pub fn node(&self, candidate: usize) -> NodeIndex {
        self.nodes[candidate]
    }

    fn candidate(&self, lineage: &Lineage, id: &str) -> Option<usize> {
        let node = lineage.find(id)?;
        let c = *self.candidate_of.get(node.index())?;
        (c != u32::MAX).then_some(c as usize)
    }

    /// The candidates `model` names as parents: their own edge does not count for them
    /// (leave-one-out, when the model's `base_model` is hidden to measure recovery).
    fn own_parents(&self, lineage: &Lineage, model: &Model) -> Vec<usize> {
        model
            .card
            .meta
            .base_model
            .iter()
            .filter_map(|p| self.candidate(lineage, p))
            .collect()
    }

    /// The prior a candidate adds: how much of a parent it already is.
    fn prior(&self, candidate: usize, own_parents: &[usize]) -> f64 {
        let kids =
            self.children[candidate] as usize - usize::from(own_parents.contains(&candidate));
        W_PRIOR * ((1 + kids) as f64).ln() / (1.0 + self.most).ln()
    }

    /// Scored candidates, best first (ties by id), leaving out the model itself and candidates
    /// created after it (a parent is older than its child).
    fn best_first(
        &self,
        lineage: &Lineage,
        model: &Model,
        scores: impl IntoIterator<Item = (usize, f64)>,
        limit: usize,
    ) -> Vec<(usize, f64)> {
        let own_created = model.info.created_at.as_deref();
        let created = |c: usize| {
            lineage
                .node(self.nodes[c])
                .model()
                .and_then(|m| m.info.created_at.as_deref())
        };
        let mut ranked: Vec<(usize, f64)> = scores
            .into_iter()
            .filter(|(c, _)| self.id(lineage, *c) != &*model.info.id)
            .filter(|(c, _)| match (created(*c), own_created) {
                (Some(parent), Some(child)) => parent <= child,
                _ => true,
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(self.id(lineage, a.0).cmp(self.id(lineage, b.0)))
        });
        ranked.truncate(limit);
        ranked
    }

    /// The most likely parents of `model`, best first, with their scores in [0, 1]. Compares the
    /// model's name with every model sharing a distinctive gram: costly in a large family of
    /// alike names, so only statistics rank (the check [`suggests`](ParentFinder::suggest)).
    /// Panics on a finder built [`for_suggestions`](ParentFinder::for_suggestions).
    pub fn rank(&self, lineage: &Lineage, model: &Model, limit: usize) -> Vec<(usize, f64)> {
        let Names::Index(index) = &self.names else {
            panic!("ParentFinder::rank needs a finder built with ParentFinder::build");
        };
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for (c, s) in index.similar(model.name()) {
            *scores.entry(c).or_default() += W_NAME * s;
        }
        for id in model.text.mentions().iter() {
            if let Some(c) = self.candidate(lineage, id) {
                *scores.entry(c).or_default() += W_MENTION;
            }
        }
        let own_parents = self.own_parents(lineage, model);
        for (c, score) in scores.iter_mut() {
            *score += self.prior(*c, &own_parents);
        }
        self.best_first(lineage, model, scores, limit)
    }

    /// The parent to suggest for `model`: [`rank`](ParentFinder::rank)'s first, when it scores
    /// at least [`MIN_SCORE`]; found among the models the card mentions alone, in time
    /// proportional to them. A model the card does not mention scores at most
    /// `W_NAME + W_PRIOR` (0.4), under `MIN_SCORE` and under any mentioned one (at least
    /// `W_MENTION`), so the first of the mentioned ones is the first of all whenever a
    /// suggestion is made. Each score is summed in the order `rank` sums it, to the last bit.
    pub fn suggest(&self, lineage: &Lineage, model: &Model) -> Option<(usize, f64)> {
        let vocabulary = self.names.vocabulary();
        let query = vocabulary.weights(model.name());
        let mut scores: Vec<(usize, f64)> = Vec::new();
        for id in model.text.mentions().iter() {
            let Some(c) = self.candidate(lineage, id) else {
                continue;
            };
            match scores.iter_mut().find(|(x, _)| *x == c) {
                Some((_, score)) => *score += W_MENTION,
                None => {
                    let name = lineage.node(self.nodes[c]).model().map_or("", Model::name);
                    let by_name = vocabulary
                        .similarity(&query, &vocabulary.weights(name))
                        .map_or(0.0, |s| W_NAME * s);
                    scores.push((c, by_name + W_MENTION));
                }
            }
        }
        let own_parents = self.own_parents(lineage, model);
        for (c, score) in scores.iter_mut() {
            *score += self.prior(*c, &own_parents);
        }
        let best = self
            .best_first(lineage, model, scores, 1)
            .into_iter()
            .next()?;
        (best.1 >= MIN_SCORE).then_some(best)
    }
}

/// Top-1 and top-5 recovery of declared parents when each model's `base_model` is hidden.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Recovery {
    pub models: usize,
    pub top1: usize,
    pub top5: usize,
    /// Top candidates scoring at least [`MIN_SCORE`] (what the note would report) ...
    pub confident: usize,
    /// ... and how many of them are the true parent.
    pub confident_correct: usize,
}

pub fn measure_recovery(lineage: &Lineage, finder: &ParentFinder) -> Recovery {
    let mut r = Recovery::default();
    for n in lineage.nodes() {
        let Some(model) = lineage.node(n).model() else {
            continue;
        };
        let parents: Vec<NodeIndex> = lineage
            .parents(n)
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| lineage.node(*p).model().is_some())
            .collect();
        if parents.is_empty() {
            continue;
        }
        r.models += 1;
        let ranked = finder.rank(lineage, model, 5);
        let hit = |k: usize| {
            ranked
                .iter()
                .take(k)
                .any(|(c, _)| parents.contains(&finder.node(*c)))
        };
        r.top1 += usize::from(hit(1));
        if ranked.first().is_some_and(|(_, score)| *score >= MIN_SCORE) {
            r.confident += 1;
            r.confident_correct += usize::from(hit(1));
        }
        r.top5 += usize::from(hit(5));
    }
    r
}

/// Whether the check looks for `node`'s parent: only for a model that names no parent, and is
/// not itself a parent in this run (a base model with children is a root, not an orphan).
pub fn is_orphan(lineage: &Lineage, node: NodeIndex) -> bool {
    lineage.node(node).model().is_some_and(|model| {
        model.card.meta.base_model.is_empty()
            && !model.card.unreadable
            && !lineage.has_children(node)
    })
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    let Some(finder) = ctx.parent_finder else {
        return;
    };
    if !is_orphan(ctx.lineage, s.node) {
        return;
    }
    let finder = finder.get_or_init(|| ParentFinder::for_suggestions(ctx.lineage));
    let Some((best, score)) = finder.suggest(ctx.lineage, s.model) else {
        return;
    };
    let message = format!(
        "the card declares no `base_model`; by its name, the ids its card mentions and its card text it most likely descends from `{}` (score {score:.2}); if so, declare it, and its licence applies",
        finder.id(ctx.lineage, best)
    );
    out.push(s.at_key(
        Finding::new(
            Rule::UndeclaredParent,
            s.id(),
            finder.id(ctx.lineage, best),
            message,
        ),
        "base_model",
    ));
}
