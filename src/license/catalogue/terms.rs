//! What a catalogue entry holds once validated: the licence's class, and the terms its text
//! puts on derivatives, each with the clause that says it.

use super::LicenseId;
use crate::findings::Clause;
use serde::Deserialize;
use std::fmt;

/// The broad kind of a licence, as shown in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Permissive,
    WeakCopyleft,
    Copyleft,
    NonCommercial,
    Rail,
    Community,
    ResearchOnly,
    /// Any use of the unmodified material, but no sharing of adapted material (CC BY-ND).
    NoDerivatives,
    Unknown,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Permissive => "permissive",
            Class::WeakCopyleft => "weak-copyleft",
            Class::Copyleft => "copyleft",
            Class::NonCommercial => "non-commercial",
            Class::Rail => "rail",
            Class::Community => "community",
            Class::ResearchOnly => "research-only",
            Class::NoDerivatives => "no-derivatives",
            Class::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a licence's text asks of a derivative. The first group constrains the terms a
/// derivative may declare; the second its contents and name. See rules/README.md for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationKind {
    /// The grant cannot be passed on (non-transferable or non-sublicensable): recipients of a
    /// derivative still need this agreement, so it must be declared or shipped.
    KeepAgreement,
    /// The grant is non-commercial and cannot be passed on: a derivative's terms may not allow
    /// commercial use.
    StayNonCommercial,
    /// The licensor's non-commercial terms reach every recipient directly, and the derivative's
    /// own licence may differ (CC BY-NC §3(a)(4)); a commercial label misleads, it does not breach.
    NonCommercialBinds,
    CarryUseRestrictions,
    ShareAlike,
    NoDerivatives,
    /// The text expressly lets a derivative take other terms: never drift.
    OtherTermsAllowed,
    IncludeAgreementCopy,
    NoticeFile,
    NamePrefix,
    AttributionDisplay,
    MarkModifiedFiles,
    /// Outputs of the material may not be used to improve any other large language model than
    /// the material and its derivatives (Llama 2/3 §1.b.v, Tongyi Qianwen §5.b).
    OutputsNotForOtherLlms,
    /// A model trained with the material's outputs must begin its name with one of `prefixes`
    /// (Llama 3.1 and later, §1.b.i).
    OutputsNamePrefix,
    /// A model trained on the material's outputs is a derivative, under all of the licence's
    /// terms (Gemma §1.1(e)).
    OutputsMakeDerivatives,
    /// A data licence whose text says a model trained on the data is free of its terms (C-UDA
    /// §5.5, CDLA-Permissive-2.0 §5.4).
    TrainedModelsFree,
    /// A data licence that frees the results of computing on the data without saying whether a
    /// trained model is one (CDLA 1.0 "Results").
    ResultsFree,
}

impl ObligationKind {
    /// Obligations that constrain which licence a derivative may declare; the others are about
    /// the derivative's name and contents.
    pub fn constrains_license(self) -> bool {
        matches!(
            self,
            ObligationKind::KeepAgreement
                | ObligationKind::StayNonCommercial
                | ObligationKind::NonCommercialBinds
                | ObligationKind::CarryUseRestrictions
                | ObligationKind::ShareAlike
                | ObligationKind::NoDerivatives
        )
    }

    /// Terms on models trained with the material's outputs (judged by `outputs-clause`).
    pub fn about_outputs(self) -> bool {
        matches!(
            self,
            ObligationKind::OutputsNotForOtherLlms
                | ObligationKind::OutputsNamePrefix
                | ObligationKind::OutputsMakeDerivatives
        )
    }

    /// The kebab-case name used in rules/licenses.
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationKind::KeepAgreement => "keep-agreement",
            ObligationKind::StayNonCommercial => "stay-non-commercial",
            ObligationKind::NonCommercialBinds => "non-commercial-binds",
            ObligationKind::CarryUseRestrictions => "carry-use-restrictions",
            ObligationKind::ShareAlike => "share-alike",
            ObligationKind::NoDerivatives => "no-derivatives",
            ObligationKind::OtherTermsAllowed => "other-terms-allowed",
            ObligationKind::IncludeAgreementCopy => "include-agreement-copy",
            ObligationKind::NoticeFile => "notice-file",
            ObligationKind::NamePrefix => "name-prefix",
            ObligationKind::AttributionDisplay => "attribution-display",
            ObligationKind::MarkModifiedFiles => "mark-modified-files",
            ObligationKind::OutputsNotForOtherLlms => "outputs-not-for-other-llms",
            ObligationKind::OutputsNamePrefix => "outputs-name-prefix",
            ObligationKind::OutputsMakeDerivatives => "outputs-make-derivatives",
            ObligationKind::TrainedModelsFree => "trained-models-free",
            ObligationKind::ResultsFree => "results-free",
        }
    }
}

/// Where the licence's text was read: every entry cites one. An entry whose text could not be
/// checked (`verified: false`) never grounds an accusation: its verdicts stop at undecidable.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSource {
    /// The text's title and version or date, as it names itself.
    pub title: String,
    /// Where that text lives.
    pub url: String,
    /// The terms below were read from this text (not from a summary or a secondary source).
    pub verified: bool,
}

/// Licences for which an obligation's answer depends on facts a card does not show.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unclear {
    pub ids: Vec<String>,
    pub why: String,
}

/// `unclear:` in a file: one group of licences with its reason, or several, each with its own.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum UnclearGroups {
    One(Unclear),
    Many(Vec<Unclear>),
}

impl UnclearGroups {
    pub fn groups(&self) -> &[Unclear] {
        match self {
            UnclearGroups::One(u) => std::slice::from_ref(u),
            UnclearGroups::Many(us) => us,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Obligation {
    pub kind: ObligationKind,
    pub summary: String,
    pub clause: Clause,
    pub accepts: Vec<LicenseId>,
    /// Licences for which the answer depends on facts a card does not show, each with why.
    pub unclear: Vec<(LicenseId, String)>,
    pub prefixes: Vec<String>,
    pub text: Option<String>,
    /// For a notice or attribution text: its index in [`Catalogue::notices`].
    pub notice: Option<u16>,
    /// For a copy duty: the text lets the licence's URI stand for the copy (CC §3(a)(1)(C),
    /// ODbL §4.2), so a card declaring the licence by its Hub id, which the Hub shows as a link
    /// to the licence, has given it.
    pub uri_suffices: bool,
}

/// A validated catalogue entry.
#[derive(Clone, Debug)]
pub struct LicenseEntry {
    pub id: String,
    pub spdx: String,
    pub name: String,
    pub url: String,
    pub class: Class,
    pub commercial_use: bool,
    pub use_restrictions: Option<String>,
    pub aliases: Vec<String>,
    pub links: Vec<String>,
    /// Phrases that open the licence's text (normalised like [`normalize_text`]).
    pub marks: Vec<String>,
    pub obligations: Vec<Obligation>,
    /// `license: <id>` is one of the Hub's licence ids (others are declared as `license: other`
    /// with `license_name`).
    pub hub: bool,
    /// Agreements of one licensor and lineage (e.g. `meta-llama`): declaring a sibling version
    /// instead of an ancestor's is a labelling slip, not drift.
    pub family: Option<String>,
    pub source: TextSource,
}

impl Obligation {
    /// Why a derivative under `id` cannot be judged against this term, if it cannot.
    pub fn why_unclear(&self, id: LicenseId) -> Option<&str> {
        self.unclear
            .iter()
            .find(|(u, _)| *u == id)
            .map(|(_, why)| why.as_str())
    }
}

impl LicenseEntry {
    /// The obligation of a kind, if the licence has one.
    pub fn obligation(&self, kind: ObligationKind) -> Option<&Obligation> {
        self.obligations.iter().find(|o| o.kind == kind)
    }
}
