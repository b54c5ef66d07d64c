//! Content checks that compare cards: copied cards with a changed licence, and `pedigree stats`.

mod common;

use common::{Fixture, pedigree};

/// A long, distinctive card body, so shingles mean something.
fn base_card() -> String {
    (0..12)
        .map(|i| format!("Section {i}: the orca whale model number {i} was trained on seabird migration logs collected at station {i} during the winter survey."))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn fixture() -> Fixture {
    let f = Fixture::new();
    let notice = common::LLAMA2_NOTICE;
    f.add_card(
        "meta-llama/Llama-2-7b-hf",
        "license: llama2\n",
        &format!("{}\n\n{notice}", base_card()),
    );
    let link =
        "base_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    // The parent's card copied nearly whole, re-licensed MIT.
    f.add_card(
        "copy/relicensed",
        &format!("license: mit\n{link}"),
        &format!(
            "{}\n\nFine-tuned for one more epoch.\n\n{notice}",
            base_card()
        ),
    );
    // Copied, same licence: nothing to say about the copy.
    f.add_card(
        "copy/same",
        &format!("license: llama2\n{link}"),
        &format!("{}\n\n{notice}", base_card()),
    );
    // Its own card, re-licensed: drift, but no copy.
    f.add_card(
        "own/relicensed",
        &format!("license: mit\n{link}"),
        "A chatbot for a bakery that answers questions about bread, opening hours and allergens in three languages.",
    );
    f
}

#[test]
fn a_copied_card_with_a_less_restrictive_licence_is_reported() {
    let f = fixture();
    let run = common::audit_all(&f);
    let copied = run.rules_of("copy/relicensed");
    assert!(
        copied.contains(&"card-copied-license-changed".to_string()),
        "{copied:?}"
    );
    assert!(run.stdout.contains("strikingly similar"), "{}", run.stdout);
    assert!(
        !run.rules_of("copy/same")
            .contains(&"card-copied-license-changed".to_string())
    );
    let own = run.rules_of("own/relicensed");
    assert!(
        own.contains(&"license-drift".to_string())
            && !own.contains(&"card-copied-license-changed".to_string()),
        "{own:?}"
    );
}

#[test]
fn stats_count_transitions_drift_and_similarity() {
    let f = fixture();
    let m = f.path().to_str().unwrap();
    let run = pedigree(
        &["stats", "--all", "--mirror", m, "--format", "json"],
        f.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stats = run.json();
    let family = &stats["families"][0];
    assert_eq!(family["root"], "meta-llama/Llama-2-7b-hf");
    assert_eq!(family["models"], 4);
    assert_eq!(family["edges"], 3);
    assert_eq!(family["license_changed"], 2);
    assert_eq!(family["license_violating"], 2);
    assert_eq!(family["transitions"]["llama2"]["mit"], 2);
    assert_eq!(family["transitions"]["llama2"]["llama2"], 1);
    let pc = &family["parent_child_similarity"];
    assert_eq!(pc["pairs"], 2, "the bakery card is too short to compare");
    assert_eq!(pc["striking"], 2);
    assert!(family["card_words_by_depth"]["0"][1].as_f64().unwrap() > 100.0);
    // The same figures as CSV and as a table.
    let csv = pedigree(
        &[
            "stats",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            m,
            "--format",
            "csv",
        ],
        f.path(),
    );
    let mut lines = csv.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("root,root_license,models,edges,license_changed,license_violating")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("\"meta-llama/Llama-2-7b-hf\",\"llama2\",4,3,2,2,"),
        "{}",
        csv.stdout
    );
    let human = pedigree(&["stats", "--all", "--mirror", m], f.path());
    assert!(
        human
            .stdout
            .contains("| meta-llama/Llama-2-7b-hf | llama2 | 4 | 3 | 66.7% | 66.7% |"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("2  llama2 → mit"));
}
