//! Every rule on a tiny fixture mirror: it fires where it should, and stays silent where a naive
//! tool would raise a false alarm.

mod common;

use common::{Fixture, audit_focused, model};

fn llama2_root(f: &Fixture) {
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
}

#[test]
fn license_drift_is_inherited_from_every_ancestor() {
    let f = Fixture::new();
    llama2_root(&f);
    f.add(model(
        "a/chat",
        "license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model("b/chat-q4", "license: mit\nbase_model: a/chat\n"));
    f.add(model("c/chat-ok", "license: llama2\nbase_model: a/chat\n"));
    let run = audit_focused(&f);
    assert!(run.has("a/chat", "license-drift"));
    // The grandchild answers to Llama 2 although its parent declared apache-2.0.
    assert!(run.has("b/chat-q4", "license-drift"));
    assert!(!run.has("c/chat-ok", "license-drift"));
    let report = run.json();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["model"] == "b/chat-q4")
        .unwrap();
    assert_eq!(
        finding["ancestors"],
        serde_json::json!(["a/chat", "meta-llama/Llama-2-7b-hf"])
    );
    assert_eq!(finding["file"], "README.md");
    assert_eq!(finding["line"], 2);
    assert!(
        finding["clause"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
}

#[test]
fn no_false_alarm_for_permissive_parents_or_rail_to_rail() {
    let f = Fixture::new();
    f.add(model("microsoft/phi-2", "license: mit\n"));
    f.add(model(
        "x/phi-apache",
        "license: apache-2.0\nbase_model: microsoft/phi-2\n",
    ));
    f.add(model(
        "x/phi-dual",
        "license: apache-2.0 OR mit\nbase_model: microsoft/phi-2\n",
    ));
    f.add(model(
        "stabilityai/stable-diffusion-2-1",
        "license: openrail++\n",
    ));
    f.add(model(
        "y/sd-style",
        "license: creativeml-openrail-m\nbase_model: stabilityai/stable-diffusion-2-1\n",
    ));
    let run = audit_focused(&f);
    // An SPDX expression is read, but the Hub shows no licence for it: a note, not a conflict.
    assert_eq!(
        run.pairs(),
        vec![("x/phi-dual".to_string(), "license-id-not-hub".to_string())],
        "{}",
        run.stdout
    );
}

#[test]
fn the_licensors_own_derivatives_are_not_accused() {
    let f = Fixture::new();
    f.add(model("meta-llama/Meta-Llama-3-8B", "license: llama3\n"));
    f.add(model(
        "meta-llama/Meta-Llama-3-8B-Instruct",
        "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\n",
    ));
    let run = audit_focused(&f);
    assert!(
        !run.has("meta-llama/Meta-Llama-3-8B-Instruct", "naming-obligation"),
        "{}",
        run.stdout
    );
}

#[test]
fn missing_and_unknown_licences() {
    let f = Fixture::new();
    llama2_root(&f);
    f.add(model("a/none", "base_model: meta-llama/Llama-2-7b-hf\n"));
    f.add(model(
        "a/british",
        "licence: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model(
        "a/other",
        "license: other\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model(
        "a/typo",
        "license: lama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("a/none"), vec!["missing-license"]);
    assert_eq!(run.rules_of("a/british"), vec!["missing-license"]);
    assert_eq!(run.rules_of("a/other"), vec!["unknown-license"]);
    assert_eq!(run.rules_of("a/typo"), vec!["unknown-license"]);
    assert!(
        run.stdout.contains("spelling the Hub ignores"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean `llama2`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn undecidable_is_said_plainly() {
    let f = Fixture::new();
    f.add(model("anon/base", "language: en\n"));
    f.add(model("b/child", "license: mit\nbase_model: anon/base\n"));
    f.add(model(
        "deepseek-ai/Janus-Pro-7B",
        "license: mit\nlicense_name: deepseek\nlicense_link: LICENSE\n",
    ));
    f.add(model(
        "c/janus-ft",
        "license: apache-2.0\nbase_model: deepseek-ai/Janus-Pro-7B\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("b/child"), vec!["license-undecidable"]);
    assert_eq!(run.rules_of("c/janus-ft"), vec!["license-undecidable"]);
    assert!(run.stdout.contains("declares no licence"));
    assert!(run.stdout.contains("`license_name` says `deepseek`"));
}

#[test]
fn incompatible_parents_in_a_merge() {
    let f = Fixture::new();
    llama2_root(&f);
    f.add(model("meta-llama/Meta-Llama-3-8B", "license: llama3\n"));
    f.add(model("meta-llama/Llama-3.1-8B", "license: llama3.1\n"));
    f.add(model("research/nc-base", "license: cc-by-nc-4.0\n"));
    f.add(model("wiki/sa-base", "license: cc-by-sa-4.0\n"));
    f.add(model("gnu/gpl-base", "license: gpl-3.0\n"));
    f.add(model("press/nd-base", "license: cc-by-nd-4.0\n"));
    // Share-alike and non-commercial: BY-SA allows no added restriction, and no licence it
    // accepts is non-commercial.
    f.add(model(
        "m/sa-nc",
        "license: cc-by-sa-4.0\nbase_model: [wiki/sa-base, research/nc-base]\n",
    ));
    // The GPL forbids further restrictions (§10); the Llama agreement must be kept.
    f.add(model(
        "m/llama-gpl",
        "license: gpl-3.0\nbase_model: [meta-llama/Llama-2-7b-hf, gnu/gpl-base]\n",
    ));
    // A no-derivatives parent: nothing can be shared.
    f.add(model(
        "m/with-nd",
        "license: mit\nbase_model: [microsoft/phi-2, press/nd-base]\n",
    ));
    // Two Llama agreements are honoured at once by declaring both.
    f.add(model(
        "m/llama-3-merge",
        "license: llama3 AND llama3.1\nbase_model: [meta-llama/Meta-Llama-3-8B, meta-llama/Llama-3.1-8B]\n",
    ));
    // So are a Llama agreement and non-commercial terms (Llama allows commercial use; it does
    // not demand it).
    f.add(model(
        "m/llama-nc",
        "license: llama2 AND cc-by-nc-4.0\nbase_model: [meta-llama/Llama-2-7b-hf, research/nc-base]\n",
    ));
    f.add(model("microsoft/phi-2", "license: mit\n"));
    f.add(model(
        "m/llama-phi",
        "license: llama2\nbase_model: [meta-llama/Llama-2-7b-hf, microsoft/phi-2]\n",
    ));
    let run = audit_focused(&f);
    for merge in ["m/sa-nc", "m/llama-gpl", "m/with-nd"] {
        assert!(
            run.has(merge, "incompatible-parents"),
            "{merge}: {}",
            run.stdout
        );
    }
    // The accusation cites the clause of the term that stops the parents.
    let finding = run.finding("m/sa-nc", "incompatible-parents");
    assert!(finding["clause"]["section"].as_str().unwrap().contains('3'));
    assert!(finding["fix"].as_str().unwrap().contains("drop one"));
    for merge in ["m/llama-3-merge", "m/llama-nc", "m/llama-phi"] {
        assert!(!run.has(merge, "incompatible-parents"), "{merge}");
    }
    // Only the spelling: the Hub shows no licence for an expression.
    assert_eq!(run.rules_of("m/llama-3-merge"), vec!["license-id-not-hub"]);
    assert_eq!(run.rules_of("m/llama-phi"), Vec::<String>::new());
    let report = run.json();
    let merge = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "m/llama-phi")
        .unwrap();
    assert_eq!(merge["parents"][0]["relation"], "merge");
}

#[test]
fn unresolved_parent_is_reported_once_on_the_nearest_audited_model() {
    let f = Fixture::new();
    f.add(model(
        "a/child",
        "license: mit\nbase_model: ghost/private-base\n",
    ));
    f.add(model("b/grandchild", "license: mit\nbase_model: a/child\n"));
    f.add(model(
        "c/bad-id",
        "license: mit\nbase_model: ../../etc/passwd\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("a/child"), vec!["unresolved-parent"]);
    assert!(
        run.rules_of("b/grandchild").is_empty(),
        "reported on a/child already"
    );
    assert_eq!(run.rules_of("c/bad-id"), vec!["unresolved-parent"]);
    // Auditing the grandchild alone reports the missing ancestor on it.
    let mirror = f.path().to_str().unwrap();
    let alone = common::pedigree(
        &[
            "audit",
            "b/grandchild",
            "--mirror",
            mirror,
            "--format",
            "json",
            "--config",
            "focused.yml",
        ],
        f.path(),
    );
    assert_eq!(alone.rules_of("b/grandchild"), vec!["unresolved-parent"]);
    assert!(alone.stdout.contains("via a/child"));
}

#[test]
fn lineage_cycles_and_self_parents_end() {
    let f = Fixture::new();
    f.add(model("loop/a", "license: mit\nbase_model: loop/b\n"));
    f.add(model("loop/b", "license: mit\nbase_model: loop/a\n"));
    f.add(model("loop/self", "license: mit\nbase_model: loop/self\n"));
    f.add(model("loop/below", "license: mit\nbase_model: loop/a\n"));
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("loop/a"), vec!["lineage-cycle"]);
    assert_eq!(run.rules_of("loop/b"), vec!["lineage-cycle"]);
    assert_eq!(run.rules_of("loop/self"), vec!["lineage-cycle"]);
    assert!(
        run.rules_of("loop/below").is_empty(),
        "the cycle is reported on its members"
    );
}

#[test]
fn depth_is_capped() {
    let f = Fixture::new();
    f.add(model("d/m0", "license: llama2\n"));
    for i in 1..6 {
        f.add(model(
            &format!("d/m{i}"),
            &format!("license: llama2\nbase_model: d/m{}\n", i - 1),
        ));
    }
    let mirror = f.path().to_str().unwrap();
    let run = common::pedigree(
        &[
            "audit",
            "d/m5",
            "--mirror",
            mirror,
            "--format",
            "json",
            "--max-depth",
            "3",
        ],
        f.path(),
    );
    assert_eq!(run.rules_of("d/m5"), vec!["lineage-too-deep"]);
    assert!(run.stdout.contains("d/m1"));
    let deep = common::pedigree(
        &["audit", "d/m5", "--mirror", mirror, "--format", "json"],
        f.path(),
    );
    assert!(deep.rules_of("d/m5").is_empty());
}

#[test]
fn naming_obligation_for_llama_3_and_later() {
    let f = Fixture::new();
    f.add(model("meta-llama/Meta-Llama-3-8B", "license: llama3\n"));
    f.add(model("meta-llama/Llama-3.1-8B", "license: llama3.1\n"));
    f.add(model(
        "a/Fjord-8B",
        "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\n",
    ));
    f.add(model(
        "a/llama-3-fjord-8b",
        "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\n",
    ));
    f.add(model(
        "a/Llama3_Fjord",
        "license: llama3\nbase_model: meta-llama/Meta-Llama-3-8B\n",
    ));
    f.add(model(
        "a/Meta-Llama-3.1-8B-fjord",
        "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n",
    ));
    f.add(model(
        "a/Llama-Fjord-3.1",
        "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("a/Fjord-8B"), vec!["naming-obligation"]);
    assert!(run.rules_of("a/llama-3-fjord-8b").is_empty());
    assert!(run.rules_of("a/Llama3_Fjord").is_empty());
    assert_eq!(
        run.rules_of("a/Meta-Llama-3.1-8B-fjord"),
        vec!["naming-obligation"]
    );
    assert!(run.rules_of("a/Llama-Fjord-3.1").is_empty());
}

#[test]
fn card_invalid_is_reported_and_the_audit_goes_on() {
    let f = Fixture::new();
    llama2_root(&f);
    f.add_raw(
        "x/broken",
        Some("---\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-hf\ntags: [a, b\n---\n"),
        &[],
        &[],
    );
    f.add(model(
        "x/bad-relation",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\nbase_model_relation: finetuned\n",
    ));
    f.add(model(
        "x/fine",
        "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(
        run.rules_of("x/broken"),
        vec!["card-invalid"],
        "an unreadable card proves nothing about its licence"
    );
    assert_eq!(run.rules_of("x/bad-relation"), vec!["card-invalid"]);
    assert!(
        run.has("x/fine", "license-drift"),
        "the rest of the audit goes on"
    );
}

#[test]
fn broken_info_json_is_an_unresolved_parent_with_file_and_line() {
    let f = Fixture::new();
    f.add(model("a/child", "license: mit\nbase_model: a/base\n"));
    std::fs::create_dir_all(f.path().join("a/base")).unwrap();
    std::fs::write(
        f.path().join("a/base/info.json"),
        "{\n  \"id\": \"a/base\",\n  \"tags\": [\n",
    )
    .unwrap();
    let run = audit_focused(&f);
    assert_eq!(run.rules_of("a/child"), vec!["unresolved-parent"]);
    assert!(run.stdout.contains("a/base/info.json:"), "{}", run.stdout);
}

#[test]
fn relation_is_declared_or_inferred() {
    let f = Fixture::new();
    llama2_root(&f);
    f.add(with_files(
        "q/gguf",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["model.Q4_K_M.gguf"],
    ));
    f.add(with_files(
        "q/lora",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["adapter_config.json"],
    ));
    f.add(with_files(
        "q/declared",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\nbase_model_relation: quantized\n",
        &["adapter_config.json"],
    ));
    f.add(model(
        "q/ft",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let report = audit_focused(&f).json();
    let relation = |id: &str| {
        let m = report["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        m["parents"][0]["relation"].as_str().unwrap().to_string()
    };
    assert_eq!(relation("q/gguf"), "quantized");
    assert_eq!(relation("q/lora"), "adapter");
    assert_eq!(relation("q/declared"), "quantized");
    assert_eq!(relation("q/ft"), "finetune");
}

fn with_files<'a>(id: &'a str, fm: &'a str, files: &'a [&'a str]) -> common::Model<'a> {
    common::Model {
        id,
        front_matter: fm,
        files,
        tags: &[],
    }
}

#[test]
fn accusations_rest_on_what_the_repo_ships() {
    let f = Fixture::new();
    llama2_root(&f);
    let drift = "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n";
    // Each kind of derived material: the accusation stands, and the relation follows the files.
    f.add(with_files(
        "e/weights",
        drift,
        &["model-00001-of-00002.safetensors"],
    ));
    f.add(with_files(
        "e/peft",
        drift,
        &["adapter_config.json", "adapter_model.safetensors"],
    ));
    f.add(with_files(
        "e/diffusers-lora",
        drift,
        &["pytorch_lora_weights.safetensors"],
    ));
    f.add(with_files("e/gguf", drift, &["model.Q4_K_M.gguf"]));
    // Nothing derived: a README, a config and a FAISS index; a tokenizer alone.
    f.add_bare("e/readme-only", drift, &[]);
    f.add_bare(
        "e/rag-index",
        drift,
        &["index.faiss", "index.pkl", "app.py"],
    );
    f.add_bare(
        "e/tokenizer",
        drift,
        &["tokenizer.json", "tokenizer_config.json"],
    );
    // A file list that is not known (a mirror's info without siblings).
    f.add(model("e/unlisted", drift));
    let info = f.path().join("e/unlisted/info.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&info).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("siblings");
    std::fs::write(&info, json.to_string()).unwrap();
    std::fs::remove_file(f.path().join("e/unlisted/model.safetensors")).unwrap();
    let run = audit_focused(&f);
    for shipped in ["e/weights", "e/peft", "e/diffusers-lora", "e/gguf"] {
        assert_eq!(
            run.finding(shipped, "license-drift")["severity"],
            "error",
            "{shipped}"
        );
    }
    for nothing in ["e/readme-only", "e/rag-index", "e/tokenizer"] {
        assert_eq!(
            run.rules_of(nothing),
            vec!["no-derived-material"],
            "{nothing}"
        );
        let note = run.finding(nothing, "no-derived-material");
        assert_eq!(note["severity"], "note");
        assert!(
            note["message"].as_str().unwrap().contains("license-drift"),
            "the note says what it set aside: {note}"
        );
        assert!(note["fix"].as_str().unwrap().contains("llama2"), "{note}");
    }
    let unlisted = run.finding("e/unlisted", "license-drift");
    assert_eq!(unlisted["severity"], "warning", "{unlisted}");
    assert!(
        unlisted["message"]
            .as_str()
            .unwrap()
            .contains("file list is unknown")
    );
    let report = run.json();
    let relation = |id: &str| {
        report["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()["parents"][0]["relation"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(relation("e/diffusers-lora"), "adapter");
    assert_eq!(relation("e/peft"), "adapter");
    assert_eq!(relation("e/gguf"), "quantized");
    assert_eq!(relation("e/weights"), "finetune");
}

#[test]
fn a_llama_31_fine_tune_tagged_32_is_a_labelling_slip() {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-3.1-8B", "license: llama3.1\n"));
    f.add(model(
        "a/Llama-3.1-8B-support",
        "license: llama3.2\nbase_model: meta-llama/Llama-3.1-8B\n",
    ));
    let run = audit_focused(&f);
    assert_eq!(
        run.rules_of("a/Llama-3.1-8B-support"),
        vec!["agreement-version-mismatch"]
    );
    let slip = run.finding("a/Llama-3.1-8B-support", "agreement-version-mismatch");
    assert_eq!(slip["severity"], "warning");
    assert!(
        slip["fix"].as_str().unwrap().contains("license: llama3.1"),
        "{slip}"
    );
}

#[test]
fn a_quantized_reupload_keeping_the_licensors_name_is_a_warning() {
    let f = Fixture::new();
    f.add(model(
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "license: llama3.1\n",
    ));
    let child = "license: llama3.1\nbase_model: meta-llama/Meta-Llama-3.1-8B-Instruct\nbase_model_relation: quantized\n";
    f.add(with_files(
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        child,
        &["x.Q4_K_M.gguf"],
    ));
    f.add(with_files(
        "acme/Support-8B-GGUF",
        child,
        &["x.Q4_K_M.gguf"],
    ));
    let run = audit_focused(&f);
    let reupload = run.finding(
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        "naming-obligation",
    );
    assert_eq!(reupload["severity"], "warning", "{reupload}");
    let renamed = run.finding("acme/Support-8B-GGUF", "naming-obligation");
    assert_eq!(renamed["severity"], "error", "{renamed}");
    assert!(
        renamed["fix"]
            .as_str()
            .unwrap()
            .contains("Llama-Support-8B-GGUF"),
        "{renamed}"
    );
}
