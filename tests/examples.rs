//! The example mirror shipped in `examples/`: every rule shows at least once, and the human and
//! JSON reports are pinned by snapshots.

mod common;

use common::{pedigree, repo_root};

fn run(format: &str) -> common::Run {
    let root = repo_root();
    pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            "examples/mirror",
            "--format",
            format,
        ],
        &root,
    )
}

#[test]
fn every_core_rule_shows_in_the_example_mirror() {
    let run = run("json");
    assert_eq!(run.code, 1);
    let rules: Vec<String> = run.pairs().into_iter().map(|(_, r)| r).collect();
    for rule in [
        "license-drift",
        "missing-license",
        "unknown-license",
        "license-undecidable",
        "incompatible-parents",
        "unresolved-parent",
        "lineage-cycle",
        "naming-obligation",
        "card-invalid",
        "license-file-mismatch",
        "agreement-copy-missing",
        "notice-missing",
        "gating-dropped",
        "agreement-version-mismatch",
        "inherited-terms-unstated",
        "license-link-conflict",
        "license-id-not-hub",
        "no-derived-material",
        "outputs-clause",
        "dataset-license-conflict",
        "unresolved-dataset",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "the example mirror never shows {rule}"
        );
    }
    // The FLUX.1 [dev] LoRA labelled apache-2.0 breaks both the grant and the non-commercial
    // terms; the one declared under the FLUX licence, with its notice and link, is clean.
    let flux = run.finding("pixelforge/flux-pixel-lora", "license-drift");
    let section = flux["clause"]["section"].as_str().unwrap();
    assert!(
        section.contains("§2.a") && section.contains("§3.c(ii)"),
        "{section}"
    );
    // A Phi-2 fine-tune on answers generated with Meta Llama 3 breaks Llama 3 §1.b.v; one on
    // non-commercial dialogues is asked the question, not accused.
    let outputs = run.finding("synthforge/phi-2-synth-chat", "outputs-clause");
    assert_eq!(outputs["severity"], "error");
    assert_eq!(outputs["dataset"], "synthforge/llama3-chat-synth");
    let question = run.finding("synthforge/phi-2-dialogue", "dataset-license-conflict");
    assert_eq!(question["severity"], "warning");
    // The README-only repo is not accused.
    assert_eq!(
        run.rules_of("helpdesk-lab/llama2-helpdesk-rag"),
        vec!["no-derived-material"]
    );
    // Clean scenarios stay clean.
    for clean in [
        "acme-support/helpdesk-7b-lora",
        "nordic-nlp/Llama-3-Fjord-8B-sv",
        "pixelforge/sd21-pixel-art",
        "tinytools/phi-2-summarizer",
        "pixelforge/flux-ink-lora",
    ] {
        assert!(
            run.rules_of(clean).is_empty(),
            "{clean}: {:?}",
            run.rules_of(clean)
        );
    }
}

#[test]
fn example_reports_match_snapshots() {
    insta::assert_snapshot!("examples_human", run("human").stdout);
    let mut json = run("json").json();
    json["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("examples_json", json);
}

#[test]
fn pre_publish_example_is_audited_against_the_mirror() {
    let root = repo_root();
    let run = pedigree(
        &[
            "audit",
            "examples/my-model",
            "--mirror",
            "examples/mirror",
            "--format",
            "json",
        ],
        &root,
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.rules_of("examples/my-model"),
        vec!["license-drift", "agreement-copy-missing", "notice-missing"]
    );
}
