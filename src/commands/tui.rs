//! The TUI (no subcommand, `--demo`, `resou replay FILE`): config → keymap → (replay server) →
//! services → app state → terminal → app loop → services stopped.

use anyhow::Context;

use super::common::{
    Overrides, effective_sources, history_user, keymap, open_store, shown_spec, store_spec,
};
use crate::app::{App, Plan, Services};
use crate::cli::Cli;
use crate::config::Config;
use crate::paths;

pub fn main(cli: &Cli) -> anyhow::Result<()> {
    let (_log_guard, log_path) = crate::logging::init(cli.log_file.as_deref());
    // Config errors are reported before the terminal is taken over.
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let overrides = Overrides::new(cli.origin.clone(), cli.platform.clone(), cli.interval)?;
    tracing::info!(config = ?cfg_path, log = ?log_path, demo = cli.demo, "starting resou {}", env!("CARGO_PKG_VERSION"));
    let loaded = keymap(
        cli,
        cfg.general.keymap_preset.as_deref(),
        cfg_path.as_deref(),
    )?;
    let keymap = loaded.keymap;
    let keymap_warning = loaded.warnings.first().map(|e| {
        let more = loaded.warnings.len() - 1;
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        format!("keymap layer ignored — {e}{more}")
    });

    let replay = super::replay::requested(cli);
    // Replays keep their own triage file and never teach the detector's baselines.
    let offline = replay.is_some();
    let history_spec = store_spec(cli, &cfg, offline)?;
    // A single user's TUI sends the team alerts when asked to; a viewer never does (its
    // collector is the sender).
    let alerts = match (&history_spec, cfg.push.tui_sends && !cli.viewer) {
        (Some(spec), true) => super::common::alert_setup(&cfg, cfg_path.as_deref(), spec, offline)?
            .map(|(s, what)| {
                tracing::info!("sending {what}");
                s
            }),
        (None, true) => anyhow::bail!(
            "[push] tui_sends needs the history store (alerts are queued there): drop --no-history"
        ),
        _ => None,
    };
    let rt = super::runtime()?;
    rt.block_on(async move {
        let mut banner = None;
        // The demo (or `resou replay`) keeps its server alive for the whole session.
        let (_demo, served) = match &replay {
            Some(r) => {
                let running = super::replay::start(r).await?;
                let served = running.served();
                banner = Some(running.banner);
                (Some(running.server), Some(served))
            }
            None => (None, None),
        };
        let sources = effective_sources(&cfg, &overrides, served);
        let platforms = sources.platforms.clone();
        // A team viewer never polls the platforms: its lists come from the collector's store.
        if cli.viewer {
            banner = Some(format!(
                "TEAM VIEWER · lists from the collector's store {}",
                history_spec.as_deref().map(shown_spec).unwrap_or_default()
            ));
        }

        let (analysis, analysis_warnings) = crate::config::analysis_config(&cfg, !offline);
        // Baselines from the stored polls of the last day (not for the demo: its archived lists
        // replay from the start of their day each run).
        let seed: Option<crate::analysis::Seed> = match (&history_spec, offline) {
            (Some(spec), false) => {
                let now = crate::domain::now_cst();
                Some(Box::new(crate::history::stored_polls(
                    open_store(spec.clone()),
                    platforms.clone(),
                    now - chrono::Duration::hours(24),
                    now,
                )))
            }
            _ => None,
        };
        // Triage (flags, notes, mutes, watchlists) survives restarts; the demo keeps its own file
        // so archived topics never mix with the user's real triage.
        let data_dir = paths::data_dir();
        let triage_file = data_dir.as_ref().map(|d| {
            d.join(if offline {
                "triage-demo.json"
            } else {
                "triage.json"
            })
        });
        let user = history_user(&cfg);
        let history = history_spec.as_ref().map(|spec| {
            let opts = crate::history::HistoryOptions {
                platforms: platforms.clone(),
                // Archived demo lists are older than any retention window.
                keep_days: if offline { 0 } else { cfg.history.keep_days },
                skip_duplicates: offline,
                announce: true,
                follow: cli.viewer.then(|| crate::history::follow(spec)),
                team_user: cfg.history.share_triage.then(|| user.clone()),
            };
            (open_store(spec.clone()), opts)
        });
        // The triage file once: the app's state, and its watchlist for the watched terms.
        let (mut triage, triage_error) = match &triage_file {
            Some(p) => crate::triage::Triage::load_or_empty(p),
            None => (crate::triage::Triage::default(), None),
        };
        // Watchlists from the config join the in-app ones.
        for k in &cfg.alerts.keywords {
            triage.watch_keyword(k);
        }
        for k in &cfg.alerts.kols {
            triage.watch_kol(k);
        }
        let watch = watch_plan(&cfg, cli, &triage, &analysis.kols)?;
        let sentinel_accounts: Vec<crate::domain::watch::Sentinel> = watch
            .iter()
            .flat_map(|w| w.sentinels.iter().cloned())
            .collect();
        let sentinel_names: Vec<String> =
            sentinel_accounts.iter().map(|a| a.name.clone()).collect();
        let scorer = watch.as_ref().map(|w| w.scorer.clone());
        let watch_terms: Vec<String> = watch
            .iter()
            .flat_map(|w| w.terms.iter().map(|t| t.name.clone()))
            .collect();
        let watch_source = match &watch {
            Some(w) if w.terms.is_empty() && w.sentinels.is_empty() => {
                crate::app::brand::WatchSource::Off
            }
            Some(w) if w.search.is_some() => crate::app::brand::WatchSource::Searching,
            Some(_) => crate::app::brand::WatchSource::Store,
            None => crate::app::brand::WatchSource::Off,
        };
        let configured: Vec<crate::domain::watch::WatchTerm> = watch
            .as_ref()
            .map(|w| w.configured.clone())
            .unwrap_or_default();
        let searches = watch.as_ref().is_some_and(|w| w.search.is_some());
        let env = |k: &str| std::env::var(k).ok();
        let (mut services, inbox) = Services::start(Plan {
            sources,
            poll: !cli.viewer,
            analysis,
            seed,
            triage_file: triage_file.clone(),
            history,
            history_user: user,
            desktop: crate::desktop::Desktop::detect(
                cfg.desktop.clipboard,
                cfg.desktop.browser.clone(),
            ),
            notifier: crate::alerts::Notifier::new(&cfg.alerts, &env),
            export_dir: data_dir.as_ref().map(|d| d.join("exports")),
            export_format: crate::export::Format::Markdown,
            alerts,
            watch,
        })?;

        let mut app = App::new(keymap);
        app.theme = crate::ui::Theme::select(cfg.theme.name, cfg.theme.colours, &env, None);
        crate::app::update::enable_platforms(&mut app.state, &platforms);
        app.state.status.banner = banner;
        app.state.brand.terms = watch_terms;
        app.state.brand.source = watch_source;
        app.state.brand.replay = offline;
        app.state.brand.sentinels = sentinel_names;
        app.state.brand.configured = configured;
        // Discovered hosts and media join the sentinels when asked (a viewer follows none).
        app.state.brand.discovery = (cfg.sentinel.enabled && cfg.sentinel.discovered && searches)
            .then_some(crate::app::brand::Discovery {
                accounts: sentinel_accounts,
                max: cfg.sentinel.max_accounts,
            });
        app.state.brand.searches = searches;
        app.state.views.scorer = scorer;
        app.state.status.flash = keymap_warning.or_else(|| analysis_warnings.into_iter().next());
        app.state.triage = triage;
        if let Some(e) = triage_error {
            app.state.status.flash = Some(format!(
                "triage file unreadable, starting empty (kept aside on save): {e}"
            ));
        }
        app.state.alerts.limiter = Some(crate::alerts::RateLimiter::from_config(&cfg.alerts));
        if history_spec.is_some() {
            app.state.history.viewer = cli.viewer;
        }
        // Whether this config has team alerts set up, for the empty deliveries view (`D`); a
        // viewer's own config says nothing about what its collector sends.
        if !cli.viewer {
            let push = crate::config::push::PushConfig {
                section: &cfg.push,
                file: cfg_path.as_deref(),
            };
            app.state.deliveries.configured =
                Some(!cfg.push.channels.is_empty() && push.rules_path().is_some());
        }

        let mut guard = crate::tui::init(cfg.theme.mouse).context("setting up the terminal")?;
        let res = crate::app::run(&mut guard.terminal, &mut app, &mut services, inbox).await;
        drop(guard);
        // This look ends now: what appears later is "new" next time.
        let last = app.state.now.map(|now| {
            let mut t = std::mem::take(&mut app.state.triage);
            t.set_last_look(now);
            t.prune(now);
            t
        });
        // SIGTERM/SIGHUP/SIGINT come through here too: queued writes land before exit.
        services.stop(last);
        res.context("terminal I/O")
    })
}

/// Terms the demo watches: two brands its archived day talks about (README, Brand watch).
pub const DEMO_TERMS: [&str; 2] = ["胖东来", "旺旺"];

/// The brand view's terms and search loop: `[watch] terms` and the watchlist's keywords (the
/// demo adds [`DEMO_TERMS`]), and with `[sentinel] enabled` the KOLs with a uid as sentinel
/// accounts (the demo follows the bundle's sentinel set); a viewer reads the collector's
/// posts instead of searching. The demo searches its loopback server every 15 s and each
/// sentinel every minute: its lists' clock runs ~120× faster than the wall clock, and the
/// server is ours, so the real budget's minutes would leave it still.
fn watch_plan(
    cfg: &crate::config::Config,
    cli: &crate::cli::Cli,
    triage: &crate::triage::Triage,
    kols: &[crate::analysis::Kol],
) -> anyhow::Result<Option<crate::app::services::WatchPlan>> {
    // The watchlist (the config's `[alerts] keywords` already in it).
    let watchlist = triage.watched_keywords.iter().cloned();
    let mut configured = cfg.watch.terms.clone();
    if cli.demo {
        let demo = DEMO_TERMS
            .iter()
            .map(|t| crate::domain::watch::WatchTerm::named(t));
        configured.splice(0..0, demo);
    }
    let terms = crate::domain::watch::merge_terms(&configured, watchlist);
    let sentinels = if cli.demo {
        let on = crate::config::sentinel::SentinelSection {
            enabled: true,
            ..cfg.sentinel.clone()
        };
        on.pick(crate::replay::demo_sentinels())
    } else {
        cfg.sentinel.accounts_from(kols, &[])
    };
    // Without terms the loop still runs (idle): `w` on a keyword starts a search.
    let mut scorer = crate::sentiment::Scorer::new();
    if let Some(user) = crate::config::sentiment::user_lexicon(None)? {
        scorer = scorer.with_user(&user);
    }
    let search = (!cli.viewer).then(|| {
        let mut c = cfg.watch.loop_config(terms.clone());
        cfg.sentinel.apply(&mut c, sentinels.clone());
        if cli.demo {
            c.sentinel_every = std::time::Duration::from_secs(60);
            c.budget.every = std::time::Duration::from_secs(15);
            c.budget.max_per_hour = 1_000;
            c.max_pages = 10;
            c.min_gap = std::time::Duration::from_millis(500);
            c.jitter = std::time::Duration::from_millis(200);
        }
        c
    });
    let monitor =
        crate::analysis::brand::BrandMonitor::new(cfg.watch.alerts.clone(), kols, scorer.clone());
    Ok(Some(crate::app::services::WatchPlan {
        terms,
        configured,
        sentinels,
        monitor: Some(monitor),
        spike: cfg.watch.alerts.spike.clone(),
        search,
        scorer: std::sync::Arc::new(scorer),
    }))
}
