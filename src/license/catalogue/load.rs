//! Loading: the YAML files parsed into raw entries, then validated into [`LicenseEntry`]s in two
//! passes (identities first, so that a term can name any entry). Every problem in every file is
//! collected before loading fails, so a broken rules directory is fixed in one pass.

use super::{
    Catalogue, Class, LicenseEntry, LicenseId, Obligation, ObligationKind, TextSource,
    UnclearGroups,
};
use super::{fold_name, normalize_text};
use crate::error::{Error, Result};
use crate::findings::Clause;
use serde::Deserialize;
use std::collections::HashMap;

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
    unclear: Option<UnclearGroups>,
    #[serde(default)]
    prefixes: Vec<String>,
    text: Option<String>,
    #[serde(default)]
    uri_suffices: bool,
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

impl Catalogue {
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
            notice_finder: crate::license::notices::NoticeFinder::new(&[]),
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
        let unclear = ob
            .unclear
            .iter()
            .flat_map(UnclearGroups::groups)
            .flat_map(|u| {
                ids(&u.ids, "unclear")
                    .into_iter()
                    .map(|id| (id, u.why.clone()))
            })
            .collect();
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
        if ob.uri_suffices && ob.kind != ObligationKind::IncludeAgreementCopy {
            problems.push(format!(
                "{at}: `uri_suffices` belongs to an include-agreement-copy term"
            ));
        }
        Obligation {
            kind: ob.kind,
            summary: ob.summary.clone(),
            clause,
            accepts,
            unclear,
            prefixes: ob.prefixes.clone(),
            text: ob.text.clone(),
            notice: None,
            uri_suffices: ob.uri_suffices,
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
                let text = crate::license::notices::comparable(text);
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
        self.notice_finder = crate::license::notices::NoticeFinder::new(&self.notices);
    }
}
