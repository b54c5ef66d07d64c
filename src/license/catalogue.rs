//! The licence catalogue: one YAML entry per licence, parsed, then validated into a separate
//! type. Loading collects every problem in every file before it fails, so a broken rules
//! directory is fixed in one pass.

use crate::error::{Error, Result};
use crate::findings::Clause;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/builtin_licenses.rs"));

/// Index of an entry in its [`Catalogue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenseId(pub(crate) u16);

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

#[derive(Clone, Debug)]
pub struct Obligation {
    pub kind: ObligationKind,
    pub summary: String,
    pub clause: Clause,
    pub accepts: Vec<LicenseId>,
    pub unclear: Vec<LicenseId>,
    pub unclear_why: String,
    pub prefixes: Vec<String>,
    pub text: Option<String>,
    /// For a notice or attribution text: its index in [`Catalogue::notices`].
    pub notice: Option<u16>,
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

impl LicenseEntry {
    /// The obligation of a kind, if the licence has one.
    pub fn obligation(&self, kind: ObligationKind) -> Option<&Obligation> {
        self.obligations.iter().find(|o| o.kind == kind)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    spdx: String,
    name: String,
    url: String,
    class: Class,
    #[serde(default = "yes")]
    commercial_use: bool,
    use_restrictions: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default)]
    marks: Vec<String>,
    #[serde(default)]
    hub: bool,
    family: Option<String>,
    source: TextSource,
    obligations: Vec<RawObligation>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObligation {
    kind: ObligationKind,
    summary: String,
    clause: Option<Clause>,
    #[serde(default)]
    accepts: Vec<String>,
    unclear: Option<Unclear>,
    #[serde(default)]
    prefixes: Vec<String>,
    text: Option<String>,
}

/// All licences Pedigree knows, with lookups by Hub id, `license_name` alias, SPDX id and link.
#[derive(Debug)]
pub struct Catalogue {
    entries: Vec<LicenseEntry>,
    by_name: HashMap<String, LicenseId>,
    by_spdx: HashMap<String, LicenseId>,
    /// Every notice and attribution text the entries require, in comparable form, once each.
    notices: Vec<String>,
    notice_finder: super::notices::NoticeFinder,
}

/// Terms that contradict each other or the licence's class, which no text can mean.
fn lint_terms(file: &str, raw: &RawEntry, terms: &[Obligation], problems: &mut Vec<String>) {
    use ObligationKind as K;
    let has = |k: K| terms.iter().any(|o| o.kind == k);
    if has(K::OtherTermsAllowed) {
        for k in [
            K::KeepAgreement,
            K::ShareAlike,
            K::NoDerivatives,
            K::StayNonCommercial,
        ] {
            if has(k) {
                problems.push(format!(
                    "{file}: `other-terms-allowed` contradicts `{}`",
                    k.as_str()
                ));
            }
        }
    }
    if raw.class == Class::Permissive {
        for k in [
            K::KeepAgreement,
            K::ShareAlike,
            K::NoDerivatives,
            K::StayNonCommercial,
            K::NonCommercialBinds,
            K::CarryUseRestrictions,
        ] {
            if has(k) {
                problems.push(format!(
                    "{file}: a permissive licence cannot ask `{}`",
                    k.as_str()
                ));
            }
        }
    }
    if (has(K::StayNonCommercial) || has(K::NonCommercialBinds)) && raw.commercial_use {
        problems.push(format!(
            "{file}: a non-commercial term needs `commercial_use: false`"
        ));
    }
    if has(K::TrainedModelsFree) && has(K::ResultsFree) {
        problems.push(format!(
            "{file}: `trained-models-free` and `results-free` say the same thing twice"
        ));
    }
    let mut seen = Vec::new();
    for t in terms
        .iter()
        .filter(|t| t.kind.constrains_license() || t.kind.about_outputs())
    {
        if seen.contains(&t.kind) {
            problems.push(format!("{file}: `{}` appears twice", t.kind.as_str()));
        }
        seen.push(t.kind);
    }
}

/// Text as marks are compared: lowercase, Markdown emphasis and headings dropped, runs of white
/// space folded to one space.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || matches!(c, '*' | '#' | '_') {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

/// Lowercase, with runs of spaces, underscores and dashes folded to one dash, so that
/// "Llama 3.1 Community License" and "llama-3.1-community-license" meet.
pub(crate) fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if matches!(c, ' ' | '_' | '-' | '\t') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn builtin() -> Result<Catalogue> {
        let files: Vec<(String, String)> = BUILTIN_LICENSES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Catalogue::from_files(&files, "built-in rules/licenses")
    }

    /// Loads `DIR/licenses/*.yml` (the layout of the project's `rules/`).
    pub fn load_dir(dir: &Path) -> Result<Catalogue> {
        let licenses = dir.join("licenses");
        let read = std::fs::read_dir(&licenses).map_err(|e| Error::io(&licenses, &e))?;
        let mut files = Vec::new();
        for entry in read {
            let entry = entry.map_err(|e| Error::io(&licenses, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| Error::io(&entry.path(), &e))?;
                files.push((name, text));
            }
        }
        files.sort();
        Catalogue::from_files(&files, &licenses.display().to_string())
    }

    /// Parses and lints `(file name, text)` pairs. Every problem is reported, not the first.
    pub fn from_files(files: &[(String, String)], origin: &str) -> Result<Catalogue> {
        let problems = &mut Vec::new();
        let mut raws = Vec::new();
        for (file, text) in files {
            match serde_yaml::from_str::<RawEntry>(text) {
                Ok(raw) => raws.push((file.as_str(), raw)),
                Err(e) => problems.push(format!("{file}: {e}")),
            }
        }
        let mut catalogue = Catalogue {
            entries: Vec::new(),
            by_name: HashMap::new(),
            by_spdx: HashMap::new(),
            notices: Vec::new(),
            notice_finder: super::notices::NoticeFinder::new(&[]),
        };
        // First pass: identities, so that `accepts` can name any entry.
        for (file, raw) in &raws {
            let stem = file.trim_end_matches(".yml").trim_end_matches(".yaml");
            if raw.id != *stem {
                problems.push(format!(
                    "{file}: id `{}` does not match the file name",
                    raw.id
                ));
            }
            let id = LicenseId(catalogue.entries.len() as u16);
            for name in std::iter::once(&raw.id).chain(&raw.aliases) {
                let folded = fold_name(name);
                match catalogue.by_name.insert(folded, id) {
                    // Two spellings of one entry that fold alike are redundant, not wrong.
                    Some(other) if other == id => {}
                    Some(other) => {
                        let other = &catalogue.entries[other.0 as usize].id;
                        problems.push(format!(
                            "{file}: id or alias `{name}` is also used by `{other}`"
                        ));
                    }
                    None => {}
                }
            }
            if !raw.spdx.starts_with("LicenseRef-") && spdx::license_id(&raw.spdx).is_none() {
                problems.push(format!(
                    "{file}: `{}` is neither an SPDX licence id nor a LicenseRef-",
                    raw.spdx
                ));
            }
            catalogue
                .by_spdx
                .entry(raw.spdx.to_lowercase())
                .or_insert(id);
            catalogue.entries.push(LicenseEntry {
                id: raw.id.clone(),
                spdx: raw.spdx.clone(),
                name: raw.name.clone(),
                url: raw.url.clone(),
                class: raw.class,
                commercial_use: raw.commercial_use,
                use_restrictions: raw.use_restrictions.clone(),
                aliases: raw.aliases.iter().map(|a| fold_name(a)).collect(),
                links: raw.links.iter().map(|l| l.to_lowercase()).collect(),
                marks: raw.marks.iter().map(|m| normalize_text(m)).collect(),
                obligations: Vec::new(),
                hub: raw.hub,
                family: raw.family.clone(),
                source: raw.source.clone(),
            });
        }
        // Second pass: obligations, which refer to other entries.
        for (index, (file, raw)) in raws.iter().enumerate() {
            if matches!(raw.class, Class::NonCommercial | Class::ResearchOnly) && raw.commercial_use
            {
                problems.push(format!(
                    "{file}: class {} needs `commercial_use: false`",
                    raw.class
                ));
            }
            if raw.class == Class::Rail && raw.use_restrictions.is_none() {
                problems.push(format!("{file}: a rail licence needs `use_restrictions`"));
            }
            if raw.source.title.trim().is_empty() || !raw.source.url.starts_with("http") {
                problems.push(format!(
                    "{file}: `source` needs the text's title and an http(s) url"
                ));
            }
            let mut obligations = Vec::new();
            for (n, ob) in raw.obligations.iter().enumerate() {
                let at = format!("{file}: obligation {} ({})", n + 1, ob.kind.as_str());
                obligations.push(catalogue.validate_obligation(ob, &at, problems));
            }
            lint_terms(file, raw, &obligations, problems);
            catalogue.entries[index].obligations = obligations;
        }
        catalogue.index_notices();
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            Err(Error::rules(
                origin,
                format!(
                    "{} problem(s):\n  {}",
                    problems.len(),
                    problems.join("\n  ")
                ),
            ))
        }
    }

    fn validate_obligation(
        &self,
        ob: &RawObligation,
        at: &str,
        problems: &mut Vec<String>,
    ) -> Obligation {
        let clause = match &ob.clause {
            Some(c) if !c.section.trim().is_empty() && c.url.starts_with("http") => c.clone(),
            Some(_) => {
                problems.push(format!("{at}: clause needs a section and an http(s) url"));
                Clause {
                    section: String::new(),
                    url: String::new(),
                }
            }
            None => {
                problems.push(format!("{at}: no clause cited"));
                Clause {
                    section: String::new(),
                    url: String::new(),
                }
            }
        };
        if ob.summary.trim().is_empty() {
            problems.push(format!("{at}: empty summary"));
        }
        let mut ids = |names: &[String], what: &str| -> Vec<LicenseId> {
            names
                .iter()
                .filter_map(|n| {
                    let found = self.by_name.get(&fold_name(n)).copied();
                    if found.is_none() {
                        problems.push(format!(
                            "{at}: {what} names `{n}`, which is not in the catalogue"
                        ));
                    }
                    found
                })
                .collect()
        };
        let accepts = ids(&ob.accepts, "accepts");
        let (unclear, unclear_why) = match &ob.unclear {
            Some(u) => (ids(&u.ids, "unclear"), u.why.clone()),
            None => (Vec::new(), String::new()),
        };
        if matches!(
            ob.kind,
            ObligationKind::NamePrefix | ObligationKind::OutputsNamePrefix
        ) && ob.prefixes.is_empty()
        {
            problems.push(format!("{at}: {} needs `prefixes`", ob.kind.as_str()));
        }
        if ob.kind == ObligationKind::AttributionDisplay && ob.text.is_none() {
            problems.push(format!("{at}: attribution-display needs `text`"));
        }
        Obligation {
            kind: ob.kind,
            summary: ob.summary.clone(),
            clause,
            accepts,
            unclear,
            unclear_why,
            prefixes: ob.prefixes.clone(),
            text: ob.text.clone(),
            notice: None,
        }
    }

    /// Numbers the notice and attribution texts, so a card can be measured against all of them
    /// once, when it is read.
    fn index_notices(&mut self) {
        for entry in &mut self.entries {
            for ob in &mut entry.obligations {
                let (Some(text), ObligationKind::NoticeFile | ObligationKind::AttributionDisplay) =
                    (&ob.text, ob.kind)
                else {
                    continue;
                };
                let text = super::notices::comparable(text);
                let index = match self.notices.iter().position(|n| *n == text) {
                    Some(i) => i,
                    None => {
                        self.notices.push(text);
                        self.notices.len() - 1
                    }
                };
                ob.notice = u16::try_from(index).ok();
            }
        }
        self.notice_finder = super::notices::NoticeFinder::new(&self.notices);
    }

    /// The notice and attribution texts of every entry, in comparable form.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Finds all of [`Catalogue::notices`] in a text at once.
    pub fn notice_finder(&self) -> &super::notices::NoticeFinder {
        &self.notice_finder
    }

    pub fn get(&self, id: LicenseId) -> &LicenseEntry {
        &self.entries[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (LicenseId, &LicenseEntry)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (LicenseId(i as u16), e))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A Hub id or a `license_name` alias, compared after folding case and separators.
    pub fn by_name(&self, name: &str) -> Option<LicenseId> {
        self.by_name.get(&fold_name(name)).copied()
    }

    /// An SPDX id (or LicenseRef-), case-insensitively.
    pub fn by_spdx(&self, spdx: &str) -> Option<LicenseId> {
        self.by_spdx.get(&spdx.to_lowercase()).copied()
    }

    /// The entry whose recorded link fragment a `license_link` URL contains; the longest
    /// fragment wins, so a specific page beats a site.
    pub fn by_link(&self, url: &str) -> Option<LicenseId> {
        let url = url.to_lowercase();
        self.iter()
            .flat_map(|(id, e)| e.links.iter().map(move |l| (id, l)))
            .filter(|(_, l)| !l.is_empty() && url.contains(l.as_str()))
            .max_by_key(|(_, l)| l.len())
            .map(|(id, _)| id)
    }

    /// The closest known id or alias to a name that matched none, for "did you mean" hints.
    ///
    /// Only names at most twice as long as the longest known one are compared: comparing costs
    /// time in the product of the lengths (a 4 MB licence value took 33 s), and no longer name
    /// can reach the 0.9 needed. (Jaro-Winkler adds at most 0.4 of the gap to 1 to the Jaro
    /// score, so 0.9 needs Jaro 5/6; Jaro is at most (2 + 1/k)/3 for lengths k-fold apart, so
    /// k ≤ 2.)
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let longest = self.by_name.keys().map(|k| k.chars().count()).max()?;
        let folded = fold_name(name);
        if folded.chars().count() > 2 * longest {
            return None;
        }
        self.by_name
            .keys()
            .map(|k| (strsim::jaro_winkler(&folded, k), k))
            .filter(|(score, _)| *score >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k.as_str())
    }
}
