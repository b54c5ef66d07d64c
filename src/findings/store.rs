//! The findings of a run, in report order. An audit of a whole snapshot finds millions, and held
//! as structs they take more memory than the models themselves (their messages are long and
//! alike). Past one block they are sealed into compressed blocks (postcard, then LZ4: messages
//! repeat, so blocks shrink about tenfold) and read back one block at a time as a report is
//! written. A run with fewer findings than a block never compresses anything.

use super::{Finding, Severity};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Findings per sealed block.
const BLOCK: usize = 4096;

/// The order findings are reported in: by model, most severe first, then rule and fingerprint.
pub fn report_order(a: &Finding, b: &Finding) -> Ordering {
    (
        &a.model,
        std::cmp::Reverse(a.severity),
        a.rule,
        &a.fingerprint,
    )
        .cmp(&(
            &b.model,
            std::cmp::Reverse(b.severity),
            b.rule,
            &b.fingerprint,
        ))
}

/// A block of findings, encoded and compressed. Encoding plain structs of strings cannot fail;
/// were it ever to, the block is kept open rather than lost.
fn seal(block: &[Finding]) -> Result<Sealed, String> {
    let encoded = postcard::to_allocvec(block).map_err(|e| e.to_string())?;
    Ok(Sealed {
        bytes: lz4_flex::compress_prepend_size(&encoded),
    })
}

/// A sealed block's findings.
fn unseal(block: &Sealed) -> Result<Vec<Finding>, String> {
    let bytes = lz4_flex::decompress_size_prepended(&block.bytes).map_err(|e| e.to_string())?;
    postcard::from_bytes::<Vec<Finding>>(&bytes).map_err(|e| e.to_string())
}

#[derive(Clone)]
struct Sealed {
    /// LZ4 of the postcard encoding of a `Vec<Finding>`.
    bytes: Vec<u8>,
}

/// Findings in report order: appended in runs that are each sorted and follow one another
/// (the checks' batches), plus a few placed anywhere ([`Findings::insert`]), merged in on reading.
#[derive(Clone, Default)]
pub struct Findings {
    sealed: Vec<Sealed>,
    open: Vec<Finding>,
    /// Findings outside the batches (unreadable models, expired waivers), sorted.
    placed: Vec<Finding>,
    block: usize,
    len: usize,
    counts: [usize; 3],
}

impl std::fmt::Debug for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Findings")
            .field("len", &self.len)
            .field("sealed_blocks", &self.sealed.len())
            .finish()
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(mut findings: Vec<Finding>) -> Findings {
        findings.sort_by(report_order);
        let mut out = Findings::new();
        out.append_sorted(findings);
        out
    }
}

fn slot(severity: Severity) -> usize {
    match severity {
        Severity::Note => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

impl Findings {
    pub fn new() -> Findings {
        Findings::with_block(BLOCK)
    }

    /// With blocks of `block` findings (tests use small ones).
    pub fn with_block(block: usize) -> Findings {
        Findings {
            block: block.max(1),
            ..Findings::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Findings at a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.counts[slot(severity)]
    }

    /// Appends a batch, sorted in itself, whose findings all sort after every batch before it.
    /// The full blocks are sealed on every core (encoding and compressing is most of the cost).
    pub fn append_sorted(&mut self, batch: Vec<Finding>) {
        use rayon::prelude::*;
        debug_assert!(batch.is_sorted_by(|a, b| report_order(a, b).is_le()));
        for finding in &batch {
            self.counts[slot(finding.severity)] += 1;
        }
        self.len += batch.len();
        self.open.extend(batch);
        if self.open.len() < self.block {
            return;
        }
        let rest = self
            .open
            .split_off(self.open.len() / self.block * self.block);
        let mut blocks = Vec::new();
        let mut full = std::mem::take(&mut self.open).into_iter();
        loop {
            let block: Vec<Finding> = full.by_ref().take(self.block).collect();
            if block.is_empty() {
                break;
            }
            blocks.push(block);
        }
        let sealed: Vec<(Vec<Finding>, Result<Sealed, String>)> = blocks
            .into_par_iter()
            .map(|block| {
                let sealed = seal(&block);
                (block, sealed)
            })
            .collect();
        let mut done = Vec::with_capacity(sealed.len());
        for (block, sealed) in sealed {
            match sealed {
                // Once one block is kept open, the later ones are too: open findings follow
                // the sealed ones.
                Ok(sealed) if self.open.is_empty() => {
                    self.sealed.push(sealed);
                    done.push(block);
                }
                Ok(_) => self.open.extend(block),
                Err(e) => {
                    tracing::error!("findings could not be compacted, kept as they are: {e}");
                    self.open.extend(block);
                }
            }
        }
        self.open.extend(rest);
        // Freed on every core too.
        done.into_par_iter().for_each(drop);
    }

    /// Adds one finding wherever it sorts, outside the batches.
    pub fn insert(&mut self, finding: Finding) {
        self.counts[slot(finding.severity)] += 1;
        self.len += 1;
        let at = self
            .placed
            .partition_point(|f| report_order(f, &finding).is_le());
        self.placed.insert(at, finding);
    }

    /// Every finding, in report order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            store: self,
            next_block: 0,
            current: Vec::new().into_iter(),
            decoded: std::collections::VecDeque::new(),
            open: self.open.iter(),
            placed: self.placed.iter().peekable(),
            main: None,
        }
    }
}

/// Reads [`Findings`] back, one block in memory at a time.
pub struct Iter<'a> {
    store: &'a Findings,
    next_block: usize,
    current: std::vec::IntoIter<Finding>,
    /// Blocks decoded ahead of `current`.
    decoded: std::collections::VecDeque<Vec<Finding>>,
    open: std::slice::Iter<'a, Finding>,
    placed: std::iter::Peekable<std::slice::Iter<'a, Finding>>,
    /// The next finding of the batches, looked at but not yet given out.
    main: Option<Cow<'a, Finding>>,
}

impl<'a> Iter<'a> {
    fn next_main(&mut self) -> Option<Cow<'a, Finding>> {
        loop {
            if let Some(f) = self.current.next() {
                return Some(Cow::Owned(f));
            }
            if let Some(block) = self.decoded.pop_front() {
                self.current = block.into_iter();
                continue;
            }
            let sealed = &self.store.sealed[self.next_block..];
            if sealed.is_empty() {
                return self.open.next().map(Cow::Borrowed);
            }
            // The next blocks decoded on every core at once, a few per thread: the reader
            // (a report being written) would otherwise wait on one core for each.
            use rayon::prelude::*;
            let ahead = sealed.len().min(rayon::current_num_threads().max(1) * 2);
            self.next_block += ahead;
            let decoded: Vec<Result<Vec<Finding>, String>> =
                sealed[..ahead].par_iter().map(unseal).collect();
            for block in decoded {
                match block {
                    Ok(findings) => self.decoded.push_back(findings),
                    // Only our own bytes are read here; a failure would be a bug, said rather
                    // than hidden.
                    Err(e) => tracing::error!("a block of findings could not be read back: {e}"),
                }
            }
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Cow<'a, Finding>;

    fn next(&mut self) -> Option<Cow<'a, Finding>> {
        if self.main.is_none() {
            self.main = self.next_main();
        }
        match (&self.main, self.placed.peek()) {
            (Some(main), Some(placed)) if report_order(placed, main).is_lt() => {
                self.placed.next().map(Cow::Borrowed)
            }
            (Some(_), _) => self.main.take(),
            (None, _) => self.placed.next().map(Cow::Borrowed),
        }
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = Cow<'a, Finding>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl serde::Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Rule;

    fn finding(model: &str, rule: Rule, severity: Severity) -> Finding {
        let mut f = Finding::new(rule, model, "key", format!("{rule} on {model}"));
        f.severity = severity;
        f.ancestors = vec![format!("{model}-parent")];
        f
    }

    #[test]
    fn sealed_blocks_read_back_in_order_with_placed_findings_merged_in() {
        let mut expected = Vec::new();
        let mut store = Findings::with_block(3);
        for batch in 0..5 {
            let mut findings: Vec<Finding> = (0..4)
                .map(|i| {
                    finding(
                        &format!("m{batch}/{i}"),
                        Rule::LicenseDrift,
                        Severity::Error,
                    )
                })
                .collect();
            findings.push(finding(
                &format!("m{batch}/3"),
                Rule::CardShrink,
                Severity::Note,
            ));
            findings.sort_by(report_order);
            expected.extend(findings.clone());
            store.append_sorted(findings);
        }
        for model in ["a/first", "m2/0", "z/last"] {
            let f = finding(model, Rule::ModelUnreadable, Severity::Warning);
            expected.push(f.clone());
            store.insert(f);
        }
        expected.sort_by(report_order);
        assert!(store.sealed.len() >= 8, "{} blocks", store.sealed.len());
        let read: Vec<Finding> = store.iter().map(Cow::into_owned).collect();
        let key = |f: &Finding| {
            (
                f.model.clone(),
                f.rule,
                f.message.clone(),
                f.ancestors.clone(),
            )
        };
        assert_eq!(
            read.iter().map(key).collect::<Vec<_>>(),
            expected.iter().map(key).collect::<Vec<_>>()
        );
        assert_eq!(store.len(), 28);
        assert_eq!(store.count(Severity::Error), 20);
        assert_eq!(store.count(Severity::Warning), 3);
        assert_eq!(store.count(Severity::Note), 5);
    }

    #[test]
    fn a_small_run_is_never_compressed() {
        let mut store = Findings::new();
        store.append_sorted(vec![finding("a/b", Rule::LicenseDrift, Severity::Error)]);
        assert!(store.sealed.is_empty());
        assert!(matches!(store.iter().next(), Some(Cow::Borrowed(_))));
    }
}
