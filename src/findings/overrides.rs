//! What a project says about findings, beside the checks' verdicts: per-rule severities and
//! waivers. Read from `.pedigree.yml` by `config`; applied by the sink.

use super::{Rule, Severity};
use std::collections::BTreeMap;

/// A waiver: silence `rule` for models matching `model` (`*` matches any run of characters).
#[derive(Clone, Debug)]
pub struct Waiver {
    pub model: String,
    pub rule: Rule,
    pub reason: String,
    pub expires: Option<jiff::civil::Date>,
    /// The line of the waiver's `model:` key, for findings about the waiver itself.
    pub line: Option<usize>,
}

impl Waiver {
    pub fn matches(&self, model: &str, rule: Rule) -> bool {
        rule == self.rule && wildmatch::WildMatch::new(&self.model).matches(model)
    }
}

/// Severity overrides and waivers, and the file they were written in.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Per-rule severity; `None` turns the rule off.
    pub severity: BTreeMap<Rule, Option<Severity>>,
    pub waivers: Vec<Waiver>,
    /// The name of the file the waivers are in, which `waiver-expired` findings point at.
    pub file: Option<String>,
}
