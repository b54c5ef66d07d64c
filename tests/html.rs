//! The visual family report in a real browser: headless Chromium (Debian's `chromium`, installed
//! by .ci/run) loads the page without console errors, its script shows a model's findings, and a
//! screenshot is left in target/test-output/ to look at.

mod common;

use common::{pedigree, repo_root};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).is_file() {
            return Some(candidate.into());
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("chromium is not installed: .ci/run installs Debian's `chromium`");
    }
    eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    None
}

/// Chromium with the flags this sandbox needs: no GPU, no network of its own, a fresh profile.
fn headless(browser: &Path, profile: &Path) -> Command {
    let mut command = Command::new("timeout");
    command.arg("120").arg(browser).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn the_html_report_loads_in_chromium_and_shows_findings() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let run = pedigree(
        &[
            "family",
            "--all",
            "--mirror",
            "examples/mirror",
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        &repo_root(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && html.contains("acme-support/helpdesk-7b-GGUF"));
    assert!(
        !html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""),
        "no network at view time"
    );

    // The page's script runs, and a deep link selects a model and lists its findings.
    let url = format!(
        "file://{}#{}",
        page.display(),
        "acme-support%2Fhelpdesk-7b-GGUF"
    );
    let dom = headless(&browser, &dir.path().join("profile-dom"))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let details = dom_text.split("id=\"details\"").nth(1).unwrap_or("");
    assert!(
        details.contains("license-drift") && details.contains("§1.b.i"),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let console = String::from_utf8_lossy(&dom.stderr);
    for bad in ["Uncaught", "Refused to", "SyntaxError", "TypeError"] {
        assert!(!console.contains(bad), "console error `{bad}`:\n{console}");
    }

    // A screenshot for people to look at.
    let out_dir = repo_root().join("target/test-output");
    std::fs::create_dir_all(&out_dir).unwrap();
    let shot = out_dir.join("family-report.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = headless(&browser, &dir.path().join("profile-shot"))
        .args([
            "--window-size=1400,900",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "no screenshot ({size} bytes): {}",
        String::from_utf8_lossy(&screenshot.stderr)
    );
    eprintln!("screenshot: {}", shot.display());
}
