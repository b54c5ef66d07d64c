//! Bulk snapshots (JSON Lines): converted from a mirror, audited with the same results, and
//! bad lines skipped with a warning while the rest is audited.

mod common;

use common::{pedigree, repo_root};

/// `family TARGET --snapshot FILE` as JSON, run in `dir` (TARGET may be `--all`).
fn audit_snapshot(target: &str, file: &std::path::Path, dir: &std::path::Path) -> common::Run {
    let file = file.to_str().unwrap();
    let args = [
        "family",
        target,
        "--snapshot",
        file,
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    pedigree(&args, dir)
}

#[test]
fn a_snapshot_audits_like_the_mirror_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("examples.jsonl");
    let convert = pedigree(
        &["snapshot", "examples/mirror", "-o", file.to_str().unwrap()],
        &repo_root(),
    );
    assert_eq!(convert.code, 0, "{}", convert.stderr);
    let models = std::fs::read_dir(repo_root().join("examples/mirror"))
        .unwrap()
        .flat_map(|owner| std::fs::read_dir(owner.unwrap().path()).unwrap())
        .filter(|m| m.as_ref().unwrap().path().join("info.json").is_file())
        .count();
    // Datasets sit under datasets/<owner>/<name>: three levels down.
    let datasets = std::fs::read_dir(repo_root().join("examples/mirror/datasets"))
        .unwrap()
        .flat_map(|owner| std::fs::read_dir(owner.unwrap().path()).unwrap())
        .filter(|d| d.as_ref().unwrap().path().join("info.json").is_file())
        .count();
    assert!(datasets >= 5);
    assert!(
        convert
            .stderr
            .contains(&format!("wrote {models} models and {datasets} datasets")),
        "{}",
        convert.stderr
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), models + datasets);
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\"repoType\":\"dataset\""))
            .count(),
        datasets
    );
    assert!(
        text.contains("\"readme\":") && text.contains("\"files\":{\"LICENSE.txt\""),
        "cards and licence files travel"
    );

    let mirror = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            "examples/mirror",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &repo_root(),
    );
    let snapshot = audit_snapshot("--all", &file, &repo_root());
    assert_eq!(mirror.findings(), snapshot.findings());
    // Datasets, their licences and generators, read from the snapshot as from the mirror.
    assert!(snapshot.has("synthforge/phi-2-synth-chat", "outputs-clause"));
    // (Why an unread one is unread names the source.)
    let datasets = |run: &common::Run| {
        let mut list = run.json()["datasets"].clone();
        for d in list.as_array_mut().unwrap() {
            d.as_object_mut().unwrap().remove("reason");
        }
        list
    };
    assert_eq!(datasets(&mirror), datasets(&snapshot));
    let family = audit_snapshot("meta-llama/Llama-2-7b-hf", &file, &repo_root());
    assert!(family.has("acme-support/llama2-7b-helpdesk", "license-drift"));

    // Gzipped, written and read: the same audit, and the card text no longer plain on disk.
    let gz = dir.path().join("examples.jsonl.gz");
    let convert = pedigree(
        &["snapshot", "examples/mirror", "-o", gz.to_str().unwrap()],
        &repo_root(),
    );
    assert_eq!(convert.code, 0, "{}", convert.stderr);
    let packed = std::fs::read(&gz).unwrap();
    assert_eq!(&packed[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(
        packed.len() < text.len() / 2,
        "{} of {}",
        packed.len(),
        text.len()
    );
    let from_gz = audit_snapshot("--all", &gz, &repo_root());
    assert_eq!(mirror.findings(), from_gz.findings());
}

#[test]
fn a_damaged_gzip_snapshot_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("broken.jsonl.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).unwrap();
    let run = pedigree(
        &["family", "--all", "--snapshot", gz.to_str().unwrap()],
        &repo_root(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("broken.jsonl.gz") && !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_gzip_bomb_is_refused_at_the_limit_naming_the_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.jsonl.gz");
    // 64 MiB of spaces compress to about 64 KiB: a thousand times.
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).unwrap(),
        flate2::Compression::best(),
    );
    let block = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap();
    let run = pedigree(
        &[
            "family",
            "--all",
            "--snapshot",
            bomb.to_str().unwrap(),
            "--max-snapshot-bytes",
            "1000000",
        ],
        &repo_root(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("bomb.jsonl.gz")
            && run.stderr.contains("more than 1000000 bytes")
            && run.stderr.contains("--max-snapshot-bytes"),
        "{}",
        run.stderr
    );
    // The default bound scales with the compressed size, with a floor that this is under.
    assert_eq!(
        pedigree::source::default_max_snapshot_bytes(2 << 20),
        256 << 20
    );
    assert_eq!(
        pedigree::source::default_max_snapshot_bytes(1 << 30),
        64 << 30
    );
}

#[test]
fn bad_snapshot_lines_are_skipped_and_the_rest_audited() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    let lines = [
        r#"{"id": "meta-llama/Llama-2-7b-hf", "tags": ["license:llama2"], "readme": "---\nlicense: llama2\n---\n"}"#,
        r#"{"id": "a/drift", "tags": ["base_model:meta-llama/Llama-2-7b-hf"], "readme": "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"}"#,
        r#"{"id": "broken"#,
        r#"{"id": "../etc/passwd", "tags": []}"#,
        "",
        r#"[1, 2, 3]"#,
        // The same id again: the later line is the one used.
        r#"{"id": "a/drift", "tags": ["base_model:meta-llama/Llama-2-7b-hf"], "readme": "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let run = audit_snapshot("--all", &file, dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.has("a/drift", "license-drift"));
    assert_eq!(run.json()["summary"]["models"], 2);
    let declared: Vec<String> = run.json()["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == "a/drift")
        .map(|m| m["license"]["declared"].to_string())
        .collect();
    assert_eq!(declared, vec!["\"apache-2.0\"".to_string()]);
    assert!(
        run.stderr
            .contains("bad.jsonl:2: skipped: `a/drift` is listed again"),
        "{}",
        run.stderr
    );
    for line in [3, 4, 6] {
        assert!(
            run.stderr.contains(&format!("bad.jsonl:{line}: skipped")),
            "line {line}: {}",
            run.stderr
        );
    }
}

#[test]
fn dataset_lines_are_read_and_old_snapshots_have_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.jsonl");
    let lines = [
        r#"{"id": "meta-llama/Meta-Llama-3-8B", "tags": ["license:llama3"], "readme": "---\nlicense: llama3\npipeline_tag: text-generation\n---\n"}"#,
        r#"{"id": "a/sft", "tags": [], "siblings": [{"rfilename": "model.safetensors"}], "readme": "---\nlicense: mit\npipeline_tag: text-generation\ndatasets: [d/synth, d/gone]\n---\n"}"#,
        r#"{"id": "d/synth", "repoType": "dataset", "readme": "---\nlicense: apache-2.0\ngenerated_by: meta-llama/Meta-Llama-3-8B\n---\nSynthetic.\n"}"#,
        // A model and a dataset may share an id: they are different repos.
        r#"{"id": "a/sft", "repoType": "dataset", "cardData": {"license": "cc-by-nc-4.0"}}"#,
        r#"{"id": "../d", "repoType": "dataset"}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let run = audit_snapshot("--all", &file, dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.has("a/sft", "outputs-clause"), "{}", run.stdout);
    let gone = run.finding("a/sft", "unresolved-dataset");
    assert!(
        gone["message"]
            .as_str()
            .unwrap()
            .contains("dataset d/gone is not in the snapshot")
    );
    assert_eq!(
        run.json()["summary"]["models"],
        2,
        "a dataset line is not a model"
    );
    assert!(
        run.stderr
            .contains("data.jsonl:5: skipped: `../d` is not a dataset id"),
        "{}",
        run.stderr
    );
    // A snapshot written before datasets: the same model, its datasets unread and named.
    let old = dir.path().join("old.jsonl");
    std::fs::write(&old, lines[..2].join("\n")).unwrap();
    let run = audit_snapshot("--all", &old, dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.has("a/sft", "outputs-clause"));
    let unread: Vec<(String, String)> = run
        .pairs()
        .into_iter()
        .filter(|(m, r)| m == "a/sft" && r == "unresolved-dataset")
        .collect();
    assert_eq!(unread.len(), 2);
}
