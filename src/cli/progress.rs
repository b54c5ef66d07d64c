//! The progress bar of long runs: drawn on stderr when it is a terminal, never in CI or with
//! `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pedigree::progress::Progress;
use std::io::IsTerminal;

pub(crate) struct Bar(ProgressBar);

impl Bar {
    /// A bar, or `None` where one would only be noise.
    pub(crate) fn for_terminal(quiet: bool) -> Option<Bar> {
        if quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Some(Bar(bar))
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        let style = match total {
            Some(total) => {
                self.0.set_length(total);
                ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({elapsed})")
            }
            None => {
                self.0.unset_length();
                ProgressStyle::with_template("{msg:>14} {spinner} {pos} ({elapsed})")
            }
        };
        if let Ok(style) = style {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_position(0);
        self.0.set_message(name.to_string());
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
