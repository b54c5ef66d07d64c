//! `cargo bench --bench html`: the family report at scale. Renders `--format html` for a
//! synthetic family of 10,000 models (one root, the shapes of benches/support/synth.rs) and for
//! the Llama 2 and SD 2.1 families of the shared crawl (when it is there), and prints each file's
//! size and, in headless Chromium (skipped without it), the medians of: the page's script done
//! drawing and the first frame after it (both from navigation start), a severity-filter
//! relayout, a zoom step, and selecting a model by deep link, each until the next frame. `PEDIGREE_HTML_SIZES=10000,20000` picks the sizes;
//! `PEDIGREE_HTML_KEEP=DIR` keeps the pages (and a 10,000-model snapshot) there.

#[path = "support/mod.rs"]
mod support;
#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;
#[path = "../tests/common/webdriver.rs"]
mod webdriver;

use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 5;

/// Renders the report; returns the seconds pedigree took.
fn render(source: &[&str], root: &str, out: &Path) -> f64 {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_pedigree"))
        .arg("family")
        .arg(root)
        .args(source)
        .args(["--format", "html", "--fail-on", "never", "-q", "-o"])
        .arg(out)
        .status()
        .expect("run pedigree");
    assert!(status.success(), "pedigree failed on {root}");
    start.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Milliseconds from `action` (a script statement) to the frame after it.
const UNTIL_NEXT_FRAME: &str = r#"
    const done = arguments[arguments.length - 1];
    const start = performance.now();
    ACTION;
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));
"#;

fn timed(browser: &webdriver::Browser, action: &str) -> f64 {
    browser
        .eval_async(&UNTIL_NEXT_FRAME.replace("ACTION", action))
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// Loads the page `RUNS` times in one browser and prints a table row of medians.
fn measure_in_chromium(name: &str, page: &Path, select: &str) {
    let Some((chromium, driver)) = webdriver::programs() else {
        return;
    };
    let browser = webdriver::Browser::start(&chromium, &driver, 1920, 1080);
    let url = format!("file://{}", page.display());
    let (mut drawn, mut paint, mut filter, mut all, mut zoom, mut pick) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut facts = serde_json::Value::Null;
    for _ in 0..RUNS {
        browser.goto("about:blank");
        browser.goto(&url);
        let loaded = browser.eval(
            r##"return {
              drawn: performance.getEntriesByName("pedigree:drawn")[0].startTime,
              paint: (performance.getEntriesByName("pedigree:painted")[0] || {}).startTime,
              tiles: document.querySelectorAll("#outline li").length,
              elements: document.getElementsByTagName("*").length,
              heap: performance.memory ? performance.memory.usedJSHeapSize : null,
              zoom: document.getElementById("drawing").getAttribute("data-view"),
            }"##,
            json!([]),
        );
        drawn.push(loaded["drawn"].as_f64().unwrap_or(f64::NAN));
        paint.push(loaded["paint"].as_f64().unwrap_or(f64::NAN));
        facts = loaded;
        filter.push(timed(
            &browser,
            r#"document.querySelector('#filter [data-min="2"]').click()"#,
        ));
        all.push(timed(
            &browser,
            r#"document.querySelector('#filter [data-min="-1"]').click()"#,
        ));
        zoom.push(timed(
            &browser,
            r#"document.getElementById("drawing").dispatchEvent(new WheelEvent("wheel", { deltaY: -120, clientX: 600, clientY: 400, bubbles: true, cancelable: true }))"#,
        ));
        pick.push(timed(
            &browser,
            &format!(
                "location.hash = {}",
                serde_json::to_string(&format!("#{}", select.replace('/', "%2F"))).unwrap()
            ),
        ));
    }
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
    println!(
        "| {name} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} |",
        facts["tiles"],
        facts["elements"],
        median(drawn),
        median(paint),
        median(filter),
        median(all),
        median(zoom),
        median(pick),
        facts["heap"].as_f64().unwrap_or(f64::NAN) / 1e6,
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PEDIGREE_HTML_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pages = Vec::new();
    println!("| family | models | file KB | pedigree s |");
    println!("|---|---:|---:|---:|");
    for n in sizes {
        let snapshot = dir.path().join(format!("family-{n}.jsonl"));
        {
            let mut out = BufWriter::new(std::fs::File::create(&snapshot).unwrap());
            synth::write_with_roots(&mut out, n, 1, 42).unwrap();
            out.flush().unwrap();
        }
        let page = dir.path().join(format!("family-{n}.html"));
        let snapshot_arg = snapshot.to_str().unwrap();
        let seconds = render(&["--snapshot", snapshot_arg], "org0/model-0", &page);
        let kb = std::fs::metadata(&page).unwrap().len() as f64 / 1024.0;
        println!("| synthetic | {n} | {kb:.0} | {seconds:.2} |");
        pages.push((format!("synthetic {n}"), page, "org0/model-7".to_string()));
    }
    if let Some(mirror) = support::mirror_dir() {
        let mirror_arg = mirror.to_str().unwrap();
        for (name, root, select) in [
            (
                "Llama 2",
                "meta-llama/Llama-2-7b-chat-hf",
                "MVRL/Eco-Llama-7b",
            ),
            (
                "SD 2.1",
                "stabilityai/stable-diffusion-2-1",
                "deharo5/BlackW",
            ),
        ] {
            let page = dir.path().join(format!("{}.html", name.replace(' ', "-")));
            let seconds = render(&["--mirror", mirror_arg], root, &page);
            let kb = std::fs::metadata(&page).unwrap().len() as f64 / 1024.0;
            println!("| {name} | | {kb:.0} | {seconds:.2} |");
            pages.push((name.to_string(), page, select.to_string()));
        }
    }
    // PEDIGREE_HTML_KEEP=DIR keeps the pages there, for experiments.
    if let Some(keep) = std::env::var_os("PEDIGREE_HTML_KEEP") {
        for (_, page, _) in &pages {
            let _ = std::fs::copy(page, Path::new(&keep).join(page.file_name().unwrap()));
        }
        let _ = std::fs::copy(
            dir.path().join("family-10000.jsonl"),
            Path::new(&keep).join("family-10000.jsonl"),
        );
    }
    println!();
    println!("Chromium, 1920×1080, medians of {RUNS} loads (ms; heap in MB, after the last load):");
    println!(
        "| family | tiles | DOM elements | script drawn | first frame | filter: errors | filter: all | zoom step | deep link | JS heap |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, page, select) in &pages {
        measure_in_chromium(name, page, select);
    }
}
