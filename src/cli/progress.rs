//! The progress bar of long runs: drawn on stderr when it is a terminal, never in CI or with
//! `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pedigree::progress::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

pub(crate) struct Bar {
    bar: ProgressBar,
    /// The stage's name, shown again when a wait is over.
    stage: Mutex<String>,
}

impl Bar {
    /// A bar, or `None` where one would only be noise.
    pub(crate) fn for_terminal(quiet: bool) -> Option<Bar> {
        if quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Some(Bar {
            bar,
            stage: Mutex::new(String::new()),
        })
    }

    /// Clears the bar (before the report is printed).
    pub(crate) fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        let style = match total {
            Some(total) => {
                self.bar.set_length(total);
                ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({elapsed})")
            }
            None => {
                self.bar.unset_length();
                ProgressStyle::with_template("{msg:>14} {spinner} {pos} ({elapsed})")
            }
        };
        if let Ok(style) = style {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_position(0);
        self.bar.set_message(name.to_string());
        *self.stage.lock().unwrap_or_else(|e| e.into_inner()) = name.to_string();
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn waiting(&self, why: Option<(&str, Duration)>) {
        let stage = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        match why {
            Some((why, left)) => self.bar.set_message(format!(
                "{stage} (held by the {why}: {} s)",
                left.as_secs().max(1)
            )),
            None => self.bar.set_message(stage.clone()),
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
