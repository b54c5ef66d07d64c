//! Licence files in a repo: recognised by title or by SPDX text detection, compared with the card
//! and with what ancestors ask to be handed on; unreadable files named with the reason.

mod common;

use common::fake_hub::{FakeHub, Faults, RepoFault};
use common::{Fixture, Model, audit_all, audit_with_config, model, pedigree, repo_root};

/// These tests are about licence files; notices have their own test at the end.
fn audit_files(f: &Fixture) -> common::Run {
    audit_with_config(f, "severity:\n  notice-missing: off\n")
}

fn spdx_text(id: &str) -> String {
    spdx::license_id(id).unwrap().text().to_string()
}

fn with_files<'a>(id: &'a str, fm: &'a str, files: &'a [&'a str]) -> Model<'a> {
    Model {
        id,
        front_matter: fm,
        files,
        tags: &[],
    }
}

fn write(f: &Fixture, path: &str, text: &str) {
    std::fs::write(f.path().join(path), text).unwrap();
}

const LLAMA2_TITLE: &str = "LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n\n(rest of the agreement)\n";

fn llama_family(f: &Fixture) {
    f.add(with_files(
        "meta-llama/Llama-2-7b-hf",
        "license: llama2\n",
        &["LICENSE.txt"],
    ));
    write(f, "meta-llama/Llama-2-7b-hf/LICENSE.txt", LLAMA2_TITLE);
}

#[test]
fn a_copy_of_the_ancestors_licence_is_recognised_by_its_title() {
    let f = Fixture::new();
    llama_family(&f);
    f.add(with_files(
        "a/with-copy",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["LICENSE"],
    ));
    write(
        &f,
        "a/with-copy/LICENSE",
        &format!("**{}**", LLAMA2_TITLE.to_lowercase()),
    );
    f.add(model(
        "a/without",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    f.add(model("a/linked", "license: llama2\nlicense_link: https://ai.meta.com/llama/license/\nbase_model: meta-llama/Llama-2-7b-hf\n"));
    let run = audit_files(&f);
    assert!(
        run.rules_of("a/with-copy").is_empty(),
        "{:?}",
        run.rules_of("a/with-copy")
    );
    assert_eq!(run.rules_of("a/without"), vec!["agreement-copy-missing"]);
    assert!(
        run.rules_of("a/linked").is_empty(),
        "a license_link stands in for the copy"
    );
    assert!(run.rules_of("meta-llama/Llama-2-7b-hf").is_empty());
    let report = run.json();
    let missing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["model"] == "a/without")
        .unwrap();
    assert_eq!(missing["clause"]["section"], "§1.b.i");
}

/// CC 4.0 §3(a)(1)(C) and ODbL §4.2 accept the licence's URI for the copy, and the Hub shows a
/// declared licence id as a link to it; the Llama 2 agreement asks for a copy (§1.b.i).
#[test]
fn a_declared_licence_stands_for_the_copy_only_where_its_text_accepts_a_uri() {
    let f = Fixture::new();
    llama_family(&f);
    f.add(model("wiki/sa-base", "license: cc-by-sa-4.0\n"));
    f.add(model(
        "a/sa-declared",
        "license: cc-by-sa-4.0\nbase_model: wiki/sa-base\n",
    ));
    // GPLv3 is an adapter's licence BY-SA accepts; it shows GPLv3's link, not BY-SA's.
    f.add(model(
        "a/sa-as-gpl",
        "license: gpl-3.0\nbase_model: wiki/sa-base\n",
    ));
    f.add(model("data/odbl-base", "license: odbl\n"));
    f.add(model(
        "a/odbl-declared",
        "license: odbl\nbase_model: data/odbl-base\n",
    ));
    f.add(model(
        "a/llama-declared",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let run = audit_files(&f);
    assert!(
        run.rules_of("a/sa-declared").is_empty(),
        "{:?}",
        run.rules_of("a/sa-declared")
    );
    assert!(
        run.rules_of("a/odbl-declared").is_empty(),
        "{:?}",
        run.rules_of("a/odbl-declared")
    );
    assert_eq!(run.rules_of("a/sa-as-gpl"), vec!["agreement-copy-missing"]);
    assert_eq!(
        run.rules_of("a/llama-declared"),
        vec!["agreement-copy-missing"]
    );
    let report = run.json();
    let finding = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["model"] == id)
            .unwrap()
            .clone()
    };
    let gpl = finding("a/sa-as-gpl");
    assert!(
        gpl["message"]
            .as_str()
            .unwrap()
            .ends_with("neither declares it nor links it with `license_link`"),
        "{gpl}"
    );
    assert!(
        gpl["fix"]
            .as_str()
            .unwrap()
            .contains("`license: cc-by-sa-4.0`"),
        "{gpl}"
    );
    let llama = finding("a/llama-declared");
    assert!(
        !llama["fix"].as_str().unwrap().contains("license: llama2"),
        "{llama}"
    );
}

#[test]
fn spdx_texts_are_detected_and_compared_with_the_card() {
    let f = Fixture::new();
    f.add(with_files("org/mit-base", "license: mit\n", &["LICENSE"]));
    write(&f, "org/mit-base/LICENSE", &spdx_text("MIT"));
    f.add(with_files(
        "org/says-apache",
        "license: apache-2.0\n",
        &["LICENSE"],
    ));
    write(&f, "org/says-apache/LICENSE", &spdx_text("MIT"));
    // Carrying the parent's MIT licence while declaring Apache-2.0 is what MIT asks, not a mismatch.
    f.add(with_files(
        "kid/apache-child",
        "license: apache-2.0\nbase_model: org/mit-base\n",
        &["LICENSE-MIT"],
    ));
    write(&f, "kid/apache-child/LICENSE-MIT", &spdx_text("MIT"));
    // A code licence beside the model licence is not compared.
    f.add(with_files(
        "org/llama-with-code",
        "license: llama2\n",
        &["LICENSE", "LICENSE-CODE"],
    ));
    write(&f, "org/llama-with-code/LICENSE", LLAMA2_TITLE);
    write(&f, "org/llama-with-code/LICENSE-CODE", &spdx_text("MIT"));
    let run = audit_files(&f);
    assert!(run.rules_of("org/mit-base").is_empty(), "{}", run.stdout);
    assert_eq!(
        run.rules_of("org/says-apache"),
        vec!["license-file-mismatch"]
    );
    assert!(run.stdout.contains("text match"), "{}", run.stdout);
    assert!(
        run.rules_of("kid/apache-child").is_empty(),
        "{:?}",
        run.rules_of("kid/apache-child")
    );
    assert!(run.rules_of("org/llama-with-code").is_empty());
}

#[test]
fn unrecognised_and_missing_files_are_undecidable_not_guessed() {
    let f = Fixture::new();
    llama_family(&f);
    f.add(with_files(
        "a/odd-text",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["LICENSE"],
    ));
    write(
        &f,
        "a/odd-text/LICENSE",
        "Use this model responsibly. Ask us before selling it.\n",
    );
    // Listed in the repo, absent from the mirror.
    f.add(with_files(
        "a/not-mirrored",
        "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["LICENSE"],
    ));
    let run = audit_files(&f);
    assert_eq!(run.rules_of("a/odd-text"), vec!["license-undecidable"]);
    assert!(
        run.stdout.contains("not recognisably `llama2`"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.rules_of("a/not-mirrored"),
        vec!["license-undecidable"],
        "one note per unreadable file"
    );
    assert!(run.stdout.contains("is not in the mirror"));
}

#[test]
fn a_gated_repo_is_audited_and_its_unreadable_files_named_with_the_reason() {
    let f = Fixture::new();
    llama_family(&f);
    f.add(with_files(
        "corp/gated-chat",
        "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n",
        &["LICENSE"],
    ));
    write(&f, "corp/gated-chat/LICENSE", LLAMA2_TITLE);
    let faults = Faults {
        repos: [("corp/gated-chat".to_string(), RepoFault::Gated)].into(),
        ..Faults::default()
    };
    let hub = FakeHub::start(f.path(), faults);
    let run = pedigree(
        &[
            "audit",
            "corp/gated-chat",
            "--endpoint",
            &hub.url,
            "--no-cache",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &repo_root(),
    );
    let rules = run.rules_of("corp/gated-chat");
    assert!(
        rules.contains(&"license-drift".to_string()),
        "audited from its public info and card: {rules:?}"
    );
    let report = run.json();
    let note = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "license-undecidable")
        .expect("a note");
    assert_eq!(note["file"], "LICENSE");
    let message = note["message"].as_str().unwrap();
    assert!(
        message.contains("gated (401 GatedRepo)")
            && message.contains("HF_TOKEN")
            && message.contains("copy of `llama2`"),
        "{message}"
    );
}

#[test]
fn the_confidence_threshold_is_configurable() {
    let f = Fixture::new();
    f.add(with_files(
        "org/mit-base",
        "license: apache-2.0\n",
        &["LICENSE"],
    ));
    let mut text = spdx_text("MIT");
    text.push_str(
        "\nAlso, you must email us before any commercial use, and credit us in every product.\n",
    );
    write(&f, "org/mit-base/LICENSE", &text);
    let m = f.path().to_str().unwrap();
    let lax = pedigree(
        &["audit", "org/mit-base", "--mirror", m, "--format", "json"],
        f.path(),
    );
    assert_eq!(lax.rules_of("org/mit-base"), vec!["license-file-mismatch"]);
    std::fs::write(
        f.path().join("strict.yml"),
        "licenses:\n  confidence-threshold: 0.99\n",
    )
    .unwrap();
    let strict = pedigree(
        &[
            "audit",
            "org/mit-base",
            "--mirror",
            m,
            "--format",
            "json",
            "--config",
            "strict.yml",
        ],
        f.path(),
    );
    assert!(
        strict.rules_of("org/mit-base").is_empty(),
        "an altered text is no longer taken for MIT"
    );
    std::fs::write(
        f.path().join("bad.yml"),
        "licenses:\n  confidence-threshold: 9\n",
    )
    .unwrap();
    let bad = pedigree(
        &[
            "audit",
            "org/mit-base",
            "--mirror",
            m,
            "--config",
            "bad.yml",
        ],
        f.path(),
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("line 2") && bad.stderr.contains("between 0 and 1"),
        "{}",
        bad.stderr
    );
}

const LLAMA2_NOTICE: &str = "Llama 2 is licensed under the LLAMA 2 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.";

#[test]
fn required_notices_are_looked_for_in_the_card_and_notice_files() {
    let f = Fixture::new();
    llama_family(&f);
    let base = "license: llama2\nbase_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    f.add(with_files("a/with-notice", base, &["NOTICE"]));
    // Another copy of the notice: "(c)" for "©", other case, a line break.
    write(
        &f,
        "a/with-notice/NOTICE",
        "llama 2 is licensed under the LLAMA 2 Community License,\nCopyright (c) Meta Platforms, Inc. All Rights Reserved\n",
    );
    f.add(model("a/without", base));
    f.add(with_files("a/notice-not-mirrored", base, &["NOTICE"]));
    f.add_raw(
        "a/in-card",
        Some(&format!("---\n{base}---\n# In card\n\n{LLAMA2_NOTICE}\n")),
        &[],
        &[],
    );
    // Llama 3.1 also asks for "Built with Llama" on display.
    f.add(model("meta-llama/Llama-3.1-8B", "license: llama3.1\n"));
    let notice31 = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.";
    f.add_raw("a/Llama-31-quiet", Some(&format!("---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nlicense_link: x\n---\n{notice31}\n")), &[], &[]);
    f.add_raw("a/Llama-31-built", Some(&format!("---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\nlicense_link: x\n---\n{notice31}\n\nBuilt with Llama.\n")), &[], &[]);
    let run = audit_all(&f);
    assert!(
        run.rules_of("a/with-notice").is_empty(),
        "{:?}",
        run.rules_of("a/with-notice")
    );
    assert!(
        run.rules_of("a/in-card").is_empty(),
        "{:?}",
        run.rules_of("a/in-card")
    );
    assert_eq!(run.rules_of("a/without"), vec!["notice-missing"]);
    assert_eq!(
        run.rules_of("a/notice-not-mirrored"),
        vec!["license-undecidable"]
    );
    assert_eq!(run.rules_of("a/Llama-31-quiet"), vec!["notice-missing"]);
    assert!(run.stdout.contains("Built with Llama"));
    assert!(
        run.rules_of("a/Llama-31-built").is_empty(),
        "{:?}",
        run.rules_of("a/Llama-31-built")
    );
}
