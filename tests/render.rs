//! Renderers for where people look: GitHub annotations and job summary, SARIF, Markdown.

mod common;

use common::{Fixture, model, pedigree, repo_root};

fn examples(format: &str) -> common::Run {
    pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            "examples/mirror",
            "--format",
            format,
        ],
        &repo_root(),
    )
}

/// A mirror whose cards carry workflow commands and escapes in every field that reaches a message.
fn hostile() -> Fixture {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    f.add_raw(
        "evil/card",
        Some("---\nlicense: \"mit\\n::set-env name=PATH::/tmp/evil\"\nbase_model:\n- meta-llama/Llama-2-7b-hf\n- \"ghost/x\\n::add-mask::%0A::error::fake\"\n---\n# x\n"),
        &[],
        &[],
    );
    f.add_raw(
        "evil/other",
        Some("---\nlicense: other\nlicense_name: \"acme %0A::warning::injected\\r\\n::stop-commands::t\"\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"),
        &[],
        &[],
    );
    f
}

#[test]
fn card_text_cannot_inject_workflow_commands() {
    let f = hostile();
    let m = f.path().to_str().unwrap();
    let run = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            m,
            "--format",
            "github",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    assert!(
        run.stdout.contains("set-env"),
        "the hostile text is reported, escaped: {}",
        run.stdout
    );
    let mut annotations = 0;
    for line in run.stdout.lines() {
        let command = line.starts_with("::error ")
            || line.starts_with("::warning ")
            || line.starts_with("::notice ");
        assert!(
            command || line.starts_with("pedigree: "),
            "a line GitHub would read as something else: {line}"
        );
        annotations += usize::from(command);
        // A newline from the card is `%0A` inside this one message, which GitHub decodes as a
        // line break of the annotation, never as a new command.
        assert!(!line.contains('\r'), "{line}");
    }
    assert!(annotations >= 3, "{}", run.stdout);
    // `%0A` typed into a card stays literal text.
    assert!(run.stdout.contains("%250A"), "{}", run.stdout);
}

#[test]
fn annotations_point_at_the_card_line_with_escaped_properties() {
    let run = examples("github");
    let drift = run
        .stdout
        .lines()
        .find(|l| l.contains("license-drift") && l.contains("acme-support/llama2-7b-helpdesk"))
        .unwrap();
    // The mirror lies in the workspace (the repo root), so the card is named by its path there.
    assert!(drift.starts_with("::error file=examples/mirror/acme-support/llama2-7b-helpdesk/README.md,line=3,title=pedigree license-drift (acme-support/llama2-7b-helpdesk)::"), "{drift}");
    assert!(
        drift.contains("%0AClause: §1.a, §1.b.i https://"),
        "{drift}"
    );
    assert!(
        drift.contains("%0AFix: declare `license: llama2` instead of `mit`"),
        "{drift}"
    );
    insta::assert_snapshot!("examples_github", run.stdout);
}

#[test]
fn job_summary_is_written_when_github_asks_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args([
            "family",
            "google/gemma-2b",
            "--mirror",
            "examples/mirror",
            "--format",
            "github",
        ])
        .current_dir(repo_root())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n"),
        "appended, not overwritten"
    );
    assert!(text.contains("| severity | rule | model | where | finding |"));
    assert!(text.contains("```mermaid\ngraph BT"));
    assert!(
        text.contains("n1 -->|adapter| n0") && text.contains("linkStyle 0 stroke:#d73a49"),
        "{text}"
    );
}

#[test]
fn markdown_report_matches_snapshot_and_escapes_card_text() {
    insta::assert_snapshot!("examples_markdown", examples("markdown").stdout);
    let f = hostile();
    let run = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            f.path().to_str().unwrap(),
            "--format",
            "markdown",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| severity"))
        .collect();
    assert!(rows.len() >= 3);
    for line in rows {
        // Five cells: six pipes that are not escaped.
        let unescaped = line
            .char_indices()
            .filter(|&(i, c)| c == '|' && !line[..i].ends_with('\\'))
            .count();
        assert_eq!(unescaped, 6, "a table row split by card text: {line}");
    }
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let run = examples("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), pedigree::findings::Rule::ALL.len());
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["text"].as_str().is_some_and(|t| t.len() > 50))
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let drift = results
        .iter()
        .find(|r| r["ruleId"] == "license-drift")
        .unwrap();
    assert_eq!(
        drift["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/mirror/acme-support/helpdesk-7b-GGUF/README.md"
    );
    assert!(
        drift["partialFingerprints"]["pedigree/v1"]
            .as_str()
            .is_some()
    );
    if let Some(errors) = common::sarif_schema_errors(&sarif) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn output_goes_to_a_file_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    let run = pedigree(
        &[
            "audit",
            "tinytools/phi-2-template-left",
            "--mirror",
            "examples/mirror",
            "--format",
            "sarif",
            "-o",
            path.to_str().unwrap(),
        ],
        &repo_root(),
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn human_output_escapes_terminal_control_characters() {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    f.add_raw("evil/ansi", Some("---\nlicense: other\nlicense_name: \"acme\\e[2J\\e[31mred\\rover\"\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"), &[], &[]);
    let run = pedigree(
        &["audit", "evil/ansi", "--mirror", f.path().to_str().unwrap()],
        f.path(),
    );
    assert!(run.stdout.contains("acme\\u{1b}[2J"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\r'),
        "{:?}",
        run.stdout
    );
}

/// The example mirror's report, through the library.
fn example_report() -> (pedigree::report::Report, pedigree::findings::RuleDocs) {
    common::library_report(
        &repo_root().join("examples/mirror"),
        pedigree::lineage::DEFAULT_BODY_BUDGET,
    )
}

#[test]
fn sarif_matches_snapshot() {
    let mut sarif: serde_json::Value = serde_json::from_str(&examples("sarif").stdout).unwrap();
    sarif["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("examples_sarif", sarif);
}

#[test]
fn discussion_text_matches_snapshot() {
    let (report, docs) = example_report();
    let (title, body) =
        pedigree::report::render_discussion(&report, &docs, "acme-support/helpdesk-7b-GGUF")
            .unwrap();
    insta::assert_snapshot!("discussion_helpdesk_gguf", format!("{title}\n\n{body}"));
    assert!(
        pedigree::report::render_discussion(&report, &docs, "tinytools/phi-2-summarizer").is_none(),
        "no errors, no discussion"
    );
}

#[test]
fn digest_matches_snapshot() {
    let (report, _) = example_report();
    let changes = pedigree::findings::baseline::Baseline::default().compare(&report.findings);
    let digest = pedigree::report::render_digest(&report, &changes);
    insta::assert_snapshot!(
        "digest_examples",
        format!("{}\n\n{}\n\n{}", digest.subject, digest.text, digest.html)
    );
}

#[test]
fn dot_and_mermaid_draw_the_lineage_with_broken_edges_marked() {
    let dot = pedigree(
        &[
            "family",
            "google/gemma-2b",
            "--mirror",
            "examples/mirror",
            "--format",
            "dot",
        ],
        &repo_root(),
    )
    .stdout;
    assert!(dot.starts_with("digraph lineage {"), "{dot}");
    assert!(
        dot.contains("\"google/gemma-2b\" [label=\"google/gemma-2b\\ngemma\"];"),
        "{dot}"
    );
    assert!(dot.contains("\"sqlcraft/gemma-2b-sql-lora\" -> \"google/gemma-2b\" [label=\"adapter\", color=\"#d73a49\", penwidth=2];"), "{dot}");
    let mermaid = pedigree(
        &[
            "family",
            "google/gemma-2b",
            "--mirror",
            "examples/mirror",
            "--format",
            "mermaid",
        ],
        &repo_root(),
    )
    .stdout;
    assert!(
        mermaid.starts_with("```mermaid\ngraph BT\n")
            && mermaid.contains("linkStyle 0 stroke:#d73a49"),
        "{mermaid}"
    );
}
