//! Acceptance on the real crawl in ../shared/data/hub-mirror (skipped when it is absent): the
//! verdicts on real cases, and a clean run over every family.

mod common;

use common::{pedigree, shared_mirror};
use std::sync::OnceLock;

/// One `family --all` run over the whole mirror, shared by the tests.
fn all() -> Option<&'static common::Run> {
    static RUN: OnceLock<Option<common::Run>> = OnceLock::new();
    RUN.get_or_init(|| {
        let mirror = shared_mirror()?;
        let m = mirror.to_str().unwrap().to_string();
        Some(pedigree(
            &[
                "family",
                "--all",
                "--mirror",
                &m,
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            &mirror,
        ))
    })
    .as_ref()
}

#[test]
fn llama2_children_declared_mit_or_apache_drift() {
    let Some(run) = all() else { return };
    for id in [
        "CreitinGameplays/Llama-2-7b-chat-reasoning-test",
        "RakshitAi/AtmaLLaMA",
        "Arjs/Llama-2-7b-chatbot-finetune",
        "MVRL/Eco-Llama-7b",
    ] {
        assert!(
            run.has(id, "license-drift"),
            "{id} should drift from llama2"
        );
    }
    let report = run.json();
    let models = report["models"].as_array().unwrap();
    let llama_children: Vec<&str> = models
        .iter()
        .filter(|m| {
            m["parents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == "meta-llama/Llama-2-7b-chat-hf")
        })
        .filter(|m| m["license"]["declared"] == "mit" || m["license"]["declared"] == "apache-2.0")
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(llama_children.len() >= 20, "{}", llama_children.len());
    let mirror = shared_mirror().unwrap();
    let mut drifting = 0;
    for id in llama_children {
        // Only a repo that ships derived material distributes anything under the agreement.
        if ships_model_files(&mirror, id) {
            drifting += 1;
            assert!(
                run.has(id, "license-drift"),
                "{id} declares a permissive licence under llama2, ships weights and was not flagged"
            );
        } else {
            assert!(!run.has(id, "license-drift"), "{id} ships no weights");
            assert!(run.has(id, "no-derived-material"), "{id}");
        }
    }
    assert!(drifting >= 15, "{drifting}");
}

/// The model's listed files hold weights, an adapter or a quantization (read independently of
/// pedigree's classifier, by extension).
fn ships_model_files(mirror: &std::path::Path, id: &str) -> bool {
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mirror.join(id).join("info.json")).unwrap()).unwrap();
    info["siblings"].as_array().unwrap().iter().any(|s| {
        let name = s["rfilename"].as_str().unwrap();
        [
            ".safetensors",
            ".gguf",
            ".ckpt",
            ".pth",
            ".pt",
            ".pdparams",
            ".onnx",
            ".h5",
            ".msgpack",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
            || (name.ends_with(".bin") && !name.contains("training_args"))
    })
}

#[test]
fn repos_that_ship_no_model_files_are_never_accused() {
    let Some(run) = all() else { return };
    let mirror = shared_mirror().unwrap();
    let report = run.json();
    let mut readme_only = 0;
    for m in report["models"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        if m["role"] != "audited" || ships_model_files(&mirror, id) {
            continue;
        }
        readme_only += 1;
        let errors: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["model"] == id && f["severity"] == "error")
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        // A card that cannot be read is an error about the card, not an accusation.
        assert!(
            errors.iter().all(|r| r == "card-invalid"),
            "{id} ships no model files but has {errors:?}"
        );
    }
    assert!(readme_only >= 4, "{readme_only}");
}

#[test]
fn rail_to_rail_and_mit_to_apache_do_not_drift() {
    let Some(run) = all() else { return };
    let report = run.json();
    let models = report["models"].as_array().unwrap();
    let child_of = |parent: &str, licence: &str| -> Vec<String> {
        models
            .iter()
            .filter(|m| {
                m["parents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["id"] == parent)
            })
            .filter(|m| m["license"]["declared"] == licence)
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    let rail = child_of("stabilityai/stable-diffusion-2-1", "creativeml-openrail-m");
    let apache = child_of("microsoft/phi-2", "apache-2.0");
    assert!(
        rail.len() >= 10 && apache.len() >= 4,
        "{} {}",
        rail.len(),
        apache.len()
    );
    for id in rail.iter().chain(&apache) {
        assert!(!run.has(id, "license-drift"), "{id} was flagged");
    }
}

#[test]
fn other_with_license_name_is_understood() {
    let Some(run) = all() else { return };
    let report = run.json();
    let exaone: Vec<&serde_json::Value> = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["license"]["declared"] == "other" && m["id"].as_str().unwrap().contains("EXAONE")
        })
        .collect();
    assert!(exaone.len() >= 10);
    for m in exaone {
        assert_eq!(m["license"]["normalized"], "exaone", "{}", m["id"]);
        assert!(!run.has(m["id"].as_str().unwrap(), "unknown-license"));
    }
}

#[test]
fn every_family_audits_without_a_panic() {
    let Some(mirror) = shared_mirror() else {
        return;
    };
    let m = mirror.to_str().unwrap();
    let roots = [
        "meta-llama/Llama-2-7b-chat-hf",
        "microsoft/phi-2",
        "stabilityai/stable-diffusion-2-1",
        "deepseek-ai/DeepSeek-V3",
        "mistralai/Mistral-Small-24B-Base-2501",
        "deepseek-ai/Janus-Pro-7B",
        "THUDM/CogVideoX-5b",
        "LGAI-EXAONE/EXAONE-Deep-32B",
        "bigscience/bloom",
        "EleutherAI/gpt-neox-20b",
    ];
    for root in roots {
        let run = pedigree(
            &[
                "family",
                root,
                "--mirror",
                m,
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            &mirror,
        );
        assert_eq!(run.code, 0, "{root}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{root}: {}", run.stderr);
        assert!(run.json()["summary"]["models"].as_u64().unwrap() >= 1);
    }
    let all = all().unwrap();
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(all.json()["summary"]["models"], 1220);
}

/// The whole crawl audited from a snapshot of it (read in parts on every core, each line parsed
/// once) gives the report the mirror gives (read model by model), byte for byte: only a missing
/// dataset's reason (in its finding and in its entry) names the other source.
#[test]
fn a_snapshot_of_the_crawl_reports_byte_for_byte_what_the_mirror_does() {
    let Some(mirror) = shared_mirror() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crawl.jsonl");
    let convert = pedigree(
        &[
            "snapshot",
            mirror.to_str().unwrap(),
            "-o",
            file.to_str().unwrap(),
        ],
        &mirror,
    );
    assert_eq!(convert.code, 0, "{}", convert.stderr);
    let snapshot = pedigree(
        &[
            "family",
            "--all",
            "--snapshot",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &mirror,
    );
    assert_eq!(snapshot.code, 0, "{}", snapshot.stderr);
    let from_mirror = all()
        .unwrap()
        .stdout
        .replace(" is not in the mirror", " is not in the snapshot");
    assert!(snapshot.json()["findings"].as_array().unwrap().len() > 1000);
    assert!(
        from_mirror == snapshot.stdout,
        "the reports differ from line {}",
        from_mirror
            .lines()
            .zip(snapshot.stdout.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1)
    );
}
