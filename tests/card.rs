//! Model card parsing: front matter in every shape the Hub holds, and bad input that must
//! become a problem with a line, never a panic.

mod common;

use pedigree::card::{Card, OneOrMany};

#[test]
fn reads_typed_metadata_and_key_lines() {
    let card = Card::parse(
        "---\nlicense: apache-2.0\nbase_model:\n- a/b\n- c/d\nlanguage: en\ntags: [x, y]\nlibrary_name: peft\n---\n# Body\n",
    );
    assert!(card.problems.is_empty(), "{:?}", card.problems);
    assert_eq!(card.meta.license, Some(OneOrMany::One("apache-2.0".into())));
    assert_eq!(card.meta.base_model, vec!["a/b", "c/d"]);
    assert_eq!(card.meta.language, vec!["en"]);
    assert_eq!(card.meta.tags, vec!["x", "y"]);
    assert_eq!(card.meta.library_name.as_deref(), Some("peft"));
    assert_eq!(card.line_of("license"), Some(2));
    assert_eq!(card.line_of("base_model"), Some(3));
    assert_eq!(card.line_of("library_name"), Some(8));
    assert_eq!(card.body, "# Body\n");
}

#[test]
fn accepts_bom_and_crlf() {
    let card = Card::parse("\u{feff}---\r\nlicense: mit\r\nbase_model: a/b\r\n---\r\nbody\r\n");
    assert!(card.problems.is_empty(), "{:?}", card.problems);
    assert_eq!(card.meta.license, Some(OneOrMany::One("mit".into())));
    assert_eq!(card.meta.base_model, vec!["a/b"]);
    assert_eq!(card.line_of("base_model"), Some(3));
}

#[test]
fn a_licence_list_is_kept_as_a_list() {
    let card = Card::parse("---\nlicense:\n  - mit\n  - apache-2.0\n---\n");
    assert_eq!(
        card.meta.license,
        Some(OneOrMany::Many(vec!["mit".into(), "apache-2.0".into()]))
    );
}

#[test]
fn no_front_matter_and_empty_front_matter_are_fine() {
    for text in ["# Just a title\n", "---\n---\nbody", "", "---\n\n---\n"] {
        let card = Card::parse(text);
        assert!(card.problems.is_empty(), "{text:?}: {:?}", card.problems);
        assert!(card.meta.license.is_none());
        assert!(!card.unreadable);
    }
}

#[test]
fn unclosed_front_matter_is_a_problem_on_line_1() {
    let card = Card::parse("---\nlicense: mit\n# never closed\n");
    assert_eq!(card.problems.len(), 1);
    assert_eq!(card.problems[0].line, Some(1));
    assert!(card.unreadable);
    assert!(
        card.meta.license.is_none(),
        "the Hub reads no metadata from an unclosed block"
    );
}

#[test]
fn invalid_yaml_points_at_its_readme_line() {
    let card =
        Card::parse("---\nlicense: mit\nbase_model: a/b\ntags: [one, two\npipeline_tag: x\n---\n");
    assert_eq!(card.problems.len(), 1);
    let problem = &card.problems[0];
    assert!(
        problem
            .message
            .starts_with("front matter is not valid YAML"),
        "{}",
        problem.message
    );
    // The flow list opens on README.md line 4; the parser notices on line 5 or 6.
    let line = problem.line.unwrap();
    assert!((5..=6).contains(&line), "line {line}");
    // Line numbers inside the message are README.md lines too.
    assert!(
        problem.message.contains(&format!("line {line}")),
        "{}",
        problem.message
    );
    assert!(card.unreadable);
}

#[test]
fn wrong_types_are_problems_at_the_key_line_and_the_rest_is_read() {
    let card = Card::parse(
        "---\nlicense: mit\nbase_model:\n  org: a\n  name: b\nlanguage: [en, {x: 1}]\n---\n",
    );
    assert_eq!(card.meta.license, Some(OneOrMany::One("mit".into())));
    assert!(card.meta.base_model.is_empty());
    let lines: Vec<Option<usize>> = card.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![Some(3), Some(6)], "{:?}", card.problems);
    assert!(
        card.problems[0]
            .message
            .contains("`base_model` should be a string or a list")
    );
    assert!(!card.unreadable);
}

#[test]
fn front_matter_that_is_not_a_mapping_is_a_problem() {
    let card = Card::parse("---\n- just\n- a list\n---\n");
    assert_eq!(card.problems.len(), 1);
    assert_eq!(card.problems[0].line, Some(1));
}

#[test]
fn scalars_of_other_types_are_read_as_text() {
    let card = Card::parse("---\nlicense: 2.0\nbase_model: null\npipeline_tag: true\n---\n");
    assert_eq!(card.meta.license, Some(OneOrMany::One("2.0".into())));
    assert!(card.meta.base_model.is_empty());
    assert_eq!(card.meta.pipeline_tag.as_deref(), Some("true"));
    assert!(card.problems.is_empty());
}

#[test]
fn british_spelling_is_noticed() {
    let card = Card::parse("---\nlicence: mit\n---\n");
    assert!(card.meta.license.is_none());
    assert!(card.meta.has_licence_key);
}

#[test]
fn hostile_yaml_does_not_panic_or_explode() {
    // Alias expansion ("billion laughs") and deep nesting end in a problem.
    let laughs = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\nlicense: mit\n---\n";
    let card = Card::parse(laughs);
    assert!(card.unreadable || card.meta.license.is_some());
    let deep = format!(
        "---\nlicense: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let card = Card::parse(&deep);
    assert!(!card.problems.is_empty());
    let nul = "---\nlicense: \"mi\0t\"\nbase_model: a/b\u{7}\n---\n";
    let _ = Card::parse(nul);
}

#[test]
fn cards_over_the_size_limit_are_not_parsed() {
    let big = format!(
        "---\nlicense: mit\n---\n{}",
        "x".repeat(pedigree::card::MAX_CARD_BYTES)
    );
    let card = Card::parse(&big);
    assert!(card.unreadable);
    assert!(card.problems[0].message.contains("byte limit"));
}

#[test]
fn card_data_json_is_read_without_lines() {
    let json = serde_json::json!({"license": "other", "license_name": "llama4", "base_model": ["a/b", "c/d"]});
    let card = Card::from_card_data(&json);
    assert_eq!(card.meta.license_name.as_deref(), Some("llama4"));
    assert_eq!(card.meta.base_model.len(), 2);
    assert_eq!(card.line_of("license"), None);
}

#[test]
fn alias_bombs_are_refused() {
    let mut yaml = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    yaml.push_str("license: mit\n---\n");
    let card = Card::parse(&yaml);
    assert!(card.unreadable, "10^10 nodes must not be expanded");
    assert!(
        card.problems[0].message.contains("not valid YAML"),
        "{:?}",
        card.problems
    );
}

#[test]
fn blank_lines_before_the_front_matter_are_allowed_as_on_the_hub() {
    let card = Card::parse("\n  \n---\nlicense: mit\nbase_model: a/b\n---\n# Body\n");
    assert!(card.problems.is_empty(), "{:?}", card.problems);
    assert_eq!(card.meta.license, Some(OneOrMany::One("mit".into())));
    assert_eq!(card.line_of("license"), Some(4));
    assert_eq!(card.line_of("base_model"), Some(5));
    let broken = Card::parse("\n---\nlicense: [mit\n---\n");
    // The list opens on README.md line 3 (the blank line counts); the parser notices by line 4.
    let line = broken.problems[0].line.unwrap();
    assert!((3..=4).contains(&line), "line {line}");
    // Text before the fence means no front matter at all.
    assert!(
        Card::parse("# Title\n---\nlicense: mit\n---\n")
            .meta
            .license
            .is_none()
    );
}

#[test]
fn yaml_nested_too_deep_is_refused_unparsed_at_its_line() {
    let card = format!(
        "---\nlicense: mit\nbase_model: {}x\n---\n# body\n",
        "[".repeat(100_000)
    );
    // Unparsed (the parser took 48 s on this; `cargo bench --bench hostile` times it).
    let parsed = Card::parse(&card);
    assert!(parsed.unreadable);
    assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    assert_eq!(parsed.problems[0].line, Some(3));
    assert!(parsed.problems[0].message.contains("nests deeper than 64"));
    assert_eq!(parsed.line_of("license"), Some(2));
}

/// The bound refuses no real card: every card of the shared crawl measures well under it.
#[test]
fn the_nesting_bound_refuses_no_card_of_the_crawl() {
    let Some(mirror) = common::shared_mirror() else {
        return;
    };
    let mut deepest = (0, String::new());
    let mut cards = 0;
    for owner in std::fs::read_dir(&mirror).unwrap().flatten() {
        for repo in std::fs::read_dir(owner.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(repo.path().join("README.md")) else {
                continue;
            };
            let Some(yaml) = pedigree::card::split(&text).yaml else {
                continue;
            };
            cards += 1;
            let depth = (1..=pedigree::card::MAX_YAML_DEPTH)
                .find(|&max| pedigree::card::too_deep(&yaml, max).is_none())
                .unwrap_or(usize::MAX);
            if depth > deepest.0 {
                deepest = (depth, repo.path().display().to_string());
            }
        }
    }
    eprintln!(
        "{cards} cards; deepest front matter measures {} ({})",
        deepest.0, deepest.1
    );
    assert!(cards > 1000);
    assert!(deepest.0 <= 16, "{deepest:?}");
}

/// Found by `cargo fuzz run card`: the YAML parser counts a lone CR as a line break, and its
/// error then pointed past the end of README.md.
#[test]
fn a_yaml_error_after_lone_carriage_returns_points_into_the_file() {
    let card = format!(
        "---\nlicense: mit\nlanguage:\n- {}ar\nmetrics:\n- [x\n---\n# body\n",
        "\r".repeat(200)
    );
    let parsed = Card::parse(&card);
    let lines = card.lines().count();
    assert!(!parsed.problems.is_empty());
    for problem in &parsed.problems {
        let line = problem.line.unwrap();
        assert!((1..=lines).contains(&line), "line {line} of {lines}");
    }
}
