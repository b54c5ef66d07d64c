//! The documentation of every rule, kept as data in `rules/findings.yml`.

use super::{Rule, Severity};
use crate::error::{Error, Result};
use serde::Deserialize;

/// One rule's documentation, as `pedigree rules` and `pedigree explain` show it.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    pub explain: String,
    pub source: String,
    /// Topics for filtering (SARIF `properties.tags`): `license`, `lineage`, `card`, ...
    #[serde(default)]
    pub tags: Vec<String>,
}

/// All rule documentation, in `Rule::ALL` order.
#[derive(Clone, Debug)]
pub struct RuleDocs {
    docs: Vec<RuleDoc>,
}

pub const BUILTIN_FINDINGS: &str = include_str!("../../rules/findings.yml");

impl RuleDocs {
    pub fn builtin() -> Result<RuleDocs> {
        RuleDocs::parse(BUILTIN_FINDINGS, "rules/findings.yml")
    }

    /// Parses and checks that every rule is documented exactly once and nothing else is.
    pub fn parse(text: &str, origin: &str) -> Result<RuleDocs> {
        let mut listed: Vec<RuleDoc> =
            serde_yaml::from_str(text).map_err(|e| Error::rules(origin, e.to_string()))?;
        let mut problems = Vec::new();
        for doc in &listed {
            if Rule::from_id(&doc.id).is_none() {
                problems.push(format!("`{}` is not a rule Pedigree implements", doc.id));
            }
        }
        let mut docs = Vec::with_capacity(Rule::ALL.len());
        for rule in Rule::ALL {
            let found: Vec<usize> = (0..listed.len())
                .filter(|&i| listed[i].id == rule.id())
                .collect();
            match found.len() {
                0 => problems.push(format!("rule `{}` has no entry", rule.id())),
                1 => docs.push(listed[found[0]].clone()),
                n => problems.push(format!("rule `{}` has {n} entries", rule.id())),
            }
        }
        listed.clear();
        if problems.is_empty() {
            Ok(RuleDocs { docs })
        } else {
            Err(Error::rules(origin, problems.join("; ")))
        }
    }

    pub fn get(&self, rule: Rule) -> &RuleDoc {
        // `parse` guarantees one doc per rule, in `Rule::ALL` order.
        let index = Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0);
        &self.docs[index]
    }

    pub fn iter(&self) -> impl Iterator<Item = &RuleDoc> {
        self.docs.iter()
    }
}
