//! Judging a declared licence against an ancestor's licence: satisfied, violated or undecidable.
//!
//! Expressions are judged from the derivative's side. When the derivative offers a choice
//! (`A OR B`) every branch must comply, because a recipient may take any of them; when it stacks
//! licences (`A AND B`) one conjunct carrying the ancestor's terms is enough. On the ancestor's
//! side it is the reverse: an ancestor's `OR` lets the derivative rely on any branch, an `AND`
//! binds it to all. Where both sides are compound the "every" side is peeled first, which is
//! the reading most favourable to the model: Pedigree would rather stay silent than accuse.
//! (cargo-deny's any/all evaluation is used, unchanged, for the allow/deny policy in `policy`.)

use crate::findings::Clause;
use crate::license::{
    Catalogue, Class, Leaf, LicenseEntry, LicenseExpr, Obligation, ObligationKind,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub text: String,
    pub clause: Option<Clause>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Satisfied,
    Violated(Reason),
    Undecidable(Reason),
}

impl Verdict {
    fn rank(&self) -> u8 {
        match self {
            Verdict::Satisfied => 0,
            Verdict::Undecidable(_) => 1,
            Verdict::Violated(_) => 2,
        }
    }

    /// The obligation in its summary's words, then what the derivative does instead.
    fn violated(detail: String, ob: &Obligation) -> Verdict {
        let text = format!("{} ({detail})", ob.summary.trim().trim_end_matches('.'));
        Verdict::Violated(Reason {
            text,
            clause: Some(ob.clause.clone()),
        })
    }

    fn undecidable(text: impl Into<String>, clause: Option<&Clause>) -> Verdict {
        Verdict::Undecidable(Reason {
            text: text.into(),
            clause: clause.cloned(),
        })
    }
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
    let clause = verdicts.iter().find_map(|v| match v {
        Verdict::Violated(r) | Verdict::Undecidable(r) => r.clause.clone(),
        Verdict::Satisfied => None,
    });
    Verdict::Undecidable(Reason {
        text: format!("{why}, and the readings disagree"),
        clause,
    })
}

/// Context that affects a verdict beyond the two licences.
#[derive(Clone, Copy, Debug)]
pub struct Judging<'a> {
    pub catalogue: &'a Catalogue,
    /// The chain to the ancestor is quantizations only: a format change, not an adaptation.
    pub only_quantized: bool,
}

/// Does a derivative declaring `child` meet the licence-level obligations of an ancestor under
/// `ancestor`?
pub fn judge(j: Judging<'_>, child: &LicenseExpr, ancestor: &LicenseExpr) -> Verdict {
    use LicenseExpr::*;
    match (child, ancestor) {
        (Ambiguous { readings, why }, _) => unanimous(
            readings.iter().map(|c| judge(j, c, ancestor)).collect(),
            why,
        ),
        (_, Ambiguous { readings, why }) => {
            unanimous(readings.iter().map(|a| judge(j, child, a)).collect(), why)
        }
        (Or(cs), _) => worst(cs.iter().map(|c| judge(j, c, ancestor))),
        (_, And(ancestors)) => worst(ancestors.iter().map(|a| judge(j, child, a))),
        (And(cs), _) => best(cs.iter().map(|c| judge(j, c, ancestor))),
        (_, Or(ancestors)) => best(ancestors.iter().map(|a| judge(j, child, a))),
        (Leaf(c), Leaf(a)) => judge_leaf(j, c, a),
    }
}

fn constraining(entry: &LicenseEntry) -> impl Iterator<Item = &Obligation> {
    entry
        .obligations
        .iter()
        .filter(|o| o.kind.constrains_license())
}

fn judge_leaf(j: Judging<'_>, child: &Leaf, ancestor: &Leaf) -> Verdict {
    let cat = j.catalogue;
    let a = match ancestor {
        Leaf::Custom { name, link } => {
            return match child {
                Leaf::Custom { name: n2, link: l2 }
                    if (name.is_some() && name == n2) || (link.is_some() && link == l2) =>
                {
                    Verdict::Satisfied
                }
                _ => Verdict::undecidable(
                    format!(
                        "the ancestor's licence `{}` is not in the catalogue, so its terms are unknown",
                        custom_label(name, link)
                    ),
                    None,
                ),
            };
        }
        Leaf::Known(id) => cat.get(*id),
    };
    if a.class == Class::Unknown {
        return Verdict::undecidable(
            format!(
                "the ancestor's `{}` does not name one licence whose terms can be checked",
                a.id
            ),
            None,
        );
    }
    let c = match child {
        Leaf::Custom { name, link } => {
            let first = constraining(a).next();
            return match first {
                None => Verdict::Satisfied,
                Some(ob) => Verdict::undecidable(
                    format!(
                        "`{}` is not in the catalogue; cannot tell whether it meets `{}`: {}",
                        custom_label(name, link),
                        a.id,
                        ob.summary
                    ),
                    Some(&ob.clause),
                ),
            };
        }
        Leaf::Known(id) => cat.get(*id),
    };
    if c.class == Class::Unknown && c.id != a.id {
        return match constraining(a).next() {
            None => Verdict::Satisfied,
            Some(ob) => Verdict::undecidable(
                format!(
                    "`{}` does not name one licence; cannot tell whether it meets `{}`: {}",
                    c.id, a.id, ob.summary
                ),
                Some(&ob.clause),
            ),
        };
    }
    worst(constraining(a).map(|ob| judge_obligation(j, c, ob, a)))
}

fn custom_label(name: &Option<String>, link: &Option<String>) -> String {
    name.clone()
        .or_else(|| link.clone())
        .unwrap_or_else(|| "other".into())
}

fn judge_obligation(
    j: Judging<'_>,
    c: &LicenseEntry,
    ob: &Obligation,
    a: &LicenseEntry,
) -> Verdict {
    let cat = j.catalogue;
    let id_of = |e: &LicenseEntry| cat.by_name(&e.id);
    let c_id = id_of(c);
    if ob.kind == ObligationKind::NoDerivatives {
        // Even the same licence cannot permit what it forbids.
        return if j.only_quantized {
            Verdict::undecidable(
                format!(
                    "`{}` forbids sharing adapted material; a quantization may count as a format change, which it allows",
                    a.id
                ),
                Some(&ob.clause),
            )
        } else {
            Verdict::violated(
                format!("`{}` forbids sharing adapted material at all", a.id),
                ob,
            )
        };
    }
    if c.id == a.id || c_id.is_some_and(|id| ob.accepts.contains(&id)) {
        return Verdict::Satisfied;
    }
    if c_id.is_some_and(|id| ob.unclear.contains(&id)) {
        return Verdict::undecidable(ob.unclear_why.clone(), Some(&ob.clause));
    }
    match ob.kind {
        ObligationKind::SameLicense | ObligationKind::ShareAlike => Verdict::violated(
            format!("`{}` is not `{}` or a licence it accepts", c.id, a.id),
            ob,
        ),
        ObligationKind::CarryUseRestrictions => match (&c.use_restrictions, &a.use_restrictions) {
            (Some(cs), Some(as_)) if cs == as_ => Verdict::Satisfied,
            (None, _) => Verdict::violated(format!("`{}` carries no use restrictions", c.id), ob),
            (Some(cs), _) => Verdict::undecidable(
                format!(
                    "`{}` carries its own use restrictions ({cs}); whether they include those of `{}` needs a reading of both",
                    c.id, a.id
                ),
                Some(&ob.clause),
            ),
        },
        ObligationKind::StayNonCommercial => {
            if c.commercial_use {
                Verdict::violated(format!("`{}` allows commercial use", c.id), ob)
            } else {
                Verdict::Satisfied
            }
        }
        // Content obligations (notices, names, copies) are judged elsewhere, not by licence id.
        _ => Verdict::Satisfied,
    }
}
