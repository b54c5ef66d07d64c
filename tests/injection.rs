//! Card text is written by strangers and reaches terminals, CI logs, pull-request comments,
//! Hub discussions and email. Every payload below goes into a mirror (licence values, licence
//! names, parent ids, relations, file names), through every output format and notifier, and the
//! rendered text is checked for what would act there: raw HTML, images and links, mentions and
//! issue references, terminal escape sequences, and workflow commands at the start of a line.
//! Each check also finds the payload in the output, shown, so a renderer that dropped it would
//! not pass by saying nothing.

mod common;

use common::fake_hub::{FakeHub, Faults};
use common::github_api::{comment, issue, last_body};
use common::{Fixture, model};
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Markup for Markdown and HTML: an image, a mention, a comment that would swallow the rest.
const MARKUP: &str = "x` <img src=https://evil.example/a.png> @org/team <!--";
/// Terminal control: a window title (OSC), clear screen (CSI), a C1 CSI, a workflow command on
/// a line of its own, a right-to-left override, DEL.
const TERMINAL: &str =
    "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\r\n::error::pwned\u{202e}gpj.exe\u{7f}";
/// Links, references and structure: a javascript: link, an image, an issue reference, bare
/// URLs, a table pipe, a heading and a script on lines of their own.
const STRUCTURE: &str = "[x](javascript:alert(1)) ![i](https://evil.example/i.png) #123 https://evil.example www.evil.example a|b\n# heading-from-card\n<script>alert(1)</script>";
/// A workflow command alone, as a parent id.
const COMMAND: &str = "::set-output name=pwned::1";

const PAYLOADS: [&str; 4] = [MARKUP, TERMINAL, STRUCTURE, COMMAND];

/// A YAML double-quoted scalar that holds `text` exactly (escapes for everything not plain ASCII).
fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

const ROOT: &str = "meta-llama/Llama-2-7b-hf";

fn hostile_mirror() -> Fixture {
    let f = Fixture::new();
    f.add(model(ROOT, "license: llama2\n"));
    // Each model descends from the root (so a `family` run and the Hub reach it) and carries
    // payloads where a card can: unreadable parent ids, a relation, a licence, a licence name.
    let parents = |payloads: &[&str]| {
        let mut list = format!("base_model:\n  - {ROOT}\n");
        for p in payloads {
            list.push_str(&format!("  - {}\n", yaml(p)));
        }
        list
    };
    let relation = format!("base_model_relation: {}\n", yaml(TERMINAL));
    f.add(model(
        "evil/parents",
        &format!("license: mit\n{}{relation}", parents(&PAYLOADS)),
    ));
    f.add(model(
        "evil/licence",
        &format!(
            "license: {}\n{}base_model_relation: {}\n",
            yaml(MARKUP),
            parents(&[]),
            yaml(MARKUP)
        ),
    ));
    f.add(model(
        "evil/licence-name",
        &format!(
            "license: other\nlicense_name: {}\n{}base_model_relation: {}\n",
            yaml(STRUCTURE),
            parents(&[]),
            yaml(STRUCTURE)
        ),
    ));
    // A licence file named like card text, holding another licence than the card declares: the
    // finding points at it by name.
    let file = "LICENSE` <img src=x> @org #123 \u{1b}[2J\u{202e}";
    f.add_raw(
        "evil/file-name",
        Some("---\nlicense: mit\n---\n# x\n"),
        &[file],
        &[],
    );
    let title = "LLAMA 2 COMMUNITY LICENSE AGREEMENT\n(the rest of the agreement)\n";
    std::fs::write(f.path().join("evil/file-name").join(file), title).unwrap();
    f
}

/// The raw characters no output may carry from a card: C0 controls other than line ends and
/// tabs, DEL, C1 controls, bidi controls.
fn assert_no_escape_sequences(format: &str, text: &str) {
    for (i, c) in text.char_indices() {
        let allowed = matches!(c, '\n' | '\r' | '\t');
        let hidden = pedigree::report::escape::is_hidden(c);
        assert!(
            allowed || !hidden,
            "{format}: raw {c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..(i + 40).min(text.len())]
        );
    }
}

/// No line starts (after blanks) with `::` unless it is one of our own annotations.
fn assert_no_workflow_commands(format: &str, text: &str, ours: usize) {
    let commands: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .collect();
    assert_eq!(
        commands.len(),
        ours,
        "{format}: workflow commands from card text: {commands:#?}"
    );
}

/// Renders Markdown as GitHub would parse it and checks what it would make live: HTML other than
/// our own, links other than our clause URLs, images, mentions, references and bare URLs from
/// the payloads in text, tables whose rows a pipe broke, headings or scripts from a card.
fn assert_inert_markdown(what: &str, markdown: &str, our_html: &[&str]) {
    assert_no_escape_sequences(what, markdown);
    assert_no_workflow_commands(what, markdown, 0);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH
        | Options::ENABLE_TASKLISTS;
    let mut in_code_block = false;
    let mut tables: Vec<Vec<usize>> = Vec::new();
    let mut cells = 0;
    let mut heading = String::new();
    let mut in_heading = false;
    for event in Parser::new_ext(markdown, options) {
        match &event {
            Event::Html(h) | Event::InlineHtml(h) => assert!(
                our_html.iter().any(|o| h.trim().starts_with(o)),
                "{what}: raw HTML {h:?}"
            ),
            Event::Start(Tag::Image { dest_url, .. }) => {
                panic!("{what}: an image of {dest_url}")
            }
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url.starts_with("https://")
                    && !dest_url.contains("evil")
                    && !dest_url.contains("javascript"),
                "{what}: a link to {dest_url}"
            ),
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(pulldown_cmark::TagEnd::Heading(_)) => {
                in_heading = false;
                assert!(
                    !heading.contains("from-card"),
                    "{what}: heading {heading:?}"
                );
            }
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(pulldown_cmark::TagEnd::TableRow)
            | Event::End(pulldown_cmark::TagEnd::TableHead) => {
                tables.last_mut().expect("a row is in a table").push(cells)
            }
            Event::Text(t) if !in_code_block => {
                if in_heading {
                    heading.push_str(t);
                }
                for live in ["@org", "#123", "://evil", "www.evil", "<script", "<img"] {
                    assert!(!t.contains(live), "{what}: {live:?} live in text {t:?}");
                }
            }
            Event::Code(c) if in_heading => heading.push_str(c),
            _ => {}
        }
    }
    // Every row of a table has as many cells as its header.
    for rows in &tables {
        assert!(
            rows.iter().all(|n| *n == rows[0]),
            "{what}: rows with {rows:?} cells"
        );
    }
}

fn run(f: &Fixture, args: &[&str]) -> common::Run {
    let mut all = vec!["--mirror", f.path().to_str().unwrap(), "--fail-on", "never"];
    all.extend(args);
    let mut full = vec!["family", "--all"];
    full.extend(all);
    common::pedigree(&full, f.path())
}

fn format(f: &Fixture, name: &str) -> String {
    let out = run(f, &["--format", name]);
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    assert_no_escape_sequences(&format!("{name} stderr"), &out.stderr);
    assert_no_workflow_commands(&format!("{name} stderr"), &out.stderr, 0);
    out.stdout
}

#[test]
fn human_output_shows_card_text_and_never_acts_on_the_terminal() {
    let f = hostile_mirror();
    let out = format(&f, "human");
    assert_no_escape_sequences("human", &out);
    assert_no_workflow_commands("human", &out, 0);
    // The payloads are there, shown: on the chain line of the unreadable parents, too.
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
    let chain = out
        .lines()
        .find(|l| l.contains("chain:") && l.contains("pwned"))
        .unwrap_or_else(|| panic!("no chain line with the payload:\n{out}"));
    assert!(chain.contains("\\r\\n::error::pwned\\u{202e}"), "{chain}");
    assert!(out.contains("set-output"), "{out}");
    // The licence file's name, where the finding points.
    assert!(
        out.contains("license-file-mismatch] LICENSE` <img src=x> @org #123 \\u{1b}[2J"),
        "{out}"
    );
}

#[test]
fn json_and_sarif_hold_card_text_exactly_and_escaped() {
    let f = hostile_mirror();
    for name in ["json", "sarif"] {
        let out = format(&f, name);
        assert_no_escape_sequences(name, &out);
        assert_no_workflow_commands(name, &out, 0);
        assert!(
            !out.contains('<') && !out.contains('>'),
            "{name}: raw markup"
        );
        assert!(out.contains("pwned"), "{name}");
    }
    // Parsed, the JSON report's values are the card's own, byte for byte.
    let report: Value = serde_json::from_str(&format(&f, "json")).unwrap();
    let ancestors: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["ancestors"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    for payload in PAYLOADS {
        assert!(ancestors.contains(&payload), "{payload:?} not kept exactly");
    }
    let declared = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "evil/licence")
        .unwrap()["license"]["declared"]
        .clone();
    assert_eq!(declared, MARKUP);
    // SARIF messages are plain text, but `[text](target)` would be a link there.
    let sarif: Value = serde_json::from_str(&format(&f, "sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let shown = |r: &Value| r["message"]["text"].as_str().unwrap().contains("\\u{1b}");
    assert!(
        results.iter().any(shown),
        "the escapes are shown in messages"
    );
    for result in results {
        let text = result["message"]["text"].as_str().unwrap();
        assert!(!text.contains("[x]("), "{text}");
        assert_no_escape_sequences("sarif message", text);
    }
}

#[test]
fn github_annotations_cannot_start_a_command_of_their_own() {
    let f = hostile_mirror();
    let report = run(&f, &["--format", "json"]).json();
    let findings = report["findings"].as_array().unwrap().len();
    let out = format(&f, "github");
    assert_no_escape_sequences("github", &out);
    // One command per finding and a summary line: card text opened no line of its own.
    assert_no_workflow_commands("github", &out, findings);
    assert_eq!(out.lines().count(), findings + 1, "{out}");
    for line in out.lines().filter(|l| l.starts_with("::")) {
        let (head, _) = line[2..].split_once("::").unwrap();
        assert!(
            ["error ", "warning ", "notice "]
                .iter()
                .any(|l| head.starts_with(l)),
            "{line}"
        );
    }
    assert!(out.contains("::error%0A::error::pwned") || out.contains("pwned"));
}

#[test]
fn markdown_and_mermaid_make_nothing_live() {
    let f = hostile_mirror();
    let out = format(&f, "markdown");
    assert_inert_markdown("markdown", &out, &["<sub>", "</sub>", "<br>"]);
    assert!(
        out.contains("pwned") && out.contains("evil.example"),
        "{out}"
    );
    // The diagram: every node label stays one quoted label.
    let mermaid = format(&f, "mermaid");
    assert_no_escape_sequences("mermaid", &mermaid);
    assert_no_workflow_commands("mermaid", &mermaid, 0);
    for line in mermaid.lines().filter(|l| l.trim_start().starts_with('n')) {
        if let Some(label) = line.split_once("[\"") {
            let inner = label
                .1
                .strip_suffix("\"]")
                .unwrap_or_else(|| panic!("{line}"));
            assert!(
                !inner.contains(['"', '<', '>', '`']) || inner.contains("<br/>"),
                "{line}"
            );
            let without_break = inner.replace("<br/>", "");
            assert!(!without_break.contains(['"', '<', '>', '`']), "{line}");
        }
    }
    assert!(mermaid.contains("pwned"));
}

#[test]
fn dot_and_html_keep_card_text_inside_their_strings() {
    let f = hostile_mirror();
    let dot = format(&f, "dot");
    assert_no_escape_sequences("dot", &dot);
    assert_no_workflow_commands("dot", &dot, 0);
    for line in dot.lines() {
        // Quotes pair up on every line once escaped ones are set aside: no string was closed early.
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
    }
    assert!(dot.contains("pwned"));
    let html = format(&f, "html");
    assert_no_escape_sequences("html", &html);
    assert_no_workflow_commands("html", &html, 0);
    // No element or attribute from a card: its `<` are entities or JSON escapes.
    for raw in ["<img", "<!--", "<script>alert", "<a "] {
        assert!(!html.contains(raw), "html: raw {raw}");
    }
    // The drawing's own references (edge labels on their paths) are the only ones.
    for reference in html.split("href=\"").skip(1) {
        assert!(
            reference.starts_with('#'),
            "html: a reference to {reference:.40}"
        );
    }
    assert!(html.contains("pwned"));
}

#[test]
fn the_digest_is_plain_text_and_escaped_html() {
    let f = hostile_mirror();
    let (report, _) = common::library_report(f.path(), usize::MAX);
    let changes = pedigree::findings::baseline::Baseline::default().compare(&report.findings);
    let digest = pedigree::report::render_digest(&report, &changes);
    assert_no_escape_sequences("digest text", &digest.text);
    assert_no_workflow_commands("digest text", &digest.text, 0);
    // Every line ends in CRLF, and card text adds none.
    assert!(!digest.text.replace("\r\n", "").contains(['\r', '\n']));
    let findings_lines = digest
        .text
        .split("\r\n")
        .filter(|l| l.starts_with("    ") && l.contains('['))
        .count();
    assert_eq!(findings_lines, report.findings.len(), "{}", digest.text);
    for live in ["@org", "#123", "://evil", "www.evil"] {
        assert!(!digest.text.contains(live), "digest text: {live}");
        assert!(!digest.html.contains(live), "digest html: {live}");
    }
    assert_no_escape_sequences("digest html", &digest.html);
    for raw in ["<img", "<!--", "<script"] {
        assert!(!digest.html.contains(raw), "digest html: raw {raw}");
    }
    assert_eq!(digest.html.matches("<li>").count(), report.findings.len());
    assert!(digest.text.contains("pwned") && digest.html.contains("pwned"));
}

#[test]
fn hub_discussions_and_their_dry_run_are_inert() {
    let f = hostile_mirror();
    // The discussion text, as posted.
    let (report, docs) = common::library_report(f.path(), usize::MAX);
    let mut posted = 0;
    for id in ["evil/parents", "evil/licence", "evil/licence-name"] {
        let (title, body) = pedigree::report::render_discussion(&report, &docs, id)
            .unwrap_or_else(|| panic!("{id} has error findings"));
        assert_no_escape_sequences("discussion title", &title);
        assert!(!title.contains("pwned") && !title.contains('<'), "{title}");
        assert_inert_markdown(&format!("discussion on {id}"), &body, &[]);
        posted += 1;
    }
    assert_eq!(posted, 3);
    // The dry run, which prints them on stderr.
    let hub = FakeHub::start(f.path(), Faults::default());
    let out = common::pedigree(
        &[
            "family",
            ROOT,
            "--endpoint",
            hub.url.as_str(),
            "--no-cache",
            "--notify",
            "hub",
            "--fail-on",
            "never",
        ],
        f.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("dry run: would open"), "{}", out.stderr);
    assert!(out.stderr.contains("pwned"), "{}", out.stderr);
    assert_no_escape_sequences("dry run", &out.stderr);
    assert_no_workflow_commands("dry run", &out.stderr, 0);
    assert_no_escape_sequences("hub stdout", &out.stdout);
    assert_no_workflow_commands("hub stdout", &out.stdout, 0);
}

fn github_run(server: &MockServer, f: &Fixture, args: &[&str]) -> common::Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .args(args)
        .args(["--mirror", f.path().to_str().unwrap()])
        .args(["--notify", "github", "--fail-on", "never", "-q"])
        .current_dir(f.path())
        .env("GITHUB_TOKEN", "ghp_not-a-real-token")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", server.uri())
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pull_request_comment_and_the_tracking_issue_are_inert() {
    let f = hostile_mirror();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues/5/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues/5/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(7, "x")))
        .mount(&server)
        .await;
    let out = github_run(&server, &f, &["audit", "evil/parents", "--pr", "5"]);
    assert!(
        out.stderr.contains("comment on pull request #5"),
        "{}",
        out.stderr
    );
    let comment = last_body(&server).await;
    assert_inert_markdown(
        "pull-request comment",
        &comment,
        &["<!-- pedigree:", "<sub>", "</sub>", "<br>"],
    );
    assert!(comment.contains("pwned"), "{comment}");

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/repos/o/r/issues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/o/r/issues"))
        .respond_with(ResponseTemplate::new(201).set_body_json(issue(1, "t", "b")))
        .mount(&server)
        .await;
    let out = github_run(&server, &f, &["family", ROOT]);
    assert!(out.stderr.contains("tracking issue"), "{}", out.stderr);
    let issue = last_body(&server).await;
    assert_inert_markdown(
        "tracking issue",
        &issue,
        &["<!-- pedigree:", "<sub>", "</sub>", "<br>"],
    );
    assert!(issue.contains("pwned"), "{issue}");
}
