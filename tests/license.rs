//! Licence normalisation and the three-valued verdicts, on the real catalogue.

use pedigree::card::Card;
use pedigree::checks::{Judging, Misstatement, Verdict, judge};
use pedigree::license::{
    Catalogue, DeclarationIssue, Leaf, LicenseExpr, LicenseId, Terms, declaration_issues, normalize,
};
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::builtin().unwrap())
}

fn terms(front_matter: &str) -> Terms {
    let card = Card::parse(&format!("---\n{front_matter}---\n"));
    normalize(&card.meta, catalogue())
}

fn expr(front_matter: &str) -> LicenseExpr {
    match terms(front_matter) {
        Terms::Expr(e) => e,
        other => panic!("{front_matter:?} gave {other:?}"),
    }
}

fn shown(front_matter: &str) -> String {
    expr(front_matter).display(catalogue()).to_string()
}

fn verdict(child: &str, ancestor: &str) -> Verdict {
    let j = Judging {
        catalogue: catalogue(),
        only_quantized: false,
        shipped: &[],
    };
    judge(j, &expr(child), &expr(ancestor))
}

fn lic(id: &str) -> String {
    format!("license: {id}\n")
}

fn satisfied(child: &str, ancestor: &str) -> bool {
    verdict(&lic(child), &lic(ancestor)) == Verdict::Satisfied
}

fn violated(child: &str, ancestor: &str) -> bool {
    matches!(verdict(&lic(child), &lic(ancestor)), Verdict::Violated(_))
}

fn misstated(child: &str, ancestor: &str) -> bool {
    matches!(verdict(&lic(child), &lic(ancestor)), Verdict::Misstated(..))
}

fn id(name: &str) -> LicenseId {
    catalogue().by_name(name).unwrap()
}

fn undecidable(child: &str, ancestor: &str) -> bool {
    matches!(
        verdict(&lic(child), &lic(ancestor)),
        Verdict::Undecidable(_)
    )
}

#[test]
fn hub_ids_and_spdx_ids_normalise_to_catalogue_entries() {
    assert_eq!(shown("license: llama2\n"), "llama2");
    assert_eq!(shown("license: Apache-2.0\n"), "apache-2.0");
    assert_eq!(shown("license: MIT\n"), "mit");
    assert_eq!(shown("license: CC-BY-NC-4.0\n"), "cc-by-nc-4.0");
    assert_eq!(shown("license: openrail++\n"), "openrail++");
}

#[test]
fn other_with_license_name_or_link_is_understood() {
    assert_eq!(
        shown("license: other\nlicense_name: llama4\nlicense_link: LICENSE\n"),
        "llama4"
    );
    assert_eq!(
        shown("license: other\nlicense_name: deepseek\n"),
        "deepseek"
    );
    assert_eq!(
        shown("license: other\nlicense_name: Llama 3.1 Community License\n"),
        "llama3.1"
    );
    assert_eq!(
        shown(
            "license: other\nlicense_link: https://huggingface.co/THUDM/CogVideoX-5b/blob/main/LICENSE\n"
        ),
        "cogvideox"
    );
    // A name the catalogue does not know is a custom licence, not a guess.
    match expr("license: other\nlicense_name: acme-model-license\n") {
        LicenseExpr::Leaf(Leaf::Custom { name, .. }) => {
            assert_eq!(name.as_deref(), Some("acme-model-license"))
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn unverifiable_declarations_are_unknown_or_missing() {
    assert!(matches!(terms("license: other\n"), Terms::Unknown { .. }));
    assert!(matches!(terms("license: unknown\n"), Terms::Unknown { .. }));
    assert!(
        matches!(terms("license: cc\n"), Terms::Unknown { .. }),
        "a family id names no single licence"
    );
    assert!(matches!(
        terms("base_model: a/b\n"),
        Terms::Missing { licence_key: false }
    ));
    assert!(matches!(
        terms("licence: mit\n"),
        Terms::Missing { licence_key: true }
    ));
    match terms("license: lama2\n") {
        Terms::Unknown { suggestion, .. } => assert_eq!(suggestion.as_deref(), Some("llama2")),
        t => panic!("{t:?}"),
    }
}

#[test]
fn spdx_expressions_typed_into_the_field_are_parsed() {
    assert_eq!(shown("license: apache-2.0 OR mit\n"), "apache-2.0 OR mit");
    assert_eq!(shown("license: MIT AND Apache-2.0\n"), "mit AND apache-2.0");
    assert_eq!(shown("license: mit/apache-2.0\n"), "mit OR apache-2.0");
    assert_eq!(
        shown("license: (mit OR apache-2.0) AND llama2\n"),
        "(mit OR apache-2.0) AND llama2"
    );
    assert_eq!(
        shown("license: Apache-2.0 WITH LLVM-exception\n"),
        "apache-2.0"
    );
    assert!(matches!(terms("license: mit OR\n"), Terms::Unknown { .. }));
    assert!(matches!(
        terms("license: mit OR nonsense-licence\n"),
        Terms::Unknown { .. }
    ));
}

#[test]
fn lists_and_conflicting_name_fields_are_ambiguous() {
    assert!(matches!(
        expr("license: [mit, apache-2.0]\n"),
        LicenseExpr::Ambiguous { .. }
    ));
    assert_eq!(shown("license: [mit, mit]\n"), "mit");
    // DeepSeek's own repos: `license: mit` with `license_name: deepseek`.
    assert!(matches!(
        expr("license: mit\nlicense_name: deepseek\n"),
        LicenseExpr::Ambiguous { .. }
    ));
    // A descriptive name that is no catalogue licence changes nothing.
    assert_eq!(
        shown("license: mit\nlicense_name: My model licence\n"),
        "mit"
    );
}

#[test]
fn an_agreement_that_cannot_be_passed_on_must_be_kept() {
    // Llama §1.a: a non-transferable grant, and §1.b.i: the agreement travels with every copy.
    assert!(violated("mit", "llama2"));
    assert!(violated("apache-2.0", "llama3.1"));
    assert!(satisfied("llama2", "llama2"));
    // Declared beside the model's own terms, the agreement is kept.
    assert_eq!(
        verdict("license: apache-2.0 AND llama2\n", &lic("llama2")),
        Verdict::Satisfied
    );
    // So it is when the repo ships a copy of it, whatever the card's label says.
    let shipped = [id("llama2")];
    let j = Judging {
        catalogue: catalogue(),
        only_quantized: false,
        shipped: &shipped,
    };
    assert_eq!(
        judge(j, &expr(&lic("mit")), &expr(&lic("llama2"))),
        Verdict::Satisfied
    );
    // Stability's community licence is non-sublicensable (§II, §III); the SVD community licence is
    // the same text.
    assert!(violated("apache-2.0", "stabilityai-ai-community"));
    assert!(satisfied(
        "stable-video-diffusion-community",
        "stabilityai-ai-community"
    ));
    // The violation cites the grant and the copy clause, not an invented one.
    match verdict(&lic("mit"), &lic("llama2")) {
        Verdict::Violated(r) => {
            let clause = r.clause.unwrap();
            assert!(
                clause.section.contains("§1.a") && clause.section.contains("§1.b.i"),
                "{clause:?}"
            );
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn another_llama_version_is_a_labelling_slip_not_drift() {
    assert!(misstated("llama3.2", "llama3.1"));
    assert!(misstated("llama3", "llama2"));
    match verdict(&lic("llama3.2"), &lic("llama3.1")) {
        Verdict::Misstated(_, Misstatement::OtherVersion(other)) => {
            assert_eq!(other, id("llama3.2"));
        }
        v => panic!("{v:?}"),
    }
    // A merge of Llama 3 and Llama 3.1 honours both agreements by declaring both.
    let both = expr("license: llama3 AND llama3.1\n");
    for parent in ["llama3", "llama3.1"] {
        let j = Judging {
            catalogue: catalogue(),
            only_quantized: false,
            shipped: &[],
        };
        assert_eq!(judge(j, &both, &expr(&lic(parent))), Verdict::Satisfied);
    }
}

#[test]
fn licences_that_allow_other_terms_never_drift() {
    // Apache-2.0 §4, MIT's grant, Tongyi Qianwen §3.d.
    for parent in ["apache-2.0", "mit", "tongyi-qianwen"] {
        for child in ["mit", "apache-2.0", "cc-by-nc-4.0", "llama2"] {
            assert!(satisfied(child, parent), "{child} under {parent}");
        }
    }
}

#[test]
fn permissive_parents_allow_any_licence() {
    assert!(
        satisfied("apache-2.0", "mit"),
        "MIT parent, Apache child is no conflict"
    );
    assert!(satisfied("mit", "apache-2.0"));
    assert!(satisfied("llama2", "mit"));
    assert!(satisfied("cc-by-nc-4.0", "bsd-3-clause"));
}

#[test]
fn rail_restrictions_must_travel() {
    assert!(satisfied("creativeml-openrail-m", "openrail++"));
    assert!(satisfied("openrail++", "creativeml-openrail-m"));
    assert!(violated("mit", "openrail++"));
    assert!(violated("apache-2.0", "creativeml-openrail-m"));
    assert!(violated("apache-2.0", "gemma"));
    assert!(violated("mit", "bigscience-openrail-m"));
    // No full text of BLOOM RAIL 1.0 was found to read: its terms never ground an accusation.
    assert!(undecidable("mit", "bigscience-bloom-rail-1.0"));
    // Different restriction sets: whether one includes the other needs a human reading.
    assert!(undecidable("llama2", "creativeml-openrail-m"));
}

#[test]
fn non_commercial_and_share_alike_and_no_derivatives() {
    // CC BY-NC 4.0 §3(a)(4): the adapter's licence may differ, but the NC terms still bind every
    // recipient (§2(a)(5)(A)). A commercial label misleads; it breaches nothing.
    assert!(misstated("apache-2.0", "cc-by-nc-4.0"));
    match verdict(&lic("apache-2.0"), &lic("cc-by-nc-4.0")) {
        Verdict::Misstated(_, Misstatement::TermsStillBind) => {}
        v => panic!("{v:?}"),
    }
    assert_eq!(
        verdict(
            "license: apache-2.0 AND cc-by-nc-4.0\n",
            &lic("cc-by-nc-4.0")
        ),
        Verdict::Satisfied
    );
    assert!(satisfied("cc-by-nc-sa-4.0", "cc-by-nc-4.0"));
    assert!(
        satisfied("gpl-3.0", "cc-by-sa-4.0"),
        "CC lists GPLv3 as compatible with BY-SA 4.0"
    );
    assert!(violated("mit", "cc-by-sa-4.0"));
    assert!(violated("mit", "gpl-3.0"));
    // A share-alike licence declared beside a licence that restricts it is not kept.
    assert!(matches!(
        verdict("license: cc-by-sa-4.0 AND llama2\n", &lic("cc-by-sa-4.0")),
        Verdict::Violated(_)
    ));
    // Beside a permissive licence it is.
    assert_eq!(
        verdict("license: gpl-3.0 AND mit\n", &lic("gpl-3.0")),
        Verdict::Satisfied
    );
    // GPL-3.0 §13 lets GPL material be combined with AGPL material: not a plain relicensing.
    // Each unclear licence gets its own reason, not another's.
    let why = |child: &str, ancestor: &str| match verdict(&lic(child), &lic(ancestor)) {
        Verdict::Undecidable(r) => r.text,
        v => panic!("{child} under {ancestor}: {v:?}"),
    };
    let agpl = why("agpl-3.0", "gpl-3.0");
    assert!(
        agpl.contains("§13") && !agpl.contains("family id"),
        "{agpl}"
    );
    let family = why("gpl", "gpl-3.0");
    assert!(
        family.contains("names no version") && !family.contains("§13"),
        "{family}"
    );
    assert!(
        undecidable("gpl-3.0", "gpl-2.0"),
        "allowed only for 'or any later version'"
    );
    // Any -nd licence forbids sharing adapted material, and is not permissive.
    assert!(violated("mit", "cc-by-nd-4.0"));
    assert!(
        violated("cc-by-nd-4.0", "cc-by-nd-4.0"),
        "no licence can permit adapted material under ND"
    );
    assert_ne!(
        catalogue().get(id("cc-by-nd-4.0")).class,
        pedigree::license::Class::Permissive
    );
    let quantized = Judging {
        catalogue: catalogue(),
        only_quantized: true,
        shipped: &[],
    };
    assert!(matches!(
        judge(quantized, &expr(&lic("mit")), &expr(&lic("cc-by-nd-4.0"))),
        Verdict::Undecidable(_)
    ));
}

#[test]
fn expressions_are_judged_from_the_derivatives_side() {
    // A choice offered downstream: every branch must comply.
    assert!(matches!(
        verdict("license: llama2 OR mit\n", &lic("llama2")),
        Verdict::Violated(_)
    ));
    // Stacked licences: one carrying the terms is enough.
    assert_eq!(
        verdict("license: llama2 AND mit\n", &lic("llama2")),
        Verdict::Satisfied
    );
    // An ancestor offering a choice: the derivative may rely on either branch.
    assert_eq!(
        verdict(&lic("mit"), "license: gpl-3.0 OR mit\n"),
        Verdict::Satisfied
    );
    assert_eq!(
        verdict("license: apache-2.0 OR mit\n", &lic("mit")),
        Verdict::Satisfied
    );
    // An ancestor stacking licences binds the derivative to all of them.
    assert!(matches!(
        verdict(&lic("llama2"), "license: llama2 AND cc-by-sa-4.0\n"),
        Verdict::Violated(_)
    ));
}

#[test]
fn ambiguity_and_unknown_terms_are_undecidable_not_guessed() {
    // Readings disagree: under "mit" anything goes, under "deepseek" MIT drops the restrictions.
    let janus = "license: mit\nlicense_name: deepseek\n";
    assert!(matches!(
        verdict(&lic("apache-2.0"), janus),
        Verdict::Undecidable(_)
    ));
    // Readings agree: llama2 is violated either way.
    assert!(matches!(
        verdict("license: [mit, apache-2.0]\n", &lic("llama2")),
        Verdict::Violated(_)
    ));
    // [mit, llama2]: together it carries llama2, as a choice it does not.
    assert!(matches!(
        verdict("license: [mit, llama2]\n", &lic("llama2")),
        Verdict::Undecidable(_)
    ));
    // Custom licences.
    let custom = "license: other\nlicense_name: acme-model-license\n";
    assert!(matches!(
        verdict(custom, &lic("llama2")),
        Verdict::Undecidable(_)
    ));
    assert_eq!(verdict(custom, &lic("mit")), Verdict::Satisfied);
    assert!(matches!(
        verdict(&lic("mit"), custom),
        Verdict::Undecidable(_)
    ));
    assert_eq!(verdict(custom, custom), Verdict::Satisfied);
}

#[test]
fn violations_cite_their_clause() {
    match verdict(&lic("mit"), &lic("llama2")) {
        Verdict::Violated(reason) => {
            let clause = reason.clause.expect("a clause");
            assert!(clause.section.contains('1'), "{clause:?}");
            assert!(clause.url.starts_with("https://"));
        }
        v => panic!("{v:?}"),
    }
}

fn issues(front_matter: &str) -> Vec<DeclarationIssue> {
    let card = Card::parse(&format!("---\n{front_matter}---\n"));
    declaration_issues(&card.meta, catalogue())
}

#[test]
fn a_link_to_another_licence_is_judged_under_both_readings_and_reported() {
    let card = "license: apache-2.0\nlicense_link: https://mistral.ai/licenses/MRL-0.1.md\n";
    assert_eq!(shown(card), "ambiguous: apache-2.0 | mrl");
    assert_eq!(
        issues(card),
        vec![DeclarationIssue::LinkConflict {
            declared: "apache-2.0".into(),
            linked: id("mrl"),
        }]
    );
    // A link to the declared licence's own text is no conflict.
    let same = "license: apache-2.0\nlicense_link: https://www.apache.org/licenses/LICENSE-2.0\n";
    assert_eq!(shown(same), "apache-2.0");
    assert!(issues(same).is_empty());
}

#[test]
fn a_spelling_the_hub_does_not_know_is_read_and_reported() {
    assert_eq!(shown("license: llama-2\n"), "llama2");
    assert_eq!(
        issues("license: llama-2\n"),
        vec![DeclarationIssue::NotHubId {
            written: "llama-2".into(),
            read_as: Some(id("llama2")),
        }]
    );
    assert!(issues("license: llama2\n").is_empty());
    assert!(issues("license: [mit, apache-2.0]\n").is_empty());
    assert!(issues("license: other\nlicense_name: deepseek\n").is_empty());
    // A licence the Hub does not list is declared with `other` + `license_name`.
    assert_eq!(
        issues("license: deepseek\n"),
        vec![DeclarationIssue::NotHubId {
            written: "deepseek".into(),
            read_as: Some(id("deepseek")),
        }]
    );
}

#[test]
fn a_huge_licence_value_gets_no_suggestion() {
    let catalogue = pedigree::license::Catalogue::builtin().unwrap();
    // Near misses are still suggested, also with extra separators...
    assert_eq!(catalogue.suggest("apache 2.0 "), Some("apache-2.0"));
    assert_eq!(catalogue.suggest("Apache  -  2.0"), Some("apache-2.0"));
    // ...but a value far longer than any licence name is not compared at all (its time is
    // measured by `cargo bench --bench hostile`).
    assert_eq!(catalogue.suggest(&"apache-2.0".repeat(400_000)), None);
}

#[test]
fn the_hubs_largest_custom_licences_are_judged_from_their_texts() {
    let flux = "license: other\nlicense_name: flux-1-dev-non-commercial-license\n";
    // FLUX.1 [dev]: a non-transferable, non-sublicensable, non-commercial grant (§2.a, §2.b).
    match verdict(&lic("apache-2.0"), flux) {
        Verdict::Violated(r) => {
            let section = r.clause.unwrap().section;
            assert!(
                section.contains("§2.a") && section.contains("§3.c(ii)"),
                "{section}"
            );
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(verdict(flux, flux), Verdict::Satisfied);
    // A non-commercial licence of another licensor keeps the NC term but not the agreement.
    assert!(matches!(
        verdict(&lic("cc-by-nc-4.0"), flux),
        Verdict::Violated(_)
    ));
    // Qwen §3.d lets derivatives take other terms; Qwen Research's NC terms still bind recipients.
    let qwen = "license: other\nlicense_name: qwen\n";
    assert_eq!(verdict(&lic("apache-2.0"), qwen), Verdict::Satisfied);
    assert!(matches!(
        verdict(
            &lic("apache-2.0"),
            "license: other\nlicense_name: qwen-research\n"
        ),
        Verdict::Misstated(_, Misstatement::TermsStillBind)
    ));
    // Hunyuan's use restrictions travel into any downstream agreement.
    assert!(matches!(
        verdict(
            &lic("mit"),
            "license: other\nlicense_name: tencent-hunyuan-community\n"
        ),
        Verdict::Violated(_)
    ));
}
