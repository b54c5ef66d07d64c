//! The email digest against a real SMTP server on 127.0.0.1 (Python's aiosmtpd, installed by
//! .ci/run): the message's headers and both parts, new/resolved/still open against the baseline,
//! nothing sent when nothing changed, and a failed send that keeps the baseline.

mod common;

use common::{Fixture, model, pedigree};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const PASSWORD: &str = "smtp-PASSWORD-never-shown-7731";

struct Smtp {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python that has aiosmtpd: pyenv's or Debian's (python3-aiosmtpd); `None`, with a one-line
/// reason, on a machine without it (.ci/run installs it, so CI runs these tests).
fn python() -> Option<String> {
    for candidate in ["python3", "/usr/bin/python3"] {
        let ok = Command::new(candidate)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(candidate.to_string());
        }
    }
    eprintln!("skipped: no Python with aiosmtpd (pip install aiosmtpd; .ci/run installs it)");
    None
}

fn smtp() -> Option<Smtp> {
    let python = python()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = tempfile::tempdir().unwrap();
    let child = Command::new(python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir.path().join("box"))
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Smtp {
        child,
        port,
        maildir,
    })
}

impl Smtp {
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("box/new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

/// Undoes quoted-printable, enough to read the parts.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"));
    let link =
        "base_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    // Links its own licence file: a copy Pedigree cannot see, so the drift is the one finding.
    f.add_card(
        "a/drift",
        "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\nlicense_link: LICENSE\n",
        common::LLAMA2_NOTICE,
    );
    f.add_card(
        "b/fine",
        &format!("license: llama2\n{link}"),
        common::LLAMA2_NOTICE,
    );
    f
}

fn digest(f: &Fixture, smtp_port: u16, baseline: &Path) -> common::Run {
    digest_with(f, smtp_port, baseline, &[])
}

/// `digest` with more environment (credentials, log level); later values win.
fn digest_with(f: &Fixture, smtp_port: u16, baseline: &Path, env: &[(&str, &str)]) -> common::Run {
    let out = Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args([
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            f.path().to_str().unwrap(),
            "--notify",
            "email",
        ])
        .args([
            "--baseline",
            baseline.to_str().unwrap(),
            "--fail-on",
            "never",
        ])
        .current_dir(f.path())
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", smtp_port.to_string())
        .env("SMTP_SECURITY", "none")
        .env("SMTP_FROM", "Pedigree <audit@example.org>")
        .env("SMTP_TO", "maintainers@example.org, legal@example.org")
        .env("PEDIGREE_LOG", "debug")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn digest_of_new_then_nothing_then_new_and_resolved() {
    let Some(server) = smtp() else { return };
    let f = fixture();
    let baseline = f.path().join("baseline.json");

    let first = digest(&f, server.port, &baseline);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    assert!(
        mail.contains("From: Pedigree <audit@example.org>"),
        "{mail}"
    );
    assert!(
        mail.contains("To: maintainers@example.org, legal@example.org"),
        "{mail}"
    );
    assert!(
        mail.contains("Subject: Pedigree licence audit: 1 new, 0 resolved, 0 still open"),
        "{mail}"
    );
    assert!(mail.contains("Message-ID: <"), "{mail}");
    assert!(mail.contains("Content-Type: multipart/alternative"));
    assert!(mail.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(mail.contains("Content-Type: text/html; charset=utf-8"));
    let text = unquote(mail);
    assert!(text.contains("family meta-llama/Llama-2-7b-hf"), "{text}");
    assert!(text.contains("error [license-drift] a/drift:"), "{text}");
    assert!(
        text.contains("<li><b>error</b> <code>license-drift</code> <code>a/drift</code>"),
        "{text}"
    );
    assert!(
        baseline.is_file(),
        "the baseline is written after a successful send"
    );

    // Nothing changed: nothing is sent.
    let second = digest(&f, server.port, &baseline);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains("no email sent"), "{}", second.stderr);
    assert_eq!(server.messages().len(), 1);

    // a/drift is fixed and b/fine starts drifting: one resolved, one new.
    let link =
        "base_model: meta-llama/Llama-2-7b-hf\nlicense_link: https://ai.meta.com/llama/license/\n";
    f.add_card(
        "a/drift",
        &format!("license: llama2\n{link}"),
        common::LLAMA2_NOTICE,
    );
    f.add_card(
        "b/fine",
        "license: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\nlicense_link: LICENSE\n",
        common::LLAMA2_NOTICE,
    );
    let third = digest(&f, server.port, &baseline);
    assert_eq!(third.code, 0, "{}", third.stderr);
    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    let text = unquote(&messages[1]);
    assert!(
        text.contains("Subject: Pedigree licence audit: 1 new, 1 resolved, 0 still open"),
        "{text}"
    );
    let resolved = text.split("Resolved (1)").nth(1).unwrap();
    assert!(resolved.contains("a/drift"), "{text}");
    let new = text
        .split("New (1)")
        .nth(1)
        .unwrap()
        .split("Resolved")
        .next()
        .unwrap();
    assert!(new.contains("b/fine"), "{text}");
}

#[test]
fn a_failed_send_keeps_the_baseline_and_never_shows_the_password() {
    let f = fixture();
    let baseline = f.path().join("baseline.json");
    std::fs::write(&baseline, r#"{"version": 1, "findings": []}"#).unwrap();
    let before = std::fs::read(&baseline).unwrap();
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = [
        ("SMTP_USERNAME", "audit"),
        ("SMTP_PASSWORD", PASSWORD),
        ("PEDIGREE_LOG", "trace"),
    ];
    let run = digest_with(&f, port, &baseline, &env);
    let shown = run.stdout + &run.stderr;
    assert_eq!(run.code, 2, "{shown}");
    assert!(shown.contains("email:"), "{shown}");
    assert_eq!(
        std::fs::read(&baseline).unwrap(),
        before,
        "the baseline moved although nothing was sent"
    );
    assert!(!shown.contains(PASSWORD), "the password leaked");
}

#[test]
fn missing_settings_are_a_clear_error() {
    let f = fixture();
    let run = pedigree(
        &[
            "family",
            "meta-llama/Llama-2-7b-hf",
            "--mirror",
            f.path().to_str().unwrap(),
            "--notify",
            "email",
        ],
        f.path(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("SMTP_HOST"), "{}", run.stderr);
}
