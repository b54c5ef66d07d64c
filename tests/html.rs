//! The visual family report in a real browser: headless Chromium driven through chromedriver
//! (Debian's `chromium` and `chromium-driver`, installed by .ci/run; the tests skip with a
//! one-line reason without them). On the Llama 2 family of the shared crawl (skipped when
//! ../shared is absent): every model drawn, no overlap, the family fits one 1920×1080 screen at a
//! zoom where labels show, the errors list and a deep link both select an error model and show its
//! findings, the filter and the search work, no console errors; its screenshots (whole, and
//! filtered to errors) are the README's (written to docs/ with `PEDIGREE_UPDATE_SCREENSHOTS=1`,
//! else under the target directory, so a test run leaves the checkout clean); its unreadable datasets are folded into one node,
//! and a deep link to one unfolds and selects it. On small fixtures: the example mirror (its
//! training datasets drawn, linked and selectable), and hostile card text and clause URLs.

mod common;
#[path = "common/webdriver.rs"]
mod webdriver;

use common::{Fixture, model, pedigree, repo_root, shared_mirror};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use webdriver::Browser;

/// Where a screenshot goes: the README's copy in docs/ when asked to update it, else a scratch
/// copy (the test still takes it, so a page that cannot be captured fails).
fn screenshot_path(name: &str) -> PathBuf {
    if std::env::var_os("PEDIGREE_UPDATE_SCREENSHOTS").is_some() {
        repo_root().join("docs").join(name)
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
    }
}

/// `pedigree family ROOTS… --mirror MIRROR --format FORMAT -o OUT`.
fn report(mirror: &Path, roots: &[&str], format: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["family"];
    args.extend_from_slice(roots);
    args.extend_from_slice(&[
        "--mirror",
        mirror.to_str().unwrap(),
        "--format",
        format,
        "-o",
        out.to_str().unwrap(),
        "--fail-on",
        "never",
        "-q",
    ]);
    args.extend_from_slice(extra);
    let run = pedigree(&args, &repo_root());
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The HTML report of a run (its path in `dir`) and the same run's JSON report, parsed.
fn html_and_json(mirror: &Path, roots: &[&str], dir: &Path) -> (PathBuf, Value) {
    let (page, json_path) = (dir.join("report.html"), dir.join("report.json"));
    report(mirror, roots, "html", &page, &[]);
    report(mirror, roots, "json", &json_path, &[]);
    let audit = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    (page, audit)
}

/// The `key` of each entry of a JSON report's list (`models`, `datasets`, `findings`).
fn strings<'a>(entries: impl IntoIterator<Item = &'a Value>, key: &str) -> BTreeSet<String> {
    entries
        .into_iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect()
}

/// The models a JSON report has an error finding on.
fn with_errors(audit: &Value) -> BTreeSet<String> {
    let findings = audit["findings"].as_array().unwrap();
    strings(
        findings.iter().filter(|f| f["severity"] == "error"),
        "model",
    )
}

fn file_url(page: &Path, model: &str) -> String {
    let hash = if model.is_empty() {
        String::new()
    } else {
        format!("#{}", model.replace('/', "%2F"))
    };
    format!("file://{}{hash}", page.display())
}

/// What the page shows, read in one script after the next frame: the models and the training
/// data's nodes drawn (from the outline inside the canvas, each box in window coordinates), the
/// data edges painted, the zoom, the selection, details, the lists.
fn state(browser: &Browser) -> Value {
    browser.eval_async(
        r##"
        const done = arguments[arguments.length - 1];
        requestAnimationFrame(() => setTimeout(() => {
          const canvas = document.getElementById("drawing");
          const pane = canvas.getBoundingClientRect();
          const [tx, ty, k] = canvas.getAttribute("data-view").split(" ").map(Number);
          const onScreen = li => {
            const [x, y, w, h] = li.getAttribute("data-box").split(" ").map(Number);
            return { x: pane.x + tx + x * k, y: pane.y + ty + y * k, w: w * k, h: h * k };
          };
          const drawn = selector => [...document.querySelectorAll(selector)].map(li => ({
            id: li.querySelector("span").textContent, cls: li.className, ...onScreen(li),
          }));
          const sel = document.querySelector("#outline li.sel");
          const details = document.getElementById("details");
          done({
            pane: { x: pane.x, y: pane.y, w: pane.width, h: pane.height },
            zoom: k,
            tiles: drawn("#outline li[data-i]"),
            datasets: drawn("#outline li[data-d]"),
            folds: drawn("#outline li[data-fold]"),
            edges: JSON.parse(canvas.getAttribute("data-edges") || "[]"),
            selected: sel ? sel.querySelector("span").textContent : null,
            selectedBox: sel ? onScreen(sel) : null,
            title: details.hidden ? null : details.querySelector("h2").textContent,
            details: details.hidden ? "" : details.textContent,
            links: [...details.querySelectorAll("a")].map(a => a.getAttribute("href")),
            generators: [...details.querySelectorAll(".generators li")].map(li => li.textContent),
            hash: location.hash,
            listed: [...document.querySelectorAll("#list li[data-i]")].map(li => li.title),
            dataListed: [...document.querySelectorAll("#data-list li[data-d]")].map(li => li.title),
          });
        }, 0));
        "##,
    )
}

fn ids(tiles: &Value) -> BTreeSet<String> {
    tiles
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every drawn node: models, datasets, generators named by services and the folded containers.
fn nodes(shown: &Value) -> Value {
    let mut all = Vec::new();
    for kind in ["tiles", "datasets", "folds"] {
        all.extend(shown[kind].as_array().unwrap().iter().cloned());
    }
    Value::Array(all)
}

fn find<'a>(drawn: &'a Value, id: &str) -> &'a Value {
    drawn
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} not drawn"))
}

fn inside(rect: &Value, outer: &Value) -> bool {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    f(rect, "x") >= f(outer, "x") - 0.5
        && f(rect, "y") >= f(outer, "y") - 0.5
        && f(rect, "x") + f(rect, "w") <= f(outer, "x") + f(outer, "w") + 0.5
        && f(rect, "y") + f(rect, "h") <= f(outer, "y") + f(outer, "h") + 0.5
}

/// Pairs of drawn tiles that overlap (sweep over tiles sorted by top edge).
fn overlaps(tiles: &Value) -> Vec<(String, String)> {
    let mut boxes: Vec<(f64, f64, f64, f64, &str)> = tiles
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let f = |k: &str| t[k].as_f64().unwrap();
            (f("y"), f("x"), f("w"), f("h"), t["id"].as_str().unwrap())
        })
        .collect();
    boxes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut found = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if b.0 >= a.0 + a.3 - 0.01 {
                break;
            }
            if b.1 < a.1 + a.2 - 0.01 && a.1 < b.1 + b.2 - 0.01 {
                found.push((a.4.to_string(), b.4.to_string()));
            }
        }
    }
    found
}

fn assert_no_console_errors(browser: &Browser) {
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn the_llama2_family_is_drawn_whole_and_usable() {
    let Some(mirror) = shared_mirror() else {
        return;
    };
    let Some((chromium, driver)) = webdriver::programs() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = "meta-llama/Llama-2-7b-chat-hf";
    let (page, audit) = html_and_json(&mirror, &[root], dir.path());
    let expected = strings(audit["models"].as_array().unwrap(), "id");
    let with_errors = with_errors(&audit);
    assert!(expected.len() > 400 && with_errors.len() > 10);

    let browser = Browser::start(&chromium, &driver, 1920, 1080);
    browser.goto(&file_url(&page, ""));
    let shown = state(&browser);

    // Every model drawn (the root too), none on top of another, the whole family on one screen
    // at a zoom where the labels are drawn.
    assert_eq!(ids(&shown["tiles"]), expected);
    assert!(ids(&shown["tiles"]).contains(root));
    let overlapping = overlaps(&shown["tiles"]);
    assert!(overlapping.is_empty(), "overlapping tiles: {overlapping:?}");
    for tile in shown["tiles"].as_array().unwrap() {
        assert!(inside(tile, &shown["pane"]), "off screen: {tile}");
    }
    let zoom = shown["zoom"].as_f64().unwrap();
    assert!(
        zoom >= 0.55,
        "labels are hidden below zoom 0.55; fit at {zoom}"
    );
    // Its training datasets are all unreadable in the crawl: folded into one node that gives
    // their count, beside the family, on screen, on top of nothing; no data edge until a model
    // or a dataset is selected (there are more than a hundred).
    let unreadable = audit["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["role"] == "unresolved")
        .count();
    assert!(unreadable > 12, "{unreadable}");
    assert!(shown["datasets"].as_array().unwrap().is_empty());
    assert_eq!(
        ids(&shown["folds"]),
        BTreeSet::from([
            "Training data".to_string(),
            format!("{unreadable} unreadable datasets")
        ])
    );
    let everything = nodes(&shown);
    assert_eq!(overlaps(&everything), vec![]);
    for node in everything.as_array().unwrap() {
        assert!(inside(node, &shown["pane"]), "off screen: {node}");
    }
    assert_eq!(shown["edges"], json!([]));
    let error_tiles: BTreeSet<String> = shown["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["cls"].as_str().unwrap().split(' ').any(|c| c == "s2"))
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(error_tiles, with_errors, "error models are marked");
    // The list beside the drawing puts the models with errors first.
    let listed: Vec<String> = serde_json::from_value(shown["listed"].clone()).unwrap();
    let head: BTreeSet<String> = listed[..with_errors.len()].iter().cloned().collect();
    assert_eq!(head, with_errors);

    // Selecting an error model from the list: highlighted, in view, its findings shown, with
    // the clause as a link, and the address names it.
    browser.click("#list li[data-i]");
    let picked = state(&browser);
    let first = &listed[0];
    assert_eq!(picked["selected"].as_str(), Some(first.as_str()));
    assert_eq!(picked["title"].as_str(), Some(first.as_str()));
    let details = picked["details"].as_str().unwrap();
    assert!(
        details.contains("error") && details.contains("license-drift") && details.contains("fix: "),
        "{details}"
    );
    assert!(inside(&picked["selectedBox"], &picked["pane"]));
    assert!(
        picked["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap_or_default().starts_with("https://")),
        "clause link: {}",
        picked["links"]
    );
    assert_eq!(
        picked["hash"].as_str(),
        Some(format!("#{}", first.replace('/', "%2F")).as_str())
    );

    // A deep link to another error model opens with it selected and in view.
    let other = with_errors.iter().find(|id| *id != first).unwrap();
    browser.goto(&file_url(&page, other));
    let linked = state(&browser);
    assert_eq!(linked["selected"].as_str(), Some(other.as_str()));
    assert_eq!(linked["title"].as_str(), Some(other.as_str()));
    assert!(
        linked["details"]
            .as_str()
            .unwrap()
            .contains("license-drift")
    );
    assert!(inside(&linked["selectedBox"], &linked["pane"]));

    // The screenshot for the README: the whole family, an error model selected.
    let shot = screenshot_path("family-report-llama2.png");
    browser.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 50_000);
    eprintln!("screenshot: {}", shot.display());

    // The severity filter draws the models with errors and, faded, the ancestors that join them.
    browser.click("#filter button[data-min=\"2\"]");
    let errors_only = state(&browser);
    let drawn = ids(&errors_only["tiles"]);
    assert!(drawn.is_superset(&with_errors) && drawn.contains(root));
    for tile in errors_only["tiles"].as_array().unwrap() {
        let cls = tile["cls"].as_str().unwrap();
        assert!(
            cls.contains("s2") || cls.contains("context"),
            "not an error model: {tile}"
        );
    }
    assert!(errors_only["zoom"].as_f64().unwrap() > zoom);
    browser.screenshot(&screenshot_path("family-report-llama2-errors.png"));

    // Search narrows the list; Enter selects the first match.
    browser.click("#filter button[data-min=\"-1\"]");
    browser.type_into("#search", "tsavage68");
    let searched = state(&browser);
    let hits: Vec<String> = serde_json::from_value(searched["listed"].clone()).unwrap();
    let expected_hits = expected
        .iter()
        .filter(|id| id.contains("tsavage68"))
        .count();
    assert_eq!(hits.len(), expected_hits);
    assert!(hits.iter().all(|id| id.contains("tsavage68")));
    browser.type_into("#search", "\u{E007}");
    assert_eq!(state(&browser)["selected"].as_str(), Some(hits[0].as_str()));

    // A deep link to the dataset most models name unfolds the unreadable ones and selects it:
    // in view, its models linked to it, its notes shown.
    let busiest = audit["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|d| d["used_by"].as_array().unwrap().len())
        .unwrap();
    let id = busiest["id"].as_str().unwrap();
    browser.goto(&file_url(&page, &format!("datasets/{id}")));
    let opened = state(&browser);
    assert_eq!(opened["selected"].as_str(), Some(id));
    assert_eq!(opened["title"].as_str(), Some(id));
    assert_eq!(
        opened["datasets"].as_array().unwrap().len(),
        unreadable,
        "unfolded"
    );
    assert!(inside(&opened["selectedBox"], &opened["pane"]));
    let details = opened["details"].as_str().unwrap();
    assert!(
        details.contains("could not be read") && details.contains("unresolved-dataset"),
        "{details}"
    );
    let users: BTreeSet<String> = serde_json::from_value(busiest["used_by"].clone()).unwrap();
    let linked: BTreeSet<String> = opened["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[1] == format!("datasets/{id}").as_str() && e[2] == "trained on")
        .map(|e| e[0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(linked, users);
    assert_eq!(
        ids(&opened["tiles"]),
        expected,
        "the models stay drawn around the training data"
    );
    assert_eq!(overlaps(&nodes(&opened)), vec![]);

    assert_no_console_errors(&browser);
}

#[test]
fn the_example_mirror_report_loads_and_a_deep_link_shows_findings() {
    let Some((chromium, driver)) = webdriver::programs() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(
        &repo_root().join("examples/mirror"),
        &["--all"],
        "html",
        &page,
        &[],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // One file, nothing fetched at view time.
    for outside in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(outside), "`{outside}` in the page");
    }

    let browser = Browser::start(&chromium, &driver, 1400, 900);
    let model = "acme-support/helpdesk-7b-GGUF";
    browser.goto(&file_url(&page, model));
    let shown = state(&browser);
    assert_eq!(shown["selected"].as_str(), Some(model));
    let details = shown["details"].as_str().unwrap();
    assert!(
        details.contains("license-drift") && details.contains("§1.b.i"),
        "{details}"
    );
    // The lineage cycle (loopy/model-a ⇄ model-b) and the merge are drawn, every model once.
    let tiles = ids(&shown["tiles"]);
    for id in [
        "loopy/model-a",
        "loopy/model-b",
        "mergekit-fan/llama2-llama3-frankenmerge",
    ] {
        assert!(tiles.contains(id), "{id} not drawn");
    }
    assert_eq!(tiles.len(), shown["tiles"].as_array().unwrap().len());
    assert!(overlaps(&shown["tiles"]).is_empty());
    // Clicking a parent in the details selects it.
    browser.click("#details a.model");
    assert_eq!(
        state(&browser)["selected"].as_str(),
        Some("acme-support/llama2-7b-helpdesk")
    );

    // On the drawing: a click on a tile selects it; one on its toggle folds its descendants
    // away, and a second brings them back.
    let tile = |shown: &Value, id: &str| -> Value {
        shown["tiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not drawn"))
    };
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    let root = "meta-llama/Llama-2-7b-hf";
    let shown = state(&browser);
    let at = tile(&shown, root);
    browser.click_at(f(&at, "x") + 10.0, f(&at, "y") + f(&at, "h") / 2.0);
    assert_eq!(state(&browser)["selected"].as_str(), Some(root));
    let zoom = f(&shown, "zoom");
    let toggle = |at: &Value| {
        browser.click_at(
            f(at, "x") + f(at, "w") - 15.0 * zoom,
            f(at, "y") + f(at, "h") / 2.0,
        )
    };
    toggle(&at);
    let folded = state(&browser);
    let before = ids(&shown["tiles"]);
    assert!(!ids(&folded["tiles"]).contains("acme-support/llama2-7b-helpdesk"));
    assert!(ids(&folded["tiles"]).contains(root));
    assert!(ids(&folded["tiles"]).len() < before.len());
    toggle(&tile(&folded, root));
    assert_eq!(ids(&state(&browser)["tiles"]), before);
    assert_no_console_errors(&browser);
}

/// The canvas pixel at layout point (x, y), as `[r, g, b, a]`.
fn pixel(browser: &Browser, x: f64, y: f64) -> Vec<u8> {
    let rgba = browser.eval(
        r#"
        const canvas = document.getElementById("drawing");
        const [tx, ty, k] = canvas.getAttribute("data-view").split(" ").map(Number);
        const dpr = window.devicePixelRatio || 1;
        const at = v => Math.round(v * dpr);
        return [...canvas.getContext("2d").getImageData(at(tx + arguments[0] * k), at(ty + arguments[1] * k), 1, 1).data];
        "#,
        json!([x, y]),
    );
    serde_json::from_value(rgba).unwrap()
}

/// The layout box of a drawn dataset (`data-box`: x, y, w, h at zoom 1).
fn layout_box(browser: &Browser, dataset: &str) -> [f64; 4] {
    let found = browser.eval(
        r##"
        const li = [...document.querySelectorAll("#outline li[data-d]")]
          .find(li => li.querySelector("span").textContent === arguments[0]);
        return li ? li.getAttribute("data-box").split(" ").map(Number) : null;
        "##,
        json!([dataset]),
    );
    serde_json::from_value(found).unwrap_or_else(|_| panic!("{dataset} not drawn"))
}

#[test]
fn the_example_mirrors_training_data_is_drawn_linked_and_selectable() {
    let Some((chromium, driver)) = webdriver::programs() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mirror = repo_root().join("examples/mirror");
    let (page, audit) = html_and_json(&mirror, &["--all"], dir.path());
    let listed = strings(audit["datasets"].as_array().unwrap(), "id");
    let (synthetic, dialogues) = ("synthforge/llama3-chat-synth", "research-lab/nc-dialogues");
    assert!(listed.contains(synthetic) && listed.contains(dialogues));
    // Every model's training datasets, as edges the page should draw.
    let mut trained_on = BTreeSet::new();
    for m in audit["models"].as_array().unwrap() {
        for d in m["datasets"].as_array().unwrap() {
            trained_on.insert((
                m["id"].as_str().unwrap().to_string(),
                format!("datasets/{}", d.as_str().unwrap()),
            ));
        }
    }

    let browser = Browser::start(&chromium, &driver, 1400, 900);
    browser.goto(&file_url(&page, ""));
    let shown = state(&browser);
    // Every dataset drawn as its own node (a handful unreadable: not folded), beside the models,
    // on screen, on top of nothing.
    assert_eq!(ids(&shown["datasets"]), listed);
    let everything = nodes(&shown);
    assert_eq!(overlaps(&everything), vec![]);
    for node in everything.as_array().unwrap() {
        assert!(inside(node, &shown["pane"]), "off screen: {node}");
    }
    // Linked: a "trained on" edge for each model and dataset, red for the outputs-clause
    // error; a "generated by" edge to the generating model.
    let edges = shown["edges"].as_array().unwrap();
    let drawn_trained: BTreeSet<(String, String)> = edges
        .iter()
        .filter(|e| e[2] == "trained on")
        .map(|e| (e[0].as_str().unwrap().into(), e[1].as_str().unwrap().into()))
        .collect();
    assert_eq!(drawn_trained, trained_on);
    let broken: Vec<&Value> = edges.iter().filter(|e| e[3] == 1).collect();
    assert_eq!(
        broken,
        [&json!([
            "synthforge/phi-2-synth-chat",
            format!("datasets/{synthetic}"),
            "trained on",
            1
        ])]
    );
    assert!(edges.contains(&json!([
        format!("datasets/{synthetic}"),
        "meta-llama/Meta-Llama-3-8B",
        "generated by",
        0
    ])));
    // The dataset the clause broke through carries the broken-edge mark (a red bar above it);
    // the non-commercial one, whose finding is a warning, does not.
    let red = |rgba: &[u8]| rgba[0] > 180 && rgba[1] < 110 && rgba[2] < 120;
    for (dataset, marked) in [(synthetic, true), (dialogues, false)] {
        let [x, y, w, _] = layout_box(&browser, dataset);
        let at = pixel(&browser, x + w / 2.0, y - 3.25);
        assert_eq!(red(&at), marked, "{dataset}: {at:?}");
    }
    assert!(
        find(&shown["datasets"], synthetic)["cls"]
            .as_str()
            .unwrap()
            .contains("s2")
    );

    // A click on the generated set selects it: its licence, its generator with the card's
    // words, the model trained on it, the error that names it; the address names it.
    let at = find(&shown["datasets"], synthetic);
    let f = |k: &str| at[k].as_f64().unwrap();
    browser.click_at(f("x") + f("w") / 2.0, f("y") + f("h") / 2.0);
    let picked = state(&browser);
    assert_eq!(picked["selected"].as_str(), Some(synthetic));
    assert_eq!(picked["title"].as_str(), Some(synthetic));
    let details = picked["details"].as_str().unwrap();
    let generator = &audit["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == synthetic)
        .unwrap()["generators"][0];
    assert_eq!(
        picked["generators"],
        json!([format!(
            "meta-llama/Meta-Llama-3-8B ({}){}",
            generator["evidence"].as_str().unwrap(),
            generator["quote"].as_str().unwrap()
        )])
    );
    for expected in [
        "apache-2.0",
        "synthforge/phi-2-synth-chat",
        "output clause broken here",
        "outputs-clause",
    ] {
        assert!(details.contains(expected), "`{expected}` in {details}");
    }
    assert_eq!(
        picked["hash"].as_str(),
        Some("#datasets%2Fsynthforge%2Fllama3-chat-synth")
    );
    browser.screenshot(&screenshot_path("family-report-datasets.png"));

    // A deep link to the non-commercial set selects it, with the warning that names it.
    browser.goto(&file_url(&page, &format!("datasets/{dialogues}")));
    let linked = state(&browser);
    assert_eq!(linked["selected"].as_str(), Some(dialogues));
    let details = linked["details"].as_str().unwrap();
    for expected in [
        "cc-by-nc-4.0",
        "non-commercial",
        "dataset-license-conflict",
        "synthforge/phi-2-dialogue",
    ] {
        assert!(details.contains(expected), "`{expected}` in {details}");
    }

    // The model's details name its training data; the link selects the dataset.
    browser.goto(&file_url(&page, "synthforge/phi-2-synth-chat"));
    let model = state(&browser);
    let details = model["details"].as_str().unwrap();
    assert!(
        details.contains(&format!(
            "Trained on: {synthetic} (apache-2.0) output clause broken here"
        )),
        "{details}"
    );
    browser.click("#details a.dataset");
    assert_eq!(state(&browser)["selected"].as_str(), Some(synthetic));

    // The errors-first list still puts the model whose error is about its data among the
    // errors; the training data's list puts the set named by an error first.
    let with_errors = with_errors(&audit);
    let models_listed: Vec<String> = serde_json::from_value(model["listed"].clone()).unwrap();
    assert!(models_listed[..with_errors.len()].contains(&"synthforge/phi-2-synth-chat".into()));
    assert_eq!(model["dataListed"][0].as_str(), Some(synthetic));

    // The severity filter keeps the datasets of the models it shows.
    browser.click("#filter button[data-min=\"2\"]");
    let errors_only = state(&browser);
    let expected = strings(
        audit["datasets"].as_array().unwrap().iter().filter(|d| {
            let users = d["used_by"].as_array().unwrap();
            users
                .iter()
                .any(|u| with_errors.contains(u.as_str().unwrap()))
        }),
        "id",
    );
    assert!(expected.contains(synthetic) && !expected.contains(dialogues));
    assert_eq!(ids(&errors_only["datasets"]), expected);

    // Search finds dataset ids; Enter selects the dataset when no model matches.
    browser.click("#filter button[data-min=\"-1\"]");
    browser.type_into("#search", "nc-dialog");
    let searched = state(&browser);
    assert_eq!(searched["listed"], json!([]));
    assert_eq!(searched["dataListed"], json!([dialogues]));
    browser.type_into("#search", "\u{E007}");
    assert_eq!(state(&browser)["selected"].as_str(), Some(dialogues));
    assert_no_console_errors(&browser);
}

#[test]
fn card_text_and_clause_urls_cannot_inject_markup_or_links() {
    let Some((chromium, driver)) = webdriver::programs() else {
        return;
    };
    // A rules folder whose llama2 clause URL carries markup (the rules linter already refuses
    // any but http(s) URLs), and a card whose licence is markup.
    let rules = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("rules"), rules.path());
    let llama = rules.path().join("licenses/llama2.yml");
    let text = std::fs::read_to_string(&llama).unwrap();
    std::fs::write(
        &llama,
        text.replace(
            "https://ai.meta.com/llama/license/",
            "'https://example.org/x\"><img src=x onerror=alert(1)>'",
        ),
    )
    .unwrap();
    let hostile = "</script><img src=x onerror=alert(2)>&lt;b&gt;";
    let fixture = Fixture::new();
    fixture
        .add(model("meta-llama/Llama-2-7b-hf", "license: llama2\n"))
        .add(model(
            "evil/child",
            &format!(
                "license: '{hostile}'\nbase_model: meta-llama/Llama-2-7b-hf\ndatasets:\n- evil/set\n"
            ),
        ))
        // A dataset whose named generator is markup: a node, a list entry and a quote, as text.
        .add_dataset(
            "evil/set",
            "license: mit\ngenerated_by: '<img src=x onerror=alert(3)>'\n",
            "Data.\n",
        )
        .add(model(
            "plain/child",
            "license: mit\nbase_model: meta-llama/Llama-2-7b-hf\n",
        ));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(
        fixture.path(),
        &["meta-llama/Llama-2-7b-hf"],
        "html",
        &page,
        &["--rules", rules.path().to_str().unwrap()],
    );

    let browser = Browser::start(&chromium, &driver, 1200, 800);
    browser.goto(&file_url(&page, "evil/child"));
    let shown = state(&browser);
    let details = shown["details"].as_str().unwrap();
    assert!(
        details.contains("</script><img"),
        "shown as text: {details}"
    );
    browser.goto(&file_url(&page, "plain/child"));
    let shown = state(&browser);
    let details = shown["details"].as_str().unwrap();
    assert!(details.contains("x\"><img src=x"), "{details}");
    // The link goes where the clause says, quotes and all, and opens nothing in the page.
    let links: Vec<String> = serde_json::from_value(shown["links"].clone()).unwrap();
    assert!(
        links.contains(&"https://example.org/x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E".into()),
        "{links:?}"
    );
    browser.goto(&file_url(&page, "datasets/evil/set"));
    let shown = state(&browser);
    assert_eq!(shown["selected"].as_str(), Some("evil/set"));
    let generators = shown["generators"].to_string();
    assert!(
        generators.contains("<img src=x onerror=alert(3)>"),
        "shown as text: {generators}"
    );
    let injected = browser.eval(
        "return document.querySelectorAll('img, iframe, object, embed').length",
        json!([]),
    );
    assert_eq!(injected, json!(0));
    assert_no_console_errors(&browser);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
