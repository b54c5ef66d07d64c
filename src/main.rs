//! The `pedigree` command line: parses arguments, wires the library's parts together, and maps
//! the outcome to an exit code. No audit logic lives here.

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use pedigree::audit::{Auditor, DEFAULT_MAX_DEPTH, Target, today};
use pedigree::config::Config;
use pedigree::findings::baseline::Baseline;
use pedigree::findings::{Rule, RuleDocs, Severity};
use pedigree::license::Catalogue;
use pedigree::notify::Posted;
use pedigree::notify::email::send_digest;
use pedigree::notify::github::{GithubNotifier, pull_request_from_env};
use pedigree::notify::hub::{HubDiscussions, HubPostError, Plan};
use pedigree::report::{
    Report, render_digest, render_discussion, render_github, render_human, render_json,
    render_markdown, render_sarif,
};
use pedigree::source::hub::{self, HubClient, HubOptions};
use pedigree::source::{LocalRepo, Mirror, Source, valid_model_id};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// No finding at or above `--fail-on`.
const EXIT_CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Usage, configuration or I/O error.
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "pedigree",
    version,
    about = "Licence-compliance auditor for models on the Hugging Face Hub"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit one model (a Hub id, or a local model directory) against all of its ancestors.
    Audit {
        /// `owner/name`, or a directory holding a model repo (README.md and files).
        target: String,
        #[command(flatten)]
        opts: AuditOpts,
    },
    /// Audit every descendant of the ROOTs, each against all of its ancestors.
    Family {
        /// The families' root models, `owner/name`.
        #[arg(required_unless_present = "all")]
        roots: Vec<String>,
        /// Audit every model the mirror holds instead.
        #[arg(long, conflicts_with = "roots")]
        all: bool,
        #[command(flatten)]
        opts: AuditOpts,
    },
    /// List the rules Pedigree reports (or, with --licenses, the licence catalogue).
    Rules {
        #[arg(long)]
        licenses: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Explain a rule (e.g. `license-drift`) or a licence (e.g. `llama2`).
    Explain {
        id: String,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
}

#[derive(Args)]
struct AuditOpts {
    /// A Hub mirror directory to read models from (format: HUB-MIRROR.md).
    #[arg(long, value_name = "DIR", env = "PEDIGREE_MIRROR")]
    mirror: Option<PathBuf>,
    /// A rules directory replacing the built-in one (same layout as the project's `rules/`).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the same report in another format to a file (repeatable), e.g.
    /// `--also json=report.json --also sarif=pedigree.sarif`.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_also)]
    also: Vec<(Format, PathBuf)>,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// A `.pedigree.yml` (default: the one in the audited directory, else the current one).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// How many generations above a model to walk at most.
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
    max_depth: usize,
    #[command(flatten)]
    hub: HubArgs,
    #[command(flatten)]
    notify: NotifyArgs,
}

/// Delivering the report to people.
#[derive(Args)]
struct NotifyArgs {
    /// Deliver the report: `github` keeps a sticky comment on the pull request (or, for
    /// `family`, one tracking issue per run's families) up to date. Needs GITHUB_TOKEN.
    #[arg(long, value_enum, value_name = "WHERE")]
    notify: Vec<Notify>,
    /// The pull request to comment on (default: the one the GitHub Actions event is about).
    #[arg(long, value_name = "NUMBER")]
    pr: Option<u64>,
    /// The GitHub repository, `owner/name`.
    #[arg(long, value_name = "OWNER/NAME", env = "GITHUB_REPOSITORY")]
    github_repository: Option<String>,
    /// The GitHub REST API root.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    github_api: String,
    /// The findings of the last run, for `--notify email`: read, compared, and replaced after a
    /// successful send (a failed send leaves it as it was).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Really post Hub discussions (without it, `--notify hub` prints what it would post).
    #[arg(long)]
    post: bool,
    /// Seconds between two posts to the Hub, at least.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    post_interval: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Notify {
    /// A sticky pull-request comment, or a family's tracking issue.
    Github,
    /// A discussion on each Hub model with error findings (a dry run without --post).
    Hub,
    /// An email digest of what is new, resolved and still open since `--baseline`.
    Email,
}

/// Reading from the Hub (used when no --mirror is given).
#[derive(Args)]
struct HubArgs {
    /// The Hub's base URL.
    #[arg(long, value_name = "URL", env = "HF_ENDPOINT", default_value = hub::DEFAULT_ENDPOINT)]
    endpoint: String,
    /// A file holding the Hub token (default: HF_TOKEN, else ~/.cache/huggingface/token).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Hub requests in flight at most.
    #[arg(long, default_value_t = hub::DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Seconds the whole run may take; requests after that fail and the audit reports what it has.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    timeout: u64,
    /// Seconds one request may take, retries included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    request_timeout: u64,
    /// The HTTP cache directory (default: the platform cache directory).
    #[arg(long, value_name = "DIR", env = "PEDIGREE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Do not read or write the HTTP cache.
    #[arg(long)]
    no_cache: bool,
    /// Audit the named model at this revision (branch, tag or commit) instead of `main`.
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
}

impl HubArgs {
    /// `pinned`: the model `--revision` applies to.
    fn client(&self, pinned: Option<&str>) -> Result<HubClient> {
        let token = hub::discover_token(self.token_file.as_deref()).map_err(anyhow::Error::msg)?;
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(hub::default_cache_dir)
        };
        let options = HubOptions {
            token,
            concurrency: self.concurrency,
            deadline: Some(
                tokio::time::Instant::now() + std::time::Duration::from_secs(self.timeout),
            ),
            cache_dir,
            request_timeout: std::time::Duration::from_secs(self.request_timeout.max(1)),
            revisions: match (pinned, &self.revision) {
                (Some(id), Some(rev)) => [(id.to_string(), rev.clone())].into(),
                _ => Default::default(),
            },
            ..HubOptions::new(self.endpoint.clone())
        };
        HubClient::new(options).map_err(anyhow::Error::msg)
    }
}

fn parse_also(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = text
        .split_once('=')
        .ok_or("expected FORMAT=FILE, e.g. sarif=pedigree.sarif")?;
    let format =
        Format::from_str(format, true).map_err(|_| format!("unknown format `{format}`"))?;
    if file.is_empty() {
        return Err("the file name is empty".into());
    }
    Ok((format, PathBuf::from(file)))
}

/// How `rules` lists.
#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    /// GitHub Actions annotations (and a job summary when GITHUB_STEP_SUMMARY is set).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// The Markdown report a summary or comment shows.
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PEDIGREE_LOG")
        // Retries are routine; say them only when asked (PEDIGREE_LOG=debug).
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,reqwest_retry=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // One line: the reason, with its causes.
            let mut line = err.to_string();
            for cause in err.chain().skip(1) {
                line.push_str(&format!(": {cause}"));
            }
            eprintln!("error: {}", line.replace('\n', " "));
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

fn audit(request: Request, opts: AuditOpts) -> Result<u8> {
    let (catalogue, docs) = catalogue(opts.rules.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    // Models come from a mirror when one is given, else from the Hub. The client is built inside
    // the runtime, whose clock the deadline is measured on.
    let models: Arc<dyn Source> = match &opts.mirror {
        Some(dir) => Arc::new(Mirror::open(dir).map_err(anyhow::Error::msg)?),
        None => {
            let _guard = runtime.enter();
            let pinned = match &request {
                Request::Model(id) => Some(id.as_str()),
                _ => None,
            };
            Arc::new(opts.hub.client(pinned)?)
        }
    };
    // An `audit` argument naming an existing directory is a local repo (pre-publish check).
    let local = match &request {
        Request::Model(t) if Path::new(t).is_dir() => Some(t.trim_end_matches('/').to_string()),
        _ => None,
    };
    let (source, target, config_dir): (Arc<dyn Source>, Target, PathBuf) = match request {
        Request::Model(t) if Path::new(&t).is_dir() => {
            let repo = LocalRepo::open(Path::new(&t), Some(models)).map_err(anyhow::Error::msg)?;
            let id = repo.id().to_string();
            (Arc::new(repo), Target::Model(id), PathBuf::from(&t))
        }
        Request::Model(id) => (models, Target::Model(id), PathBuf::from(".")),
        Request::Family(roots) => (models, Target::Family(roots), PathBuf::from(".")),
        Request::All => (models, Target::All, PathBuf::from(".")),
    };
    let config = Config::discover(opts.config.as_deref(), &config_dir, &catalogue)?;
    let auditor = Auditor {
        source: source.as_ref(),
        catalogue: &catalogue,
        docs: &docs,
        config: &config,
        max_depth: opts.max_depth,
        today: today(),
    };
    let report = runtime.block_on(auditor.run(&target))?;
    write_report(&report, &docs, opts.format, opts.output.as_deref())?;
    for (format, file) in &opts.also {
        write_report(&report, &docs, *format, Some(file))?;
    }
    for notify in &opts.notify.notify {
        match notify {
            Notify::Github => notify_github(&runtime, &report, &target, &opts.notify)?,
            Notify::Hub => notify_hub(&runtime, &report, &docs, &opts, local.as_deref())?,
            Notify::Email => notify_email(&report, &config, opts.notify.baseline.as_deref())?,
        }
    }
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
    let failed = opts
        .fail_on
        .threshold()
        .is_some_and(|t| report.worst().is_some_and(|w| w >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// The Markdown report, as a sticky pull-request comment or a family's tracking issue.
fn notify_github(
    runtime: &tokio::runtime::Runtime,
    report: &Report,
    target: &Target,
    args: &NotifyArgs,
) -> Result<()> {
    let token = std::env::var("GITHUB_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .context("--notify github needs GITHUB_TOKEN")?;
    let repository = args
        .github_repository
        .as_deref()
        .context("--notify github needs GITHUB_REPOSITORY (owner/name)")?;
    let mut body = Vec::new();
    render_markdown(report, &mut body)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let _guard = runtime.enter();
    let github = GithubNotifier::new(&args.github_api, &token, repository)?;
    let (place, posted) = match target {
        Target::Family(roots) => {
            let family = roots.join(", ");
            let title = format!("License compliance: {family}");
            (
                format!("tracking issue for {family}"),
                runtime.block_on(github.tracking_issue(&family, &title, &body))?,
            )
        }
        _ => {
            let pr = args.pr.or_else(pull_request_from_env).context(
                "--notify github outside a pull request: pass --pr NUMBER (or run `family` for a tracking issue)",
            )?;
            (
                format!("comment on pull request #{pr}"),
                runtime.block_on(github.sticky_comment(pr, &body))?,
            )
        }
    };
    let what = match posted {
        Posted::Created => "created",
        Posted::Updated => "updated",
        Posted::Unchanged => "unchanged, nothing posted",
    };
    eprintln!("pedigree: GitHub {place}: {what}");
    Ok(())
}

/// A Hub discussion on every audited Hub model with error findings: opened once, commented on
/// when its findings change, left alone otherwise. A dry run unless `--post`.
fn notify_hub(
    runtime: &tokio::runtime::Runtime,
    report: &Report,
    docs: &RuleDocs,
    opts: &AuditOpts,
    local: Option<&str>,
) -> Result<()> {
    let args = &opts.notify;
    let token = hub::discover_token(opts.hub.token_file.as_deref()).map_err(anyhow::Error::msg)?;
    if args.post && token.is_none() {
        bail!(
            "--notify hub --post needs a Hub token (HF_TOKEN, --token-file or ~/.cache/huggingface/token)"
        );
    }
    let interval = std::time::Duration::from_secs_f64(args.post_interval.max(0.0));
    let _guard = runtime.enter();
    let hub = HubDiscussions::new(&opts.hub.endpoint, token.as_ref(), interval)?;
    let mut failed = 0;
    let audited = report
        .models
        .iter()
        .filter(|m| m.role == pedigree::report::Role::Audited);
    for model in audited.filter(|m| Some(m.id.as_str()) != local && valid_model_id(&m.id)) {
        let Some((title, body)) = render_discussion(report, docs, &model.id) else {
            continue;
        };
        let fingerprints: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.model == model.id && f.severity == Severity::Error)
            .map(|f| f.fingerprint.clone())
            .collect();
        let outcome = runtime.block_on(async {
            let plan = hub.plan(&model.id, &fingerprints).await?;
            if !args.post {
                return Ok::<_, HubPostError>((plan, None));
            }
            let posted = hub
                .post(&model.id, &plan, &title, &body, &fingerprints)
                .await?;
            Ok((plan, Some(posted)))
        });
        match outcome {
            Ok((Plan::Nothing, _)) => eprintln!(
                "pedigree: {}: the Hub discussion already reports these findings; nothing to post",
                model.id
            ),
            Ok((plan, None)) => {
                let what = match plan {
                    Plan::Comment(num) => format!("comment on discussion #{num}"),
                    _ => format!("open a discussion \"{title}\""),
                };
                eprintln!(
                    "pedigree: dry run: would {what} on {} (post with --post):\n{}\n",
                    model.id,
                    indent(&body)
                );
            }
            Ok((_, Some(posted))) => {
                let what = match posted {
                    Posted::Created => "opened a discussion",
                    Posted::Updated => "commented on its discussion",
                    Posted::Unchanged => "nothing new",
                };
                eprintln!("pedigree: {}: {what}", model.id);
            }
            Err(e) => {
                failed += 1;
                eprintln!("pedigree: {}: {e}", model.id);
            }
        }
    }
    if failed > 0 {
        bail!("{failed} Hub discussion(s) could not be read or posted; the others were");
    }
    Ok(())
}

/// The digest of what changed since the baseline; nothing is sent when nothing changed, and the
/// baseline moves on only once the message is accepted.
fn notify_email(report: &Report, config: &Config, baseline: Option<&Path>) -> Result<()> {
    let before = match baseline {
        Some(path) => Baseline::load(path)?,
        None => Baseline::default(),
    };
    let changes = before.compare(&report.findings);
    if baseline.is_some() && !changes.is_news() {
        eprintln!("pedigree: nothing new or resolved since the baseline; no email sent");
        return Ok(());
    }
    let settings = config
        .email
        .settings()
        .map_err(|e| anyhow::anyhow!("--notify email: {e}"))?;
    send_digest(&settings, &render_digest(report, &changes))?;
    eprintln!(
        "pedigree: email digest sent to {} recipient(s)",
        settings.to.len()
    );
    if let Some(path) = baseline {
        Baseline::of(&report.findings).save(path)?;
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_report(
    report: &Report,
    docs: &RuleDocs,
    format: Format,
    output: Option<&Path>,
) -> Result<()> {
    let render = |out: &mut dyn Write, color: bool| -> std::io::Result<()> {
        match format {
            Format::Human => render_human(report, out, color),
            Format::Json => render_json(report, out),
            Format::Github => render_github(report, out),
            Format::Sarif => render_sarif(report, docs, out),
            Format::Markdown => render_markdown(report, out),
        }?;
        out.flush()
    };
    if let Some(path) = output {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--output {}", path.display()))?,
        );
        render(&mut file, false).with_context(|| format!("--output {}", path.display()))?;
        return Ok(());
    }
    let stdout = std::io::stdout();
    let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    match render(&mut stdout.lock(), color) {
        // The reader went away (`pedigree ... | head`): nothing left to say to it.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn list_rules(
    catalogue: &Catalogue,
    docs: &RuleDocs,
    licenses: bool,
    format: ListFormat,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match (licenses, format) {
        (false, ListFormat::Human) => {
            for doc in docs.iter() {
                writeln!(
                    out,
                    "{:<22} {:<8} {}",
                    doc.id,
                    doc.severity.as_str(),
                    doc.summary
                )?;
            }
        }
        (false, ListFormat::Json) => {
            serde_json::to_writer_pretty(&mut out, &docs.iter().collect::<Vec<_>>())?;
            writeln!(out)?;
        }
        (true, ListFormat::Human) => {
            for (_, e) in catalogue.iter() {
                writeln!(out, "{:<38} {:<14} {}", e.id, e.class.as_str(), e.name)?;
            }
        }
        (true, ListFormat::Json) => {
            let list: Vec<_> = catalogue
                .iter()
                .map(|(_, e)| serde_json::json!({"id": e.id, "spdx": e.spdx, "name": e.name, "class": e.class.as_str(), "url": e.url}))
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn explain(catalogue: &Catalogue, docs: &RuleDocs, id: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if let Some(rule) = Rule::from_id(id) {
        let doc = docs.get(rule);
        writeln!(
            out,
            "{} ({} by default)\n\n{}\n\n{}\nSource: {}",
            doc.id,
            doc.severity,
            doc.summary,
            doc.explain.trim_end(),
            doc.source
        )?;
        return Ok(());
    }
    if let Some(lid) = catalogue.by_name(id) {
        let e = catalogue.get(lid);
        writeln!(
            out,
            "{} — {}\nSPDX: {}\nclass: {}\ntext: {}",
            e.id, e.name, e.spdx, e.class, e.url
        )?;
        if !e.commercial_use {
            writeln!(out, "commercial use: not allowed")?;
        }
        if let Some(set) = &e.use_restrictions {
            writeln!(out, "use restrictions: {set}")?;
        }
        writeln!(out, "\nWhat it asks of derivatives:")?;
        if e.obligations.is_empty() {
            writeln!(out, "  nothing")?;
        }
        for ob in &e.obligations {
            writeln!(
                out,
                "  - {} [{}, {}]",
                ob.summary.trim(),
                ob.clause.section,
                ob.clause.url
            )?;
        }
        return Ok(());
    }
    bail!(
        "`{id}` is neither a rule nor a licence id (see `pedigree rules` and `pedigree rules --licenses`)"
    )
}
