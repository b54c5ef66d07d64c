//! Test support: tiny fixture mirrors written to a temporary directory, and a runner for the
//! real `pedigree` binary.
#![allow(dead_code)]

pub mod fake_hub;
pub mod github_api;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A mirror in a temp dir. Each model gets an info.json shaped like the Hub's and, unless
/// `card` is `None`, a README.md.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

/// One fixture model: front matter lines and extra repo files.
pub struct Model<'a> {
    pub id: &'a str,
    pub front_matter: &'a str,
    pub files: &'a [&'a str],
    pub tags: &'a [&'a str],
}

pub fn model<'a>(id: &'a str, front_matter: &'a str) -> Model<'a> {
    Model {
        id,
        front_matter,
        files: &[],
        tags: &[],
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a model whose card is `---\n{front_matter}---\n# {name}\n`.
    pub fn add(&self, m: Model<'_>) -> &Self {
        let card = format!(
            "---\n{}---\n\n# {}\n\nA fixture model.\n",
            m.front_matter, m.id
        );
        self.add_raw(m.id, Some(&card), m.files, m.tags)
    }

    /// Writes a model whose card has this front matter and Markdown body.
    pub fn add_card(&self, id: &str, front_matter: &str, body: &str) -> &Self {
        self.add_raw(
            id,
            Some(&format!("---\n{front_matter}---\n{body}\n")),
            &[],
            &[],
        )
    }

    /// Writes a model with a card given verbatim (or none). Unless `files` already ship model
    /// material (an adapter, a GGUF), the repo lists `model.safetensors`: a fixture model ships
    /// weights, as models on the Hub do (see [`Fixture::add_bare`] for one that does not).
    pub fn add_raw(
        &self,
        id: &str,
        card: Option<&str>,
        files: &[&str],
        extra_tags: &[&str],
    ) -> &Self {
        let ships =
            pedigree::lineage::classify_files(files.iter().copied(), extra_tags.iter().copied());
        if ships.is_derived_material() {
            self.write(id, card, files, extra_tags)
        } else {
            let mut with_weights = files.to_vec();
            with_weights.push("model.safetensors");
            self.write(id, card, &with_weights, extra_tags);
            // On disk too, so that the directory read as a local repo ships what the mirror lists.
            std::fs::write(self.dir.path().join(id).join("model.safetensors"), b"").unwrap();
            self
        }
    }

    /// Writes a model whose repo lists only these files besides its card and config: no weights.
    pub fn add_bare(&self, id: &str, front_matter: &str, files: &[&str]) -> &Self {
        let card = format!("---\n{front_matter}---\n\n# {id}\n\nA fixture repo.\n");
        self.write(id, Some(&card), files, &[])
    }

    fn write(&self, id: &str, card: Option<&str>, files: &[&str], extra_tags: &[&str]) -> &Self {
        let dir = self.dir.path().join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let card_data: Value = card
            .and_then(|c| pedigree::card::split(c).yaml)
            .and_then(|y| serde_yaml::from_str::<Value>(&y).ok())
            .unwrap_or(Value::Null);
        let mut tags: Vec<String> = extra_tags.iter().map(|t| t.to_string()).collect();
        let parents: Vec<String> = match card_data.get("base_model") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(v)) => v
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        };
        for p in &parents {
            tags.push(format!("base_model:{p}"));
            tags.push(format!("base_model:finetune:{p}"));
        }
        if let Some(Value::String(l)) = card_data.get("license") {
            tags.push(format!("license:{l}"));
        }
        let mut siblings = vec![
            json!({"rfilename": ".gitattributes"}),
            json!({"rfilename": "config.json"}),
        ];
        if card.is_some() {
            siblings.push(json!({"rfilename": "README.md"}));
        }
        siblings.extend(files.iter().map(|f| json!({"rfilename": f})));
        let info = json!({
            "id": id, "modelId": id, "author": id.split('/').next().unwrap(),
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "lastModified": "2025-01-01T00:00:00.000Z", "private": false, "gated": false,
            "disabled": false, "tags": tags, "siblings": siblings, "cardData": card_data,
        });
        std::fs::write(
            dir.join("info.json"),
            serde_json::to_string_pretty(&info).unwrap(),
        )
        .unwrap();
        if let Some(card) = card {
            std::fs::write(dir.join("README.md"), card).unwrap();
        }
        self
    }

    /// Writes a dataset at `datasets/<id>/`: an info.json shaped like the Hub's
    /// `/api/datasets/{id}` (its `cardData` the card's front matter) and the card.
    pub fn add_dataset(&self, id: &str, front_matter: &str, body: &str) -> &Self {
        let dir = self.dir.path().join("datasets").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let card = format!("---\n{front_matter}---\n{body}\n");
        let card_data: Value = serde_yaml::from_str(front_matter).unwrap_or(Value::Null);
        let mut tags: Vec<String> = Vec::new();
        if let Some(Value::String(l)) = card_data.get("license") {
            tags.push(format!("license:{l}"));
        }
        let info = json!({
            "id": id, "author": id.split('/').next().unwrap(),
            "sha": "89abcdef0123456789abcdef0123456789abcdef", "private": false, "gated": false,
            "disabled": false, "tags": tags, "cardData": card_data,
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}, {"rfilename": "data/train.parquet"}],
        });
        std::fs::write(
            dir.join("info.json"),
            serde_json::to_string_pretty(&info).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("README.md"), card).unwrap();
        self
    }
}

/// The outcome of one run of the real binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// `(model, rule)` of every finding in a JSON report.
    /// The first finding of a rule on a model, as JSON.
    pub fn finding(&self, model: &str, rule: &str) -> Value {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["model"] == model && f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} on {model}: {}", self.stdout))
            .clone()
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["model"].as_str().unwrap().to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// `(model, rule, fingerprint)` of every finding: what "the same findings" means when two
    /// runs are compared.
    pub fn findings(&self) -> std::collections::BTreeSet<(String, String, String)> {
        self.json()["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("no findings:\n{}\n{}", self.stdout, self.stderr))
            .iter()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                (s("model"), s("rule"), s("fingerprint"))
            })
            .collect()
    }

    pub fn has(&self, model: &str, rule: &str) -> bool {
        self.pairs().iter().any(|(m, r)| m == model && r == rule)
    }

    pub fn rules_of(&self, model: &str) -> Vec<String> {
        self.pairs()
            .into_iter()
            .filter(|(m, _)| m == model)
            .map(|(_, r)| r)
            .collect()
    }
}

pub fn pedigree(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args(args)
        .current_dir(cwd)
        .env_remove("PEDIGREE_MIRROR")
        .env_remove("HF_TOKEN")
        // Paths in annotations and SARIF are relative to the run's directory, even under CI.
        .env_remove("GITHUB_WORKSPACE")
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .env(
            "HF_HOME",
            std::env::temp_dir().join("pedigree-tests-no-hf-home"),
        )
        .env(
            "PEDIGREE_CACHE_DIR",
            std::env::temp_dir().join("pedigree-tests-cache"),
        )
        .env("NO_COLOR", "1")
        .output()
        .expect("run pedigree");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `pedigree family --all --mirror <fixture> --format json`, plus `extra` arguments.
pub fn audit_all_with(fixture: &Fixture, extra: &[&str]) -> Run {
    let mirror = fixture.path().to_str().unwrap().to_string();
    let mut args = vec![
        "family",
        "--all",
        "--mirror",
        &mirror,
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    args.extend(extra);
    pedigree(&args, fixture.path())
}

pub fn audit_all(fixture: &Fixture) -> Run {
    audit_all_with(fixture, &[])
}

/// `audit_all` with the repo-content rules (`agreement-copy-missing`, `notice-missing`) turned
/// off through a real config file: the rule tests judge one rule at a time, and fixture repos
/// carry no licence files. Content rules are tested in tests/files.rs.
pub fn audit_focused(fixture: &Fixture) -> Run {
    audit_with_config(
        fixture,
        "severity:\n  agreement-copy-missing: off\n  notice-missing: off\n",
    )
}

/// `audit_all` with a `.pedigree.yml` of this text (written as focused.yml in the fixture).
pub fn audit_with_config(fixture: &Fixture, config_text: &str) -> Run {
    let config = fixture.path().join("focused.yml");
    std::fs::write(&config, config_text).unwrap();
    audit_all_with(fixture, &["--config", config.to_str().unwrap()])
}

/// The Notice sentence the Llama 2 agreement requires (§1.b.iii), for fixtures that comply.
pub const LLAMA2_NOTICE: &str = "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/hub-mirror`, or `None` (with a message) when it is not beside the project.
pub fn shared_mirror() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/data/hub-mirror");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/data/hub-mirror is not beside the project");
        None
    }
}

/// What the SARIF 2.1.0 schema (`../shared/reference`) finds wrong with `sarif`; `None`, with a
/// message, when the schema is not beside the project.
pub fn sarif_schema_errors(sarif: &Value) -> Option<Vec<String>> {
    let path = repo_root().join("../shared/reference/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read_to_string(&path) else {
        eprintln!("skipped schema validation: {} is absent", path.display());
        return None;
    };
    let schema: Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    Some(
        validator
            .iter_errors(sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect(),
    )
}

/// A `family --all` report of a mirror through the library (not the binary), keeping at most
/// `body_budget` bytes of card text; with the rule docs it was made with.
pub fn library_report(
    mirror: &Path,
    body_budget: usize,
) -> (pedigree::report::Report, pedigree::findings::RuleDocs) {
    use pedigree::audit::{Auditor, Target};
    let catalogue = pedigree::license::Catalogue::builtin().unwrap();
    let docs = pedigree::findings::RuleDocs::builtin().unwrap();
    let config = pedigree::config::Config::default();
    let mirror = pedigree::source::Mirror::open(mirror).unwrap();
    let auditor = Auditor {
        source: &mirror,
        catalogue: &catalogue,
        docs: &docs,
        config: &config,
        max_depth: 32,
        max_family: pedigree::audit::DEFAULT_MAX_FAMILY,
        today: "2026-11-21".parse().unwrap(),
        body_budget,
        datasets: true,
        progress: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(auditor.run(&Target::All)).unwrap();
    (report, docs)
}
