//! Building a [`Lineage`] from a source: a family downward by its children listings, every model
//! upward to its ancestors, the licence files of the audited models, and, for an orphan audited
//! alone, its possible parents. Everything the checks read is fetched here (checks never fetch).

use super::{Interner, Lineage, Model, NodeState, RepoFile, licence_files, shared_code_files};
use crate::license::Catalogue;
use crate::progress::Progress;
use crate::source::{Listed, ModelRecord, Scanned, Source, SourceError};
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Models read at once: bounds the raw records in memory while keeping enough requests in
/// flight for any concurrency a source allows.
pub(super) const BATCH: usize = 4096;

/// Card text kept in memory by default, in bytes. Small runs keep every card; a large one keeps
/// none past this, and the similarity check reads again the few it needs (see [`card_shingles`]).
pub const DEFAULT_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// What a family walk read.
#[derive(Debug, Default)]
pub struct Family {
    /// The roots and every descendant read, breadth first.
    pub ids: Vec<String>,
    /// Children lists that could not be had, per parent.
    pub errors: Vec<(String, SourceError)>,
    /// The walk stopped at the cap on descendants.
    pub truncated: bool,
}

/// Builds a [`Lineage`] from a source.
pub struct LineageBuilder<'a> {
    pub(super) progress: Option<&'a dyn Progress>,
    pub(super) source: &'a dyn Source,
    pub(super) catalogue: &'a Catalogue,
    max_depth: usize,
    /// Bytes of card text that may still be kept.
    body_budget: usize,
    pub(super) lineage: Lineage,
    /// The reading stage has been announced to `progress`.
    pub(super) announced: bool,
    /// Licence files read with their models in a scan, taken by [`LineageBuilder::add_files`].
    prefetched: HashMap<(NodeIndex, String), Result<String, SourceError>>,
}

/// A model as a scan read it, on the thread that read it: ready to be put in the lineage.
struct ScannedModel {
    at: u64,
    id: Arc<str>,
    /// Boxed, as the lineage holds it: sorting the models read moves pointers, not models.
    model: Result<(Box<Model>, Option<String>), SourceError>,
    files: Vec<RepoFile>,
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
            announced: false,
            prefetched: HashMap::new(),
        }
    }

    /// Keeps card text up to `bytes` in all (`usize::MAX`: every card, as statistics need).
    pub fn keep_bodies(mut self, bytes: usize) -> Self {
        self.body_budget = bytes;
        self
    }

    /// Reports models read to `progress`.
    pub fn with_progress(mut self, progress: Option<&'a dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    fn announce(&mut self) {
        if !self.announced
            && let Some(p) = self.progress
        {
            p.stage("reading models", None);
            self.announced = true;
        }
    }

    /// Reads the roots and every descendant (at most `max` of them), breadth first, each once:
    /// each level's children come from one listing per parent, with their info where the source
    /// lists it; a model the source says has no children is not listed.
    pub async fn add_family(&mut self, roots: &[String], max: usize) -> Family {
        self.announce();
        let mut seen: HashSet<String> = HashSet::new();
        let roots: Vec<String> = roots
            .iter()
            .filter(|r| seen.insert(r.to_string()))
            .cloned()
            .collect();
        let unread: Vec<Listed> = roots
            .iter()
            .filter(|r| !self.is_fetched(r))
            .map(|r| Listed::id(r.clone()))
            .collect();
        let childless = self.read(unread).await;
        let mut family = Family {
            ids: roots.clone(),
            ..Family::default()
        };
        let mut frontier: Vec<String> = roots
            .into_iter()
            .filter(|r| !childless.contains(r))
            .collect();
        // Each level's children are listed while the level before is read: the listing says
        // which children have children of their own, so the two need not wait for each other.
        let mut pending: Vec<Listed> = Vec::new();
        let mut found = 0;
        let mut depth = 0;
        loop {
            let listing = !frontier.is_empty() && depth < self.max_depth && !family.truncated;
            if !listing && pending.is_empty() {
                return family;
            }
            let parents = std::mem::take(&mut frontier);
            let source = self.source;
            let list = async move {
                let lists = if listing {
                    futures_util::future::join_all(
                        parents.iter().map(|id| source.listed_children(id)),
                    )
                    .await
                } else {
                    Vec::new()
                };
                parents.into_iter().zip(lists).collect::<Vec<_>>()
            };
            let (lists, _) =
                futures_util::future::join(list, self.read(std::mem::take(&mut pending))).await;
            if !listing {
                continue;
            }
            depth += 1;
            let mut level = Vec::new();
            'lists: for (parent, list) in lists {
                match list {
                    Ok(children) => {
                        for child in children {
                            if found >= max {
                                family.truncated = true;
                                break 'lists;
                            }
                            if seen.insert(child.id.clone()) {
                                found += 1;
                                level.push(child);
                            }
                        }
                    }
                    Err(e) => family.errors.push((parent, e)),
                }
            }
            if found >= max {
                family.truncated = true;
            }
            family.ids.extend(level.iter().map(|l| l.id.clone()));
            frontier = level
                .iter()
                .filter(|l| !l.childless())
                .map(|l| l.id.clone())
                .collect();
            pending = level;
        }
    }

    /// Reads every model of the source in one pass, when the source can be read in parts
    /// ([`Source::parts`]): the parts are read on every core, and each model is parsed where it
    /// was read, with the licence files its line holds. Models go into the lineage in id order,
    /// as [`LineageBuilder::add_upward`] would put them; their parents that the source lacks are
    /// then read (found missing). Returns the ids read, sorted; `None` when the source reads
    /// models one by one.
    pub async fn add_every_model(&mut self) -> Option<Result<Vec<String>, SourceError>> {
        use rayon::prelude::*;
        let parts = match self.source.parts()? {
            Ok(parts) => parts,
            Err(e) => return Some(Err(e)),
        };
        self.announce();
        let budget = std::sync::atomic::AtomicUsize::new(self.body_budget);
        let read: Result<Vec<Vec<ScannedModel>>, SourceError> = parts
            .into_par_iter()
            .map(|part| {
                let mut out = Vec::new();
                let mut names = Interner::default();
                self.source.scan(part, &mut |scanned| {
                    out.push(self.take(scanned, &budget, &mut names))
                })?;
                if let Some(p) = self.progress {
                    p.advance(out.len() as u64);
                }
                Ok(out)
            })
            .collect();
        let mut read: Vec<ScannedModel> = match read {
            Ok(parts) => {
                // Sized once: a million models grown by doubling are copied twice over.
                let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
                all.extend(parts.into_iter().flatten());
                all
            }
            Err(e) => return Some(Err(e)),
        };
        self.body_budget = budget.into_inner();
        crate::progress::phase_done("scanned");
        // Of one id read twice, the later stands.
        read.par_sort_unstable_by(|a, b| a.id.cmp(&b.id).then(b.at.cmp(&a.at)));
        read.dedup_by(|later, kept| later.id == kept.id);
        let ids: Vec<String> = read.iter().map(|m| m.id.to_string()).collect();
        crate::progress::phase_done("sorted");
        self.lineage.reserve(read.len());
        for scanned in read {
            let node = self.insert_read(&scanned.id, scanned.model);
            for file in scanned.files {
                self.prefetched.insert((node, file.path), file.text);
            }
        }
        crate::progress::phase_done("inserted");
        // The parents the source lacks, as a walk upward reads them: one generation above.
        if self.max_depth > 0 {
            let mut missing: Vec<String> = self
                .lineage
                .nodes()
                .filter(|&n| matches!(self.lineage.node(n).state, NodeState::BeyondDepth))
                .map(|n| self.lineage.node(n).id.to_string())
                .collect();
            missing.sort();
            self.upward_from(missing, 1).await;
        }
        Some(Ok(ids))
    }

    /// Makes a model of what a scan read (on the scanning thread), keeping its body while the
    /// budget lasts, with the licence files its line holds.
    fn take(
        &self,
        scanned: Scanned<'_>,
        budget: &std::sync::atomic::AtomicUsize,
        names: &mut Interner,
    ) -> ScannedModel {
        use std::sync::atomic::Ordering;
        // The source's copy of the id is the model's too (and so the node's).
        names.hold(scanned.id);
        let model = scanned.record.map(|record| {
            let (model, body) = Model::from_ref(record, self.catalogue, names);
            let model = Box::new(model);
            let kept = budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(body.len())
                })
                .is_ok();
            (model, kept.then_some(body))
        });
        let files = match &model {
            Ok((model, _)) => licence_files(&model.info)
                .into_iter()
                .map(|path| RepoFile {
                    text: scanned
                        .files
                        .file(&path)
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
                    path,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        ScannedModel {
            at: scanned.at,
            id: Arc::clone(scanned.id),
            model,
            files,
        }
    }

    /// Reads `ids` (those not read yet) and all of their ancestors up to `max_depth` generations
    /// above each.
    pub async fn add_upward(&mut self, ids: &[String]) {
        self.announce();
        let mut frontier: Vec<String> = ids
            .iter()
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        frontier.sort();
        self.upward_from(frontier, 0).await;
    }

    /// Reads `frontier` (`depth` generations above the models asked for) and the ancestors
    /// above it, up to `max_depth`.
    async fn upward_from(&mut self, mut frontier: Vec<String>, mut depth: usize) {
        while !frontier.is_empty() {
            let unread: Vec<Listed> = frontier
                .iter()
                .filter(|id| !self.is_fetched(id))
                .map(|id| Listed::id(id.clone()))
                .collect();
            self.read(unread).await;
            if depth >= self.max_depth {
                break;
            }
            // Parents stay placeholders ([`NodeState::BeyondDepth`]) until a level reads them.
            let mut next: Vec<String> = Vec::new();
            for id in &frontier {
                let Some(node) = self.lineage.find(id) else {
                    continue;
                };
                for (parent, _) in self.lineage.parents(node) {
                    let parent = &self.lineage.node(parent).id;
                    if !self.is_fetched(parent) {
                        next.push(parent.to_string());
                    }
                }
            }
            next.sort();
            next.dedup();
            frontier = next;
            depth += 1;
        }
    }

    /// Reads models into the lineage, [`BATCH`] at once, with an edge to each parent their
    /// cards name. Returns the ids the source says have no children.
    async fn read(&mut self, items: Vec<Listed>) -> HashSet<String> {
        let mut childless = HashSet::new();
        let mut items = items.into_iter();
        loop {
            let batch: Vec<Listed> = items.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                return childless;
            }
            let ids: Vec<String> = batch.iter().map(|l| l.id.clone()).collect();
            let source = self.source;
            let records =
                futures_util::future::join_all(batch.into_iter().map(|l| source.model_listed(l)))
                    .await;
            if let Some(p) = self.progress {
                p.advance(records.len() as u64);
            }
            for (id, record) in ids.iter().zip(&records) {
                if let Ok(r) = record
                    && r.info.children_model_count == Some(0)
                {
                    childless.insert(id.clone());
                }
            }
            for (id, model) in ids.iter().zip(self.parse(records)) {
                self.insert_model(id, model);
            }
        }
    }

    /// Parsing cards is the costly part of reading; it runs on all cores (rayon).
    fn parse(
        &self,
        records: Vec<Result<ModelRecord, SourceError>>,
    ) -> Vec<Result<(Model, String), SourceError>> {
        use rayon::prelude::*;
        let catalogue = self.catalogue;
        records
            .into_par_iter()
            .map_init(Interner::default, |names, r| {
                r.map(|record| Model::from_record(record, catalogue, names))
            })
            .collect()
    }

    fn insert_model(&mut self, id: &str, model: Result<(Model, String), SourceError>) {
        let model = model.map(|(model, body)| {
            let kept = body.len() <= self.body_budget;
            if kept {
                self.body_budget -= body.len();
            }
            (Box::new(model), kept.then_some(body))
        });
        self.insert_read(id, model);
    }

    /// Puts a model read into the lineage (with its body, if kept), with an edge to each parent
    /// its card names; or, when it could not be read, why.
    fn insert_read(
        &mut self,
        id: &str,
        model: Result<(Box<Model>, Option<String>), SourceError>,
    ) -> NodeIndex {
        let model = match model {
            Ok((mut model, body)) => {
                if let Some(body) = body {
                    model.keep_body(body);
                }
                model
            }
            Err(e) => return self.lineage.insert(id, NodeState::Unresolved(e)),
        };
        let parents = model.card.meta.base_model.clone();
        let relation = model.relation;
        let child = self.lineage.insert(id, NodeState::Resolved(model));
        for parent in parents {
            let parent_index = match self.lineage.find(&parent) {
                Some(index) => index,
                // A placeholder until a later level reads it, or for good beyond the cap.
                None => self.lineage.insert(&parent, NodeState::BeyondDepth),
            };
            if !self.lineage.graph.contains_edge(child, parent_index) {
                self.lineage.graph.add_edge(child, parent_index, relation);
            }
        }
        child
    }

    /// Reads the possible parents of `id`, a model under audit whose card names none, so that
    /// `undeclared-parent` can rank them: the source's candidates (the Hub's search by name,
    /// a mirror's models sharing a name word) and the ids its card mentions. They are read
    /// without their own ancestors and are no part of any lineage.
    pub async fn add_candidates(&mut self, id: &str) {
        let Some(node) = self.lineage.find(id) else {
            return;
        };
        let Some(model) = self.lineage.node(node).model() else {
            return;
        };
        if !model.card.meta.base_model.is_empty() || model.card.unreadable {
            return;
        }
        let name = model.name().to_string();
        let mentioned = model.text.mentions().into_owned();
        let listed = match self.source.parent_candidates(&name, &mentioned).await {
            Ok(listed) => listed,
            Err(e) => {
                tracing::warn!(
                    "possible parents of {id} could not be looked up, so none is suggested: {e}"
                );
                return;
            }
        };
        let listed: Vec<Listed> = listed
            .into_iter()
            .filter(|l| l.id != id && self.lineage.find(&l.id).is_none())
            .collect();
        let source = self.source;
        // Ranking reads a candidate's name, date and children count, not its card: a listed
        // candidate needs no further request.
        let records = futures_util::future::join_all(listed.into_iter().map(|l| async move {
            let record = match l.info {
                Some(info) => ModelRecord {
                    info: *info,
                    readme: None,
                    renamed_to: None,
                    card_error: None,
                },
                None => source.model(&l.id).await?,
            };
            let children = match record.info.children_model_count {
                Some(n) => n,
                None => source.children(&l.id).await.map_or(0, |c| c.len() as u64),
            };
            Ok::<_, SourceError>((l.id, record, children))
        }))
        .await;
        let mut read = Vec::new();
        for found in records {
            match found {
                Ok(found) => read.push(found),
                Err(e) => tracing::debug!("a possible parent of {id} could not be read: {e}"),
            }
        }
        let (ids, rest): (Vec<String>, Vec<(ModelRecord, u64)>) =
            read.into_iter().map(|(i, r, c)| (i, (r, c))).unzip();
        let (records, counts): (Vec<_>, Vec<_>) = rest.into_iter().unzip();
        let models = self.parse(records.into_iter().map(Ok).collect());
        for ((id, model), children) in ids.iter().zip(models).zip(counts) {
            let Ok((mut model, _)) = model else {
                continue;
            };
            model.info.known_children = Some(u32::try_from(children).unwrap_or(u32::MAX));
            let index = self
                .lineage
                .insert(id, NodeState::Resolved(Box::new(model)));
            self.lineage.candidates.insert(index);
        }
    }

    /// Reads the licence files of the given (already fetched) models, all at once.
    pub async fn add_files(&mut self, ids: &[String]) {
        use rayon::prelude::*;
        // What each model asks for, worked out on every core (a whole snapshot's models are
        // millions): its licence files, and code it shares by name with an ancestor (both
        // sides, to compare their headers), the latter `true` for "if not asked for already".
        let lineage = &self.lineage;
        let asked: Vec<Vec<(NodeIndex, &str, String, bool)>> = ids
            .par_iter()
            .filter_map(|id| lineage.find(id))
            .map(|node| {
                let mut asked = Vec::new();
                let Some(model) = lineage.node(node).model() else {
                    return asked;
                };
                for path in licence_files(&model.info) {
                    asked.push((node, &*model.info.id, path, false));
                }
                for ancestor in lineage.ancestors(node) {
                    let Some(theirs) = lineage.node(ancestor.node).model() else {
                        continue;
                    };
                    for path in shared_code_files(&model.info, &theirs.info) {
                        for (n, id) in [(node, &model.info.id), (ancestor.node, &theirs.info.id)] {
                            asked.push((n, &**id, path.clone(), true));
                        }
                    }
                }
                asked
            })
            .collect();
        // Then each file once, in the models' order: a family's children share their parent's
        // code files, and a search of the list for each would be quadratic in the family.
        let mut wanted: Vec<(NodeIndex, String, String)> = Vec::new();
        let mut held: HashSet<(NodeIndex, String)> = HashSet::new();
        for (node, id, path, unless_held) in asked.into_iter().flatten() {
            if held.insert((node, path.clone())) || !unless_held {
                wanted.push((node, id.to_string(), path));
            }
        }
        let source = self.source;
        // Files a scan read with their models are not read again.
        let prefetched: Vec<Option<Result<String, SourceError>>> = wanted
            .iter()
            .map(|(node, _, path)| self.prefetched.remove(&(*node, path.clone())))
            .collect();
        let texts = futures_util::future::join_all(wanted.iter().zip(prefetched).map(
            |((_, id, path), held)| async move {
                if let Some(text) = held {
                    return text;
                }
                let bytes = source.file(id, path).await?;
                Ok::<String, SourceError>(String::from_utf8_lossy(&bytes).into_owned())
            },
        ))
        .await;
        for ((node, _, path), text) in wanted.into_iter().zip(texts) {
            if let NodeState::Resolved(model) = &mut self.lineage.graph[node].state {
                model.files.push(RepoFile { path, text });
            }
        }
    }

    pub(super) fn is_fetched(&self, id: &str) -> bool {
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
    use crate::similarity::Shingles;
    use rayon::prelude::*;
    let shingles =
        |card: Option<String>| Shingles::of(card.as_deref().map_or("", crate::card::body_of));
    // On every core where the source reads without waiting; the rest through the runtime.
    let mut read: Vec<Option<Result<Shingles, SourceError>>> = nodes
        .par_iter()
        .map(|&n| {
            source
                .card_now(&lineage.node(n).id)
                .map(|r| r.map(shingles))
        })
        .collect();
    let waiting: Vec<usize> = (0..nodes.len()).filter(|&i| read[i].is_none()).collect();
    let cards = futures_util::future::join_all(
        waiting
            .iter()
            .map(|&i| source.card(&lineage.node(nodes[i]).id)),
    )
    .await;
    for (i, card) in waiting.into_iter().zip(cards) {
        read[i] = Some(card.map(shingles));
    }
    let mut out = HashMap::with_capacity(nodes.len());
    for (&node, card) in nodes.iter().zip(read) {
        match card.unwrap_or_else(|| Err(SourceError::Other("not read".into()))) {
            Ok(shingles) => {
                out.insert(node, shingles);
            }
            Err(e) => tracing::warn!(
                "the card of {} could not be read again to compare it: {e}",
                lineage.node(node).id
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A whole-snapshot scan holds each id once: the snapshot's index, the lineage's node (and
    /// its id map), the model and the children naming it in the same part share one allocation.
    #[tokio::test]
    async fn a_scan_holds_each_id_once() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        for (id, card) in [
            ("org/base", "---\nlicense: mit\n---\n# Base\n"),
            (
                "org/child",
                "---\nlicense: mit\nbase_model: org/base\n---\n# Child\n",
            ),
            (
                "org/child2",
                "---\nlicense: mit\nbase_model: org/base\n---\n# Child\n",
            ),
        ] {
            let line = serde_json::json!({"id": id, "readme": card, "siblings": []});
            writeln!(file, "{line}").unwrap();
        }
        let snapshot = crate::source::Snapshot::open(file.path()).unwrap();
        let catalogue = Catalogue::builtin().unwrap();
        let mut builder = LineageBuilder::new(&snapshot, &catalogue, 8);
        let ids = builder.add_every_model().await.unwrap().unwrap();
        assert_eq!(ids, ["org/base", "org/child", "org/child2"]);
        let lineage = builder.finish();
        // The children's parent, one copy for both, and the parent's own (read in one part).
        let parent_of = |id: &str| {
            let node = lineage.node(lineage.find(id).unwrap());
            Arc::clone(&node.model().unwrap().card.meta.base_model[0])
        };
        let base = Arc::clone(&lineage.node(lineage.find("org/base").unwrap()).id);
        assert!(Arc::ptr_eq(&parent_of("org/child"), &base));
        assert!(Arc::ptr_eq(&parent_of("org/child2"), &base));
        drop(base);
        for id in ids {
            let node = lineage.node(lineage.find(&id).unwrap());
            let model = node.model().unwrap();
            assert!(Arc::ptr_eq(&node.id, &model.info.id), "{id}");
            // The node, the lineage's id map, the model and the snapshot's index; the base's
            // also each child's `base_model`.
            let children = if id == "org/base" { 2 } else { 0 };
            assert_eq!(Arc::strong_count(&model.info.id), 4 + children, "{id}");
        }
    }
}
