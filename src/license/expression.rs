//! Licence expressions over catalogue entries, parsed with the `spdx` crate.
//!
//! Hub ids (`llama2`, `openrail++`) are not SPDX ids, so each licence word is swapped for a
//! `LicenseRef-` placeholder before `spdx` parses the operators, parentheses and precedence; the
//! words are then looked up in the catalogue (Hub id, alias, SPDX id, or an imprecise SPDX name).

use super::catalogue::{Catalogue, LicenseId};
use std::fmt;

/// One licence in an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaf {
    Known(LicenseId),
    /// `license: other` with a `license_name`/`license_link` the catalogue does not know.
    Custom {
        name: Option<String>,
        link: Option<String>,
    },
}

/// What a card's licence fields mean, as an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LicenseExpr {
    Leaf(Leaf),
    /// All apply at once.
    And(Vec<LicenseExpr>),
    /// The recipient chooses one.
    Or(Vec<LicenseExpr>),
    /// The card can be read more than one way (a bare list of licences, or `license` and
    /// `license_name` naming different licences). Verdicts must agree under every reading.
    Ambiguous {
        readings: Vec<LicenseExpr>,
        why: String,
    },
}

impl LicenseExpr {
    pub fn known(id: LicenseId) -> LicenseExpr {
        LicenseExpr::Leaf(Leaf::Known(id))
    }

    /// Every leaf, for reports and policy checks.
    pub fn leaves(&self) -> Vec<&Leaf> {
        match self {
            LicenseExpr::Leaf(l) => vec![l],
            LicenseExpr::And(v) | LicenseExpr::Or(v) => v.iter().flat_map(|e| e.leaves()).collect(),
            LicenseExpr::Ambiguous { readings, .. } => {
                let mut out: Vec<&Leaf> = Vec::new();
                for leaf in readings.iter().flat_map(|e| e.leaves()) {
                    if !out.contains(&leaf) {
                        out.push(leaf);
                    }
                }
                out
            }
        }
    }

    /// The single known licence, when the expression is just one.
    pub fn single(&self) -> Option<LicenseId> {
        match self {
            LicenseExpr::Leaf(Leaf::Known(id)) => Some(*id),
            _ => None,
        }
    }

    /// Renders with Hub ids, e.g. `apache-2.0 OR mit`.
    pub fn display<'a>(&'a self, catalogue: &'a Catalogue) -> impl fmt::Display + 'a {
        Display {
            expr: self,
            catalogue,
            nested: false,
        }
    }
}

struct Display<'a> {
    expr: &'a LicenseExpr,
    catalogue: &'a Catalogue,
    nested: bool,
}

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>,
                    items: &[LicenseExpr],
                    sep: &str,
                    parens: bool|
         -> fmt::Result {
            if parens {
                f.write_str("(")?;
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                let inner = Display {
                    expr: item,
                    catalogue: self.catalogue,
                    nested: true,
                };
                write!(f, "{inner}")?;
            }
            if parens {
                f.write_str(")")?;
            }
            Ok(())
        };
        match self.expr {
            LicenseExpr::Leaf(Leaf::Known(id)) => f.write_str(&self.catalogue.get(*id).id),
            LicenseExpr::Leaf(Leaf::Custom { name, link }) => match (name, link) {
                (Some(name), _) => write!(f, "other ({name})"),
                (None, Some(link)) => write!(f, "other ({link})"),
                (None, None) => f.write_str("other"),
            },
            LicenseExpr::And(items) => join(f, items, " AND ", self.nested),
            LicenseExpr::Or(items) => join(f, items, " OR ", self.nested),
            LicenseExpr::Ambiguous { readings, .. } => {
                f.write_str("ambiguous: ")?;
                join(f, readings, " | ", false)
            }
        }
    }
}

/// Why a licence string could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unparsed {
    pub reason: String,
    pub suggestion: Option<String>,
}

/// One licence word: a Hub id, alias, SPDX id or imprecise SPDX name.
pub(crate) fn lookup_word(catalogue: &Catalogue, word: &str) -> Option<LicenseId> {
    catalogue
        .by_name(word)
        .or_else(|| catalogue.by_spdx(word))
        .or_else(|| {
            // `imprecise_license_id` matches a prefix ("apache-2.0 OR mit" starts like Apache-2.0);
            // only a match of the whole word counts.
            let imprecise = spdx::imprecise_license_id(word)
                .filter(|(_, len)| *len == word.len())
                .map(|(id, _)| id);
            let id = imprecise.or_else(|| spdx::license_id(word))?;
            catalogue.by_spdx(id.name)
        })
}

/// Parses a licence field that holds one id or an SPDX-style expression.
pub(crate) fn parse(catalogue: &Catalogue, text: &str) -> Result<LicenseExpr, Unparsed> {
    let text = text.trim();
    if let Some(id) = lookup_word(catalogue, text) {
        return Ok(LicenseExpr::known(id));
    }
    // Tokenise: parentheses, `/` (an old spelling of OR), and words.
    let spaced = text
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let mut words: Vec<&str> = Vec::new();
    let mut placeholder = String::new();
    let mut after_with = false;
    for token in spaced.split_whitespace() {
        let upper = token.to_ascii_uppercase();
        match upper.as_str() {
            "AND" | "OR" | "WITH" | "(" | ")" => {
                placeholder.push_str(&upper);
                after_with = upper == "WITH";
            }
            _ => {
                // An exception after WITH is kept by `spdx` but plays no part in the verdict.
                let kind = if after_with {
                    "AdditionRef"
                } else {
                    "LicenseRef"
                };
                placeholder.push_str(&format!("{kind}-w{}", words.len()));
                words.push(token);
                after_with = false;
            }
        }
        placeholder.push(' ');
    }
    let unknown = |reason: String, word: &str| Unparsed {
        reason,
        suggestion: catalogue.suggest(word).map(str::to_string),
    };
    if words.len() <= 1 {
        return Err(unknown(
            format!("`{text}` is not a Hub licence id, a known licence name or an SPDX id"),
            text,
        ));
    }
    let parsed =
        spdx::Expression::parse_mode(&placeholder, spdx::ParseMode::STRICT).map_err(|e| {
            Unparsed {
                reason: format!("`{text}` is not a valid licence expression ({})", e.reason),
                suggestion: None,
            }
        })?;
    let mut stack: Vec<LicenseExpr> = Vec::new();
    for node in parsed.iter() {
        match node {
            spdx::expression::ExprNode::Req(req) => {
                let spdx::LicenseItem::Other(lic) = &req.req.license else {
                    return Err(Unparsed {
                        reason: format!("`{text}` could not be read"),
                        suggestion: None,
                    });
                };
                let index: usize = lic
                    .lic_ref
                    .trim_start_matches('w')
                    .parse()
                    .unwrap_or(usize::MAX);
                let word = words.get(index).copied().unwrap_or_default();
                match lookup_word(catalogue, word) {
                    Some(id) => stack.push(LicenseExpr::known(id)),
                    None => {
                        return Err(unknown(
                            format!("`{word}` in `{text}` is not a known licence"),
                            word,
                        ));
                    }
                }
            }
            spdx::expression::ExprNode::Op(op) => {
                let (Some(right), Some(left)) = (stack.pop(), stack.pop()) else {
                    return Err(Unparsed {
                        reason: format!("`{text}` could not be read"),
                        suggestion: None,
                    });
                };
                let and = matches!(op, spdx::expression::Operator::And);
                stack.push(combine(and, left, right));
            }
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(expr), true) => Ok(expr),
        _ => Err(Unparsed {
            reason: format!("`{text}` could not be read"),
            suggestion: None,
        }),
    }
}

/// Joins two operands, flattening runs of the same operator.
fn combine(and: bool, left: LicenseExpr, right: LicenseExpr) -> LicenseExpr {
    let mut items = Vec::new();
    for side in [left, right] {
        match (and, side) {
            (true, LicenseExpr::And(v)) | (false, LicenseExpr::Or(v)) => items.extend(v),
            (_, other) => items.push(other),
        }
    }
    if and {
        LicenseExpr::And(items)
    } else {
        LicenseExpr::Or(items)
    }
}
