//! One model as the lineage holds it: what its card declares, and what the checks need of the
//! card's text, measured when it is read. The text itself is kept only within a budget: a
//! whole-Hub audit holds a million models, and their cards would not fit in memory.

use super::Interner;
use super::files::{FileKind, RepoFile};
use super::relation::{Relation, infer as infer_relation};
use super::shipped::{Shipped, classify};
use crate::card::{Card, CardProblem, KeyLines, OneOrMany};
use crate::license::{
    Catalogue, DeclarationIssue, NoticeSet, Terms, declaration_issues, normalize,
};
use crate::similarity::{Shingles, word_count};
use crate::source::{Gated, ModelRecord, RecordRef};
use std::sync::{Arc, OnceLock};

/// Ids a card mentions at most (an orphan's candidates for `undeclared-parent`).
const MAX_MENTIONS: usize = 64;

/// What the checks need of a card's Markdown body.
#[derive(Debug, Default)]
pub struct CardText {
    /// See [`CardText::words`]; a u32, as a run holds one per model.
    words: u32,
    /// The Hub's auto-generated template, unfilled.
    pub template: bool,
    /// The catalogue's notice texts the body carries.
    pub notices: NoticeSet,
    /// `owner/name` ids the body mentions, measured only for a card that names no parent (the
    /// only ones `undeclared-parent` ranks); see [`CardText::mentions`].
    mentions: Box<[String]>,
    /// The body itself, when kept.
    kept: Option<Box<Kept>>,
}

#[derive(Debug)]
struct Kept {
    body: Box<str>,
    /// Computed on first use (an ancestor's card is compared with every descendant's).
    shingles: OnceLock<Shingles>,
}

impl CardText {
    fn measure(body: &str, catalogue: &Catalogue, orphan: bool) -> CardText {
        CardText {
            words: u32::try_from(word_count(body)).unwrap_or(u32::MAX),
            template: is_template(body),
            notices: NoticeSet::of(body, catalogue.notice_finder()),
            mentions: if orphan {
                mentioned_ids(body).into()
            } else {
                Box::default()
            },
            kept: None,
        }
    }

    /// Words of the body (saturating at `u32::MAX`, which no card reaches).
    pub fn words(&self) -> usize {
        self.words as usize
    }

    /// The body, if it was kept.
    pub fn body(&self) -> Option<&str> {
        self.kept.as_ref().map(|k| &*k.body)
    }

    /// The shingles of the kept body; `None` when the body was not kept.
    pub fn shingles(&self) -> Option<&Shingles> {
        let kept = self.kept.as_ref()?;
        Some(kept.shingles.get_or_init(|| Shingles::of(&kept.body)))
    }

    /// `owner/name` ids the body mentions: measured when read for a card naming no parent, else
    /// from the kept body (statistics rank every model), else none.
    pub fn mentions(&self) -> std::borrow::Cow<'_, [String]> {
        match self.body() {
            Some(body) if self.mentions.is_empty() => mentioned_ids(body).into(),
            _ => std::borrow::Cow::Borrowed(&self.mentions),
        }
    }
}

/// The Hub's auto-generated card: its HTML-comment prompts and "[More Information Needed]".
fn is_template(body: &str) -> bool {
    // memchr's searchers: every card of a run is searched, and std's `contains` is several
    // times slower on them.
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static SUMMARY: LazyLock<Finder<'static>> = LazyLock::new(|| {
        Finder::new("<!-- Provide a quick summary of what the model is/does. -->")
    });
    static MORE: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("[More Information Needed]"));
    SUMMARY.find(body.as_bytes()).is_some() || MORE.find_iter(body.as_bytes()).take(5).count() == 5
}

/// `owner/name` ids a card mentions, as plain text or in huggingface.co links.
pub fn mentioned_ids(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in body.split(|c: char| c.is_whitespace() || "()[]<>\"'`,;|*".contains(c)) {
        let token = token.trim_end_matches(['.', ':', '!', '?']);
        let path = token
            .split_once("huggingface.co/")
            .map_or(token, |(_, rest)| rest);
        let mut parts = path.split('/');
        if let (Some(owner), Some(name)) = (parts.next(), parts.next()) {
            let id = format!("{owner}/{name}");
            if crate::source::valid_model_id(&id) && !out.contains(&id) {
                out.push(id);
                if out.len() >= MAX_MENTIONS {
                    break;
                }
            }
        }
    }
    out
}

/// Files of a repo's list kept at most (a hostile list cannot grow a model without bound).
const MAX_LISTED: usize = 1024;

/// What Pedigree keeps of a model's Hub info once read.
#[derive(Debug)]
pub struct Info {
    /// Shared with the lineage's node and index (see [`super::Node::id`]).
    pub id: Arc<str>,
    pub gated: Gated,
    /// ISO 8601, so strings compare in time order.
    pub created_at: Option<Box<str>>,
    /// Children the source counts for a model read only as a possible parent (whose children
    /// are not read): `undeclared-parent` weighs a model that is already a parent.
    pub known_children: Option<u32>,
    /// The listed files the checks may read (licence material, Python code); the rest of the
    /// repo's list served at reading (relation, weights) and is not kept.
    listed: Box<[Arc<str>]>,
}

impl Info {
    fn of(info: &crate::source::InfoRef<'_>, names: &mut Interner) -> Info {
        Info {
            id: names.get(info.id),
            gated: info.gated,
            created_at: info.created_at.map(Box::from),
            known_children: None,
            listed: names.all(
                info.files
                    .iter()
                    .copied()
                    .filter(|f| FileKind::of(f).is_some())
                    .take(MAX_LISTED),
            ),
        }
    }

    /// The kept part of the repo's file list.
    pub fn files(&self) -> impl Iterator<Item = &str> + Clone {
        self.listed.iter().map(|f| &**f)
    }
}

/// What a card declares that the checks read.
#[derive(Debug, Default)]
pub struct Declared {
    pub license: Option<OneOrMany>,
    pub license_link: Option<Box<str>>,
    /// Parents, in the order the card lists them. These lists' strings are shared among the
    /// models read together (see [`super::Interner`]).
    pub base_model: Box<[Arc<str>]>,
    pub language: Box<[Arc<str>]>,
    /// Datasets the model was trained on, as the card's `datasets:` lists them.
    pub datasets: Box<[Arc<str>]>,
    /// The task the model is filed under (card, else the Hub's info).
    pub pipeline_tag: Option<Box<str>>,
}

/// What Pedigree keeps of a parsed card.
#[derive(Debug, Default)]
pub struct CardFacts {
    pub meta: Declared,
    pub key_lines: KeyLines,
    pub problems: Box<[CardProblem]>,
    /// The front matter exists but none of it could be read.
    pub unreadable: bool,
}

impl CardFacts {
    /// The README.md line of a top-level key, if the card has it.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.key_lines.get(key)
    }
}

/// What few models have.
#[derive(Debug)]
struct Rare {
    bad_relation: Option<Box<str>>,
    renamed_to: Option<Box<str>>,
}

/// A model Pedigree could read, with what its card declares. A run holds one per model (a
/// million on a whole-Hub audit), so it keeps only what the checks read.
#[derive(Debug)]
pub struct Model {
    pub info: Info,
    pub card: CardFacts,
    pub text: CardText,
    /// The card was read from README.md (see [`Model::card_file`]).
    readme: bool,
    pub terms: Terms,
    /// How the model derives from its parents (declared, or inferred from its files and tags).
    pub relation: Relation,
    /// What few models have (boxed: a run holds a million models).
    rare: Option<Box<Rare>>,
    /// Licence material read from the repo (models under audit only).
    pub files: Vec<RepoFile>,
    /// What the repo distributes, from its file list: the evidence accusations rest on.
    pub shipped: Shipped,
    /// How the card declares its licence, where the Hub or a reader would get it wrong.
    pub declaration: Box<[DeclarationIssue]>,
}

impl Model {
    /// Reads a record: parses the card, measures its text, and returns the body apart, for the
    /// caller to keep ([`Model::keep_body`]) or drop.
    pub fn from_record(
        record: ModelRecord,
        catalogue: &Catalogue,
        names: &mut Interner,
    ) -> (Model, String) {
        Model::from_ref(record.as_ref(), catalogue, names)
    }

    /// [`Model::from_record`], from a record borrowed where it was read (a snapshot's line).
    pub fn from_ref(
        record: RecordRef<'_>,
        catalogue: &Catalogue,
        names: &mut Interner,
    ) -> (Model, String) {
        let RecordRef {
            info,
            readme,
            renamed_to,
            card_error,
        } = record;
        let (mut card, from_readme) = match (readme, &info.card_data) {
            (Some(text), _) => (Card::parse(text), true),
            (None, Some(data)) => (Card::from_card_data(&data.value()), false),
            (None, None) => (Card::default(), false),
        };
        if let Some(error) = card_error {
            card.problems.insert(
                0,
                CardProblem {
                    message: error.to_string(),
                    line: None,
                },
            );
        }
        let shipped = classify(
            info.files.iter().copied(),
            info.tags
                .iter()
                .copied()
                .chain(card.meta.tags.iter().map(String::as_str)),
        );
        let declared = card
            .meta
            .base_model_relation
            .as_deref()
            .and_then(Relation::parse);
        let relation = infer_relation(declared, card.meta.base_model.len(), shipped);
        let body = std::mem::take(&mut card.body);
        let orphan = card.meta.base_model.is_empty();
        let text = CardText::measure(&body, catalogue, orphan);
        let terms = normalize(&card.meta, catalogue);
        let declaration = declaration_issues(&card.meta, catalogue);
        let rare = Rare {
            bad_relation: card
                .meta
                .base_model_relation
                .as_deref()
                .filter(|r| Relation::parse(r).is_none())
                .map(Box::from),
            renamed_to: renamed_to.map(Box::from),
        };
        let meta = card.meta;
        let pipeline_tag = meta
            .pipeline_tag
            .map(String::into_boxed_str)
            .or_else(|| info.pipeline_tag.map(Box::from));
        let model = Model {
            info: Info::of(&info, names),
            card: CardFacts {
                meta: Declared {
                    license: meta.license,
                    license_link: meta.license_link.map(String::into_boxed_str),
                    base_model: names.all(meta.base_model.iter().map(String::as_str)),
                    language: names.all(meta.language.iter().map(String::as_str)),
                    datasets: names.all(meta.datasets.iter().map(String::as_str)),
                    pipeline_tag,
                },
                key_lines: card.key_lines,
                problems: card.problems.into(),
                unreadable: card.unreadable,
            },
            text,
            readme: from_readme,
            terms,
            relation,
            rare: (rare.bad_relation.is_some() || rare.renamed_to.is_some())
                .then(|| Box::new(rare)),
            files: Vec::new(),
            shipped,
            declaration: declaration.into(),
        };
        (model, body)
    }

    /// Keeps the card's body (for similarity, and statistics).
    pub fn keep_body(&mut self, body: String) {
        self.text.kept = Some(Box::new(Kept {
            body: body.into_boxed_str(),
            shingles: OnceLock::new(),
        }));
    }

    /// The file findings about the card point at; `None` when the metadata came from the Hub's
    /// `cardData` because the repo has no README.md.
    pub fn card_file(&self) -> Option<&'static str> {
        self.readme.then_some("README.md")
    }

    /// `base_model_relation` as declared, when it is not one the Hub knows.
    pub fn bad_relation(&self) -> Option<&str> {
        self.rare.as_ref()?.bad_relation.as_deref()
    }

    /// The repo now lives under this id (the Hub redirected the request).
    pub fn renamed_to(&self) -> Option<&str> {
        self.rare.as_ref()?.renamed_to.as_deref()
    }

    /// The part of the id after the owner: the name a naming obligation applies to.
    pub fn name(&self) -> &str {
        self.info.id.rsplit('/').next().unwrap_or(&self.info.id)
    }

    pub fn owner(&self) -> Option<&str> {
        self.info.id.split_once('/').map(|(owner, _)| owner)
    }
}

#[cfg(test)]
mod tests {
    use super::is_template;

    #[test]
    fn a_template_has_the_summary_prompt_or_five_unfilled_sections() {
        let more = "[More Information Needed]\n";
        assert!(!is_template(&more.repeat(4)));
        assert!(is_template(&more.repeat(5)));
        assert!(is_template(&more.repeat(9)));
        // Counted apart, as `str::matches` counts: no overlaps to count twice.
        assert!(!is_template(&"[More Information Needed]".repeat(4)));
        assert!(is_template(
            "# Model\n<!-- Provide a quick summary of what the model is/does. -->\n"
        ));
        assert!(!is_template("# Model\nA summary of what the model does.\n"));
    }
}
