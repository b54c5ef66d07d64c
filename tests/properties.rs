//! Property tests: whatever a stranger writes into a card, a licence field, a rules file, a
//! config or a mirror, the parsers return a value or an error; they never panic.

use pedigree::card::Card;
use pedigree::license::{Catalogue, normalize};
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::builtin().unwrap())
}

/// Text that looks like front matter often enough to reach the YAML parser.
fn card_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("---".to_string()),
        Just("license: mit".to_string()),
        Just("base_model: [a/b, c/d]".to_string()),
        Just("  - nested".to_string()),
        "[a-z_]{1,8}: [ -~]{0,20}",
        "[ -~\t]{0,30}",
        any::<String>(),
    ];
    proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn cards_never_panic_and_lines_point_into_the_file(text in card_text()) {
        let card = Card::parse(&text);
        let lines = text.lines().count().max(1) + 1;
        for problem in &card.problems {
            if let Some(line) = problem.line {
                prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
            }
        }
        for (_, line) in card.key_lines.iter() {
            prop_assert!(line >= 1 && line <= lines);
        }
        let _ = normalize(&card.meta, catalogue());
    }

    #[test]
    fn licence_fields_never_panic(
        license in prop_oneof![any::<String>(), "[a-zA-Z0-9.+() /-]{0,40}", Just("apache-2.0 OR (mit AND".to_string())],
        name in proptest::option::of(any::<String>()),
    ) {
        let yaml = serde_json::json!({"license": license, "license_name": name, "license_link": name});
        let card = Card::from_card_data(&yaml);
        let _ = normalize(&card.meta, catalogue());
    }

    #[test]
    fn rules_files_never_panic(text in any::<String>(), id in "[a-z0-9.+-]{1,12}") {
        let files = vec![(format!("{id}.yml"), text)];
        let _ = Catalogue::from_files(&files, "property test");
    }

    #[test]
    fn configs_never_panic(text in card_text()) {
        let _ = pedigree::config::Config::parse(&text, std::path::Path::new("x.yml"), catalogue());
    }

    #[test]
    fn findings_docs_and_baselines_never_panic(text in any::<String>()) {
        let _ = pedigree::findings::RuleDocs::parse(&text, "property test");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        std::fs::write(&path, &text).unwrap();
        let _ = pedigree::findings::baseline::Baseline::load(&path);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mirror_info_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), json in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("o/m");
        std::fs::create_dir_all(&model).unwrap();
        let info = if json { format!("{{\"id\": \"o/m\", \"tags\": {:?}}}", String::from_utf8_lossy(&bytes)).into_bytes() } else { bytes.clone() };
        std::fs::write(model.join("info.json"), info).unwrap();
        std::fs::write(model.join("README.md"), &bytes).unwrap();
        let mirror = pedigree::source::Mirror::open(dir.path()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        use pedigree::source::Source;
        let _ = runtime.block_on(mirror.model("o/m"));
        let _ = runtime.block_on(mirror.children("o/m"));
    }

    #[test]
    fn snapshot_lines_never_panic(
        lines in proptest::collection::vec(
            prop_oneof![
                any::<String>(),
                "[a-z]{1,5}/[a-z]{1,5}".prop_map(|id| format!("{{\"id\": \"{id}\", \"tags\": [\"base_model:{id}\"], \"readme\": \"---\\nbase_model: {id}\\n---\\n\"}}")),
                (any::<String>(), any::<String>()).prop_map(|(id, readme)| serde_json::json!({"id": id, "readme": readme, "files": {"LICENSE": readme}}).to_string()),
            ],
            0..8,
        ),
        gz in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let text = lines.join("\n");
        let path = if gz {
            let path = dir.path().join("s.jsonl.gz");
            // Often not gzip at all: the reader must say so, not panic.
            std::fs::write(&path, text.as_bytes()).unwrap();
            path
        } else {
            let path = dir.path().join("s.jsonl");
            std::fs::write(&path, text.as_bytes()).unwrap();
            path
        };
        let Ok(snapshot) = pedigree::source::Snapshot::open(&path) else {
            return Ok(());
        };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        use pedigree::source::Source;
        let ids = runtime.block_on(snapshot.all_models()).unwrap();
        for id in ids {
            let _ = runtime.block_on(snapshot.model(&id));
            let _ = runtime.block_on(snapshot.children(&id));
            let _ = runtime.block_on(snapshot.file(&id, "LICENSE"));
        }
    }
}

/// Text a card could hold to act on a reader: markup, mentions, links, controls, escapes.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("`".to_string()),
        Just("``".to_string()),
        Just("<img src=x>".to_string()),
        Just("<!--".to_string()),
        Just("@org/team".to_string()),
        Just("#12".to_string()),
        Just("[x](javascript:y)".to_string()),
        Just("![i](https://e.example/i)".to_string()),
        Just("https://e.example".to_string()),
        Just("|".to_string()),
        Just("\\".to_string()),
        Just("\n::error::x".to_string()),
        Just("\u{1b}]0;t\u{7}".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("# h".to_string()),
        Just("1. ".to_string()),
        "[ -~]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|p| p.concat())
}

/// What GitHub's Markdown would make live of `markdown`: raw HTML, links, images.
fn live_markdown(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(markdown, options)
        .filter_map(|event| match event {
            Event::Html(h) | Event::InlineHtml(h) => Some(format!("html {h}")),
            Event::Start(Tag::Link { dest_url, .. }) => Some(format!("link {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => Some(format!("image {dest_url}")),
            Event::Start(Tag::Heading { .. }) => Some("heading".into()),
            Event::Start(Tag::List(_)) => Some("list".into()),
            Event::Text(t) if t.contains("@org") || t.contains("#12") || t.contains("://") => {
                Some(format!("text {t}"))
            }
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn escaped_text_never_acts(text in hostile_text()) {
        use pedigree::report::escape::{is_hidden, markdown, terminal, workflow, html};
        for out in [terminal::text(&text).into_owned(), terminal::line(&text).into_owned()] {
            prop_assert!(!out.chars().any(is_hidden), "{:?}", out);
        }
        prop_assert!(!terminal::line(&text).trim_start().starts_with("::"));
        let data = workflow::data(&text);
        prop_assert!(!data.contains(['\n', '\r']) && !data.chars().any(is_hidden));
        let shown = html::text(&text);
        prop_assert!(!shown.contains(['<', '>']) && !shown.chars().any(is_hidden));
        // In a paragraph, and in a table cell: nothing live, and the row keeps its cells.
        for out in [markdown::text(&text), markdown::code(&text), markdown::message(&text, false)] {
            prop_assert!(!out.chars().any(is_hidden) && !out.contains('\n'));
            let live = live_markdown(&out);
            prop_assert!(live.is_empty(), "{:?} -> {:?}: {:?}", text, out, live);
        }
        for cell in [markdown::text(&text), markdown::cell_code(&text), markdown::message(&text, true)] {
            let table = format!("| a | b |\n|---|---|\n| {cell} | z |\n");
            prop_assert!(live_markdown(&table).is_empty(), "{:?}", table);
            use pulldown_cmark::{Event, Parser, Options, Tag};
            let cells = Parser::new_ext(&table, Options::ENABLE_TABLES)
                .filter(|e| matches!(e, Event::Start(Tag::TableCell)))
                .count();
            prop_assert_eq!(cells, 4, "{:?}", table);
        }
    }

    #[test]
    fn the_nesting_measure_never_panics_and_points_into_the_text(text in card_text()) {
        if let Some(line) = pedigree::card::too_deep(&text, 3) {
            prop_assert!(line >= 1 && line <= text.lines().count());
        }
    }

    #[test]
    fn json_escaping_keeps_every_value(text in any::<String>()) {
        let value = serde_json::json!({"message": text});
        let mut out = Vec::new();
        pedigree::report::escape::json::to_writer_pretty(&mut out, &value).unwrap();
        let written = String::from_utf8(out).unwrap();
        // Only the layout's own line breaks.
        let hidden = |c: char| c != '\n' && pedigree::report::escape::is_hidden(c);
        prop_assert!(!written.chars().any(hidden));
        let back: serde_json::Value = serde_json::from_str(&written).unwrap();
        prop_assert_eq!(back, value);
    }
}
