//! `license-not-allowed`: the project's own allow/deny lists, evaluated the way cargo-deny
//! evaluates them (`OR` passes if any side passes, `AND` only if both do).

use super::{Context, Subject};
use crate::findings::{Finding, Rule};
use crate::license::{Leaf, LicenseExpr, LicenseId};

/// Licences a project accepts (`allow`, empty meaning any) and refuses (`deny`).
#[derive(Clone, Debug, Default)]
pub struct LicensePolicy {
    pub allow: Vec<LicenseId>,
    pub deny: Vec<LicenseId>,
}

impl LicensePolicy {
    fn passes_leaf(&self, leaf: &Leaf) -> bool {
        match leaf {
            Leaf::Known(id) => {
                !self.deny.contains(id) && (self.allow.is_empty() || self.allow.contains(id))
            }
            // A licence nobody can identify cannot be on an allow list.
            Leaf::Custom { .. } => self.allow.is_empty(),
        }
    }

    pub fn passes(&self, expr: &LicenseExpr) -> bool {
        match expr {
            LicenseExpr::Leaf(l) => self.passes_leaf(l),
            LicenseExpr::Or(v) => v.iter().any(|e| self.passes(e)),
            LicenseExpr::And(v) => v.iter().all(|e| self.passes(e)),
            // Every reading of an ambiguous card must pass.
            LicenseExpr::Ambiguous { readings, .. } => readings.iter().all(|e| self.passes(e)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }
}

pub(super) fn check(ctx: &Context<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) {
    if ctx.policy.is_empty() {
        return;
    }
    let Some(expr) = s.model.terms.expr() else {
        return;
    };
    if ctx.policy.passes(expr) {
        return;
    }
    let shown = expr.display(ctx.catalogue).to_string();
    let denied = expr
        .leaves()
        .iter()
        .any(|l| matches!(l, Leaf::Known(id) if ctx.policy.deny.contains(id)));
    let why = if denied {
        "is denied by"
    } else {
        "is not allowed by"
    };
    let message = format!("`{shown}` {why} the licence policy in .pedigree.yml");
    out.push(s.at_key(
        Finding::new(Rule::LicenseNotAllowed, s.id(), &shown, message),
        "license",
    ));
}
