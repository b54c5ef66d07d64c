//! Files are read only inside the mirror or repo being audited. Symbolic links that lead out of
//! it (a LICENSE linked to a secret, a card or model info linked elsewhere, a model directory
//! linked to another tree) are refused with a finding naming the file, and nothing of what they
//! point at reaches any output. Links that stay inside are followed.

mod common;

use common::{Fixture, model, pedigree};
use std::os::unix::fs::symlink;

/// A model declaring `mit` whose repo lists a LICENSE.
fn with_licence_file(id: &str) -> common::Model<'_> {
    common::Model {
        files: &["LICENSE"],
        ..model(id, "license: mit\n")
    }
}

const SECRET: &str = "root:x:0:0:secret-content-never-shown";

fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("passwd"), SECRET).unwrap();
    let card = format!("---\nlicense: mit\n---\n{SECRET}\n");
    std::fs::write(dir.path().join("README.md"), card).unwrap();
    let info = serde_json::json!({"id": "x/y", "tags": [SECRET]});
    std::fs::write(dir.path().join("info.json"), info.to_string()).unwrap();
    dir
}

#[test]
fn links_out_of_a_mirror_are_refused_with_a_finding_naming_the_file() {
    let secret = outside();
    let f = Fixture::new();
    f.add(with_licence_file("org/base"));
    symlink(
        secret.path().join("passwd"),
        f.path().join("org/base/LICENSE"),
    )
    .unwrap();
    // A card linked out, and model info linked out.
    f.add(model("org/card-link", "license: mit\n"));
    let card = f.path().join("org/card-link/README.md");
    std::fs::remove_file(&card).unwrap();
    symlink(secret.path().join("README.md"), &card).unwrap();
    f.add(model("org/info-link", "license: mit\n"));
    let info = f.path().join("org/info-link/info.json");
    std::fs::remove_file(&info).unwrap();
    symlink(secret.path().join("info.json"), &info).unwrap();
    // A whole model directory linked to another tree.
    symlink(secret.path(), f.path().join("org/dir-link")).unwrap();
    // A link that stays inside the mirror is followed.
    f.add(with_licence_file("org/inside"));
    std::fs::write(f.path().join("org/inside/LICENSE-MIT"), "MIT License\n").unwrap();
    symlink("LICENSE-MIT", f.path().join("org/inside/LICENSE")).unwrap();

    let mirror = f.path().to_str().unwrap();
    for format in ["json", "human", "markdown", "sarif", "github"] {
        let run = pedigree(
            &[
                "family",
                "--all",
                "--mirror",
                mirror,
                "--format",
                format,
                "--fail-on",
                "never",
            ],
            f.path(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            !run.stdout.contains("secret-content") && !run.stderr.contains("secret-content"),
            "{format}: what a link points at reached the output"
        );
    }
    let run = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            mirror,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    let report = run.json();
    let findings = report["findings"].as_array().unwrap();
    let about = |model: &str, rule: &str| {
        findings
            .iter()
            .find(|x| x["model"] == model && x["rule"] == rule)
            .unwrap_or_else(|| panic!("{model}: no {rule} in {:?}", run.rules_of(model)))
    };
    let says = |finding: &serde_json::Value, text: &str| {
        let message = finding["message"].as_str().unwrap();
        assert!(message.contains(text), "{message}");
    };
    let licence = about("org/base", "license-undecidable");
    assert_eq!(licence["file"], "LICENSE");
    says(
        licence,
        "org/base/LICENSE is a symbolic link that leads out of the mirror",
    );
    let card = about("org/card-link", "card-invalid");
    assert_eq!(card["file"], "README.md");
    says(card, "leads out of the mirror");
    let info = about("org/info-link", "model-unreadable");
    says(
        info,
        "org/info-link/info.json is a symbolic link that leads out of the mirror",
    );
    let dir = about("org/dir-link", "model-unreadable");
    says(dir, "org/dir-link/info.json");
    // The link inside was read: its MIT text matches the card, so nothing is said about it.
    assert!(
        !run.rules_of("org/inside")
            .iter()
            .any(|r| r.starts_with("license-")),
        "{:?}",
        run.rules_of("org/inside")
    );
}

#[test]
fn links_out_of_a_local_repo_are_refused_and_links_inside_followed() {
    let secret = outside();
    let f = Fixture::new();
    let repo = f.path().join("my-model");
    std::fs::create_dir_all(repo.join("licenses")).unwrap();
    std::fs::write(repo.join("licenses/MIT.txt"), "MIT License\n").unwrap();
    // The card is a link inside the repo (followed); LICENSE links out (refused).
    std::fs::write(
        repo.join("licenses/card.md"),
        "---\nlicense: mit\n---\n# mine\n",
    )
    .unwrap();
    symlink("licenses/card.md", repo.join("README.md")).unwrap();
    symlink(secret.path().join("passwd"), repo.join("LICENSE")).unwrap();
    symlink("licenses/MIT.txt", repo.join("LICENSE-MIT")).unwrap();
    symlink(secret.path(), repo.join("linked-dir")).unwrap();
    let run = pedigree(
        &[
            "audit",
            repo.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("secret-content") && !run.stderr.contains("secret-content"));
    let report = run.json();
    let id = repo.to_str().unwrap();
    let entry = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap();
    assert_eq!(
        entry["license"]["declared"], "mit",
        "the linked card was read"
    );
    let refused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == "LICENSE")
        .unwrap_or_else(|| panic!("no finding about LICENSE: {}", run.stdout));
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("LICENSE is a symbolic link that leads out of the repo"),
        "{refused}"
    );
}

#[test]
fn a_snapshot_leaves_out_files_linked_out_of_the_mirror() {
    let secret = outside();
    let f = Fixture::new();
    f.add(with_licence_file("org/base"));
    symlink(
        secret.path().join("passwd"),
        f.path().join("org/base/LICENSE"),
    )
    .unwrap();
    let out = f.path().join("snap.jsonl");
    let run = pedigree(
        &[
            "snapshot",
            f.path().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        f.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("org/base") && !written.contains("secret-content"));
    assert!(
        run.stderr.contains("org/base/LICENSE is a symbolic link"),
        "{}",
        run.stderr
    );
}
