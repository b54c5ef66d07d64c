//! How `pedigree stats` shows its figures: a human table (Markdown, so it can go in a README as
//! is) and CSV.

use super::{Distribution, FamilyStats, Stats};
use crate::report::escape::{csv, markdown};
use std::io::{self, Write};

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn sim(d: &Distribution) -> String {
    if d.pairs == 0 {
        "–".into()
    } else {
        format!("{:.2}", d.median)
    }
}

/// Mean card words at depth 0 → 1 → 2 (the first three generations).
fn lengths(f: &FamilyStats) -> String {
    let words: Vec<String> = (0..3)
        .filter_map(|d| f.card_words_by_depth.get(&d))
        .map(|(_, w)| format!("{w:.0}"))
        .collect();
    words.join(" → ")
}

pub fn render_human(stats: &Stats, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "| family root | root licence | models | edges | licence changed | licence broken | parent–child similarity (median) | sibling similarity (median) | card words by depth 0 → 1 → 2 |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---|")?;
    for f in stats
        .families
        .iter()
        .filter(|f| f.edges > 0)
        .chain(std::iter::once(&stats.total))
    {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            markdown::text(&f.root),
            markdown::text(&f.root_license),
            f.models,
            f.edges,
            pct(f.license_changed, f.edges),
            pct(f.license_violating, f.edges),
            sim(&f.parent_child_similarity),
            sim(&f.sibling_similarity),
            lengths(f)
        )?;
    }
    let d = &stats.total.parent_child_similarity;
    writeln!(
        out,
        "\nParent–child card similarity (Jaccard of 5-word shingles), {} pairs:",
        d.pairs
    )?;
    let deciles: Vec<String> = d.deciles.iter().map(|v| format!("{v:.2}")).collect();
    writeln!(out, "  deciles 0%..100%: {}", deciles.join(" "))?;
    let upper: Vec<String> = d.upper.iter().map(|v| format!("{v:.2}")).collect();
    writeln!(out, "  90th, 95th, 99th percentiles: {}", upper.join(", "))?;
    writeln!(
        out,
        "  pairs sharing any 5-word passage: {} ({})",
        d.nonzero,
        pct(d.nonzero, d.pairs)
    )?;
    writeln!(
        out,
        "  striking-similarity threshold {:.2}: {} pairs ({}) at or above it",
        stats.striking_similarity_threshold,
        d.striking,
        pct(d.striking, d.pairs)
    )?;
    let s = &stats.total.sibling_similarity;
    writeln!(
        out,
        "Sibling card similarity, {} pairs: median {:.2}, mean {:.2}",
        s.pairs, s.median, s.mean
    )?;
    let r = &stats.undeclared_parent_recovery;
    writeln!(
        out,
        "Undeclared-parent recovery, each declared base_model hidden in turn, {} models: top-1 {}, top-5 {}",
        r.models,
        pct(r.top1, r.models),
        pct(r.top5, r.models)
    )?;
    writeln!(
        out,
        "  at score ≥ {:.2} (what the note reports): {} suggestions, {} of them right ({})",
        crate::checks::UNDECLARED_MIN_SCORE,
        r.confident,
        r.confident_correct,
        pct(r.confident_correct, r.confident)
    )?;
    let d = &stats.total.datasets;
    writeln!(
        out,
        "Dataset → model licences, {} edges ({} `datasets:` entries unread): licence changed on {}; restrictive data licence to a permissive model licence on {} of {} ({})",
        d.edges,
        d.unresolved,
        pct(d.license_changed, d.edges),
        d.restrictive_to_permissive,
        d.restrictive,
        pct(d.restrictive_to_permissive, d.restrictive)
    )?;
    writeln!(
        out,
        "\nLicence transitions, parent → child (edges, most frequent first):"
    )?;
    transitions(&stats.total.transitions, out)?;
    if stats.total.datasets.edges > 0 {
        writeln!(
            out,
            "\nLicence transitions, dataset → model (edges, most frequent first):"
        )?;
        transitions(&stats.total.datasets.transitions, out)?;
    }
    Ok(())
}

/// The 20 most frequent transitions of a table, most frequent first.
fn transitions(
    table: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut pairs: Vec<(&String, &String, usize)> = table
        .iter()
        .flat_map(|(from, tos)| tos.iter().map(move |(to, n)| (from, to, *n)))
        .collect();
    pairs.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
    for (from, to, n) in pairs.iter().take(20) {
        writeln!(
            out,
            "  {n:>5}  {} → {}",
            markdown::text(from),
            markdown::text(to)
        )?;
    }
    Ok(())
}

pub fn render_csv(stats: &Stats, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "root,root_license,models,edges,license_changed,license_violating,parent_child_median,parent_child_mean,parent_child_striking,sibling_median,sibling_mean,words_depth0,words_depth1,words_depth2,dataset_edges,dataset_license_changed,dataset_restrictive,dataset_restrictive_to_permissive"
    )?;
    for f in stats.families.iter().chain(std::iter::once(&stats.total)) {
        let words = |d: usize| {
            f.card_words_by_depth
                .get(&d)
                .map(|(_, w)| format!("{w:.1}"))
                .unwrap_or_default()
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{:.4},{:.4},{},{:.4},{:.4},{},{},{},{},{},{},{}",
            csv::field(&f.root),
            csv::field(&f.root_license),
            f.models,
            f.edges,
            f.license_changed,
            f.license_violating,
            f.parent_child_similarity.median,
            f.parent_child_similarity.mean,
            f.parent_child_similarity.striking,
            f.sibling_similarity.median,
            f.sibling_similarity.mean,
            words(0),
            words(1),
            words(2),
            f.datasets.edges,
            f.datasets.license_changed,
            f.datasets.restrictive,
            f.datasets.restrictive_to_permissive
        )?;
    }
    Ok(())
}
