//! The command line as users meet it: exit codes, formats, configuration, pre-publish checks.

mod common;

use common::{Fixture, model, pedigree, repo_root};

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    // The compliant children link the Llama 2 agreement and carry its notice, so their findings
    // are the ones a test is about. The drifting one declares MIT and hands on no agreement.
    let link =
        "base_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    let body = common::LLAMA2_NOTICE;
    f.add_card(
        "a/drift",
        "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n",
        body,
    );
    f.add_card("a/unlabelled", link, body);
    f.add_card("a/clean", &format!("license: llama2\n{link}"), body);
    f
}

fn mirror(f: &Fixture) -> String {
    f.path().to_str().unwrap().to_string()
}

#[test]
fn exit_codes_follow_fail_on() {
    let f = fixture();
    let m = mirror(&f);
    assert_eq!(
        pedigree(&["audit", "a/clean", "--mirror", &m], f.path()).code,
        0
    );
    assert_eq!(
        pedigree(&["audit", "a/drift", "--mirror", &m], f.path()).code,
        1
    );
    assert_eq!(
        pedigree(
            &["audit", "a/drift", "--mirror", &m, "--fail-on", "never"],
            f.path()
        )
        .code,
        0
    );
    // A warning only fails with --fail-on warning or note.
    assert_eq!(
        pedigree(&["audit", "a/unlabelled", "--mirror", &m], f.path()).code,
        0
    );
    assert_eq!(
        pedigree(
            &[
                "audit",
                "a/unlabelled",
                "--mirror",
                &m,
                "--fail-on",
                "warning"
            ],
            f.path()
        )
        .code,
        1
    );
    assert_eq!(
        pedigree(
            &["audit", "a/unlabelled", "--mirror", &m, "--fail-on", "note"],
            f.path()
        )
        .code,
        1
    );
}

#[test]
fn usage_and_io_errors_exit_2_with_one_line() {
    let f = fixture();
    let m = mirror(&f);
    for args in [
        vec!["audit", "no/such-model", "--mirror", m.as_str()],
        vec![
            "audit",
            "a/drift",
            "--endpoint",
            "http://127.0.0.1:9",
            "--no-cache",
        ],
        vec!["audit", "a/drift", "--mirror", "/nonexistent/mirror"],
        vec![
            "audit",
            "a/drift",
            "--mirror",
            m.as_str(),
            "--config",
            "/nonexistent.yml",
        ],
        vec!["explain", "no-such-rule"],
    ] {
        // From an empty directory, so `a/drift` cannot be mistaken for a local repo.
        let elsewhere = tempfile::tempdir().unwrap();
        let run = pedigree(&args, elsewhere.path());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
}

#[test]
fn json_report_follows_the_documented_contract() {
    let f = fixture();
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &mirror(&f),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert_eq!(run.code, 1);
    let r = run.json();
    assert_eq!(r["tool"]["name"], "pedigree");
    assert_eq!(r["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["summary"]["models"], 4);
    assert_eq!(r["summary"]["errors"], 1);
    // missing-license on a/unlabelled, agreement-copy-missing on a/drift.
    assert_eq!(r["summary"]["warnings"], 2);
    let drift = r["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "a/drift")
        .unwrap();
    assert_eq!(drift["license"]["declared"], "mit");
    assert_eq!(drift["license"]["normalized"], "mit");
    assert_eq!(drift["license"]["class"], "permissive");
    assert_eq!(drift["parents"][0]["id"], "meta-llama/Llama-2-7b-hf");
    assert_eq!(drift["parents"][0]["relation"], "finetune");
    assert_eq!(drift["depth"], 1);
    for finding in r["findings"].as_array().unwrap() {
        for key in [
            "rule",
            "severity",
            "model",
            "ancestors",
            "message",
            "clause",
            "file",
            "line",
            "fingerprint",
            "fix",
        ] {
            assert!(
                finding.get(key).is_some(),
                "finding lacks `{key}`: {finding}"
            );
        }
        assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 16);
        // Every accusation carries its fix.
        if finding["severity"] == "error" {
            assert!(finding["fix"].is_string(), "{finding}");
        }
    }
}

#[test]
fn fingerprints_are_stable_across_runs_and_line_moves() {
    let f = fixture();
    let m = mirror(&f);
    let first = pedigree(
        &["audit", "a/drift", "--mirror", &m, "--format", "json"],
        f.path(),
    )
    .json();
    // Same problem, card reformatted so the licence moves to another line.
    f.add(model(
        "a/drift",
        "language: en\ntags: [chat]\nbase_model: meta-llama/Llama-2-7b-hf\nlicense: mit\n",
    ));
    let second = pedigree(
        &["audit", "a/drift", "--mirror", &m, "--format", "json"],
        f.path(),
    )
    .json();
    assert_ne!(first["findings"][0]["line"], second["findings"][0]["line"]);
    assert_eq!(
        first["findings"][0]["fingerprint"],
        second["findings"][0]["fingerprint"]
    );
    // A different problem has a different fingerprint.
    f.add(model(
        "a/drift",
        "license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n",
    ));
    let third = pedigree(
        &["audit", "a/drift", "--mirror", &m, "--format", "json"],
        f.path(),
    )
    .json();
    assert_ne!(
        first["findings"][0]["fingerprint"],
        third["findings"][0]["fingerprint"]
    );
}

#[test]
fn human_output_groups_by_model_with_chain_and_clause() {
    let f = fixture();
    f.add_card(
        "a/gguf",
        "license: apache-2.0\nbase_model: a/drift\n",
        common::LLAMA2_NOTICE,
    );
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &mirror(&f),
        ],
        f.path(),
    );
    let out = &run.stdout;
    assert!(
        out.contains("a/gguf  apache-2.0 (permissive)\n  chain: a/gguf ← a/drift ← meta-llama/Llama-2-7b-hf\n  error[license-drift] README.md:2\n"),
        "{out}"
    );
    assert!(
        out.contains("chain: a/gguf ← a/drift ← meta-llama/Llama-2-7b-hf"),
        "{out}"
    );
    assert!(out.contains("clause: §1.a, §1.b.i https://"), "{out}");
    // Every accusation says how to put it right.
    assert!(
        out.contains("fix: declare `license: llama2` instead of `apache-2.0`"),
        "{out}"
    );
    assert!(
        out.contains("Audited 5 models: 2 errors, 3 warnings, 0 notes"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn config_waivers_severity_and_policy() {
    let f = fixture();
    let config = f.path().join("policy.yml");
    std::fs::write(
        &config,
        "licenses:\n  deny: [mit]\nwaivers:\n  - model: a/drift\n    rule: license-drift\n    reason: relicensing under review\n    expires: 2999-01-01\n  - model: a/unl*\n    rule: missing-license\n    reason: old\n    expires: 2000-01-01\nseverity:\n  naming-obligation: error\n",
    )
    .unwrap();
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &mirror(&f),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert!(!run.has("a/drift", "license-drift"), "waived until 2999");
    assert!(run.has("a/drift", "license-not-allowed"), "mit is denied");
    assert!(
        run.has("a/unlabelled", "missing-license"),
        "the waiver expired in 2000"
    );
    assert!(run.has("a/unl*", "waiver-expired"));
    let r = run.json();
    assert_eq!(r["summary"]["waived"], 1);
    let expired = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "waiver-expired")
        .unwrap();
    assert_eq!(expired["file"], "policy.yml");
    assert_eq!(expired["line"], 8);
}

#[test]
fn severity_off_and_allow_list() {
    let f = fixture();
    let config = f.path().join(".pedigree.yml");
    std::fs::write(
        &config,
        "licenses:\n  allow: [llama2, apache-2.0]\nseverity:\n  missing-license: off\n",
    )
    .unwrap();
    // Found in the current directory without --config.
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &mirror(&f),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert!(!run.has("a/unlabelled", "missing-license"));
    assert!(run.has("a/drift", "license-not-allowed"));
    assert!(!run.has("a/clean", "license-not-allowed"));
}

#[test]
fn config_errors_name_the_key_and_line() {
    let f = fixture();
    let cases = [
        (
            "licenses:\n  alow: [mit]\n",
            "unknown field `alow`",
            "line 2",
        ),
        (
            "licenses:\n  deny:\n    - mitt\n",
            "unknown licence `mitt` (did you mean `mit`?)",
            "line 3",
        ),
        (
            "severity:\n  licence-drift: error\n",
            "unknown rule `licence-drift` (did you mean `license-drift`?)",
            "line 2",
        ),
        (
            "severity:\n  license-drift: fatal\n",
            "`fatal` is not one of",
            "line 2",
        ),
        (
            "waivers:\n  - model: a/b\n    rule: license-drift\n    reason: x\n    expires: soon\n",
            "not a date",
            "line 2",
        ),
        (
            "waivers:\n  - model: a/b\n    rule: license-drift\n",
            "missing field `reason`",
            "line 2",
        ),
    ];
    for (text, message, line) in cases {
        let config = f.path().join("bad.yml");
        std::fs::write(&config, text).unwrap();
        let run = pedigree(
            &[
                "audit",
                "a/clean",
                "--mirror",
                &mirror(&f),
                "--config",
                config.to_str().unwrap(),
            ],
            f.path(),
        );
        assert_eq!(run.code, 2, "{text}");
        assert!(
            run.stderr.contains(message) && run.stderr.contains(line),
            "{text}: {}",
            run.stderr
        );
    }
}

#[test]
fn local_repo_is_audited_before_publishing() {
    let f = fixture();
    let repo = f.path().join("my-model");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(
        repo.join("README.md"),
        "---\nbase_model: meta-llama/Llama-2-7b-hf\nlicense: apache-2.0\n---\n# Mine\n",
    )
    .unwrap();
    std::fs::write(repo.join("adapter_config.json"), "{}").unwrap();
    std::fs::write(repo.join("adapter_model.safetensors"), b"").unwrap();
    let run = pedigree(
        &[
            "audit",
            "my-model",
            "--mirror",
            &mirror(&f),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.has("my-model", "license-drift"));
    let r = run.json();
    let me = r["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "my-model")
        .unwrap();
    assert_eq!(me["parents"][0]["relation"], "adapter");
    // A .pedigree.yml in the audited directory is picked up.
    std::fs::write(
        repo.join(".pedigree.yml"),
        "waivers:\n  - model: my-model\n    rule: license-drift\n    reason: fixing\n",
    )
    .unwrap();
    let run = pedigree(
        &[
            "audit",
            "my-model",
            "--mirror",
            &mirror(&f),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // Without a mirror, parents come from the Hub; one that cannot be reached is unresolved.
    let run = pedigree(
        &["audit", "my-model", "--format", "json", "--no-cache"],
        f.path(),
    );
    assert!(run.has("my-model", "unresolved-parent"), "{}", run.stdout);
    assert!(run.stdout.contains("Connection refused"), "{}", run.stdout);
}

#[test]
fn rules_and_explain() {
    let root = repo_root();
    let run = pedigree(&["rules"], &root);
    assert_eq!(run.code, 0);
    for rule in [
        "license-drift",
        "missing-license",
        "unknown-license",
        "incompatible-parents",
        "unresolved-parent",
        "lineage-cycle",
        "naming-obligation",
        "card-invalid",
    ] {
        assert!(run.stdout.contains(rule), "`pedigree rules` lacks {rule}");
    }
    let run = pedigree(&["explain", "naming-obligation"], &root);
    assert!(
        run.stdout.contains("Llama 3") && run.stdout.contains("§1.b.i"),
        "{}",
        run.stdout
    );
    let run = pedigree(&["explain", "llama2"], &root);
    assert!(
        run.stdout.contains("Llama 2 Community License") && run.stdout.contains("§1.b.i"),
        "{}",
        run.stdout
    );
    let run = pedigree(&["rules", "--licenses", "--format", "json"], &root);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(list.as_array().unwrap().len() > 85);
    // Every licence explains its terms, each with the clause of its text.
    for entry in list.as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        for term in entry["terms"].as_array().unwrap() {
            assert!(
                term["clause"]["section"].as_str().unwrap().len() > 1,
                "{id}: {term}"
            );
            assert!(term["kind"].is_string(), "{id}: {term}");
        }
    }
    for id in ["llama3.1", "cc-by-nc-4.0", "gemma"] {
        let run = pedigree(&["explain", id], &root);
        assert_eq!(run.code, 0, "{id}");
        assert!(
            run.stdout.contains("declared as: license: "),
            "{}",
            run.stdout
        );
        let terms: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("  - "))
            .collect();
        assert!(!terms.is_empty(), "{}", run.stdout);
        assert!(
            terms.iter().all(|t| t.contains(": ") && t.ends_with(']')),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn rules_dir_replaces_the_builtin_catalogue() {
    let f = fixture();
    let rules = f.path().join("rules");
    std::fs::create_dir_all(rules.join("licenses")).unwrap();
    for id in ["mit", "llama2"] {
        std::fs::copy(
            repo_root().join(format!("rules/licenses/{id}.yml")),
            rules.join(format!("licenses/{id}.yml")),
        )
        .unwrap();
    }
    let run = pedigree(
        &[
            "audit",
            "a/drift",
            "--mirror",
            &mirror(&f),
            "--rules",
            rules.to_str().unwrap(),
            "--format",
            "json",
        ],
        f.path(),
    );
    assert!(run.has("a/drift", "license-drift"), "{}", run.stderr);
    std::fs::write(rules.join("licenses/broken.yml"), "id: nope\n").unwrap();
    let run = pedigree(
        &[
            "audit",
            "a/drift",
            "--mirror",
            &mirror(&f),
            "--rules",
            rules.to_str().unwrap(),
        ],
        f.path(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.yml"), "{}", run.stderr);
}

/// Runs pedigree under a pseudo-terminal (util-linux `script`), as a person at a terminal would.
fn in_terminal(args: &str, ci: bool) -> Option<String> {
    if !std::path::Path::new("/usr/bin/script").is_file() {
        eprintln!("skipped: no `script` to give pedigree a terminal");
        return None;
    }
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_pedigree"));
    let mut script = std::process::Command::new("/usr/bin/script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo_root());
    if ci {
        script.env("CI", "true");
    } else {
        script.env_remove("CI");
    }
    let out = script.output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_progress_bar_only_on_a_terminal_and_never_in_ci_or_quiet() {
    let args = "family --all --mirror examples/mirror --format json -o /dev/null --fail-on never";
    let Some(shown) = in_terminal(args, false) else {
        return;
    };
    assert!(
        shown.contains("reading models") && shown.contains("checking"),
        "{shown:?}"
    );
    assert!(
        !in_terminal(&format!("{args} --quiet"), false)
            .unwrap()
            .contains("reading models")
    );
    assert!(!in_terminal(args, true).unwrap().contains("reading models"));
    // Not a terminal: nothing on stderr.
    let f = fixture();
    let run = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            f.path().to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn select_ignore_and_statistics_work_like_ruffs() {
    let f = fixture();
    let m = mirror(&f);
    let all = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &m,
            "--format",
            "json",
        ],
        f.path(),
    );
    let rules = |run: &common::Run| -> Vec<String> {
        let mut r: Vec<String> = run.pairs().into_iter().map(|(_, r)| r).collect();
        r.sort();
        r.dedup();
        r
    };
    assert!(rules(&all).len() >= 3, "{:?}", rules(&all));
    let selected = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &m,
            "--format",
            "json",
            "--select",
            "license-*,missing-license",
            "--ignore",
            "license-undecidable",
        ],
        f.path(),
    );
    assert_eq!(rules(&selected), vec!["license-drift", "missing-license"]);
    // A typo is an error, not a silent empty selection.
    let typo = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &m,
            "--select",
            "licence-drift",
        ],
        f.path(),
    );
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `license-drift`"),
        "{}",
        typo.stderr
    );
    // Statistics count what the JSON report holds, per rule.
    let stats = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &m,
            "--format",
            "json",
            "--statistics",
        ],
        f.path(),
    );
    let counts: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    let total: u64 = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, all.pairs().len());
    assert_eq!(stats.code, all.code, "the exit code follows the findings");
    let human = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &m,
            "--statistics",
        ],
        f.path(),
    );
    assert!(
        human.stdout.lines().any(|l| l.contains("license-drift")),
        "{}",
        human.stdout
    );
}

#[test]
fn human_output_puts_errors_first_with_one_chain_per_model() {
    let f = fixture();
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            &mirror(&f),
        ],
        f.path(),
    );
    let out = &run.stdout;
    // a/unlabelled (warnings only) sorts before a/drift by id, but a/drift has an error.
    let drift = out.find("a/drift  ").unwrap();
    let unlabelled = out.find("a/unlabelled  ").unwrap();
    assert!(drift < unlabelled, "{out}");
    let block: &str = &out[drift..unlabelled];
    assert_eq!(block.matches("chain:").count(), 1, "{block}");
    assert!(
        block.contains("\n  chain: a/drift ← meta-llama/Llama-2-7b-hf\n"),
        "{block}"
    );
}

#[test]
fn init_writes_a_config_that_loads_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let run = pedigree(&["init"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(dir.path().join(".pedigree.yml")).unwrap();
    assert!(written.contains("severity:"), "{written}");
    // It loads: an audit with it runs.
    let f = fixture();
    let config = dir.path().join(".pedigree.yml");
    let audit = pedigree(
        &[
            "audit",
            "a/clean",
            "--mirror",
            &mirror(&f),
            "--config",
            config.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let again = pedigree(&["init"], dir.path());
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(pedigree(&["init", "--force"], dir.path()).code, 0);
}
