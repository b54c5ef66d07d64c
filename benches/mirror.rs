//! `cargo bench --bench mirror`: audits all of ../shared/data/hub-mirror on one thread and
//! prints the median wall time, models per second and peak memory; then the drift found per
//! family (the table in the README). Targets: < 0.5 s for the whole mirror, < 100 MB peak.
//!
//! A bench binary rather than a timed test: shared machines make timings flaky, so figures are
//! printed for people to read, not asserted.

mod support;

use pedigree::audit::{Auditor, DEFAULT_MAX_DEPTH, Target, today};
use pedigree::config::Config;
use pedigree::findings::{Rule, RuleDocs};
use pedigree::license::Catalogue;
use pedigree::report::{Report, Role};
use pedigree::source::Mirror;
use std::time::Instant;

const RUNS: usize = 11;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let Some(dir) = support::mirror_dir() else {
        return;
    };
    let catalogue = Catalogue::builtin().expect("catalogue");
    let docs = RuleDocs::builtin().expect("rule docs");
    let config = Config::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let audit = |target: &Target| -> Report {
        // A fresh mirror each run, so nothing is cached between runs.
        let mirror = Mirror::open(&dir).expect("mirror");
        let auditor = Auditor {
            source: &mirror,
            catalogue: &catalogue,
            docs: &docs,
            config: &config,
            max_depth: DEFAULT_MAX_DEPTH,
            max_family: pedigree::audit::DEFAULT_MAX_FAMILY,
            today: today(),
            body_budget: pedigree::lineage::DEFAULT_BODY_BUDGET,
            datasets: true,
            progress: None,
        };
        runtime.block_on(auditor.run(target)).expect("audit")
    };

    let mut times = Vec::with_capacity(RUNS);
    let mut report = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        report = Some(audit(&Target::All));
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    let report = report.expect("ran");
    let models = report.summary.models;
    println!(
        "whole mirror ({}), every check (content and similarity checks included), one thread, {RUNS} runs",
        dir.display()
    );
    println!("  models audited:   {models}");
    println!(
        "  median wall time: {:.3} s (min {:.3} s, max {:.3} s)",
        median,
        times[0],
        times[RUNS - 1]
    );
    println!("  models per second: {:.0}", models as f64 / median);
    match peak_rss_mb() {
        Some(mb) => println!("  peak memory (VmHWM): {mb:.1} MB"),
        None => println!("  peak memory: not available on this platform"),
    }
    println!(
        "  findings: {} errors, {} warnings, {} notes",
        report.summary.errors, report.summary.warnings, report.summary.notes
    );

    // Families: roots are audited models with no readable parent and at least one child.
    let has_children = |id: &str| {
        report
            .models
            .iter()
            .any(|m| m.parents.iter().any(|p| p.id == id))
    };
    let mut roots: Vec<&str> = report
        .models
        .iter()
        .filter(|m| m.role == Role::Audited)
        .filter(|m| {
            m.parents.iter().all(|p| {
                report
                    .models
                    .iter()
                    .any(|o| o.id == p.id && o.role == Role::Unresolved)
            })
        })
        .filter(|m| has_children(&m.id))
        .map(|m| m.id.as_str())
        .collect();
    roots.sort();
    println!(
        "\n| family root | root licence | models | license-drift | agreement-copy-missing | errors | warnings | notes |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for root in roots {
        let family = audit(&Target::Family(vec![root.to_string()]));
        let count = |rule: Rule| family.findings.iter().filter(|f| f.rule == rule).count();
        let counts = (count(Rule::LicenseDrift), count(Rule::AgreementCopyMissing));
        let licence = family
            .models
            .iter()
            .find(|m| m.id == root)
            .and_then(|m| m.license.normalized.clone())
            .unwrap_or_else(|| "none".into());
        rows.push((
            family.summary.models,
            root.to_string(),
            licence,
            counts,
            family.summary,
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (n, root, licence, (drift, copies), s) in rows {
        // A `|` inside a cell would end it.
        let licence = licence.replace('|', "\\|");
        println!(
            "| {root} | {licence} | {n} | {drift} | {copies} | {} | {} | {} |",
            s.errors, s.warnings, s.notes
        );
    }
}
