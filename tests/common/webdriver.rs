//! Headless Chromium driven through W3C WebDriver: Debian's `chromedriver` (package
//! `chromium-driver`, built from the same source as `chromium`, so their versions always match)
//! spoken to over plain HTTP with the project's own client. WebDriver rather than
//! `--dump-dom`/`--screenshot` because the tests click, type and read the page between steps;
//! rather than a CDP crate because this needs no new dependency and the protocol is a standard.
//! Included with `#[path]` by tests/html.rs and benches/html.rs.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const DRIVER: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn first_file(candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

/// Chromium and chromedriver, or `None` after a one-line reason (in CI, where .ci/run installs
/// both, a missing one fails the test instead).
pub fn programs() -> Option<(PathBuf, PathBuf)> {
    let missing = match (first_file(CHROMIUM), first_file(DRIVER)) {
        (Some(browser), Some(driver)) => return Some((browser, driver)),
        (None, _) => "chromium is not installed (apt-get install chromium chromium-driver)",
        (_, None) => "chromedriver is not installed (apt-get install chromium-driver)",
    };
    if std::env::var_os("CI").is_some() {
        panic!("{missing}: .ci/run installs both");
    }
    eprintln!("skipped: {missing}");
    None
}

/// One browser session; the driver process ends with it.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    session: String,
    driver: Child,
}

impl Browser {
    /// A fresh headless session with a `width`×`height` window.
    pub fn start(browser: &Path, driver: &Path, width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .expect("http client");
        let mut browser_session = Browser {
            runtime,
            http,
            session: String::new(),
            driver: child,
        };
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = browser_session.http.get(format!("{base}/status"));
            let ready = browser_session
                .runtime
                .block_on(async { status.send().await })
                .is_ok();
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--window-size={width},{height}"),
        ];
        let created = browser_session.call(
            reqwest::Method::POST,
            &format!("{base}/session"),
            json!({"capabilities": {"alwaysMatch": {
                "goog:chromeOptions": {"binary": browser, "args": args},
                "goog:loggingPrefs": {"browser": "ALL"},
            }}}),
        );
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"));
        browser_session.session = format!("{base}/session/{id}");
        browser_session
    }

    fn call(&self, method: reqwest::Method, url: &str, body: Value) -> Value {
        let request = self.http.request(method, url);
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        let answer: Value = self.runtime.block_on(async {
            let response = request.send().await.expect("webdriver request");
            response.json().await.expect("webdriver answer")
        });
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if let Some(error) = value.get("error") {
            panic!("webdriver {url}: {error} {}", value["message"]);
        }
        value
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("{}{path}", self.session),
            body,
        )
    }

    /// Opens `url` and waits for its load event.
    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Runs `script`, which calls `arguments[arguments.length - 1](value)` when done.
    pub fn eval_async(&self, script: &str) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": [] }))
    }

    fn element(&self, css: &str) -> String {
        let found = self.post("/element", json!({ "using": "css selector", "value": css }));
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element `{css}`: {found}"))
            .to_string()
    }

    /// A real click (the driver moves the pointer there), on the first element matching `css`.
    pub fn click(&self, css: &str) {
        let element = self.element(css);
        self.post(&format!("/element/{element}/click"), json!({}));
    }

    /// A real click at a point of the window (CSS pixels), as a mouse would.
    pub fn click_at(&self, x: f64, y: f64) {
        let (x, y) = (x.round() as i64, y.round() as i64);
        self.post(
            "/actions",
            json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                "actions": [
                    {"type": "pointerMove", "origin": "viewport", "x": x, "y": y, "duration": 0},
                    {"type": "pointerDown", "button": 0},
                    {"type": "pointerUp", "button": 0},
                ]}]}),
        );
    }

    /// Types `text` into the first element matching `css`.
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        );
    }

    /// What the page wrote to the console at level SEVERE (errors, uncaught exceptions, CSP
    /// refusals) since the last call.
    pub fn console_errors(&self) -> Vec<String> {
        let entries = self.post("/se/log", json!({ "type": "browser" }));
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// A PNG of the window.
    pub fn screenshot(&self, path: &Path) {
        let encoded = self.call(
            reqwest::Method::GET,
            &format!("{}/screenshot", self.session),
            Value::Null,
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 screenshot"))
            .expect("a PNG");
        std::fs::write(path, png).expect("write the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let end = self
                .http
                .delete(&self.session)
                .timeout(Duration::from_secs(20));
            let _ = self.runtime.block_on(async { end.send().await });
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
