//! Hostile input: every kind of card and metadata a stranger could publish, in one mirror. Each
//! must yield a clear finding, and the rest of the audit must complete: no panic, no hang, no
//! unbounded memory.

mod common;

use common::{Fixture, model, pedigree};

fn write(f: &Fixture, id: &str, name: &str, bytes: &[u8]) {
    let dir = f.path().join(id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn hostile_mirror() -> Fixture {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    let child = "base_model: meta-llama/Llama-2-7b-hf\n";
    // A healthy model among them, which must still be audited correctly.
    f.add(model("ok/drift", &format!("license: mit\n{child}")));
    // A 50 MB card.
    f.add(model("bad/huge-card", &format!("license: mit\n{child}")));
    let mut huge = format!("---\nlicense: mit\n{child}---\n").into_bytes();
    huge.resize(50 * 1024 * 1024, b'a');
    write(&f, "bad/huge-card", "README.md", &huge);
    // Invalid UTF-8 and NUL bytes.
    f.add(model("bad/not-utf8", &format!("license: mit\n{child}")));
    write(&f, "bad/not-utf8", "README.md", b"---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-hf\n---\n\xff\xfe broken \xc3\x28 text\n");
    f.add_raw(
        "bad/nul-bytes",
        Some("---\nlicense: \"mi\0t\"\nbase_model: meta-llama/Llama-2-7b-hf\n---\n"),
        &[],
        &[],
    );
    // Deep nesting and an alias bomb.
    f.add_raw(
        "bad/deep-yaml",
        Some(&format!(
            "---\nlicense: {}x{}\n---\n",
            "[".repeat(5000),
            "]".repeat(5000)
        )),
        &[],
        &[],
    );
    let mut bomb = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("license: mit\n---\n");
    f.add_raw("bad/alias-bomb", Some(&bomb), &[], &[]);
    // Control characters and path tricks in a parent id.
    f.add_raw(
        "bad/control-chars",
        Some("---\nlicense: mit\nbase_model: \"evil\\u0007/../../etc\\npasswd\"\n---\n"),
        &[],
        &[],
    );
    // A model that names itself, and a cycle.
    f.add(model(
        "bad/self-parent",
        "license: mit\nbase_model: bad/self-parent\n",
    ));
    f.add(model(
        "bad/cycle-a",
        "license: mit\nbase_model: bad/cycle-b\n",
    ));
    f.add(model(
        "bad/cycle-b",
        "license: mit\nbase_model: bad/cycle-a\n",
    ));
    // Model info that is broken, and one that is enormous.
    write(
        &f,
        "bad/broken-info",
        "info.json",
        b"{\"id\": \"bad/broken-info\", \"tags\": [\"base_model:",
    );
    let mut big_info = b"{\"id\": \"bad/huge-info\", \"tags\": [".to_vec();
    big_info.resize(20 * 1024 * 1024, b' ');
    big_info.extend_from_slice(b"]}");
    write(&f, "bad/huge-info", "info.json", &big_info);
    // A lineage 60 generations deep.
    f.add(model("deep/g0", "license: mit\n"));
    for i in 1..60 {
        f.add(model(
            &format!("deep/g{i}"),
            &format!("license: mit\nbase_model: deep/g{}\n", i - 1),
        ));
    }
    f
}

#[test]
fn every_hostile_input_gets_a_finding_and_the_audit_completes() {
    let f = hostile_mirror();
    let started = std::time::Instant::now();
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
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "the audit took too long"
    );
    let expect = [
        ("bad/huge-card", "card-invalid"),
        ("bad/not-utf8", "card-invalid"),
        ("bad/nul-bytes", "card-invalid"),
        ("bad/deep-yaml", "card-invalid"),
        ("bad/alias-bomb", "card-invalid"),
        ("bad/control-chars", "unresolved-parent"),
        ("bad/self-parent", "lineage-cycle"),
        ("bad/cycle-a", "lineage-cycle"),
        ("bad/broken-info", "model-unreadable"),
        ("bad/huge-info", "model-unreadable"),
        ("deep/g59", "lineage-too-deep"),
    ];
    for (id, rule) in expect {
        assert!(
            run.has(id, rule),
            "{id} should have {rule}: {:?}",
            run.rules_of(id)
        );
    }
    let report = run.json();
    let message = |id: &str, rule: &str| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["model"] == id && f["rule"] == rule)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message("bad/huge-card", "card-invalid").contains("byte limit"));
    assert!(message("bad/not-utf8", "card-invalid").contains("not valid UTF-8"));
    assert!(message("bad/broken-info", "model-unreadable").contains("bad/broken-info/info.json:1"));
    // The huge card was audited from its metadata: its licence drift is still found.
    assert!(run.has("bad/huge-card", "license-drift"));
    assert!(
        run.has("ok/drift", "license-drift"),
        "the rest of the audit completed"
    );
}

#[test]
fn a_family_is_capped() {
    let f = Fixture::new();
    f.add(model("org/root", "license: mit\n"));
    for i in 0..10 {
        f.add(model(
            &format!("kids/c{i}"),
            "license: mit\nbase_model: org/root\n",
        ));
    }
    let m = f.path().to_str().unwrap();
    let run = pedigree(
        &[
            "family",
            "org/root",
            "--mirror",
            m,
            "--format",
            "json",
            "--max-family",
            "3",
        ],
        f.path(),
    );
    assert_eq!(run.json()["summary"]["models"], 4);
    assert!(run.has("org/root", "family-too-large"), "{}", run.stdout);
}
