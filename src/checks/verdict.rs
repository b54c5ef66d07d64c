//! Judging a declared licence against an ancestor's licence: what each term of the ancestor's
//! text asks of the terms a derivative declares, and whether the declaration meets it.
//!
//! The derivative's expression is read as its choices (`A OR B`: a recipient may take any
//! branch, so every branch must comply), each choice a set of licences that apply together
//! (`A AND B`). Whether a set meets a term depends on the term: an agreement that cannot be
//! passed on is met by declaring it beside anything else, a share-alike licence is not met when
//! another licence adds restrictions to it. On the ancestor's side an `OR` lets the derivative
//! rely on any branch, an `AND` binds it to all. Where both sides are compound, the "every" side
//! is peeled first, the reading most favourable to the model: Pedigree would rather stay silent
//! than accuse. (cargo-deny's any/all evaluation is used, unchanged, for the allow/deny policy.)

use crate::findings::Clause;
use crate::license::{
    Catalogue, Class, Leaf, LicenseEntry, LicenseExpr, LicenseId, Obligation, ObligationKind,
};

/// Why a verdict is not "satisfied".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub text: String,
    pub clause: Option<Clause>,
    /// The ancestor's term at stake, and its licence.
    pub term: Option<(ObligationKind, LicenseId)>,
}

/// A declaration that breaches nothing but misstates what binds the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misstatement {
    /// Another agreement of the same licensor than the ancestor's (Llama 3.2 for Llama 3.1).
    OtherVersion(LicenseId),
    /// Terms that reach every recipient directly (CC BY-NC's non-commercial terms) are left out
    /// of a licence the text lets differ.
    TermsStillBind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Satisfied,
    Undecidable(Reason),
    Misstated(Reason, Misstatement),
    Violated(Reason),
}

impl Verdict {
    fn rank(&self) -> u8 {
        match self {
            Verdict::Satisfied => 0,
            Verdict::Undecidable(_) => 1,
            Verdict::Misstated(..) => 2,
            Verdict::Violated(_) => 3,
        }
    }

    fn reason(&self) -> Option<&Reason> {
        match self {
            Verdict::Satisfied => None,
            Verdict::Undecidable(r) | Verdict::Misstated(r, _) | Verdict::Violated(r) => Some(r),
        }
    }
}

/// A term of `a`, with what the derivative does instead.
fn reason(detail: String, ob: &Obligation, a: LicenseId) -> Reason {
    Reason {
        text: format!("{} ({detail})", ob.summary.trim().trim_end_matches('.')),
        clause: Some(ob.clause.clone()),
        term: Some((ob.kind, a)),
    }
}

fn undecidable(text: impl Into<String>, clause: Option<&Clause>) -> Verdict {
    Verdict::Undecidable(Reason {
        text: text.into(),
        clause: clause.cloned(),
        term: None,
    })
}

/// The worst verdict (all must comply); the first of equal rank keeps its reason.
fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts.into_iter().fold(Verdict::Satisfied, |acc, v| {
        if v.rank() > acc.rank() { v } else { acc }
    })
}

/// The best verdict (one compliant option suffices).
fn best(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut out: Option<Verdict> = None;
    for v in verdicts {
        if out.as_ref().is_none_or(|o| v.rank() < o.rank()) {
            out = Some(v);
        }
    }
    out.unwrap_or(Verdict::Satisfied)
}

/// Every reading of an ambiguous card must give the same answer, else the answer is unknown.
fn unanimous(verdicts: Vec<Verdict>, why: &str) -> Verdict {
    let first_rank = verdicts.first().map(Verdict::rank);
    if verdicts.iter().all(|v| Some(v.rank()) == first_rank) {
        return worst(verdicts);
    }
    let clause = verdicts
        .iter()
        .find_map(|v| v.reason().and_then(|r| r.clause.clone()));
    undecidable(format!("{why}, and the readings disagree"), clause.as_ref())
}

/// Context that affects a verdict beyond the two licences.
#[derive(Clone, Copy, Debug)]
pub struct Judging<'a> {
    pub catalogue: &'a Catalogue,
    /// The chain to the ancestor is quantizations only: a format change, not an adaptation.
    pub only_quantized: bool,
    /// Licences whose text the repo ships (recognised licence files): an agreement that travels
    /// with the files travels, whatever the card's label says.
    pub shipped: &'a [LicenseId],
}

/// Does a derivative declaring `child` meet the licence-level terms of an ancestor under
/// `ancestor`?
pub fn judge(j: Judging<'_>, child: &LicenseExpr, ancestor: &LicenseExpr) -> Verdict {
    match (child, ancestor) {
        (LicenseExpr::Ambiguous { readings, why }, _) => unanimous(
            readings.iter().map(|c| judge(j, c, ancestor)).collect(),
            why,
        ),
        (_, LicenseExpr::Ambiguous { readings, why }) => {
            unanimous(readings.iter().map(|a| judge(j, child, a)).collect(), why)
        }
        _ => match choices(child) {
            Some(choices) => worst(choices.iter().map(|set| judge_set(j, set, ancestor))),
            None => undecidable(
                "the declared expression has too many alternatives to judge each",
                None,
            ),
        },
    }
}

/// Alternatives a recipient may pick at most; beyond, the expression is not judged.
const MAX_CHOICES: usize = 64;

/// The derivative's expression as the choices open to a recipient, each a set of licences that
/// apply together (disjunctive normal form). `None` when it has too many choices.
fn choices(expr: &LicenseExpr) -> Option<Vec<Vec<&Leaf>>> {
    match expr {
        LicenseExpr::Leaf(leaf) => Some(vec![vec![leaf]]),
        LicenseExpr::Or(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(choices(item)?);
                if out.len() > MAX_CHOICES {
                    return None;
                }
            }
            Some(out)
        }
        LicenseExpr::And(items) => {
            let mut out: Vec<Vec<&Leaf>> = vec![Vec::new()];
            for item in items {
                let alternatives = choices(item)?;
                if out.len() * alternatives.len() > MAX_CHOICES {
                    return None;
                }
                out = out
                    .iter()
                    .flat_map(|set| {
                        alternatives.iter().map(move |alt| {
                            let mut joined = set.clone();
                            joined.extend(alt.iter().copied());
                            joined
                        })
                    })
                    .collect();
            }
            Some(out)
        }
        // Normalisation puts readings at the top only; one nested here cannot be picked apart.
        LicenseExpr::Ambiguous { .. } => None,
    }
}

/// One choice of the derivative against the ancestor's expression.
fn judge_set(j: Judging<'_>, set: &[&Leaf], ancestor: &LicenseExpr) -> Verdict {
    match ancestor {
        LicenseExpr::And(items) => worst(items.iter().map(|a| judge_set(j, set, a))),
        LicenseExpr::Or(items) => best(items.iter().map(|a| judge_set(j, set, a))),
        LicenseExpr::Ambiguous { readings, why } => {
            unanimous(readings.iter().map(|a| judge_set(j, set, a)).collect(), why)
        }
        LicenseExpr::Leaf(leaf) => judge_leaf(j, set, leaf),
    }
}

/// The licences of one choice, split into those the catalogue can judge and those it cannot.
struct Declared<'a> {
    known: Vec<(LicenseId, &'a LicenseEntry)>,
    /// Labels of custom licences and of catalogue entries that name no one licence.
    unknown: Vec<String>,
    /// The whole choice, for messages: `apache-2.0 AND mit`.
    shown: String,
}

impl<'a> Declared<'a> {
    fn of(cat: &'a Catalogue, set: &[&Leaf]) -> Declared<'a> {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        let mut labels = Vec::new();
        for leaf in set {
            match leaf {
                Leaf::Known(id) => {
                    let entry = cat.get(*id);
                    labels.push(entry.id.clone());
                    if entry.class == Class::Unknown {
                        unknown.push(entry.id.clone());
                    } else {
                        known.push((*id, entry));
                    }
                }
                Leaf::Custom { name, link } => {
                    let label = custom_label(name, link);
                    labels.push(format!("other ({label})"));
                    unknown.push(label);
                }
            }
        }
        Declared {
            known,
            unknown,
            shown: labels.join(" AND "),
        }
    }

    fn any(&self, mut f: impl FnMut(LicenseId, &LicenseEntry) -> bool) -> bool {
        self.known.iter().any(|(id, e)| f(*id, e))
    }

    fn cannot_tell(&self, a: &LicenseEntry, ob: &Obligation) -> Verdict {
        undecidable(
            format!(
                "`{}` is not in the catalogue; cannot tell whether it meets `{}`: {}",
                self.unknown.join("`, `"),
                a.id,
                ob.summary.trim()
            ),
            Some(&ob.clause),
        )
    }
}

fn judge_leaf(j: Judging<'_>, set: &[&Leaf], ancestor: &Leaf) -> Verdict {
    let cat = j.catalogue;
    let (a_id, a) = match ancestor {
        Leaf::Custom { name, link } => {
            let same = set.iter().any(|l| match l {
                Leaf::Custom { name: n2, link: l2 } => {
                    (name.is_some() && name == n2) || (link.is_some() && link == l2)
                }
                Leaf::Known(_) => false,
            });
            return if same {
                Verdict::Satisfied
            } else {
                undecidable(
                    format!(
                        "the ancestor's licence `{}` is not in the catalogue, so its terms are unknown",
                        custom_label(name, link)
                    ),
                    None,
                )
            };
        }
        Leaf::Known(id) => (*id, cat.get(*id)),
    };
    if a.class == Class::Unknown {
        return undecidable(
            format!(
                "the ancestor's `{}` does not name one licence whose terms can be checked",
                a.id
            ),
            None,
        );
    }
    let declared = Declared::of(cat, set);
    let verdicts: Vec<Verdict> = a
        .obligations
        .iter()
        .filter(|o| o.kind.constrains_license())
        .map(|ob| judge_term(j, &declared, ob, a_id, a))
        .collect();
    let verdict = all_breaches(verdicts);
    // A text nobody checked grounds no accusation.
    match verdict {
        Verdict::Violated(r) | Verdict::Misstated(r, _) if !a.source.verified => undecidable(
            format!(
                "{}; but the text of `{}` could not be checked, so this is not reported as a breach",
                r.text, a.id
            ),
            r.clause.as_ref(),
        ),
        v => v,
    }
}

/// The worst verdict; when several terms of one licence are broken, one violation that cites
/// them all (a FLUX.1 [dev] LoRA labelled `apache-2.0` breaks both the grant and the
/// non-commercial terms, and a counsel reads both clauses).
fn all_breaches(verdicts: Vec<Verdict>) -> Verdict {
    let mut breaches = verdicts.iter().filter_map(|v| match v {
        Verdict::Violated(r) => Some(r),
        _ => None,
    });
    let Some(first) = breaches.next() else {
        return worst(verdicts);
    };
    let mut merged = first.clone();
    for other in breaches {
        merged.text.push_str("; and: ");
        merged.text.push_str(&other.text);
        if let (Some(c), Some(o)) = (&mut merged.clause, &other.clause)
            && c.url == o.url
        {
            c.section = format!("{}; {}", c.section, o.section);
        }
    }
    Verdict::Violated(merged)
}

fn custom_label(name: &Option<String>, link: &Option<String>) -> String {
    name.clone()
        .or_else(|| link.clone())
        .unwrap_or_else(|| "other".into())
}

/// One licence-level term of the ancestor's licence `a` against one choice of the derivative.
fn judge_term(
    j: Judging<'_>,
    d: &Declared<'_>,
    ob: &Obligation,
    a_id: LicenseId,
    a: &LicenseEntry,
) -> Verdict {
    use ObligationKind as K;
    let carries = |id: LicenseId| id == a_id || ob.accepts.contains(&id);
    let unclear = d.known.iter().find_map(|(id, _)| ob.why_unclear(*id));
    match ob.kind {
        K::NoDerivatives => {
            // Even the same licence cannot permit what it forbids.
            if j.only_quantized {
                undecidable(
                    format!(
                        "`{}` forbids sharing adapted material; a quantization may count as a format change, which it allows",
                        a.id
                    ),
                    Some(&ob.clause),
                )
            } else {
                Verdict::Violated(reason(
                    format!("`{}` forbids sharing adapted material at all", a.id),
                    ob,
                    a_id,
                ))
            }
        }
        K::KeepAgreement => {
            if d.any(|id, _| carries(id)) || j.shipped.contains(&a_id) {
                return Verdict::Satisfied;
            }
            if let Some(family) = &a.family
                && let Some((sibling_id, sibling)) = d
                    .known
                    .iter()
                    .find(|(_, e)| e.family.as_ref() == Some(family))
            {
                return Verdict::Misstated(
                    reason(
                        format!(
                            "`{}` is another agreement of the same licensor; the material of this ancestor is licensed only under `{}`",
                            sibling.id, a.id
                        ),
                        ob,
                        a_id,
                    ),
                    Misstatement::OtherVersion(*sibling_id),
                );
            }
            if !d.unknown.is_empty() {
                return d.cannot_tell(a, ob);
            }
            Verdict::Violated(reason(
                format!(
                    "`{}` is not `{}`, and the repo ships no copy of the `{}` agreement",
                    d.shown, a.id, a.id
                ),
                ob,
                a_id,
            ))
        }
        K::StayNonCommercial => {
            if d.any(|id, e| carries(id) || !e.commercial_use) {
                return Verdict::Satisfied;
            }
            if !d.unknown.is_empty() {
                return d.cannot_tell(a, ob);
            }
            Verdict::Violated(reason(
                format!("`{}` allows commercial use", d.shown),
                ob,
                a_id,
            ))
        }
        K::NonCommercialBinds => {
            if d.any(|id, e| carries(id) || !e.commercial_use) {
                return Verdict::Satisfied;
            }
            if !d.unknown.is_empty() {
                return d.cannot_tell(a, ob);
            }
            Verdict::Misstated(
                reason(
                    format!(
                        "`{}` allows commercial use, but the non-commercial terms of `{}` still bind every recipient of the adapted material",
                        d.shown, a.id
                    ),
                    ob,
                    a_id,
                ),
                Misstatement::TermsStillBind,
            )
        }
        K::CarryUseRestrictions => {
            let same_set = |e: &LicenseEntry| {
                e.use_restrictions.is_some() && e.use_restrictions == a.use_restrictions
            };
            if d.any(|id, e| carries(id) || same_set(e)) {
                return Verdict::Satisfied;
            }
            if let Some(why) = unclear {
                return undecidable(why.to_string(), Some(&ob.clause));
            }
            if let Some((_, other)) = d.known.iter().find(|(_, e)| e.use_restrictions.is_some()) {
                return undecidable(
                    format!(
                        "`{}` carries its own use restrictions ({}); whether they include those of `{}` needs a reading of both",
                        other.id,
                        other.use_restrictions.as_deref().unwrap_or_default(),
                        a.id
                    ),
                    Some(&ob.clause),
                );
            }
            if !d.unknown.is_empty() {
                return d.cannot_tell(a, ob);
            }
            Verdict::Violated(reason(
                format!("`{}` carries no use restrictions", d.shown),
                ob,
                a_id,
            ))
        }
        K::ShareAlike => {
            if !d.any(|id, _| carries(id)) {
                if let Some(why) = unclear {
                    return undecidable(why.to_string(), Some(&ob.clause));
                }
                if !d.unknown.is_empty() {
                    return d.cannot_tell(a, ob);
                }
                return Verdict::Violated(reason(
                    format!("`{}` is not `{}` or a licence it accepts", d.shown, a.id),
                    ob,
                    a_id,
                ));
            }
            // The share-alike licence is there; another licence beside it must not restrict
            // what it lets recipients do.
            if let Some((_, other)) = d.known.iter().find(|(id, e)| {
                !carries(*id) && e.class != Class::Permissive && ob.why_unclear(*id).is_none()
            }) {
                return Verdict::Violated(reason(
                    format!(
                        "`{}` is declared beside `{}` and adds restrictions that `{}` does not allow",
                        other.id, a.id, a.id
                    ),
                    ob,
                    a_id,
                ));
            }
            if let Some(why) = unclear {
                return undecidable(why.to_string(), Some(&ob.clause));
            }
            if !d.unknown.is_empty() {
                return d.cannot_tell(a, ob);
            }
            Verdict::Satisfied
        }
        // Content terms (copies, notices, names) are judged by their own checks; and a licence
        // that allows other terms asks nothing of the declared licence.
        _ => Verdict::Satisfied,
    }
}
