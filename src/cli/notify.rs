//! Wiring the notifiers: each takes the report (and what a renderer made of it) and delivers it.

use super::args::{AuditOpts, NotifyArgs};
use anyhow::{Context as _, Result, bail};
use pedigree::audit::Target;
use pedigree::config::Config;
use pedigree::findings::RuleDocs;
use pedigree::findings::baseline::Baseline;
use pedigree::notify::Posted;
use pedigree::notify::email::{SmtpSettings, send_digest};
use pedigree::notify::github::{GithubNotifier, pull_request_from_env, run_url_from_env};
use pedigree::notify::hub::{HubDiscussions, HubPostError, Plan};
use pedigree::report::escape::terminal;
use pedigree::report::{
    PostLimits, Report, discussion_of, errors_by_model, render_digest, render_post,
};
use pedigree::source::hub;
use pedigree::source::valid_model_id;
use std::path::Path;

/// The Markdown report, as a sticky pull-request comment or a family's tracking issue.
pub(crate) fn notify_github(
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
    let limits = PostLimits {
        full_report: args.report_url.clone().or_else(run_url_from_env),
        ..PostLimits::default()
    };
    let body = render_post(report, &limits);
    let _guard = runtime.enter();
    let github = GithubNotifier::new(&args.github_api, &token, repository)?;
    let (place, posted) = match target {
        Target::Family(roots) => {
            let family = roots.join(", ");
            let title = format!("License compliance: {family}");
            (
                format!("tracking issue for {family}"),
                runtime.block_on(github.tracking_issue(&family, &title, &body)),
            )
        }
        _ => {
            let pr = args.pr.or_else(pull_request_from_env).context(
                "--notify github outside a pull request: pass --pr NUMBER (or run `family` for a tracking issue)",
            )?;
            (
                format!("comment on pull request #{pr}"),
                runtime.block_on(github.sticky_comment(pr, &body)),
            )
        }
    };
    let posted = match posted {
        Ok(posted) => posted,
        // A fork's pull request gets a read-only token: the audit still stands, and its report
        // is in the outputs, the job summary and the SARIF file.
        Err(e) if e.is_forbidden() => {
            eprintln!(
                "pedigree: warning: the {place} was not posted: {}. The token may not write \
                 (a pull request from a fork gets a read-only token); the report is in the job \
                 summary and the step outputs.",
                terminal::text(&e.to_string())
            );
            return Ok(());
        }
        Err(e) => return Err(e.into()),
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
pub(crate) fn notify_hub(
    runtime: &tokio::runtime::Runtime,
    report: &Report,
    docs: &RuleDocs,
    opts: &AuditOpts,
    local: Option<&str>,
) -> Result<()> {
    let args = &opts.notify;
    let found = opts.source.hub.token()?;
    // Posting asks for the token explicitly; a dry run reads as the model reads do.
    let token = if args.post {
        match found {
            Some((token, _)) => Some(token),
            None => bail!(
                "--notify hub --post needs a Hub token (HF_TOKEN, --token-file or ~/.cache/huggingface/token)"
            ),
        }
    } else {
        hub::for_reading(found)
    };
    let interval = std::time::Duration::from_secs_f64(args.post_interval.max(0.0));
    let _guard = runtime.enter();
    let hub = HubDiscussions::new(&opts.source.hub.options(token, None), interval)?;
    let mut failed = 0;
    let audited = report
        .models
        .iter()
        .filter(|m| m.role == pedigree::report::Role::Audited);
    let errors = errors_by_model(report);
    for model in audited.filter(|m| Some(m.id.as_str()) != local && valid_model_id(&m.id)) {
        let Some(errors) = errors.get(&model.id) else {
            continue;
        };
        let Some((title, body)) = discussion_of(docs, errors) else {
            continue;
        };
        let fingerprints: Vec<String> = errors.iter().map(|f| f.fingerprint.clone()).collect();
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
                eprintln!("pedigree: {}: {}", model.id, terminal::text(&e.to_string()));
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
pub(crate) fn notify_email(
    report: &Report,
    config: &Config,
    baseline: Option<&Path>,
) -> Result<()> {
    let before = match baseline {
        Some(path) => Baseline::load(path)?,
        None => Baseline::default(),
    };
    let changes = before.compare(&report.findings);
    if baseline.is_some() && !changes.is_news() {
        eprintln!("pedigree: nothing new or resolved since the baseline; no email sent");
        return Ok(());
    }
    let settings =
        SmtpSettings::resolve(&config.email).map_err(|e| anyhow::anyhow!("--notify email: {e}"))?;
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

/// A post's text for stderr: indented, each line escaped (the body is Markdown, already escaped
/// for where it goes; this is for the terminal it is shown on now).
pub(crate) fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {}", terminal::line(l)))
        .collect::<Vec<_>>()
        .join("\n")
}
