//! One model as the lineage holds it: what its card declares, and what the checks need of the
//! card's text, measured when it is read. The text itself is kept only within a budget: a
//! whole-Hub audit holds a million models, and their cards would not fit in memory.

use super::files::RepoFile;
use super::relation::Relation;
use crate::card::Card;
use crate::license::{Catalogue, NoticeSet, Terms, normalize};
use crate::similarity::{Shingles, word_count};
use crate::source::{ModelInfo, ModelRecord};
use std::sync::OnceLock;

/// Ids a card mentions at most (an orphan's candidates for `undeclared-parent`).
const MAX_MENTIONS: usize = 64;

/// What the checks need of a card's Markdown body.
#[derive(Debug, Default)]
pub struct CardText {
    pub words: usize,
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
            words: word_count(body),
            template: is_template(body),
            notices: NoticeSet::of(body, catalogue.notices()),
            mentions: if orphan {
                mentioned_ids(body).into()
            } else {
                Box::default()
            },
            kept: None,
        }
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
    body.contains("<!-- Provide a quick summary of what the model is/does. -->")
        || body.matches("[More Information Needed]").count() >= 5
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

/// A model Pedigree could read, with what its card declares.
#[derive(Debug)]
pub struct Model {
    pub info: ModelInfo,
    /// The card's metadata; its `body` is empty (see [`Model::text`]).
    pub card: Card,
    pub text: CardText,
    /// The file findings about the card point at; `None` when the metadata came from the Hub's
    /// `cardData` because the repo has no README.md.
    pub card_file: Option<&'static str>,
    pub terms: Terms,
    /// `base_model_relation` as declared, when it is not one the Hub knows.
    pub bad_relation: Option<String>,
    /// The repo now lives under this id (the Hub redirected the request).
    pub renamed_to: Option<String>,
    /// Licence material read from the repo (models under audit only).
    pub files: Vec<RepoFile>,
}

impl Model {
    /// Reads a record: parses the card, measures its text, and returns the body apart, for the
    /// caller to keep ([`Model::keep_body`]) or drop.
    pub fn from_record(record: ModelRecord, catalogue: &Catalogue) -> (Model, String) {
        let ModelRecord {
            mut info,
            readme,
            renamed_to,
            card_error,
        } = record;
        let (mut card, card_file) = match (&readme, &info.card_data) {
            (Some(text), _) => (Card::parse(text), Some("README.md")),
            (None, Some(data)) => (Card::from_card_data(data), None),
            (None, None) => (Card::default(), None),
        };
        drop(readme);
        if let Some(error) = card_error {
            card.problems.insert(
                0,
                crate::card::CardProblem {
                    message: error,
                    line: None,
                },
            );
        }
        // cardData duplicates the card and can be large (gated prompts hold whole licences).
        info.card_data = None;
        let body = std::mem::take(&mut card.body);
        let orphan = card.meta.base_model.is_empty();
        let text = CardText::measure(&body, catalogue, orphan);
        let terms = normalize(&card.meta, catalogue);
        let bad_relation = card
            .meta
            .base_model_relation
            .clone()
            .filter(|r| Relation::parse(r).is_none());
        let model = Model {
            info,
            card,
            text,
            card_file,
            terms,
            bad_relation,
            renamed_to,
            files: Vec::new(),
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

    /// The part of the id after the owner: the name a naming obligation applies to.
    pub fn name(&self) -> &str {
        self.info.id.rsplit('/').next().unwrap_or(&self.info.id)
    }

    pub fn owner(&self) -> Option<&str> {
        self.info.id.split_once('/').map(|(owner, _)| owner)
    }
}
