//! Where checks send findings. The sink, not the checks, decides severity (the rule's default or
//! the project's override) and applies waivers, as cargo-deny's diagnostic sink does.

use super::{Finding, Overrides, Rule, RuleDocs, Severity};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkSummary {
    /// Findings silenced by a waiver that is still in force.
    pub waived: usize,
}

pub struct Sink<'a> {
    docs: &'a RuleDocs,
    overrides: &'a Overrides,
    today: jiff::civil::Date,
    findings: Vec<Finding>,
    waived: usize,
    /// Per waiver: it matched a finding after its expiry date.
    expired_hit: Vec<bool>,
}

impl<'a> Sink<'a> {
    pub fn new(docs: &'a RuleDocs, overrides: &'a Overrides, today: jiff::civil::Date) -> Sink<'a> {
        let expired_hit = vec![false; overrides.waivers.len()];
        Sink {
            docs,
            overrides,
            today,
            findings: Vec::new(),
            waived: 0,
            expired_hit,
        }
    }

    /// The severity a rule reports at, or `None` when the config turned it off.
    fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.overrides.severity.get(&rule) {
            Some(level) => *level,
            None => Some(self.docs.get(rule).severity),
        }
    }

    pub fn push(&mut self, mut finding: Finding) {
        let severity = match self.overrides.severity.get(&finding.rule) {
            Some(level) => *level,
            // The check's cap lowers the rule's default, never the config's choice.
            None => {
                let default = self.docs.get(finding.rule).severity;
                Some(finding.cap.map_or(default, |cap| cap.min(default)))
            }
        };
        let Some(severity) = severity else {
            return;
        };
        finding.severity = severity;
        let waiver = self
            .overrides
            .waivers
            .iter()
            .position(|w| w.matches(&finding.model, finding.rule));
        if let Some(index) = waiver {
            match self.overrides.waivers[index].expires {
                Some(date) if date < self.today => self.expired_hit[index] = true,
                _ => {
                    self.waived += 1;
                    return;
                }
            }
        }
        self.findings.push(finding);
    }

    /// The findings pushed since the last take, in the order they came.
    pub fn take(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.push(f);
        }
    }

    /// The findings to report, with one `waiver-expired` per expired waiver that still matters.
    pub fn finish(mut self) -> (Vec<Finding>, SinkSummary) {
        let file = self.overrides.file.as_deref();
        for (index, waiver) in self.overrides.waivers.iter().enumerate() {
            let (true, Some(date)) = (self.expired_hit[index], waiver.expires) else {
                continue;
            };
            let Some(severity) = self.severity(Rule::WaiverExpired) else {
                continue;
            };
            let message = format!(
                "the waiver of `{}` for `{}` (\"{}\") expired on {date}; the findings it covered are reported again",
                waiver.rule, waiver.model, waiver.reason
            );
            let key = format!("{} {}", waiver.rule, waiver.model);
            let mut finding = Finding::new(Rule::WaiverExpired, &waiver.model, &key, message)
                .at(file, waiver.line);
            finding.severity = severity;
            self.findings.push(finding);
        }
        (
            self.findings,
            SinkSummary {
                waived: self.waived,
            },
        )
    }
}
