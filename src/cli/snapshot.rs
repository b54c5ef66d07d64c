//! `pedigree snapshot`: a mirror converted, families read from the Hub, or the whole Hub.

use super::args::HubArgs;
use super::progress::Bar;
use anyhow::{Context as _, Result, bail};
use pedigree::crawl::{Crawl, Crawled, whole_hub};
use pedigree::progress::Progress;
use pedigree::report::plural;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to write a snapshot of.
pub(crate) enum What {
    Mirror(PathBuf),
    Families(Vec<String>),
    WholeHub,
}

impl What {
    pub(crate) fn of(
        mirror: Option<PathBuf>,
        from_hub: Option<Vec<String>>,
        all: bool,
    ) -> Result<What> {
        Ok(match (mirror, from_hub, all) {
            (Some(dir), None, false) => What::Mirror(dir),
            (None, _, true) => What::WholeHub,
            (None, Some(roots), false) if !roots.is_empty() => What::Families(roots),
            _ => bail!("snapshot: give a mirror directory, --from-hub ROOT..., or --all"),
        })
    }
}

/// Writes `-o FILE` (gzipped when it ends in `.gz`, since a snapshot is mostly card text).
fn write_to<T>(output: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let file = std::fs::File::create(output).with_context(|| format!("{}", output.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let written = if output.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        let written = fill(&mut gz)?;
        gz.finish()?.flush()?;
        written
    } else {
        let written = fill(&mut out)?;
        out.flush()?;
        written
    };
    Ok(written)
}

pub(crate) fn snapshot(
    what: What,
    cards: bool,
    max_depth: usize,
    output: &Path,
    quiet: bool,
    hub: &HubArgs,
) -> Result<u8> {
    let roots = match what {
        What::Mirror(dir) => {
            let written = write_to(output, |out| {
                pedigree::source::write_snapshot(&dir, out).map_err(anyhow::Error::msg)
            })?;
            eprintln!(
                "pedigree: wrote {} models and {} datasets to {}",
                written.models,
                written.datasets,
                output.display()
            );
            return Ok(crate::EXIT_CLEAN);
        }
        What::Families(roots) => Some(roots),
        What::WholeHub => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let _guard = runtime.enter();
    let bar = Bar::for_terminal(quiet).map(Arc::new);
    let client = hub.client(None, bar.clone().map(|b| b as Arc<dyn Progress>))?;
    let progress = bar.as_deref().map(|b| b as &dyn Progress);
    let crawled: Crawled = match roots {
        Some(roots) => {
            let crawl = Crawl {
                source: &client,
                cards,
                max_depth,
                progress,
            };
            let mut crawled = Crawled::default();
            write_to(output, |out| {
                crawled = runtime.block_on(crawl.families(&roots, out))?;
                Ok(crawled.models)
            })?;
            crawled
        }
        None => runtime.block_on(whole_hub(&client, cards, output, progress))?,
    };
    if let Some(bar) = &bar {
        bar.done();
    }
    let requests = client.requests();
    eprintln!(
        "pedigree: wrote {} and {} to {} ({} API and {} file requests)",
        plural(crawled.models, "model"),
        plural(crawled.datasets, "dataset"),
        output.display(),
        requests.api,
        requests.resolvers
    );
    if let Some(first) = crawled.unread.first() {
        eprintln!(
            "error: the snapshot is incomplete: {} could not be read (first: {}: {}); run again",
            plural(crawled.unread.len(), "thing"),
            first.what,
            first.reason
        );
        return Ok(crate::EXIT_ERROR);
    }
    Ok(crate::EXIT_CLEAN)
}
