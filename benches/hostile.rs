//! `cargo bench --bench hostile`: the inputs that used to take minutes, each timed on the
//! release binary (or, for the digest, the library), with a bound each must stay under:
//! - YAML nested 100,000 deep in a 200 KB card (48 s before the nesting bound),
//! - a 4 MB licence value (33 s in the licence-name suggestion before its cap),
//! - a 2 MB `.jsonl.gz` that inflates to 2 GiB (97 s before the decompression bound),
//! - the email digest of a 20,000-model family (66 s of CRLF conversion before CRLF text).
//!
//! Prints the median of 5 runs of each; fails when one takes more than 10 s (the target is
//! under 2 s).

use pedigree::findings::baseline::Baseline;
use pedigree::findings::{Finding, Findings, Rule, Severity};
use pedigree::lineage::Relation;
use pedigree::notify::email::{SmtpSettings, digest_message};
use pedigree::report::{LicenseView, ModelEntry, ParentView, Report, Role, Summary, Tool};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const BOUND: Duration = Duration::from_secs(10);

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// Times `run` RUNS times; prints and checks the median.
fn time(what: &str, mut run: impl FnMut()) -> f64 {
    let runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect();
    let (min, max) = runs
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    let m = median(runs);
    println!("| {what} | {m:.3} | {min:.3} | {max:.3} |");
    assert!(
        m < BOUND.as_secs_f64(),
        "{what}: {m:.1} s, over the {BOUND:?} bound"
    );
    m
}

/// Runs the binary; returns its stderr. Exit status 0 or 1 (findings) is success unless
/// `expect_error`.
fn pedigree(args: &[&str], expect_error: bool) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args(args)
        .args(["--fail-on", "never", "-q"])
        .output()
        .expect("run pedigree");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    if expect_error {
        assert_eq!(code, 2, "{stderr}");
    } else {
        assert_eq!(code, 0, "{stderr}");
    }
    stderr
}

/// A mirror model with this README.md.
fn model(mirror: &Path, id: &str, readme: &str) {
    let dir = mirror.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let info = serde_json::json!({"id": id, "tags": [], "siblings": [{"rfilename": "README.md"}]});
    std::fs::write(dir.join("info.json"), info.to_string()).unwrap();
    std::fs::write(dir.join("README.md"), readme).unwrap();
}

/// A gzip file of about `compressed` bytes that inflates a thousand times: one member of 1 MiB
/// of spaces, written again and again (gzip members concatenate).
fn gzip_bomb(path: &Path, compressed: usize) -> u64 {
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![b' '; 1 << 20]).unwrap();
    let member = member.finish().unwrap();
    let copies = compressed / member.len();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for _ in 0..copies {
        file.write_all(&member).unwrap();
    }
    file.flush().unwrap();
    (copies as u64) << 20
}

/// A family of `n` models under one root, each child with one error finding.
fn family_report(n: usize) -> Report {
    let root = "org/root".to_string();
    let mut models = vec![ModelEntry {
        id: root.clone(),
        role: Role::Ancestor,
        license: LicenseView::default(),
        parents: Vec::new(),
        depth: 0,
        datasets: Vec::new(),
    }];
    let mut findings = Vec::new();
    for i in 0..n {
        let id = format!("kids/model-{i:06}");
        models.push(ModelEntry {
            id: id.clone(),
            role: Role::Audited,
            license: LicenseView::default(),
            parents: vec![ParentView {
                id: root.clone(),
                relation: Relation::Finetune,
            }],
            depth: 1,
            datasets: Vec::new(),
        });
        let message = format!(
            "declares `mit`, but ancestor `{root}` is under `llama2`: a derivative is distributed under this same agreement"
        );
        findings.push(
            Finding::new(Rule::LicenseDrift, &id, "llama2 mit", message)
                .ancestors(vec![root.clone()]),
        );
    }
    models.sort_by(|a, b| a.id.cmp(&b.id));
    let mut store = Findings::new();
    store.append_sorted(findings);
    let summary = Summary::count(&store, n, 0);
    assert_eq!(summary.errors, n);
    Report {
        tool: Tool::default(),
        models,
        datasets: Vec::new(),
        findings: store,
        summary,
        places: Default::default(),
        incomplete: Vec::new(),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mirror = dir.path().join("mirror");
    let flow = format!("---\nlicense: {}\n---\n", "[".repeat(100_000));
    model(&mirror, "deep/yaml", &flow);
    model(
        &mirror,
        "big/licence",
        &format!("---\nlicense: {}\n---\n", "a".repeat(4 << 20)),
    );
    let m = mirror.to_str().unwrap();
    println!("| input | median s | min s | max s |");
    println!("|---|---:|---:|---:|");
    time("YAML nested 100,000 deep (200 KB card)", || {
        pedigree(&["audit", "deep/yaml", "--mirror", m], false);
    });
    time("4 MB licence value", || {
        pedigree(&["audit", "big/licence", "--mirror", m], false);
    });
    let bomb = dir.path().join("bomb.jsonl.gz");
    let inflated = gzip_bomb(&bomb, 2 << 20);
    let compressed = std::fs::metadata(&bomb).unwrap().len();
    time(
        &format!(
            "{:.1} MB .jsonl.gz inflating to {:.1} GiB",
            compressed as f64 / 1e6,
            inflated as f64 / (1u64 << 30) as f64
        ),
        || {
            let stderr = pedigree(
                &["family", "--all", "--snapshot", bomb.to_str().unwrap()],
                true,
            );
            assert!(stderr.contains("--max-snapshot-bytes"), "{stderr}");
        },
    );
    let report = family_report(20_000);
    let settings = SmtpSettings {
        host: "localhost".into(),
        port: 25,
        security: pedigree::config::Security::None,
        from: "audit@example.org".into(),
        to: vec!["maintainers@example.org".into()],
        username: None,
        password: None,
    };
    time("email digest of a 20,000-model family", || {
        let changes = Baseline::default().compare(&report.findings);
        let digest = pedigree::report::render_digest(&report, &changes);
        let message = digest_message(&settings, &digest).unwrap();
        assert!(message.formatted().len() > digest.text.len());
        let listed = format!("    {} [", Severity::Error.as_str());
        assert_eq!(digest.text.matches(&listed).count(), 20_000);
    });
}
