//! The command line's shape: subcommands and options (clap derive).

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use pedigree::audit::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_FAMILY};
use pedigree::findings::Severity;
use pedigree::progress::Progress;
use pedigree::source::hub::{self, HubClient, HubOptions};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pedigree",
    version,
    about = "Licence-compliance auditor for models on the Hugging Face Hub",
    // An option given twice takes the last value, so flags added after others (the Action's
    // `args`) override them instead of being refused.
    args_override_self = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Family statistics: licence transitions, drift, card similarity, card length by depth.
    Stats {
        /// The families' root models, `owner/name`.
        #[arg(required_unless_present = "all")]
        roots: Vec<String>,
        /// Every model the mirror holds, by family.
        #[arg(long, conflicts_with = "roots")]
        all: bool,
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long, value_enum, default_value_t = StatsFormat::Human)]
        format: StatsFormat,
    },
    /// Write a snapshot file (JSON Lines, one model per line; gzipped as FILE.jsonl.gz): of a Hub
    /// mirror, of families read from the Hub (--from-hub ROOT...), or of the whole Hub (--all).
    Snapshot {
        /// The mirror directory to convert.
        #[arg(required_unless_present_any = ["from_hub", "all"], conflicts_with_all = ["from_hub", "all"])]
        mirror: Option<PathBuf>,
        /// Read these families (each root, its descendants and their ancestors) from the Hub.
        #[arg(long, value_name = "ROOT", num_args = 0..)]
        from_hub: Option<Vec<String>>,
        /// Read every model on the Hub through its listing (alone or with --from-hub); an
        /// interrupted run resumes from its last page when started again with the same FILE.
        #[arg(long)]
        all: bool,
        /// Models' info only (the card data the listing holds), no cards or licence files.
        #[arg(long)]
        no_cards: bool,
        /// Generations above the roots read (--from-hub).
        #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
        max_depth: usize,
        /// The snapshot to write.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
        /// No progress bar.
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Write a commented `.pedigree.yml` with every key at its default.
    Init {
        /// Where to write it.
        #[arg(default_value = ".pedigree.yml")]
        path: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
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
pub(crate) struct AuditOpts {
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Also write the same report in another format to a file (repeatable), e.g.
    /// `--also json=report.json --also sarif=pedigree.sarif`.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_also)]
    pub(crate) also: Vec<(Format, PathBuf)>,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub(crate) fail_on: FailOn,
    /// Report only these rules: ids or globs, comma-separated or repeated (`--select
    /// 'license-*',naming-obligation`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub(crate) select: Vec<String>,
    /// Never report these rules (ids or globs), on top of `--select` and the config.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub(crate) ignore: Vec<String>,
    /// Print how many findings each rule produced, instead of the findings (human or json).
    #[arg(long)]
    pub(crate) statistics: bool,
    /// Name files in annotations and SARIF relative to this directory, as GitHub expects
    /// (default: the current directory).
    #[arg(long, value_name = "DIR", env = "GITHUB_WORKSPACE")]
    pub(crate) workspace: Option<PathBuf>,
    /// Judge by the findings even when something could not be read from the Hub (by default
    /// such a run writes its report, notifies no one and exits 2).
    #[arg(long)]
    pub(crate) allow_incomplete: bool,
    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// Where models and rules come from: shared by `audit`, `family` and `stats`.
#[derive(Args)]
pub(crate) struct SourceArgs {
    /// A Hub mirror directory to read models from: `<owner>/<name>/info.json` (the Hub's model
    /// info), `README.md` and other files; datasets under `datasets/<owner>/<name>/`.
    #[arg(
        long,
        value_name = "DIR",
        env = "PEDIGREE_MIRROR",
        conflicts_with = "snapshot"
    )]
    pub(crate) mirror: Option<PathBuf>,
    /// A Hub snapshot (JSON Lines, see `pedigree snapshot`) to read models from.
    #[arg(long, value_name = "FILE")]
    pub(crate) snapshot: Option<PathBuf>,
    /// Bytes a gzipped snapshot may decompress to (default: 64 times its compressed size, at
    /// least 256 MiB); a larger one is refused, not read.
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_snapshot_bytes: Option<u64>,
    /// A rules directory replacing the built-in one (same layout as the project's `rules/`).
    #[arg(long, value_name = "DIR")]
    pub(crate) rules: Option<PathBuf>,
    /// A `.pedigree.yml` (default: the one in the audited directory, else the current one).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// How many generations above a model to walk at most.
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
    pub(crate) max_depth: usize,
    /// Threads for parsing and checking (default: every core; 1 for a sequential run).
    #[arg(long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// No progress bar (there is none in CI, or when stderr is not a terminal, either).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// How many descendants a `family` run audits at most.
    #[arg(long, default_value_t = DEFAULT_MAX_FAMILY)]
    pub(crate) max_family: usize,
    /// MiB of card text kept in memory; past it, the few cards the similarity check needs are
    /// read again from the source (a whole-Hub run holds too many cards to keep).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub(crate) card_memory: usize,
    /// Do not read the datasets the models were trained on (`datasets:` in their cards), nor the
    /// models that generated them.
    #[arg(long)]
    pub(crate) no_datasets: bool,
    #[command(flatten)]
    pub(crate) hub: HubArgs,
}

/// How `stats` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    Human,
    Json,
    Csv,
}

/// Delivering the report to people.
#[derive(Args)]
pub(crate) struct NotifyArgs {
    /// Deliver the report: `github` keeps a sticky comment on the pull request (or, for
    /// `family`, one tracking issue per run's families) up to date. Needs GITHUB_TOKEN.
    #[arg(long, value_enum, value_name = "WHERE")]
    pub(crate) notify: Vec<Notify>,
    /// The pull request to comment on (default: the one the GitHub Actions event is about).
    #[arg(long, value_name = "NUMBER")]
    pub(crate) pr: Option<u64>,
    /// The GitHub repository, `owner/name`.
    #[arg(long, value_name = "OWNER/NAME", env = "GITHUB_REPOSITORY")]
    pub(crate) github_repository: Option<String>,
    /// The GitHub REST API root.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub(crate) github_api: String,
    /// Where the full report is, linked from a comment or issue too long to hold it all
    /// (default under GitHub Actions: the workflow run, whose job summary holds it).
    #[arg(long, value_name = "URL")]
    pub(crate) report_url: Option<String>,
    /// The findings of the last run, for `--notify email`: read, compared, and replaced after a
    /// successful send (a failed send leaves it as it was).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Really post Hub discussions (without it, `--notify hub` prints what it would post).
    #[arg(long)]
    pub(crate) post: bool,
    /// Seconds between two posts to the Hub, at least.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub(crate) post_interval: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Notify {
    /// A sticky pull-request comment, or a family's tracking issue.
    Github,
    /// A discussion on each Hub model with error findings (a dry run without --post).
    Hub,
    /// An email digest of what is new, resolved and still open since `--baseline`.
    Email,
}

/// Reading from the Hub (used when no --mirror is given).
#[derive(Args)]
pub(crate) struct HubArgs {
    /// The Hub's base URL.
    #[arg(long, value_name = "URL", env = "HF_ENDPOINT", default_value = hub::DEFAULT_ENDPOINT)]
    pub(crate) endpoint: String,
    /// A file holding the Hub token (default: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, else
    /// $HF_TOKEN_PATH, $HF_HOME/token, ~/.cache/huggingface/token).
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// Hub requests in flight at most.
    #[arg(long, default_value_t = hub::DEFAULT_CONCURRENCY)]
    pub(crate) concurrency: usize,
    /// Seconds the whole run may take, answers included: nothing is sent after it and answers
    /// still arriving are cut off; what was not read makes the run incomplete.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(crate) timeout: u64,
    /// Seconds one attempt of one request may take, its body included (a failed attempt is
    /// tried again, each try with this bound, all within --timeout).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) request_timeout: u64,
    /// The HTTP cache directory (default: the platform cache directory).
    #[arg(long, value_name = "DIR", env = "PEDIGREE_CACHE_DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Do not read or write the HTTP cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Audit the named model at this revision (branch, tag or commit) instead of `main`.
    #[arg(long, value_name = "REV")]
    pub(crate) revision: Option<String>,
}

/// When the run began: `--timeout` counts from here for every client of the run (the models'
/// and the notifiers').
fn run_started() -> tokio::time::Instant {
    static STARTED: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(tokio::time::Instant::now)
}

impl HubArgs {
    /// The token, as huggingface_hub finds it, with where it was found.
    pub(crate) fn token(&self) -> Result<Option<(hub::Token, hub::Found)>> {
        hub::discover_token(self.token_file.as_deref()).map_err(anyhow::Error::msg)
    }

    /// How to reach the Hub; `token` is the one to send. Built inside the runtime, whose clock
    /// the deadline is measured on.
    pub(crate) fn options(
        &self,
        token: Option<hub::Token>,
        progress: Option<std::sync::Arc<dyn Progress>>,
    ) -> HubOptions {
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(hub::default_cache_dir)
        };
        HubOptions {
            token,
            concurrency: self.concurrency,
            deadline: Some(run_started() + std::time::Duration::from_secs(self.timeout)),
            cache_dir,
            request_timeout: std::time::Duration::from_secs(self.request_timeout.max(1)),
            offline: hub::env_flag("HF_HUB_OFFLINE"),
            progress,
            ..HubOptions::new(self.endpoint.clone())
        }
    }

    /// The client that reads models. `pinned`: the model `--revision` applies to.
    pub(crate) fn client(
        &self,
        pinned: Option<&str>,
        progress: Option<std::sync::Arc<dyn Progress>>,
    ) -> Result<HubClient> {
        let token = hub::for_reading(self.token()?);
        let options = HubOptions {
            revisions: match (pinned, &self.revision) {
                (Some(id), Some(rev)) => [(id.to_string(), rev.clone())].into(),
                _ => Default::default(),
            },
            ..self.options(token, progress)
        };
        HubClient::new(options).map_err(anyhow::Error::msg)
    }
}

pub(crate) fn parse_also(text: &str) -> Result<(Format, PathBuf), String> {
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
pub(crate) enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    /// GitHub Actions annotations (and a job summary when GITHUB_STEP_SUMMARY is set).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// The Markdown report a summary or comment shows.
    Markdown,
    /// One self-contained HTML page: the family tree as SVG, findings on click.
    Html,
    /// The lineage as a Graphviz graph.
    Dot,
    /// The lineage as a Mermaid diagram.
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub(crate) fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}
