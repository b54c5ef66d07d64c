//! One audit run: source → lineage → checks → sink → report.

use crate::checks::{self, Context};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::findings::{Finding, Findings, Rule, RuleDocs, Sink, report_order};
use crate::license::Catalogue;
use crate::lineage::{DatasetState, Family, Lineage, LineageBuilder, NodeState, card_shingles};
use crate::progress::Progress;
use crate::report::{
    LicenseView, ModelEntry, ParentView, Report, Role, Summary, Tool, Unread, dataset_entries,
};
use crate::source::Source;
use crate::source::SourceError;
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};

/// The default cap on generations walked above a model.
pub const DEFAULT_MAX_DEPTH: usize = 32;
/// The default cap on the models of one run's families (bounds requests and memory).
pub const DEFAULT_MAX_FAMILY: usize = 200_000;

/// Report entries made per parallel step, before their models are released.
const ENTRY_CHUNK: usize = 16_384;

/// Models checked per batch: bounds the card text read again, and the findings in flight.
const CHECK_BATCH: usize = 4096;

/// What to audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One model, against all of its ancestors.
    Model(String),
    /// Every descendant of the roots, each against all of its ancestors (the roots included).
    Family(Vec<String>),
    /// Every model the source holds.
    All,
}

/// Everything a run needs besides the target.
pub struct Auditor<'a> {
    pub source: &'a dyn Source,
    pub catalogue: &'a Catalogue,
    pub docs: &'a RuleDocs,
    pub config: &'a Config,
    pub max_depth: usize,
    /// Descendants walked at most, over all roots of a `family` run.
    pub max_family: usize,
    /// The date waivers expire against.
    pub today: jiff::civil::Date,
    /// Bytes of card text kept in memory ([`crate::lineage::DEFAULT_BODY_BUDGET`]).
    pub body_budget: usize,
    pub progress: Option<&'a dyn Progress>,
    /// Read the datasets the audited models were trained on, and their generating models
    /// (`--no-datasets` turns it off).
    pub datasets: bool,
}

/// Today's date in UTC.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The models of a run, read: the lineage, and which of its models are under audit.
pub struct Walked {
    pub lineage: Lineage,
    pub audited: HashSet<NodeIndex>,
    /// Models to audit that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// The family was cut at `max_family` descendants.
    pub truncated: bool,
    /// What could not be read for a transport reason (the source unreachable, timed out, rate
    /// limited past the deadline): the findings may lack what it would have shown.
    pub incomplete: Vec<Unread>,
}

impl Auditor<'_> {
    /// Reads everything a target needs: its models, their ancestors, their licence files (and,
    /// for one model that names no parent, its possible parents).
    pub async fn walk(&self, target: &Target) -> Result<Walked> {
        let mut builder = LineageBuilder::new(self.source, self.catalogue, self.max_depth)
            .keep_bodies(self.body_budget)
            .with_progress(self.progress);
        let mut family = Family::default();
        // Whether the models still need their ancestors read (a scan read every model).
        let mut upward = true;
        let ids = match target {
            Target::Model(id) => vec![id.clone()],
            Target::Family(roots) => {
                family = builder.add_family(roots, self.max_family).await;
                for (parent, error) in &family.errors {
                    if !error.is_transport() {
                        tracing::warn!("children of {parent} could not be listed: {error}");
                    }
                }
                std::mem::take(&mut family.ids)
            }
            // In one pass where the source can be read in parts (a snapshot), else model by model.
            Target::All => match builder.add_every_model().await {
                Some(read) => {
                    upward = false;
                    read.map_err(|e| Error::Source(e.to_string()))?
                }
                None => self
                    .source
                    .all_models()
                    .await
                    .map_err(|e| Error::Usage(e.to_string()))?,
            },
        };
        if upward {
            builder.add_upward(&ids).await;
        }
        if self.datasets {
            builder.add_datasets(&ids).await;
        }
        crate::progress::phase_done("ancestors and datasets read");
        builder.add_files(&ids).await;
        crate::progress::phase_done("files read");
        if let Target::Model(id) = target {
            builder.add_candidates(id).await;
        }
        let lineage = builder.finish();
        crate::progress::phase_done("lineage finished");
        let incomplete = unread(&lineage, &family.errors);
        // A rejected token makes every answer doubtful: the run stops, whatever was read.
        if let Some(rejected) = incomplete
            .iter()
            .find(|u| u.rejected)
            .map(|u| u.reason.clone())
        {
            return Err(Error::Source(rejected));
        }
        let named: &[String] = match target {
            Target::Model(id) => std::slice::from_ref(id),
            Target::Family(roots) => roots,
            Target::All => &[],
        };
        // A model the user named that cannot be had is an error, not a finding.
        for id in named {
            let node = lineage.find(id).map(|n| &lineage.node(n).state);
            if let Some(NodeState::Unresolved(error)) = node {
                return Err(Error::Target {
                    model: id.clone(),
                    message: error.to_string(),
                });
            }
        }
        // Looked up on every core (a whole snapshot's ids are millions).
        use rayon::prelude::*;
        let audited: HashSet<_> = ids
            .par_iter()
            .filter_map(|id| lineage.find(id))
            .filter(|&n| lineage.node(n).model().is_some())
            .collect();
        let unreadable = ids
            .par_iter()
            .filter_map(
                |id| match lineage.find(id).map(|n| &lineage.node(n).state) {
                    Some(NodeState::Unresolved(error)) => Some((id.clone(), error.to_string())),
                    _ => None,
                },
            )
            .collect();
        Ok(Walked {
            lineage,
            audited,
            unreadable,
            truncated: family.truncated,
            incomplete,
        })
    }

    pub async fn run(&self, target: &Target) -> Result<Report> {
        let Walked {
            mut lineage,
            audited,
            unreadable,
            truncated,
            incomplete,
        } = self.walk(target).await?;
        crate::progress::phase_done("read");
        let cycles = lineage.cycles();
        let finder = std::sync::OnceLock::new();
        let base = Context {
            lineage: &lineage,
            catalogue: self.catalogue,
            policy: &self.config.policy,
            audited: &audited,
            cycles: &cycles,
            confidence_threshold: self.config.confidence_threshold,
            parent_finder: Some(&finder),
            max_depth: self.max_depth,
            shingles: None,
        };
        let mut sink = Sink::new(self.docs, &self.config.overrides, self.today);
        // A model the run was asked to audit and could not read is said, not dropped.
        for (id, reason) in unreadable {
            let message = format!("the model could not be read, so it was not audited: {reason}");
            sink.push(Finding::new(
                Rule::ModelUnreadable,
                &id,
                "unreadable",
                message,
            ));
        }
        if truncated && let Target::Family(roots) = target {
            let message = format!(
                "the family has more than {} descendants; only the first {} (breadth first) were audited (raise --max-family)",
                self.max_family, self.max_family
            );
            sink.push(Finding::new(
                Rule::FamilyTooLarge,
                &roots[0],
                "max-family",
                message,
            ));
        }
        // Findings outside the batches, placed where they sort when the report is read.
        let placed = sink.take();
        let mut findings = Findings::new();
        // In the order findings are reported in (by the id a finding names, the model's own), so
        // each batch's findings follow the last's.
        let mut by_id: Vec<(&str, NodeIndex)> = audited
            .iter()
            .map(|&n| (lineage.node(n).model().map_or("", |m| &*m.info.id), n))
            .collect();
        by_id.sort_unstable();
        let order: Vec<NodeIndex> = by_id.into_iter().map(|(_, n)| n).collect();
        // The finder of undeclared parents, built here rather than by the first check that needs
        // it: outside the checks' threads, its build runs on every core, and no check waits on it.
        {
            use rayon::prelude::*;
            if order.par_iter().any(|&n| checks::is_orphan(&lineage, n)) {
                finder.get_or_init(|| checks::ParentFinder::for_suggestions(&lineage));
            }
        }
        crate::progress::phase_done("names indexed");
        if let Some(p) = self.progress {
            p.stage("checking", Some(order.len() as u64));
        }
        // Models are checked in batches, in id order. Each model's checks read the lineage and
        // write nothing: a batch runs on all cores (rayon), and the sink takes its findings in a
        // fixed order. Card text not kept in memory is read again per batch, for that batch only.
        for batch in order.chunks(CHECK_BATCH) {
            use rayon::prelude::*;
            // Each model with its ancestors, found once for the batch (unread nodes have nothing
            // to check).
            let subjects: Vec<_> = batch
                .par_iter()
                .filter_map(|&node| checks::subject(&base, node))
                .collect();
            let wanted = checks::wanted_texts(&base, &subjects);
            let read = if wanted.is_empty() {
                HashMap::new()
            } else {
                card_shingles(self.source, &lineage, &wanted).await
            };
            let ctx = Context {
                shingles: Some(&read),
                ..base
            };
            let per_model: Vec<Vec<Finding>> = subjects
                .par_iter()
                .map(|subject| {
                    let found = checks::check(&ctx, subject);
                    if let Some(p) = self.progress {
                        p.advance(1);
                    }
                    found
                })
                .collect();
            for found in per_model {
                sink.extend(found);
            }
            let mut batch = sink.take();
            batch.par_sort_by(report_order);
            findings.append_sorted(batch);
            // Freed on every core: a subject holds its ancestors and licence files.
            subjects.into_par_iter().for_each(drop);
        }
        crate::progress::phase_done("checked");
        let (late, summary) = sink.finish();
        for finding in placed.into_iter().chain(late) {
            findings.insert(finding);
        }
        let datasets = dataset_entries(&lineage, self.catalogue);
        let models = self.model_entries(&mut lineage, &audited);
        let summary = Summary::count(&findings, audited.len(), summary.waived);
        crate::progress::phase_done("report entries made");
        Ok(Report {
            tool: Tool::default(),
            models,
            datasets,
            findings,
            summary,
            places: Default::default(),
            incomplete,
        })
    }

    /// The report's entry of every model read, releasing each model from the lineage once its
    /// entry is made, so the entries and the models are not held at once.
    fn model_entries(
        &self,
        lineage: &mut Lineage,
        audited: &HashSet<petgraph::graph::NodeIndex>,
    ) -> Vec<ModelEntry> {
        let generators: HashSet<String> = lineage
            .datasets()
            .iter()
            .filter_map(|(_, state)| match state {
                DatasetState::Resolved(d) => Some(d),
                DatasetState::Unresolved(_) => None,
            })
            .flat_map(|d| {
                d.generators
                    .iter()
                    .filter(|g| g.hub)
                    .map(|g| g.model.clone())
            })
            .collect();
        let nodes: Vec<NodeIndex> = lineage
            .nodes()
            .filter(|n| {
                !matches!(lineage.node(*n).state, NodeState::BeyondDepth)
                    && !lineage.is_candidate(*n)
            })
            .collect();
        // Made on every core a chunk at a time, each chunk's models released (and dropped, on
        // every core) once its entries are made.
        let entry = |lineage: &Lineage, n: NodeIndex| {
            let node = lineage.node(n);
            let role = match (&node.state, audited.contains(&n)) {
                (NodeState::Resolved(_), true) => Role::Audited,
                // Read only because it generated training data: no model names it a parent.
                (NodeState::Resolved(_), false)
                    if generators.contains(&*node.id) && !lineage.has_children(n) =>
                {
                    Role::Generator
                }
                (NodeState::Resolved(_), false) => Role::Ancestor,
                _ => Role::Unresolved,
            };
            let datasets = lineage
                .datasets()
                .of(n)
                .iter()
                .map(|e| e.id.clone().unwrap_or_else(|| e.entry.clone()))
                .collect();
            let license = match node.model() {
                Some(model) => LicenseView::of(
                    model.card.meta.license.clone(),
                    &model.terms,
                    self.catalogue,
                ),
                None => LicenseView::default(),
            };
            let parents = lineage
                .parents(n)
                .into_iter()
                .map(|(p, relation)| ParentView {
                    id: lineage.node(p).id.to_string(),
                    relation,
                })
                .collect();
            ModelEntry {
                id: node.id.to_string(),
                role,
                license,
                parents,
                depth: lineage.depth(n),
                datasets,
            }
        };
        let mut entries: Vec<ModelEntry> = Vec::with_capacity(nodes.len());
        for chunk in nodes.chunks(ENTRY_CHUNK) {
            use rayon::prelude::*;
            let shared: &Lineage = lineage;
            entries.par_extend(chunk.par_iter().map(|&n| entry(shared, n)));
            let released: Vec<Box<crate::lineage::Model>> =
                chunk.iter().filter_map(|&n| lineage.release(n)).collect();
            released.into_par_iter().for_each(drop);
        }
        entries.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        entries
    }
}

/// What a walk could not read for a transport reason: unreadable models (audited, ancestors),
/// children lists, licence files.
fn unread(lineage: &Lineage, listing_errors: &[(String, SourceError)]) -> Vec<Unread> {
    let entry = |what: String, error: &SourceError| Unread {
        what,
        reason: error.to_string(),
        rejected: matches!(error, SourceError::Rejected(_)),
    };
    let mut out: Vec<Unread> = listing_errors
        .iter()
        .filter(|(_, e)| e.is_transport())
        .map(|(parent, e)| entry(format!("children of {parent}"), e))
        .collect();
    for n in lineage.nodes() {
        let node = lineage.node(n);
        match &node.state {
            NodeState::Unresolved(e) if e.is_transport() => out.push(entry(node.id.to_string(), e)),
            NodeState::Resolved(model) => {
                for file in &model.files {
                    if let Err(e) = &file.text
                        && e.is_transport()
                    {
                        out.push(entry(format!("{}/{}", node.id, file.path), e));
                    }
                }
            }
            _ => {}
        }
    }
    // A dataset the source could not be asked about is as unknown as an unreadable model.
    for (id, state) in lineage.datasets().iter() {
        if let crate::lineage::DatasetState::Unresolved(e) = state
            && e.is_transport()
        {
            out.push(entry(format!("dataset {id}"), e));
        }
    }
    out.sort_by(|a, b| a.what.cmp(&b.what));
    out
}
