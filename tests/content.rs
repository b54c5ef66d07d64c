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
    let unlinked = "base_model: meta-llama/Llama-2-7b-hf\n";
    // The parent's card copied nearly whole, re-licensed MIT.
    f.add_card(
        "copy/relicensed",
        &format!("license: mit\n{unlinked}"),
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
        &format!("license: mit\n{unlinked}"),
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

/// The fixture's findings through the library, keeping at most `body_budget` bytes of card text.
fn findings_with_budget(f: &Fixture, body_budget: usize) -> Vec<(String, String, String)> {
    let (report, _) = common::library_report(f.path(), body_budget);
    report
        .findings
        .iter()
        .map(|f| (f.model.clone(), f.rule.to_string(), f.message.clone()))
        .collect()
}

#[test]
fn cards_not_kept_in_memory_are_read_again_and_judged_the_same() {
    let f = fixture();
    // An orphan that mentions its parent, and a template card: measured when read, kept or not.
    f.add_card(
        "orphan/helper",
        "license: llama2\n",
        "Fine-tuned from meta-llama/Llama-2-7b-hf on bakery questions.",
    );
    let kept = findings_with_budget(&f, usize::MAX);
    let dropped = findings_with_budget(&f, 0);
    assert_eq!(kept, dropped);
    let rules: Vec<&str> = dropped.iter().map(|(_, r, _)| r.as_str()).collect();
    for rule in [
        "card-copied-license-changed",
        "notice-missing",
        "undeclared-parent",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
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

#[test]
fn an_undeclared_parent_is_suggested_with_its_score() {
    let f = Fixture::new();
    let info_date = |id: &str, date: &str| {
        let path = f.path().join(id).join("info.json");
        let mut info: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        info["createdAt"] = date.into();
        std::fs::write(&path, info.to_string()).unwrap();
    };
    f.add_card(
        "meta-llama/Llama-2-7b-chat-hf",
        "license: llama2\n",
        "The Llama 2 chat model.",
    );
    f.add_card(
        "kid/declared",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\n",
        "A declared child.",
    );
    // No base_model, but the card says where it comes from.
    f.add_card(
        "orphan/llama-2-7b-chat-medical",
        "license: mit\n",
        "This model is a fine-tuned version of [meta-llama/Llama-2-7b-chat-hf](https://huggingface.co/meta-llama/Llama-2-7b-chat-hf) on medical dialogues.",
    );
    // Nothing points anywhere: no suggestion.
    f.add_card(
        "solo/weather-forecaster",
        "license: apache-2.0\n",
        "A small model trained from scratch on weather station data.",
    );
    // A candidate younger than the model cannot be its parent.
    f.add_card(
        "early/llama-2-7b-chat-tiny",
        "license: mit\n",
        "Fine-tuned from meta-llama/Llama-2-7b-chat-hf.",
    );
    info_date("meta-llama/Llama-2-7b-chat-hf", "2023-07-13T00:00:00.000Z");
    info_date("orphan/llama-2-7b-chat-medical", "2024-01-01T00:00:00.000Z");
    info_date("early/llama-2-7b-chat-tiny", "2023-01-01T00:00:00.000Z");
    let run = common::audit_all(&f);
    let report = run.json();
    let note = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "undeclared-parent" && f["model"] == "orphan/llama-2-7b-chat-medical"
        })
        .expect("a suggestion");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("`meta-llama/Llama-2-7b-chat-hf` (score"),
        "{note}"
    );
    assert_eq!(note["severity"], "note");
    assert!(
        !run.rules_of("solo/weather-forecaster")
            .contains(&"undeclared-parent".to_string())
    );
    assert!(
        !run.rules_of("meta-llama/Llama-2-7b-chat-hf")
            .contains(&"undeclared-parent".to_string()),
        "a parent is a root, not an orphan"
    );
    assert!(
        !run.rules_of("early/llama-2-7b-chat-tiny")
            .contains(&"undeclared-parent".to_string()),
        "its only candidate is younger"
    );
}

#[test]
fn stats_measure_undeclared_parent_recovery() {
    let f = fixture();
    let run = pedigree(
        &[
            "stats",
            "--all",
            "--mirror",
            f.path().to_str().unwrap(),
            "--format",
            "json",
        ],
        f.path(),
    );
    let r = &run.json()["undeclared_parent_recovery"];
    assert_eq!(r["models"], 3);
    assert!(r["top5"].as_u64().unwrap() >= r["top1"].as_u64().unwrap());
    assert!(r["confident_correct"].as_u64().unwrap() <= r["confident"].as_u64().unwrap());
}

/// Sets a field of a fixture model's info.json.
fn set_info(f: &Fixture, id: &str, key: &str, value: serde_json::Value) {
    let path = f.path().join(id).join("info.json");
    let mut info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    info[key] = value;
    std::fs::write(&path, info.to_string()).unwrap();
}

#[test]
fn trait_drift_notes() {
    let f = Fixture::new();
    let long = (0..80)
        .map(|i| format!("Paragraph {i} explains intended use and limitations."))
        .collect::<Vec<_>>()
        .join(" ");
    f.add_card(
        "meta-llama/Llama-2-7b-hf",
        "license: llama2\nlanguage: [en, fr, de, es]\n",
        &long,
    );
    set_info(&f, "meta-llama/Llama-2-7b-hf", "gated", "manual".into());
    let child = "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    let enough = format!("{long}\n\n{}", common::LLAMA2_NOTICE);
    // Full weights, ungated: the gate is gone.
    f.add(common::Model {
        id: "open/full-weights",
        front_matter: child,
        files: &["model.safetensors"],
        tags: &[],
    });
    std::fs::write(
        f.path().join("open/full-weights/README.md"),
        format!("---\n{child}---\n{enough}\n"),
    )
    .unwrap();
    // An adapter holds no base weights.
    f.add(common::Model {
        id: "open/adapter",
        front_matter: child,
        files: &["adapter_config.json", "adapter_model.safetensors"],
        tags: &[],
    });
    std::fs::write(
        f.path().join("open/adapter/README.md"),
        format!("---\n{child}---\n{enough}\n"),
    )
    .unwrap();
    // English only, a ten-word card.
    f.add_card(
        "narrow/english",
        &format!("{child}language: en\n"),
        &format!("A short card. {}", common::LLAMA2_NOTICE),
    );
    // The Hub's template.
    let template = format!(
        "# Model Card for Model ID\n\n<!-- Provide a quick summary of what the model is/does. -->\n\n{}\n\n{long}\n\n{}",
        "[More Information Needed]\n".repeat(6),
        common::LLAMA2_NOTICE
    );
    f.add_card("lazy/template", child, &template);
    let run = common::audit_all(&f);
    assert_eq!(run.rules_of("open/full-weights"), vec!["gating-dropped"]);
    assert!(
        run.rules_of("open/adapter").is_empty(),
        "{:?}",
        run.rules_of("open/adapter")
    );
    let narrow = run.rules_of("narrow/english");
    assert!(
        narrow.contains(&"language-drift".to_string())
            && narrow.contains(&"card-shrink".to_string()),
        "{narrow:?}"
    );
    // It re-hosts the gated parent's weights too.
    assert_eq!(
        run.rules_of("lazy/template"),
        vec!["gating-dropped", "template-card"]
    );
    let report = run.json();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "gating-dropped")
            .all(|f| f["severity"] == "note")
    );
}

#[test]
fn a_copied_code_file_without_its_licence_header_is_reported() {
    let f = Fixture::new();
    let body: String = (0..40)
        .map(|i| format!("def orca_layer_{i}(hidden, weights):\n    return hidden @ weights[{i}] + orca_bias({i})\n"))
        .collect();
    let header = "# coding=utf-8\n# Copyright 2024 The Orca Team. All rights reserved.\n# Licensed under the Apache License, Version 2.0 (the \"License\").\n\n";
    let files: &[&str] = &["modeling_orca.py"];
    f.add(common::Model {
        id: "orca/base",
        front_matter: "license: apache-2.0\n",
        files,
        tags: &[],
    });
    std::fs::write(
        f.path().join("orca/base/modeling_orca.py"),
        format!("{header}{body}"),
    )
    .unwrap();
    let child = "license: apache-2.0\nbase_model: orca/base\nlicense_link: https://www.apache.org/licenses/LICENSE-2.0\n";
    f.add(common::Model {
        id: "fork/stripped",
        front_matter: child,
        files,
        tags: &[],
    });
    std::fs::write(
        f.path().join("fork/stripped/modeling_orca.py"),
        format!("# tweaked\n{body}"),
    )
    .unwrap();
    f.add(common::Model {
        id: "fork/kept",
        front_matter: child,
        files,
        tags: &[],
    });
    std::fs::write(
        f.path().join("fork/kept/modeling_orca.py"),
        format!("{header}{body}# one more line\n"),
    )
    .unwrap();
    f.add(common::Model {
        id: "fork/rewritten",
        front_matter: child,
        files,
        tags: &[],
    });
    std::fs::write(
        f.path().join("fork/rewritten/modeling_orca.py"),
        "import torch\n\nclass Orca(torch.nn.Module):\n    pass\n",
    )
    .unwrap();
    let run = common::audit_with_config(&f, "severity:\n  notice-missing: off\n");
    assert_eq!(run.rules_of("fork/stripped"), vec!["code-header-stripped"]);
    assert!(
        run.stdout.contains("`modeling_orca.py` is"),
        "{}",
        run.stdout
    );
    assert!(
        run.rules_of("fork/kept").is_empty(),
        "{:?}",
        run.rules_of("fork/kept")
    );
    assert!(run.rules_of("fork/rewritten").is_empty());
}
