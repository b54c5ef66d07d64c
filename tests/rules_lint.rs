//! The rules folder is data, tested as data: the built-in catalogue passes the linter, the linter
//! reports every problem of a broken folder at once, and the catalogue covers the Hub's list.

mod common;

use pedigree::findings::{Rule, RuleDocs};
use pedigree::license::{BUILTIN_LICENSES, Catalogue, Class, ObligationKind};

#[test]
fn builtin_catalogue_passes_the_linter() {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalogue.len(), BUILTIN_LICENSES.len());
    assert!(
        catalogue.len() >= 85,
        "the catalogue has only {} entries",
        catalogue.len()
    );
}

#[test]
fn every_file_in_rules_licenses_is_compiled_in() {
    let dir = common::repo_root().join("rules/licenses");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    on_disk.sort();
    let compiled: Vec<String> = BUILTIN_LICENSES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(on_disk, compiled);
}

#[test]
fn linter_reports_every_problem_at_once() {
    let ok = "id: good\nspdx: MIT\nname: Good\nurl: https://example.org\nsource: {title: Good, url: https://example.org, verified: true}\nclass: permissive\nobligations: []\n";
    let files: Vec<(String, String)> = vec![
        ("good.yml".into(), ok.into()),
        ("renamed.yml".into(), ok.replace("id: good", "id: other-name")),
        ("dup.yml".into(), ok.replace("id: good", "id: dup\naliases: [good]")),
        ("badclass.yml".into(), ok.replace("id: good", "id: badclass").replace("permissive", "liberal")),
        (
            "uncited.yml".into(),
            "id: uncited\nspdx: LicenseRef-uncited\nname: U\nurl: https://example.org\nsource: {title: U, url: https://example.org, verified: true}\nclass: copyleft\nobligations:\n  - kind: share-alike\n    summary: stay\n    accepts: [no-such-licence]\n".into(),
        ),
        // The old kind, which no text supports, is rejected by name.
        ("oldkind.yml".into(), ok.replace("id: good", "id: oldkind").replace("obligations: []", "obligations:\n  - kind: same-license\n    summary: s\n    clause: {section: x, url: https://example.org}")),
        // No text cited at all.
        ("nosource.yml".into(), ok.replace("id: good", "id: nosource").replace("source: {title: Good, url: https://example.org, verified: true}\n", "")),
        // Terms that contradict each other, and a permissive licence that restricts.
        ("contradicts.yml".into(), ok.replace("id: good", "id: contradicts").replace("class: permissive", "class: community").replace("obligations: []", "obligations:\n  - kind: keep-agreement\n    summary: k\n    clause: {section: x, url: https://example.org}\n  - kind: other-terms-allowed\n    summary: o\n    clause: {section: y, url: https://example.org}")),
        ("restrictive.yml".into(), ok.replace("id: good", "id: restrictive").replace("obligations: []", "obligations:\n  - kind: share-alike\n    summary: s\n    clause: {section: x, url: https://example.org}")),
        ("nc.yml".into(), ok.replace("id: good", "id: nc").replace("permissive", "non-commercial")),
        ("badspdx.yml".into(), ok.replace("id: good", "id: badspdx").replace("MIT", "NotAnSpdxId")),
        ("rail.yml".into(), ok.replace("id: good", "id: rail").replace("permissive", "rail")),
    ];
    let err = Catalogue::from_files(&files, "test")
        .unwrap_err()
        .to_string();
    for expected in [
        "renamed.yml: id `other-name` does not match the file name",
        "dup.yml: id or alias `good` is also used by `good`",
        "badclass.yml: class: unknown variant `liberal`",
        "uncited.yml: obligation 1 (share-alike): no clause cited",
        "uncited.yml: obligation 1 (share-alike): accepts names `no-such-licence`",
        "oldkind.yml: obligations[0].kind: unknown variant `same-license`",
        "nosource.yml: missing field `source`",
        "contradicts.yml: `other-terms-allowed` contradicts `keep-agreement`",
        "restrictive.yml: a permissive licence cannot ask `share-alike`",
        "nc.yml: class non-commercial needs `commercial_use: false`",
        "badspdx.yml: `NotAnSpdxId` is neither an SPDX licence id nor a LicenseRef-",
        "rail.yml: a rail licence needs `use_restrictions`",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

#[test]
fn rules_dir_override_is_linted_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("licenses")).unwrap();
    std::fs::write(dir.path().join("licenses/x.yml"), "id: y\n").unwrap();
    let err = Catalogue::load_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("x.yml"), "{err}");
}

#[test]
fn every_hub_licence_id_has_an_entry() {
    let Some(_) = common::shared_mirror() else {
        return;
    };
    let list = common::repo_root().join("../shared/reference/licenses/hf_repositories-licenses.md");
    let text = std::fs::read_to_string(list).unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    let ids: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('|'))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    assert!(ids.len() > 80, "parsed only {} ids", ids.len());
    let missing: Vec<&&str> = ids
        .iter()
        .filter(|id| catalogue.by_name(id).is_none())
        .collect();
    assert!(missing.is_empty(), "no catalogue entry for {missing:?}");
}

#[test]
fn mirror_license_names_with_other_are_understood() {
    let catalogue = Catalogue::builtin().unwrap();
    for name in [
        "llama4",
        "deepseek",
        "tongyi-qianwen",
        "exaone",
        "stabilityai-ai-community",
        "mrl",
        "Llama 3.1 Community License",
    ] {
        assert!(
            catalogue.by_name(name).is_some(),
            "`{name}` is not understood"
        );
    }
}

#[test]
fn catalogue_classes_agree_with_obligations() {
    let catalogue = Catalogue::builtin().unwrap();
    for (_, e) in catalogue.iter() {
        let kinds: Vec<ObligationKind> = e.obligations.iter().map(|o| o.kind).collect();
        if e.class == Class::Permissive {
            assert!(
                !kinds.contains(&ObligationKind::KeepAgreement),
                "{} is permissive but must be kept",
                e.id
            );
            assert!(
                !kinds.contains(&ObligationKind::ShareAlike),
                "{} is permissive but share-alike",
                e.id
            );
        }
        if e.class == Class::Rail {
            assert!(
                kinds.contains(&ObligationKind::CarryUseRestrictions),
                "{} is RAIL without carried restrictions",
                e.id
            );
        }
        for ob in &e.obligations {
            assert!(
                ob.clause.url.starts_with("http") && !ob.clause.section.is_empty(),
                "{} has an uncited obligation",
                e.id
            );
        }
    }
}

#[test]
fn findings_are_documented_once_with_kebab_case_ids() {
    let docs = RuleDocs::builtin().unwrap_or_else(|e| panic!("{e}"));
    for rule in Rule::ALL {
        let doc = docs.get(*rule);
        assert_eq!(doc.id, rule.id());
        assert!(
            rule.id()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is not kebab-case",
            rule.id()
        );
        assert!(
            doc.explain.len() > 80,
            "{} has a thin explanation",
            rule.id()
        );
    }
    let broken = pedigree::findings::BUILTIN_FINDINGS_FOR_TESTS
        .replace("id: lineage-cycle", "id: lineage-loop");
    let err = RuleDocs::parse(&broken, "test").unwrap_err().to_string();
    assert!(
        err.contains("`lineage-loop` is not a rule")
            && err.contains("rule `lineage-cycle` has no entry"),
        "{err}"
    );
}
