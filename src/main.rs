//! The `pedigree` command line: parses arguments, wires the library's parts together, and maps
//! the outcome to an exit code. No audit logic lives here.

mod cli;

use anyhow::{Context as _, Result};

/// mimalloc rather than the system allocator: a whole-Hub audit makes hundreds of millions of
/// small allocations, and glibc's malloc spent a quarter of a million-model run on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use cli::args::{AuditOpts, Cli, Command, Format, Notify, SourceArgs, StatsFormat};
use cli::notify::{notify_email, notify_github, notify_hub};
use cli::output::{explain, list_rules, write_report};
use cli::progress::Bar;
use pedigree::audit::{Auditor, Target, today};
use pedigree::config::Config;
use pedigree::findings::RuleDocs;
use pedigree::license::Catalogue;
use pedigree::progress::Progress;
use pedigree::report::{Places, plural, render_markdown};
use pedigree::source::{LocalRepo, Mirror, Snapshot, Source};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The commented configuration `pedigree init` writes: the same file the README points at.
const CONFIG_TEMPLATE: &str = include_str!("../examples/pedigree.yml");

/// No finding at or above `--fail-on`.
pub(crate) const EXIT_CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Usage, configuration or I/O error; or a run that could not read all it needed.
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    // Transparent huge pages off: mimalloc hands freed pages back to the kernel and takes them
    // again as a whole-Hub audit reads, and with THP each page taken back is a 2 MiB page zeroed
    // (a million-model run spent 6-7 s in the kernel with them on, 3 s with them off). A
    // refusal changes nothing but speed.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // Retries are routine and logged at debug: said only when asked (PEDIGREE_LOG=debug).
    let filter = tracing_subscriber::EnvFilter::try_from_env("PEDIGREE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // No colour: every log line is escaped as a whole, so card text quoted in it cannot act.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(cli::log::Stderr)
        .with_ansi(false)
        .init();
    match run(Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // One line: the reason, with its causes.
            let mut line = err.to_string();
            for cause in err.chain().skip(1) {
                line.push_str(&format!(": {cause}"));
            }
            // Errors quote what could not be read, card text included: shown, never acted on.
            eprintln!(
                "error: {}",
                pedigree::report::escape::terminal::text(&line.replace('\n', " "))
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn catalogue(rules: Option<&Path>) -> Result<(Catalogue, RuleDocs)> {
    Ok(match rules {
        Some(dir) => {
            let findings = dir.join("findings.yml");
            let docs = match std::fs::read_to_string(&findings) {
                Ok(text) => RuleDocs::parse(&text, &findings.display().to_string())?,
                Err(_) => RuleDocs::builtin()?,
            };
            (Catalogue::load_dir(dir)?, docs)
        }
        None => (Catalogue::builtin()?, RuleDocs::builtin()?),
    })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Audit { target, opts } => audit(Request::Model(target), opts),
        Command::Family { roots, all, opts } => audit(
            if all {
                Request::All
            } else {
                Request::Family(roots)
            },
            opts,
        ),
        Command::Stats {
            roots,
            all,
            source,
            format,
        } => stats(
            if all {
                Request::All
            } else {
                Request::Family(roots)
            },
            &source,
            format,
        ),
        Command::Snapshot {
            mirror,
            from_hub,
            all,
            no_cards,
            max_depth,
            output,
            quiet,
            hub,
        } => cli::snapshot::snapshot(
            cli::snapshot::What::of(mirror, from_hub, all)?,
            !no_cards,
            max_depth,
            &output,
            quiet,
            &hub,
        ),
        Command::Init { path, force } => {
            if path.exists() && !force {
                anyhow::bail!("{} exists; pass --force to replace it", path.display());
            }
            std::fs::write(&path, CONFIG_TEMPLATE)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("pedigree: wrote {}", path.display());
            Ok(EXIT_CLEAN)
        }
        Command::Rules {
            licenses,
            format,
            rules,
        } => {
            let (catalogue, docs) = catalogue(rules.as_deref())?;
            list_rules(&catalogue, &docs, licenses, format)?;
            Ok(EXIT_CLEAN)
        }
        Command::Explain { id, rules } => {
            let (catalogue, docs) = catalogue(rules.as_deref())?;
            explain(&catalogue, &docs, &id)?;
            Ok(EXIT_CLEAN)
        }
    }
}

/// What the user asked for, before it is known whether a target is a local directory.
enum Request {
    Model(String),
    Family(Vec<String>),
    All,
}

/// Everything a run reads from: the rules, the models (a mirror, the Hub, or a local repo in
/// front of either), and the configuration.
struct Opened {
    catalogue: Catalogue,
    docs: RuleDocs,
    config: Config,
    source: Arc<dyn Source>,
    target: Target,
    /// The local repo's id and directory, when `audit` was given a directory.
    local: Option<(String, PathBuf)>,
    runtime: tokio::runtime::Runtime,
}

impl Opened {
    fn auditor<'a>(
        &'a self,
        max_depth: usize,
        max_family: usize,
        card_memory_mib: usize,
        progress: Option<&'a Bar>,
    ) -> Auditor<'a> {
        Auditor {
            progress: progress.map(|b| b as &dyn Progress),
            source: self.source.as_ref(),
            catalogue: &self.catalogue,
            docs: &self.docs,
            config: &self.config,
            max_depth,
            max_family,
            today: today(),
            body_budget: card_memory_mib.saturating_mul(1024 * 1024),
            datasets: true,
        }
    }
}

fn open(request: Request, args: &SourceArgs, bar: Option<&Arc<Bar>>) -> Result<Opened> {
    if let Some(jobs) = args.jobs {
        // Set once per process; a second call (never made here) would be refused, not fatal.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }
    let (catalogue, docs) = catalogue(args.rules.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    // Models come from a mirror when one is given, else from the Hub. The client is built inside
    // the runtime, whose clock the deadline is measured on.
    let models: Arc<dyn Source> = match (&args.mirror, &args.snapshot) {
        (Some(dir), _) => Arc::new(Mirror::open(dir).map_err(anyhow::Error::msg)?),
        (None, Some(file)) => {
            // Lines that are not models are said (with their line) when the snapshot is read.
            let snapshot = Snapshot::open_limited(file, args.max_snapshot_bytes)
                .map_err(anyhow::Error::msg)?;
            Arc::new(snapshot)
        }
        (None, None) => {
            let _guard = runtime.enter();
            let pinned = match &request {
                Request::Model(id) => Some(id.as_str()),
                _ => None,
            };
            let progress = bar.map(|b| b.clone() as Arc<dyn Progress>);
            Arc::new(args.hub.client(pinned, progress)?)
        }
    };
    // An `audit` argument naming an existing directory is a local repo (pre-publish check).
    let mut local = None;
    let (source, target, config_dir): (Arc<dyn Source>, Target, PathBuf) = match request {
        Request::Model(t) if Path::new(&t).is_dir() => {
            let repo = LocalRepo::open(Path::new(&t), Some(models)).map_err(anyhow::Error::msg)?;
            let id = repo.id().to_string();
            local = Some((id.clone(), PathBuf::from(&t)));
            (Arc::new(repo), Target::Model(id), PathBuf::from(&t))
        }
        Request::Model(id) => (models, Target::Model(id), PathBuf::from(".")),
        Request::Family(roots) => (models, Target::Family(roots), PathBuf::from(".")),
        Request::All => (models, Target::All, PathBuf::from(".")),
    };
    let config = Config::discover(args.config.as_deref(), &config_dir, &catalogue)?;
    Ok(Opened {
        catalogue,
        docs,
        config,
        source,
        target,
        local,
        runtime,
    })
}

fn stats(request: Request, args: &SourceArgs, format: StatsFormat) -> Result<u8> {
    let bar = Bar::for_terminal(args.quiet).map(Arc::new);
    let opened = open(request, args, bar.as_ref())?;
    let mut auditor = opened.auditor(
        args.max_depth,
        args.max_family,
        args.card_memory,
        bar.as_deref(),
    );
    // Similarity figures compare every parent and child: every card is kept.
    auditor.body_budget = usize::MAX;
    auditor.datasets = !args.no_datasets;
    let walked = opened.runtime.block_on(auditor.walk(&opened.target))?;
    if let Some(bar) = &bar {
        bar.done();
    }
    if let Some(first) = walked.incomplete.first() {
        anyhow::bail!(
            "{} could not be read from the Hub (first: {}: {}); the statistics would be wrong, so none are printed",
            plural(walked.incomplete.len(), "thing"),
            first.what,
            first.reason
        );
    }
    let stats = pedigree::stats::compute(&walked.lineage, &walked.audited, &opened.catalogue);
    let mut out = std::io::stdout().lock();
    match format {
        StatsFormat::Human => pedigree::stats::render_human(&stats, &mut out)?,
        StatsFormat::Json => {
            pedigree::report::escape::json::to_writer_pretty(&mut out, &stats)?;
            writeln!(out)?;
        }
        StatsFormat::Csv => pedigree::stats::render_csv(&stats, &mut out)?,
    }
    Ok(EXIT_CLEAN)
}

fn audit(request: Request, opts: AuditOpts) -> Result<u8> {
    let bar = Bar::for_terminal(opts.source.quiet).map(Arc::new);
    let mut opened = open(request, &opts.source, bar.as_ref())?;
    pedigree::findings::apply_selection(
        &mut opened.config.overrides.severity,
        &opts.select,
        &opts.ignore,
    )?;
    if opts.statistics && !matches!(opts.format, Format::Human | Format::Json) {
        anyhow::bail!("--statistics prints --format human or json");
    }
    let mut auditor = opened.auditor(
        opts.source.max_depth,
        opts.source.max_family,
        opts.source.card_memory,
        bar.as_deref(),
    );
    auditor.datasets = !opts.source.no_datasets;
    let Opened {
        docs,
        config,
        target,
        local,
        runtime,
        ..
    } = &opened;
    pedigree::progress::phases_begin();
    let mut report = runtime.block_on(auditor.run(target))?;
    pedigree::progress::phase_done("audited");
    if let Some(bar) = &bar {
        bar.done();
    }
    let workspace = match &opts.workspace {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("the current directory")?,
    };
    report.places = Places::new(
        &workspace,
        local.as_ref().map(|(id, dir)| (id.as_str(), dir.as_path())),
        opts.source.mirror.as_deref(),
        &opts.source.hub.endpoint,
    );
    if opts.statistics {
        cli::output::write_statistics(&report, docs, opts.format, opts.output.as_deref())?;
    } else {
        write_report(&report, docs, opts.format, opts.output.as_deref())?;
    }
    for (format, file) in &opts.also {
        write_report(&report, docs, *format, Some(file))?;
    }
    pedigree::progress::phase_done("report written");
    // Step outputs for GitHub Actions: counts a workflow can branch on.
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT") {
        let s = &report.summary;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("GITHUB_OUTPUT {}", PathBuf::from(&path).display()))?;
        writeln!(
            file,
            "errors={}\nwarnings={}\nnotes={}\nmodels={}",
            s.errors, s.warnings, s.notes, s.models
        )?;
    }
    if opts.format == Format::Github
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        // The job summary is appended to, as every step of a job shares the file.
        let path = PathBuf::from(summary);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("GITHUB_STEP_SUMMARY {}", path.display()))?;
        render_markdown(&report, &mut file)?;
    }
    // Fail closed: a finding that could not be seen is not a clean result. The report and the
    // outputs above stand (the report says what was not read); notifications would tell people
    // a partial truth (an email digest would call findings resolved that were only unread), so
    // none are sent.
    if let Some(first) = report.incomplete.first()
        && !opts.allow_incomplete
    {
        eprintln!(
            "error: the run is incomplete: {} could not be read (first: {}: {}); the report was written, nothing was notified; run again, or pass --allow-incomplete",
            plural(report.incomplete.len(), "thing"),
            first.what,
            first.reason.replace('\n', " ")
        );
        return Ok(EXIT_ERROR);
    }
    // Delivery comes last: the outputs, the summary and the reports above are written even
    // when a notifier cannot deliver.
    for notify in &opts.notify.notify {
        match notify {
            Notify::Github => notify_github(runtime, &report, target, &opts.notify)?,
            Notify::Hub => notify_hub(
                runtime,
                &report,
                docs,
                &opts,
                local.as_ref().map(|(id, _)| id.as_str()),
            )?,
            Notify::Email => notify_email(&report, config, opts.notify.baseline.as_deref())?,
        }
    }
    let failed = opts
        .fail_on
        .threshold()
        .is_some_and(|t| report.worst().is_some_and(|w| w >= t));
    // The process ends here: freeing a whole-snapshot report (millions of strings) one by one
    // would take seconds that exit takes back at once.
    std::mem::forget(report);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}
