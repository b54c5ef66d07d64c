//! Checks: each rule judges one model in its lineage and produces findings. Checks never fetch;
//! everything they need is in the [`Lineage`] already.

mod card;
mod code;
mod copied;
mod datasets;
mod declaration;
mod evidence;
mod files;
mod fix;
mod license;
mod lineage;
mod merge;
mod naming;
mod notices;
mod outputs;
mod policy;
mod traits;
mod undeclared;
mod verdict;

pub use copied::{STRIKING_SIMILARITY, restrictiveness};
pub use policy::LicensePolicy;
pub use undeclared::{
    MIN_SCORE as UNDECLARED_MIN_SCORE, ParentFinder, Recovery, is_orphan, measure_recovery,
};
pub use verdict::{Judging, Misstatement, Reason, Verdict, judge};

use crate::findings::Finding;
use crate::license::Catalogue;
use crate::lineage::{Ancestor, Lineage, Model};
use crate::similarity::Shingles;
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};

/// What every check may look at.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub lineage: &'a Lineage,
    pub catalogue: &'a Catalogue,
    pub policy: &'a LicensePolicy,
    /// The models under audit in this run. A problem with a shared ancestor (unresolved, cyclic)
    /// is reported on the nearest audited model below it, not repeated on every descendant.
    pub audited: &'a HashSet<NodeIndex>,
    pub cycles: &'a [Vec<NodeIndex>],
    /// The lowest SPDX text-detection score that identifies a licence file (0..1).
    pub confidence_threshold: f32,
    /// Ranks known models as parents, for models that declare none; built on first use (most
    /// runs have no orphan, and the index costs memory in proportion to the run).
    pub parent_finder: Option<&'a std::sync::OnceLock<ParentFinder>>,
    /// Generations above a model that its checks look at.
    pub max_depth: usize,
    /// Shingles of cards whose text was not kept in memory, read again for the models being
    /// checked (see [`wanted_texts`]).
    pub shingles: Option<&'a HashMap<NodeIndex, Shingles>>,
}

/// One model as the checks see it.
pub(crate) struct Subject<'a> {
    pub node: NodeIndex,
    pub model: &'a Model,
    /// Ancestors within `--max-depth` generations.
    pub ancestors: Vec<Ancestor>,
    /// Models just above the depth cap, not judged.
    pub beyond_depth: Vec<String>,
    /// The repo's licence files, as recognised.
    pub licence_files: Vec<(&'a str, files::Seen<'a>)>,
}

impl Subject<'_> {
    pub fn id(&self) -> &str {
        &self.model.info.id
    }

    /// Licences whose text the repo ships in a recognised licence file.
    pub fn shipped_licences(&self) -> Vec<crate::license::LicenseId> {
        self.licence_files
            .iter()
            .filter_map(|(_, seen)| match seen {
                files::Seen::Is(id, _) => Some(*id),
                _ => None,
            })
            .collect()
    }

    /// Where a finding about a card key points: README.md and the key's line.
    pub fn at_key(&self, finding: Finding, key: &str) -> Finding {
        let line = self.model.card.line_of(key);
        finding.at(self.model.card_file(), line)
    }
}

impl Context<'_> {
    /// A model's card shingles: from its kept text, or as read again for this batch.
    pub(crate) fn shingles(&self, node: NodeIndex) -> Option<&Shingles> {
        let model = self.lineage.node(node).model()?;
        model
            .text
            .shingles()
            .or_else(|| self.shingles.and_then(|m| m.get(&node)))
    }

    /// Ids along an ancestor's chain, nearest first.
    pub(crate) fn chain_ids(&self, ancestor: &Ancestor) -> Vec<String> {
        ancestor
            .chain
            .iter()
            .map(|&n| self.lineage.node(n).id.to_string())
            .collect()
    }

    /// Ancestors whose licences bind the subject: resolved, and not published by the subject's
    /// own owner (nobody breaches their own licence; Meta's Llama 3 instruct model is not a
    /// licensee of Meta's Llama 3 base model).
    pub(crate) fn binding<'s>(
        &'s self,
        s: &'s Subject<'_>,
    ) -> impl Iterator<Item = (&'s Ancestor, &'s Model)> {
        s.ancestors.iter().filter_map(move |a| {
            let model = self.lineage.node(a.node).model()?;
            let same_owner = s.model.owner().is_some() && model.owner() == s.model.owner();
            (!same_owner).then_some((a, model))
        })
    }

    /// Each licence that binds the subject, once, with the nearest ancestor under it.
    pub(crate) fn binding_licences<'s>(
        &'s self,
        s: &'s Subject<'_>,
    ) -> Vec<(&'s Ancestor, &'s Model, crate::license::LicenseId)> {
        let mut out: Vec<(&Ancestor, &Model, crate::license::LicenseId)> = Vec::new();
        for (ancestor, model) in self.binding(s) {
            let Some(licence) = model.terms.expr().and_then(|e| e.single()) else {
                continue;
            };
            if !out.iter().any(|(_, _, l)| *l == licence) {
                out.push((ancestor, model, licence));
            }
        }
        out
    }

    /// True when no model under audit stands between the subject and this ancestor, so the
    /// subject is the nearest audited model to report the ancestor's problem on.
    pub(crate) fn nearest_audited(&self, ancestor: &Ancestor) -> bool {
        ancestor.chain[..ancestor.chain.len() - 1]
            .iter()
            .all(|n| !self.audited.contains(n))
    }
}

/// The model at `node` with its ancestors, as its checks see it; `None` for a node not read.
pub(crate) fn subject<'a>(ctx: &Context<'a>, node: NodeIndex) -> Option<Subject<'a>> {
    let model = ctx.lineage.node(node).model()?;
    let (ancestors, beyond_depth) = ctx.lineage.ancestors_within(node, ctx.max_depth);
    Some(Subject {
        node,
        model,
        ancestors,
        beyond_depth,
        licence_files: files::recognise(ctx, model),
    })
}

/// The models whose card text the checks of these subjects compare and that is not in memory,
/// each once: the caller reads them again ([`crate::lineage::card_shingles`]) and passes them in
/// [`Context::shingles`].
pub(crate) fn wanted_texts(ctx: &Context<'_>, subjects: &[Subject<'_>]) -> Vec<NodeIndex> {
    let mut out = Vec::new();
    for subject in subjects {
        copied::wanted(ctx, subject, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Runs every check on one model.
pub(crate) fn check(ctx: &Context<'_>, subject: &Subject<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    card::check(ctx, subject, &mut out);
    lineage::check(ctx, subject, &mut out);
    license::check(ctx, subject, &mut out);
    merge::check(ctx, subject, &mut out);
    naming::check(ctx, subject, &mut out);
    files::check(ctx, subject, &mut out);
    notices::check(ctx, subject, &mut out);
    copied::check(ctx, subject, &mut out);
    undeclared::check(ctx, subject, &mut out);
    traits::check(ctx, subject, &mut out);
    code::check(ctx, subject, &mut out);
    declaration::check(ctx, subject, &mut out);
    datasets::check(ctx, subject, &mut out);
    outputs::check(ctx, subject, &mut out);
    let mut out = evidence::weigh(subject, out);
    // The allow/deny policy is the project's own rule, not a distribution duty.
    policy::check(ctx, subject, &mut out);
    out
}
