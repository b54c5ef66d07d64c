//! Licences: the catalogue of what each licence asks of derivatives (`rules/licenses`), and the
//! normalisation of what a card declares into an expression over catalogue entries.

mod catalogue;
mod expression;
mod identify;
mod normalize;
mod notices;

pub use catalogue::{
    BUILTIN_LICENSES, Catalogue, Class, LicenseEntry, LicenseId, Obligation, ObligationKind,
    TextSource, Unclear, normalize_text,
};
pub use expression::{Leaf, LicenseExpr};
pub use identify::{Identified, identify};
pub use normalize::{DeclarationIssue, Terms, declaration_issues, normalize};
pub use notices::{NoticeSet, comparable};
