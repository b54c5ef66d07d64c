//! `action.yml`: every input is used, and the script it runs works in a GitHub-like environment
//! (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP) against a fake Hub.

mod common;

use common::fake_hub::{FakeHub, Faults};
use common::repo_root;
use serde_yaml::Value;
use std::collections::BTreeMap;

fn action() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(repo_root().join("action.yml")).unwrap()).unwrap()
}

fn steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"].as_sequence().unwrap().clone()
}

#[test]
fn every_input_is_used_and_every_output_is_set() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let text = serde_yaml::to_string(&action["runs"]).unwrap();
    let inputs = action["inputs"].as_mapping().unwrap();
    for name in [
        "model", "endpoint", "hf-token", "fail-on", "config", "sarif",
    ] {
        assert!(inputs.contains_key(name), "input `{name}` is missing");
    }
    for (name, spec) in inputs {
        let name = name.as_str().unwrap();
        assert!(
            text.contains(&format!("inputs.{name}")),
            "input `{name}` is never used"
        );
        assert!(
            spec["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input `{name}` is undocumented"
        );
    }
    for (name, spec) in action["outputs"].as_mapping().unwrap() {
        let value = spec["value"].as_str().unwrap();
        let step_output = value
            .trim_start_matches("${{ steps.audit.outputs.")
            .trim_end_matches(" }}");
        assert_eq!(step_output, name.as_str().unwrap());
    }
    // Inputs reach shell through env only: `${{ inputs.* }}` inside a script could inject code.
    for step in steps(&action) {
        let run = step["run"].as_str().unwrap_or("");
        assert!(
            !run.contains("${{"),
            "a step pastes an expression into its script: {run}"
        );
    }
}

/// Runs the audit step's script as the runner would, with `inputs` substituted into its env.
/// `context`: the runner's environment beyond the step's own (GITHUB_REPOSITORY, GITHUB_REF ...).
fn run_audit_step(
    inputs: &[(&str, &str)],
    endpoint: &str,
    context: &[(&str, &str)],
) -> (i32, String, String, String, tempfile::TempDir) {
    let action = action();
    let step = steps(&action)
        .into_iter()
        .find(|s| s["id"] == "audit")
        .unwrap();
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("pedigree/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pedigree"), bin.join("pedigree")).unwrap();
    let defaults: BTreeMap<String, String> = action["inputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                v["default"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut values = defaults;
    for (k, v) in inputs {
        values.insert(k.to_string(), v.to_string());
    }
    values.insert("endpoint".into(), endpoint.to_string());
    let output = temp.path().join("github_output");
    let summary = temp.path().join("step_summary.md");
    let mut command = std::process::Command::new("bash");
    command
        .args(["-e", "-c", step["run"].as_str().unwrap()])
        // The runner's workspace: a scratch directory, so the SARIF file lands there.
        .current_dir(temp.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("GITHUB_ACTIONS", "true")
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("PEDIGREE_CACHE_DIR", temp.path().join("cache"))
        .envs(context.iter().copied());
    for (key, value) in step["env"].as_mapping().unwrap() {
        let (key, expr) = (key.as_str().unwrap(), value.as_str().unwrap());
        let value = match expr.strip_prefix("${{ inputs.") {
            Some(input) => values[input.trim_end_matches(" }}")].clone(),
            // `github.token` and other contexts: whatever the test passes under the variable's name.
            None => inputs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default(),
        };
        command.env(key, value);
    }
    let out = command.output().unwrap();
    let outputs = std::fs::read_to_string(&output).unwrap_or_default();
    let summary = std::fs::read_to_string(&summary).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        outputs,
        summary,
        temp,
    )
}

#[test]
fn the_action_annotates_summarises_and_sets_outputs() {
    let hub = FakeHub::start(&repo_root().join("examples/mirror"), Faults::default());
    let model = repo_root().join("examples/my-model");
    let (code, stdout, outputs, summary, temp) = run_audit_step(
        &[
            ("model", model.to_str().unwrap()),
            ("hf-token", "hf_not-a-real-token-0000"),
        ],
        &hub.url,
        &[],
    );
    assert_eq!(code, 1, "fail-on error with a drift error: {stdout}");
    assert!(
        stdout.contains("::error file=README.md,line=3,title=pedigree license-drift ("),
        "{stdout}"
    );
    assert!(!stdout.contains("hf_NOTAREALTOKEN"), "the token leaked");
    assert!(
        outputs.contains("errors=1\n") && outputs.contains("warnings=2\n"),
        "{outputs}"
    );
    let report_path = outputs
        .lines()
        .find_map(|l| l.strip_prefix("report="))
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_path).unwrap()).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert!(
        summary.contains("```mermaid") && summary.contains("license-drift"),
        "{summary}"
    );
    let sarif_text = std::fs::read_to_string(temp.path().join("pedigree.sarif"))
        .expect("the sarif input's default path");
    assert!(sarif_text.contains("\"ruleId\": \"license-drift\""));
}

#[test]
fn fail_on_config_and_empty_sarif_are_honoured() {
    let hub = FakeHub::start(&repo_root().join("examples/mirror"), Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("policy.yml");
    std::fs::write(
        &config,
        "severity:\n  agreement-copy-missing: off\n  notice-missing: off\n",
    )
    .unwrap();
    let model = repo_root().join("examples/my-model");
    let (code, stdout, outputs, _, temp) = run_audit_step(
        &[
            ("model", model.to_str().unwrap()),
            ("fail-on", "never"),
            ("sarif", ""),
            ("config", config.to_str().unwrap()),
        ],
        &hub.url,
        &[],
    );
    assert!(
        !temp.path().join("pedigree.sarif").exists(),
        "an empty `sarif` writes none"
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(
        outputs.contains("warnings=0\n"),
        "the config turned the warning off: {outputs}"
    );
    assert!(!stdout.contains("agreement-copy-missing"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_comment_input_keeps_a_sticky_comment() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues/8/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&github)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues/8/comments"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&github)
        .await;
    let hub = FakeHub::start(&repo_root().join("examples/mirror"), Faults::default());
    let model = repo_root().join("examples/my-model");
    let uri = github.uri();
    let inputs = [
        ("model", model.to_str().unwrap()),
        ("comment", "true"),
        ("fail-on", "never"),
        ("GITHUB_TOKEN", "ghs_fake"),
    ];
    // The runner's GitHub context: the repository and the pull request of the run.
    let context = [
        ("GITHUB_REPOSITORY", "o/r"),
        ("GITHUB_API_URL", uri.as_str()),
        ("GITHUB_REF", "refs/pull/8/merge"),
    ];
    let (code, out, _, _, _) = run_audit_step(&inputs, &hub.url, &context);
    // The mock refuses the POST with a 500, so the step fails and says so: the request was made.
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("GitHub"), "{out}");
    github.verify().await;
}
