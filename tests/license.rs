//! Licence normalisation and the three-valued verdicts, on the real catalogue.

use pedigree::card::Card;
use pedigree::checks::{Judging, Verdict, judge};
use pedigree::license::{Catalogue, Leaf, LicenseExpr, Terms, normalize};
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
fn community_licences_require_the_same_agreement() {
    assert!(violated("mit", "llama2"));
    assert!(violated("apache-2.0", "llama2"));
    assert!(violated("llama3", "llama2"));
    assert!(
        violated("llama3.2", "llama3.1"),
        "a Llama 3.1 derivative is not a Llama 3.2 model"
    );
    assert!(satisfied("llama2", "llama2"));
    assert!(satisfied("llama3.1", "llama3.1"));
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
    assert!(violated("mit", "bigscience-bloom-rail-1.0"));
    // Different restriction sets: whether one includes the other needs a human reading.
    assert!(undecidable("llama2", "creativeml-openrail-m"));
}

#[test]
fn non_commercial_and_share_alike_and_no_derivatives() {
    assert!(violated("apache-2.0", "cc-by-nc-4.0"));
    assert!(satisfied("cc-by-nc-sa-4.0", "cc-by-nc-4.0"));
    assert!(
        satisfied("gpl-3.0", "cc-by-sa-4.0"),
        "CC lists GPLv3 as compatible with BY-SA 4.0"
    );
    assert!(violated("mit", "cc-by-sa-4.0"));
    assert!(violated("mit", "gpl-3.0"));
    assert!(
        undecidable("gpl-3.0", "gpl-2.0"),
        "allowed only for 'or any later version'"
    );
    assert!(
        violated("cc-by-nd-4.0", "cc-by-nd-4.0"),
        "no licence can permit adapted material under ND"
    );
    let quantized = Judging {
        catalogue: catalogue(),
        only_quantized: true,
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
        verdict(&lic("llama2"), "license: llama2 AND cc-by-nc-4.0\n"),
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
