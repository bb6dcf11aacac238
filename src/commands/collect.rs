//! `resou collect`: pollers → history store, no UI, until a signal or `--count` (the loop is
//! [`crate::collect::run`]).

use anyhow::Context;

use super::common::{
    Overrides, alert_setup, effective_sources, open_store, shown_spec, store_spec,
};
use crate::cli::Cli;
use crate::config::Config;
use crate::domain::Platform;

/// `platform`, `interval`, `origin`: the subcommand's own flags (the TUI's before it do not
/// count).
pub fn main(
    cli: &Cli,
    platform: Option<Vec<Platform>>,
    interval: Option<u64>,
    origin: Option<String>,
    count: Option<u64>,
) -> anyhow::Result<()> {
    let (_log_guard, log_path) = crate::logging::init(cli.log_file.as_deref());
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let overrides = Overrides::new(origin, platform, interval)?;
    anyhow::ensure!(
        !cli.viewer,
        "collect writes the history; --viewer is for the TUI"
    );
    // `resou --demo collect`: collect from the bundled demo data (team mode tried offline).
    let replay = super::replay::requested(cli);
    let offline = replay.is_some();
    let spec = store_spec(cli, &cfg, offline)?
        .context("collect needs a history store (drop --no-history / [history] enabled = false)")?;
    let rt = super::runtime()?;
    let (_server, served) = match &replay {
        Some(r) => {
            let running = rt.block_on(super::replay::start(r))?;
            let served = running.served();
            (Some(running.server), Some(served))
        }
        None => (None, None),
    };
    let sources = effective_sources(&cfg, &overrides, served);
    let log = log_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none".into());
    eprintln!(
        "resou collect: polling {} every {}s into {}; log: {log}",
        sources
            .platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        sources.interval.as_secs_f64(),
        shown_spec(&spec),
    );
    tracing::info!(store = %shown_spec(&spec), "collector starting");
    let (h_tx, h_rx) = tokio::sync::mpsc::channel(64);
    let opts = crate::history::HistoryOptions {
        platforms: sources.platforms.clone(),
        keep_days: if offline { 0 } else { cfg.history.keep_days },
        skip_duplicates: offline,
        announce: false,
        follow: None,
        team_user: None,
    };
    let alerting = match alert_setup(&cfg, cfg_path.as_deref(), &spec, offline)? {
        Some((setup, what)) => {
            eprintln!("resou collect: sending {what}");
            let (analysis, warnings) = crate::config::analysis_config(&cfg, !offline);
            for w in warnings {
                tracing::warn!("{w}");
            }
            let (ev_tx, events) = tokio::sync::mpsc::unbounded_channel();
            Some(crate::collect::Alerting {
                analysis,
                brand: cfg.watch.alerts.clone(),
                sender: crate::dispatch::spawn(setup, ev_tx)?,
                events,
            })
        }
        None => None,
    };
    // Brand watch (issue 20): `[watch] terms` and the watchlist's keywords, when there are any.
    let watchlist = crate::triage::default_path()
        .map(|p| crate::triage::Triage::load_or_empty(&p).0.watched_keywords)
        .unwrap_or_default();
    let terms = cfg.watch.terms_with(watchlist);
    // Sentinel accounts (issue 20, point 2): `[sentinel]`, off by default. The collector
    // fetches no topic pages, so it has no discovered accounts to add; the demo follows the
    // bundle's sentinel set.
    let sentinels = if !cfg.sentinel.enabled {
        Vec::new()
    } else if offline {
        cfg.sentinel.pick(crate::replay::demo_sentinels())
    } else {
        let (a, _) = crate::config::analysis_config(&cfg, false);
        cfg.sentinel.accounts_from(&a.kols, &[])
    };
    if cfg.sentinel.enabled && sentinels.is_empty() {
        eprintln!("resou collect: [sentinel] is on but no KOL in kols.toml has a weibo_uid");
    }
    let watch = (!terms.is_empty() || !sentinels.is_empty()).then(|| {
        eprintln!(
            "resou collect: watching {} term(s), at most {} searches an hour",
            terms.len(),
            cfg.watch.max_per_hour
        );
        let mut w = cfg.watch.loop_config(terms);
        if !sentinels.is_empty() {
            eprintln!(
                "resou collect: following {} sentinel account(s), each every {} minutes, within the same budget",
                sentinels.len(),
                cfg.sentinel.every_minutes
            );
            cfg.sentinel.apply(&mut w, sentinels);
        }
        w
    });
    let history = crate::history::spawn(open_store(spec), opts, h_tx)?;
    let (report, stop) = rt.block_on(crate::collect::run_watching(
        sources, history, h_rx, count, alerting, watch,
    ))?;
    tracing::info!(?report, ?stop, "collector stopped");
    eprintln!(
        "resou collect: stopped: {} polls stored, {} failed, {} write failures; {} alerts delivered, {} failed",
        report.polls_ok,
        report.polls_failed,
        report.write_failures,
        report.alerts_delivered,
        report.alerts_failed
    );
    anyhow::ensure!(stop != crate::collect::Stop::NoStore, "no history store");
    Ok(())
}
