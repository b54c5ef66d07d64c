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
        // An output naming clause without its prefixes; a data licence that both frees trained
        // models and leaves the question open.
        // A URI standing for a copy, on a term that is not a copy duty.
        ("uri.yml".into(), ok.replace("id: good", "id: uri").replace("obligations: []", "obligations:\n  - kind: notice-file\n    summary: n\n    uri_suffices: true\n    clause: {section: x, url: https://example.org}")),
        ("outputs.yml".into(), ok.replace("id: good", "id: outputs").replace("obligations: []", "obligations:\n  - kind: outputs-name-prefix\n    summary: p\n    clause: {section: x, url: https://example.org}\n  - kind: trained-models-free\n    summary: t\n    clause: {section: y, url: https://example.org}\n  - kind: results-free\n    summary: r\n    clause: {section: z, url: https://example.org}")),
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
        "outputs.yml: obligation 1 (outputs-name-prefix): outputs-name-prefix needs `prefixes`",
        "outputs.yml: `trained-models-free` and `results-free` say the same thing twice",
        "uri.yml: obligation 1 (notice-file): `uri_suffices` belongs to an include-agreement-copy term",
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

/// The kinds of the terms a licence puts on a derivative's declared licence.
fn licence_terms(catalogue: &Catalogue, id: &str) -> Vec<ObligationKind> {
    let entry = catalogue.get(catalogue.by_name(id).unwrap_or_else(|| panic!("no `{id}`")));
    entry.obligations.iter().map(|o| o.kind).collect()
}

#[test]
fn the_hubs_largest_families_carry_the_terms_their_texts_state() {
    use ObligationKind::*;
    let catalogue = Catalogue::builtin().unwrap();
    // (id, terms it must have, terms it must not have)
    let cases: &[(&str, &[ObligationKind], &[ObligationKind])] = &[
        // Non-sublicensable, non-commercial, rights granted directly by Black Forest Labs.
        (
            "flux-1-dev-non-commercial-license",
            &[KeepAgreement, StayNonCommercial, NoticeFile],
            &[OtherTermsAllowed],
        ),
        (
            "flux-non-commercial-license",
            &[KeepAgreement, StayNonCommercial],
            &[OtherTermsAllowed],
        ),
        // §3.d: other terms allowed; the research variant's limit binds recipients, not the label.
        (
            "qwen",
            &[OtherTermsAllowed, NoticeFile],
            &[KeepAgreement, StayNonCommercial],
        ),
        (
            "qwen-research",
            &[OtherTermsAllowed, NonCommercialBinds],
            &[KeepAgreement, StayNonCommercial],
        ),
        (
            "tongyi-qianwen-research",
            &[OtherTermsAllowed, NonCommercialBinds],
            &[StayNonCommercial],
        ),
        // Gemma-like: restrictions travel, other terms allowed otherwise.
        (
            "tencent-hunyuan-community",
            &[CarryUseRestrictions, OtherTermsAllowed],
            &[KeepAgreement],
        ),
        (
            "health-ai-developer-foundations",
            &[CarryUseRestrictions, OtherTermsAllowed, NoticeFile],
            &[KeepAgreement],
        ),
        (
            "falcon-llm-license",
            &[CarryUseRestrictions, OtherTermsAllowed, AttributionDisplay],
            &[KeepAgreement],
        ),
        (
            "nvidia-open-model-license",
            &[OtherTermsAllowed],
            &[KeepAgreement, CarryUseRestrictions],
        ),
        (
            "mnpl",
            &[OtherTermsAllowed, NonCommercialBinds],
            &[KeepAgreement, IncludeAgreementCopy],
        ),
        (
            "sai-nc-community",
            &[KeepAgreement, StayNonCommercial, NoticeFile],
            &[OtherTermsAllowed],
        ),
        ("yi-license", &[KeepAgreement], &[OtherTermsAllowed]),
        // Its naming clause says "should", in a copy nobody cross-checked: no accusation.
        (
            "glm-4",
            &[KeepAgreement, AttributionDisplay],
            &[OtherTermsAllowed, NamePrefix],
        ),
        (
            "exaone",
            &[KeepAgreement, StayNonCommercial, NamePrefix],
            &[CarryUseRestrictions],
        ),
        (
            "coqui-public-model-license",
            &[KeepAgreement, StayNonCommercial],
            &[OtherTermsAllowed],
        ),
        (
            "ltxv-open-weights",
            &[CarryUseRestrictions, OtherTermsAllowed],
            &[KeepAgreement],
        ),
        // Acceptable-use policies that bind the licensee's own use do not travel as a term.
        (
            "fair-noncommercial-research-license",
            &[KeepAgreement, StayNonCommercial],
            &[CarryUseRestrictions],
        ),
        (
            "deepfloyd-if-license",
            &[KeepAgreement, StayNonCommercial],
            &[CarryUseRestrictions],
        ),
        ("cogvideox", &[KeepAgreement], &[CarryUseRestrictions]),
        ("cc-by-4.0", &[OtherTermsAllowed], &[ShareAlike]),
        // Output clauses, each where its text has one: Llama 3's naming sentence covers the
        // materials only; Llama 3.1+ dropped §1.b.v; Qwen (2024) has no bar on other models.
        ("llama2", &[OutputsNotForOtherLlms], &[OutputsNamePrefix]),
        ("llama3", &[OutputsNotForOtherLlms], &[OutputsNamePrefix]),
        ("llama3.1", &[OutputsNamePrefix], &[OutputsNotForOtherLlms]),
        ("llama3.2", &[OutputsNamePrefix], &[OutputsNotForOtherLlms]),
        ("llama3.3", &[OutputsNamePrefix], &[OutputsNotForOtherLlms]),
        ("llama4", &[OutputsNamePrefix], &[OutputsNotForOtherLlms]),
        (
            "gemma",
            &[OutputsMakeDerivatives],
            &[OutputsNotForOtherLlms],
        ),
        ("tongyi-qianwen", &[OutputsNotForOtherLlms], &[]),
        ("tongyi-qianwen-research", &[OutputsNotForOtherLlms], &[]),
        ("qwen", &[], &[OutputsNotForOtherLlms]),
        // What data licences say of trained models.
        ("c-uda", &[TrainedModelsFree], &[ResultsFree]),
        ("cdla-permissive-2.0", &[TrainedModelsFree], &[ResultsFree]),
        ("cdla-permissive-1.0", &[ResultsFree], &[TrainedModelsFree]),
        ("cdla-sharing-1.0", &[ResultsFree], &[TrainedModelsFree]),
        ("odbl", &[ShareAlike], &[TrainedModelsFree, ResultsFree]),
        ("cc-by-nc-4.0", &[NonCommercialBinds], &[TrainedModelsFree]),
    ];
    for (id, must, must_not) in cases {
        let kinds = licence_terms(&catalogue, id);
        for k in *must {
            assert!(kinds.contains(k), "`{id}` lacks `{}`", k.as_str());
        }
        for k in *must_not {
            assert!(
                !kinds.contains(k),
                "`{id}` has `{}`, which its text does not say",
                k.as_str()
            );
        }
    }
}

#[test]
fn license_names_and_links_used_on_the_hub_find_their_entry() {
    let catalogue = Catalogue::builtin().unwrap();
    let id_of =
        |found: Option<pedigree::license::LicenseId>| found.map(|id| catalogue.get(id).id.clone());
    for (name, id) in [
        (
            "flux-1-dev-non-commercial-license",
            "flux-1-dev-non-commercial-license",
        ),
        (
            "FLUX.1 [dev] Non-Commercial License",
            "flux-1-dev-non-commercial-license",
        ),
        (
            "flux-non-commercial-license",
            "flux-non-commercial-license-v2.1",
        ),
        ("Qwen License Agreement", "qwen"),
        ("qwen-research", "qwen-research"),
        ("tencent-hunyuan-community", "tencent-hunyuan-community"),
        ("nvidia-open-model-license", "nvidia-open-model-license"),
        ("sai-nc-community", "sai-nc-community"),
        ("mnpl", "mnpl"),
        ("falcon-llm-license", "falcon-llm-license"),
        (
            "health-ai-developer-foundations",
            "health-ai-developer-foundations",
        ),
        ("yi-license", "yi-license"),
        ("coqui-public-model-license", "coqui-public-model-license"),
        ("playground-v2-community", "playground-v2-community"),
    ] {
        assert_eq!(
            id_of(catalogue.by_name(name)).as_deref(),
            Some(id),
            "license_name `{name}`"
        );
    }
    for (link, id) in [
        (
            "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md",
            Some("flux-1-dev-non-commercial-license"),
        ),
        (
            "https://huggingface.co/black-forest-labs/FLUX.1-Kontext-dev/blob/main/LICENSE.md",
            Some("flux-1-dev-non-commercial-license"),
        ),
        // FLUX.1 [schnell] is Apache-2.0: its licence file is not the [dev] licence.
        (
            "https://huggingface.co/black-forest-labs/FLUX.1-schnell/blob/main/LICENSE.md",
            None,
        ),
        (
            "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE",
            Some("qwen"),
        ),
        (
            "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE",
            Some("qwen-research"),
        ),
        ("https://mistral.ai/licences/MNPL-0.1.md", Some("mnpl")),
        (
            "https://falconllm.tii.ae/falcon-terms-and-conditions.html",
            Some("falcon-llm-license"),
        ),
        // Playground v2.5 is under another text.
        (
            "https://huggingface.co/playgroundai/playground-v2.5-1024px-aesthetic/blob/main/LICENSE.md",
            None,
        ),
    ] {
        assert_eq!(
            id_of(catalogue.by_link(link)).as_deref(),
            id,
            "license_link {link}"
        );
    }
}

#[test]
fn reference_licence_texts_are_recognised_as_their_entries() {
    let dir = common::repo_root().join("../shared/reference/licenses/other");
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/reference/licenses is not beside the project");
        return;
    }
    let catalogue = Catalogue::builtin().unwrap();
    for (file, id) in [
        (
            "flux-1-dev-non-commercial-license.txt",
            "flux-1-dev-non-commercial-license",
        ),
        (
            "flux-non-commercial-license-v2.1.txt",
            "flux-non-commercial-license-v2.1",
        ),
        ("qwen.txt", "qwen"),
        ("qwen-research.txt", "qwen-research"),
        ("qwen_tongyi_qianwen_license.txt", "tongyi-qianwen"),
        (
            "qwen_tongyi_qianwen_research_license.txt",
            "tongyi-qianwen-research",
        ),
        ("sai-nc-community.txt", "sai-nc-community"),
        ("stabilityai-ai-community.txt", "stabilityai-ai-community"),
        ("tencent-hunyuan-community.txt", "tencent-hunyuan-community"),
        ("nvidia-open-model-license.txt", "nvidia-open-model-license"),
        (
            "nvidia-open-model-license_2025-04-28.txt",
            "nvidia-open-model-license",
        ),
        ("mnpl.txt", "mnpl"),
        ("mrl.txt", "mrl"),
        ("falcon-llm-license.txt", "falcon-llm-license"),
        (
            "falcon-2-11b-tii-license-1.0.txt",
            "falcon-2-11b-tii-license",
        ),
        ("falcon-180b-tii-license-1.0.txt", "falcon-180b-tii-license"),
        (
            "health-ai-developer-foundations.txt",
            "health-ai-developer-foundations",
        ),
        ("ltxv-open-weights.txt", "ltxv-open-weights"),
        ("ltxv-open-weights_2025-04-17.txt", "ltxv-open-weights"),
        ("ltxv-0.9-rail-m.txt", "ltxv-0.9-rail-m"),
        ("yi-license.txt", "yi-license"),
        ("glm-4.txt", "glm-4"),
        (
            "coqui-public-model-license.txt",
            "coqui-public-model-license",
        ),
        ("playground-v2-community.txt", "playground-v2-community"),
        ("deepseek_LICENSE-MODEL.txt", "deepseek"),
        ("creativeml-openrail-m_CompVis.txt", "creativeml-openrail-m"),
        ("creativeml-openrail++-m_StabilityAI.txt", "openrail++"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        // The saved copies open with `Source:` and `Retrieved:` lines, then a blank line.
        let text = match text.strip_prefix("Source:") {
            Some(_) => text.split_once("\n\n").map_or(text.as_str(), |(_, t)| t),
            None => text.as_str(),
        };
        let found = pedigree::license::identify(&catalogue, text, 0.9)
            .map(|f| catalogue.get(f.license).id.clone());
        assert_eq!(found.as_deref(), Some(id), "{file}");
    }
}
