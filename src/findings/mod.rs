//! Findings: what a check concludes about one model, with a stable rule id and fingerprint.

pub mod baseline;
mod docs;
mod overrides;
mod select;
mod sink;
mod store;

pub(crate) use docs::BUILTIN_FINDINGS;
pub use docs::{BUILTIN_FINDINGS as BUILTIN_FINDINGS_FOR_TESTS, RuleDoc, RuleDocs};
pub use overrides::{Overrides, Waiver};
pub use select::apply_selection;
pub use sink::{Sink, SinkSummary};
pub use store::{Findings, Iter as FindingsIter, report_order};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How serious a finding is. Ordered, so `--fail-on` can compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident => $id:literal,)*) => {
        /// Every rule Pedigree can report. Ids are stable: they appear in configs, waivers,
        /// SARIF and fingerprints. `rules/findings.yml` documents each one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $($variant,)* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            pub fn from_id(id: &str) -> Option<Rule> {
                match id { $($id => Some(Rule::$variant),)* _ => None }
            }
        }
    };
}

rules! {
    LicenseDrift => "license-drift",
    MissingLicense => "missing-license",
    UnknownLicense => "unknown-license",
    LicenseUndecidable => "license-undecidable",
    AgreementVersionMismatch => "agreement-version-mismatch",
    InheritedTermsUnstated => "inherited-terms-unstated",
    LicenseLinkConflict => "license-link-conflict",
    LicenseIdNotHub => "license-id-not-hub",
    NoDerivedMaterial => "no-derived-material",
    IncompatibleParents => "incompatible-parents",
    UnresolvedParent => "unresolved-parent",
    LineageCycle => "lineage-cycle",
    LineageTooDeep => "lineage-too-deep",
    ModelUnreadable => "model-unreadable",
    FamilyTooLarge => "family-too-large",
    RepoRenamed => "repo-renamed",
    NamingObligation => "naming-obligation",
    DatasetLicenseConflict => "dataset-license-conflict",
    OutputsClause => "outputs-clause",
    UnresolvedDataset => "unresolved-dataset",
    LicenseFileMismatch => "license-file-mismatch",
    AgreementCopyMissing => "agreement-copy-missing",
    NoticeMissing => "notice-missing",
    CardCopiedLicenseChanged => "card-copied-license-changed",
    UndeclaredParent => "undeclared-parent",
    GatingDropped => "gating-dropped",
    LanguageDrift => "language-drift",
    CardShrink => "card-shrink",
    TemplateCard => "template-card",
    CodeHeaderStripped => "code-header-stripped",
    CardInvalid => "card-invalid",
    LicenseNotAllowed => "license-not-allowed",
    WaiverExpired => "waiver-expired",
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = std::borrow::Cow::<str>::deserialize(d)?;
        Rule::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{id}`")))
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Where an obligation is written: a section of a licence text and the text's URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub section: String,
    pub url: String,
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.section, self.url)
    }
}

/// One problem with one model. Serialised as the JSON report's `findings[]` entries.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub model: String,
    /// The ancestors the finding rests on, nearest first.
    pub ancestors: Vec<String>,
    pub message: String,
    pub clause: Option<Clause>,
    pub file: Option<String>,
    pub line: Option<usize>,
    /// Stable across runs for the same problem: built from the rule, the model and a key that
    /// names the problem (never from the message wording or a line number, which can move).
    pub fingerprint: String,
    /// How to put it right, in one line (every accusation has one).
    #[serde(default)]
    pub fix: Option<String>,
    /// The training dataset the finding is about (dataset findings only). Always written: the
    /// compressed finding store's encoding (postcard) is not self-describing.
    #[serde(default)]
    pub dataset: Option<String>,
    /// The most severe this finding may be reported at, when the check knows its stakes are
    /// lower than the rule's default (a permissive licence's copy duty; no shipped weights). An
    /// explicit severity in the config still wins.
    #[serde(skip)]
    pub cap: Option<Severity>,
}

impl Finding {
    /// `key` identifies the problem within (rule, model): e.g. the ancestor licence and the
    /// declared licence for a drift.
    pub fn new(rule: Rule, model: &str, key: &str, message: String) -> Finding {
        let mut hash = Sha256::new();
        for part in [rule.id(), model, key] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let fingerprint = digest[..8]
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect();
        Finding {
            rule,
            severity: Severity::Error,
            model: model.to_string(),
            ancestors: Vec::new(),
            message,
            clause: None,
            file: None,
            line: None,
            fingerprint,
            fix: None,
            dataset: None,
            cap: None,
        }
    }

    /// The training dataset the finding is about.
    pub fn dataset(mut self, id: impl Into<String>) -> Self {
        self.dataset = Some(id.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Reports this finding at `severity` at most (see [`Finding::cap`]).
    pub fn at_most(mut self, severity: Severity) -> Self {
        self.cap = Some(self.cap.map_or(severity, |c| c.min(severity)));
        self
    }

    pub fn ancestors(mut self, ancestors: Vec<String>) -> Self {
        self.ancestors = ancestors;
        self
    }

    pub fn clause(mut self, clause: Option<Clause>) -> Self {
        self.clause = clause;
        self
    }

    pub fn at(mut self, file: Option<&str>, line: Option<usize>) -> Self {
        self.file = file.map(str::to_string);
        self.line = line;
        self
    }
}
