//! SARIF locations and metadata: the card is named by its path in the workspace, every result
//! names its model as a logical location, a region is given only for a known line, and the
//! tool and rules carry the links code scanning shows. Validated against the 2.1.0 schema.

mod common;

use common::{pedigree, repo_root, sarif_schema_errors, shared_mirror};
use serde_json::Value;

/// A workspace holding `models/my-ft`, a copy of the example model repo.
fn workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    let dir = ws.path().join("models/my-ft");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(repo_root().join("examples/my-model")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    ws
}

/// `audit models/my-ft --format sarif` from the workspace root, parents from the example mirror.
fn audit_my_ft(ws: &tempfile::TempDir) -> common::Run {
    let mirror = repo_root().join("examples/mirror");
    pedigree(
        &[
            "audit",
            "models/my-ft",
            "--mirror",
            mirror.to_str().unwrap(),
        ]
        .into_iter()
        .chain(["--format", "sarif"])
        .collect::<Vec<_>>(),
        ws.path(),
    )
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

fn assert_valid(sarif: &Value) {
    if let Some(errors) = sarif_schema_errors(sarif) {
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn a_local_card_is_named_by_its_path_in_the_workspace() {
    let ws = workspace();
    let run = audit_my_ft(&ws);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif = run.json();
    assert_valid(&sarif);
    let drift = results(&sarif)
        .iter()
        .find(|r| r["ruleId"] == "license-drift")
        .unwrap();
    let location = &drift["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "models/my-ft/README.md"
    );
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 3);
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "models/my-ft"
    );
    assert_eq!(location["logicalLocations"][0]["kind"], "module");
    // The notice finding has the card but no line: no region is made up for it.
    let notice = results(&sarif)
        .iter()
        .find(|r| r["ruleId"] == "notice-missing")
        .unwrap();
    assert_eq!(
        notice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "models/my-ft/README.md"
    );
    assert!(
        notice["locations"][0]["physicalLocation"]
            .get("region")
            .is_none(),
        "{notice}"
    );
}

#[test]
fn the_workspace_comes_from_github_when_run_inside_the_model() {
    let ws = workspace();
    let mirror = repo_root().join("examples/mirror");
    // As the Action runs it with `working-directory: models/my-ft` and `model: .`.
    let annotations = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
            .args(["audit", ".", "--mirror", mirror.to_str().unwrap()])
            .args(["--format", "github", "--fail-on", "never"])
            .args(extra)
            .current_dir(ws.path().join("models/my-ft"))
            .env("GITHUB_WORKSPACE", ws.path())
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stdout = annotations(&[]);
    assert!(
        stdout.contains("::error file=models/my-ft/README.md,line=3,title=pedigree license-drift"),
        "{stdout}"
    );
    // `--workspace` says the same on the command line, and wins over the environment.
    let stdout = annotations(&["--workspace", ".."]);
    assert!(
        stdout.contains("::error file=my-ft/README.md,line=3,"),
        "{stdout}"
    );
}

#[test]
fn the_tool_and_every_rule_link_their_documentation() {
    let ws = workspace();
    let run = audit_my_ft(&ws);
    let sarif = run.json();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let findings_yml = std::fs::read_to_string(repo_root().join("rules/findings.yml")).unwrap();
    for rule in driver["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let help = rule["helpUri"].as_str().unwrap();
        // The link lands on the rule's own entry in rules/findings.yml at this version.
        let line: usize = help
            .rsplit_once("#L")
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or_else(|| panic!("{id}: no line in {help}"));
        assert!(
            help.contains(&format!(
                "/blob/v{}/rules/findings.yml",
                env!("CARGO_PKG_VERSION")
            )),
            "{help}"
        );
        assert_eq!(
            findings_yml.lines().nth(line - 1),
            Some(format!("- id: {id}").as_str())
        );
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(!tags.is_empty(), "{id} has no tags");
    }
}

#[test]
fn a_family_names_each_model_and_invents_no_line() {
    let Some(mirror) = shared_mirror() else {
        return;
    };
    let args = |format| {
        pedigree(
            &[
                "family",
                "meta-llama/Llama-2-7b-chat-hf",
                "--mirror",
                mirror.to_str().unwrap(),
                "--format",
                format,
                "--fail-on",
                "never",
                "-q",
                // The Hub the crawl stands for, where its files are linked.
                "--endpoint",
                "https://huggingface.co",
            ],
            &repo_root(),
        )
    };
    let sarif = args("sarif").json();
    let report = args("json").json();
    assert_valid(&sarif);
    let findings = report["findings"].as_array().unwrap();
    let results = results(&sarif);
    assert_eq!(results.len(), findings.len());
    let mut models = std::collections::BTreeSet::new();
    for (result, finding) in results.iter().zip(findings) {
        let model = finding["model"].as_str().unwrap();
        let location = &result["locations"][0];
        assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], model);
        // The crawl is outside the workspace: its models are named on the Hub.
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with(&format!("https://huggingface.co/{model}")),
            "{uri} for {model}"
        );
        if let Some(file) = finding["file"].as_str() {
            assert!(uri.ends_with(&format!("/blob/main/{file}")), "{uri}");
        }
        assert_eq!(
            location["physicalLocation"]["region"]["startLine"].as_u64(),
            finding["line"].as_u64(),
            "{model} {}",
            finding["rule"]
        );
        models.insert(model.to_string());
    }
    let without_line = findings.iter().filter(|f| f["line"].is_null()).count();
    assert!(
        without_line > 100 && models.len() > 100,
        "{without_line} {}",
        models.len()
    );
}
