//! Wiring only: CLI → logging → config → keymap → (demo server) → pollers → terminal → app loop.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use resou::analysis::WorkerInput;
use resou::app::{App, Effect};
use resou::cli::{Cli, Command};
use resou::config::keymap::{Keymap, KeymapError, Layers, Loaded};
use resou::config::{Config, validate_origin};
use resou::paths;
use resou::sources::poller;

fn main() -> ExitCode {
    resou::memory::tune_allocator();
    resou::crash::install_hook();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Import {
            paths,
            out,
            platform,
            to_history: false,
        }) => import(paths, out.as_deref(), platform.as_deref()),
        Some(Command::Import {
            paths,
            platform,
            to_history: true,
            ..
        }) => import_to_history(&cli, paths, platform.as_deref()),
        Some(Command::Collect {
            platform,
            interval,
            origin,
            count,
        }) => collect(&cli, platform.clone(), *interval, origin.clone(), *count),
        Some(Command::Analyze { snapshots, format }) => analyze(&cli, snapshots, *format),
        Some(Command::Eval {
            snapshots,
            thresholds,
            theta,
            tune,
        }) => eval(&cli, snapshots, thresholds, *theta, *tune),
        Some(Command::Keys) => keys(&cli),
        Some(Command::Snapshot(a)) => {
            let _log = resou::logging::init(cli.log_file.as_deref());
            resou::commands::snapshot::main(&cli, a)
        }
        Some(Command::Record(a)) => {
            let _log = resou::logging::init(cli.log_file.as_deref());
            resou::commands::record::main(&cli, a)
        }
        Some(Command::Replay(_)) => run_tui(&cli),
        Some(Command::Export {
            flagged,
            format,
            out,
            triage,
        }) => export(*flagged, *format, out.as_deref(), triage.as_deref()),
        None => run_tui(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resou: {e:#}");
            ExitCode::from(resou::commands::exit_code(&e))
        }
    }
}

fn import(
    inputs: &[std::path::PathBuf],
    out: Option<&std::path::Path>,
    platforms: Option<&[resou::domain::Platform]>,
) -> anyhow::Result<()> {
    let lines = resou::import::import_paths(inputs, platforms)?;
    match out {
        Some(p) => resou::import::write_jsonl(&lines, p)
            .with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            for l in &lines {
                resou::domain::snapshot_file::write_line(&mut stdout, l)?;
            }
            stdout.flush()?;
        }
    }
    eprintln!("resou: {} lists converted", lines.len());
    Ok(())
}

/// Snapshot files for the headless commands, merged in time order.
fn read_snapshots(
    files: &[std::path::PathBuf],
) -> anyhow::Result<Vec<resou::domain::snapshot_file::SnapshotLine>> {
    let mut lines = Vec::new();
    for f in files {
        lines.extend(resou::import::read_jsonl(f)?);
    }
    lines.sort_by_key(|l| (l.captured_at, l.platform));
    Ok(lines)
}

fn headless_analysis_config(cli: &Cli) -> anyhow::Result<resou::analysis::AnalysisConfig> {
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let (acfg, warnings) = resou::config::analysis_config(&cfg, false);
    for w in warnings {
        eprintln!("resou: {w}");
    }
    Ok(acfg)
}

fn analyze(
    cli: &Cli,
    files: &[std::path::PathBuf],
    format: resou::cli::Format,
) -> anyhow::Result<()> {
    let lines = read_snapshots(files)?;
    let polls = resou::analysis::analyze_snapshots(&lines, &headless_analysis_config(cli)?);
    let mut out = std::io::stdout().lock();
    match format {
        resou::cli::Format::Jsonl => {
            for p in &polls {
                writeln!(out, "{}", p.to_json_line())?;
            }
        }
        resou::cli::Format::Table => {
            out.write_all(resou::analysis::format_table(&polls).as_bytes())?
        }
    }
    out.flush()?;
    Ok(())
}

fn eval(
    cli: &Cli,
    files: &[std::path::PathBuf],
    thresholds: &[f64],
    theta: Option<f64>,
    tune: bool,
) -> anyhow::Result<()> {
    use resou::analysis::Operating;
    let lines = read_snapshots(files)?;
    let cfg = headless_analysis_config(cli)?;
    let operating = match theta {
        _ if tune => Operating::ChooseHere,
        Some(theta_on) => Operating::Fixed {
            theta_on,
            source: "given with --theta".into(),
        },
        None if cfg.detector.theta_on == resou::config::OPERATING_THETA_ON => Operating::Fixed {
            theta_on: cfg.detector.theta_on,
            source: resou::config::OPERATING_THETA_SOURCE.into(),
        },
        None => Operating::Fixed {
            theta_on: cfg.detector.theta_on,
            source: "from the config file".into(),
        },
    };
    let report = resou::analysis::evaluate_at(&lines, &cfg, thresholds, operating);
    print!("{}", resou::analysis::format_eval_report(&report));
    Ok(())
}

fn export(
    flagged: bool,
    format: resou::export::Format,
    out: Option<&std::path::Path>,
    triage: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let path = match triage {
        Some(p) => p.to_path_buf(),
        None => resou::triage::default_path()
            .context("no data directory: give the triage file with --triage")?,
    };
    let state = resou::triage::Triage::load(&path)?;
    let rows = resou::export::rows_from_triage(&state, flagged);
    let text = resou::export::export(&rows, format);
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if out.is_some() || rows.is_empty() {
        eprintln!("resou: {} topics exported", rows.len());
    }
    Ok(())
}

/// Default → preset → user keymap file → `--bind`. A bad preset or user file keeps the layers
/// below and comes back as warnings (shown in the status bar); a bad `--bind` is an error.
fn keymap(
    cli: &Cli,
    config_preset: Option<&str>,
    config_path: Option<&std::path::Path>,
) -> anyhow::Result<Loaded> {
    let user_path = paths::keymap_file().filter(|p| p.exists());
    let shown = user_path.as_ref().map(|p| p.display().to_string());
    let mut read_error = None;
    let user_src = match &user_path {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| read_error = Some(e.to_string()))
            .ok(),
        None => None,
    };
    let cfg_shown = config_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "config".into());
    let layers = Layers {
        cli_preset: cli.preset.as_deref(),
        config_preset: config_preset.map(|p| (p, cfg_shown.as_str())),
        user: shown.as_deref().zip(user_src.as_deref()),
        binds: &cli.bind,
    };
    let mut loaded = Keymap::load(&layers).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let (Some(file), Some(problem)) = (shown, read_error) {
        loaded.warnings.push(KeymapError {
            file,
            line: 0,
            problem,
        });
    }
    Ok(loaded)
}

/// `resou keys`: the resolved keymap with each binding's source; exit code 2 on any layer error.
fn keys(cli: &Cli) -> anyhow::Result<()> {
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let loaded = keymap(
        cli,
        cfg.general.keymap_preset.as_deref(),
        cfg_path.as_deref(),
    )?;
    if let Some(first) = loaded.warnings.first() {
        for w in &loaded.warnings[1..] {
            eprintln!("resou: {w}");
        }
        anyhow::bail!("{first}");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "layers: {}\n", loaded.layers.join(" → "))?;
    out.write_all(loaded.keymap.format_table().as_bytes())?;
    out.flush()?;
    Ok(())
}

fn run_tui(cli: &Cli) -> anyhow::Result<()> {
    let (_log_guard, log_path) = resou::logging::init(cli.log_file.as_deref());
    // Config errors are reported before the terminal is taken over.
    let (mut cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    apply_overrides(
        &mut cfg,
        cli.origin.clone(),
        cli.platform.clone(),
        cli.interval,
    )?;
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

    let replay = resou::commands::replay::requested(cli);
    // Replays keep their own triage file and never teach the detector's baselines.
    let offline = replay.is_some();
    let history_spec = store_spec(cli, &cfg, offline)?;
    let rt = resou::commands::runtime()?;
    rt.block_on(async move {
        let mut banner = None;
        let mut sources = cfg.sources();
        // The demo (or `resou replay`) keeps its server alive for the whole session.
        let _demo = match &replay {
            Some(r) => {
                let running = resou::commands::replay::start(r).await?;
                sources.net.origin = Some(running.server.origin());
                if cli.interval.is_none() {
                    sources.interval = r.step;
                    sources.max_backoff = r.step * 8;
                }
                banner = Some(running.banner);
                Some(running.server)
            }
            None => None,
        };
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let platforms = sources.platforms.clone();
        // Topic stats (hosts, media accounts) come through their own rate-limited fetcher.
        let topic_client = std::sync::Arc::new(
            resou::sources::http::HttpClient::new(&sources.net)
                .map_err(|e| anyhow::anyhow!("HTTP client: {e}"))?,
        );
        let topics = resou::sources::topic::spawn_topic_fetcher(
            topic_client.clone(),
            Default::default(),
            tx.clone(),
        );
        // Drill-down pages: spaced per host, cached, cancellable; shares the topic client's cookies.
        let drill = resou::sources::drill::spawn_drill_fetcher(
            topic_client,
            Default::default(),
            tx.clone(),
        );
        // A team viewer never polls the platforms: its lists come from the collector's store.
        let handle = if cli.viewer {
            banner = Some(format!(
                "TEAM VIEWER · lists from the collector's store {}",
                history_spec.as_deref().map(shown_spec).unwrap_or_default()
            ));
            None
        } else {
            Some(poller::spawn(sources, tx).map_err(|e| anyhow::anyhow!("starting pollers: {e}"))?)
        };

        // Analysis on its own thread (jieba loads there); the board shows before it is ready.
        let (analysis_cfg, analysis_warnings) = resou::config::analysis_config(&cfg, !offline);
        // Baselines from the stored polls of the last day (not for the demo: its archived lists
        // replay from the start of their day each run).
        let seed: Option<resou::analysis::Seed> = match (&history_spec, offline) {
            (Some(spec), false) => {
                let now = resou::domain::now_cst();
                Some(Box::new(resou::history::stored_polls(
                    open_store(spec.clone()),
                    platforms.clone(),
                    now - chrono::Duration::hours(24),
                    now,
                )))
            }
            _ => None,
        };
        let (snap_tx, analysis_events) = resou::analysis::spawn_worker_seeded(analysis_cfg, seed);
        let (a_tx, a_rx) = tokio::sync::mpsc::channel(64);
        let bridge = std::thread::Builder::new()
            .name("resou-analysis-bridge".into())
            .spawn(move || {
                // Keep draining after the app has quit (sends then fail), so the worker finishes
                // the lists already queued and saves its baselines instead of stopping half-way.
                while let Ok(ev) = analysis_events.recv() {
                    let _ = a_tx.blocking_send(ev);
                }
            })?;

        let env = |k: &str| std::env::var(k).ok();
        let mut app = App::new(keymap);
        app.theme = resou::ui::Theme::select(cfg.theme.name, cfg.theme.colours, &env, None);
        app.desktop =
            resou::desktop::Desktop::detect(cfg.desktop.clipboard, cfg.desktop.browser.clone());
        resou::app::update::enable_platforms(&mut app.state, &platforms);
        app.state.banner = banner;
        app.state.flash = keymap_warning.or_else(|| analysis_warnings.into_iter().next());

        // Triage (flags, notes, mutes, watchlists) survives restarts; the demo keeps its own file
        // so archived topics never mix with the user's real triage.
        let data_dir = paths::data_dir();
        let triage_path = data_dir.as_ref().map(|d| {
            d.join(if offline {
                "triage-demo.json"
            } else {
                "triage.json"
            })
        });
        if let Some(p) = &triage_path {
            let (t, err) = resou::triage::Triage::load_or_empty(p);
            app.state.triage = t;
            if let Some(e) = err {
                app.state.flash = Some(format!(
                    "triage file unreadable, starting empty (kept aside on save): {e}"
                ));
            }
        }
        app.export_dir = data_dir.as_ref().map(|d| d.join("exports"));
        // Watchlists from the config join the in-app ones.
        for k in &cfg.alerts.keywords {
            app.state.triage.watch_keyword(k);
        }
        for k in &cfg.alerts.kols {
            app.state.triage.watch_kol(k);
        }
        app.notifier = Some(resou::alerts::Notifier::new(&cfg.alerts, &env));
        app.state.alert_limiter = Some(resou::alerts::RateLimiter::from_config(&cfg.alerts));
        let saver = triage_path.clone().map(TriageSaver::spawn);

        // History: the store runs on its own thread; the board can show the last stored lists
        // before the first poll. A store that cannot open leaves the app on memory alone.
        let (h_tx, h_rx) = tokio::sync::mpsc::channel(64);
        let history_user = history_user(&cfg);
        let history = match history_spec {
            Some(spec) => {
                app.state.history.viewer = cli.viewer;
                let opts = resou::history::HistoryOptions {
                    platforms: platforms.clone(),
                    // Archived demo lists are older than any retention window.
                    keep_days: if offline { 0 } else { cfg.history.keep_days },
                    skip_duplicates: offline,
                    announce: true,
                    follow: cli.viewer.then(|| resou::history::follow(&spec)),
                    team_user: cfg.history.share_triage.then(|| history_user.clone()),
                };
                Some(resou::history::spawn(open_store(spec), opts, h_tx)?)
            }
            None => {
                drop(h_tx);
                None
            }
        };

        let mut guard = resou::tui::init(cfg.theme.mouse).context("setting up the terminal")?;
        // Moves the worker's sender in: when `run` returns and drops this closure, the worker's
        // input closes and it saves its baselines (the bridge join below waits for that).
        let saver_owned = saver;
        let (handle, topics, drill, saver) = (&handle, &topics, &drill, saver_owned.as_ref());
        let history_ref = history.as_ref();
        let effects = move |e: Effect| match e {
            Effect::Source(cmd) => {
                if let Some(h) = handle {
                    h.send(cmd);
                }
            }
            Effect::Analyze(snap) => {
                let _ = snap_tx.send(WorkerInput::Snapshot(snap));
            }
            Effect::TopicAccounts { topic, records } => {
                let _ = snap_tx.send(WorkerInput::TopicAccounts { topic, records });
            }
            Effect::FetchTopic(hashtag) => {
                topics.request(&hashtag);
            }
            Effect::Drill {
                id,
                request,
                fresh: false,
            } => drill.request(id, request),
            Effect::Drill {
                id,
                request,
                fresh: true,
            } => drill.reload(id, request),
            Effect::CancelDrill(id) => drill.cancel(id),
            Effect::SaveTriage(t) => {
                if let Some(h) = history_ref {
                    match serde_json::to_string(&*t) {
                        Ok(json) => h.send(resou::history::HistoryCmd::SaveTriage(
                            resou::store::TriageRecord {
                                user: history_user.clone(),
                                json,
                                updated_at: resou::domain::now_cst(),
                            },
                        )),
                        Err(e) => tracing::warn!("triage to JSON: {e}"),
                    }
                }
                if let Some(s) = saver {
                    s.save(*t);
                }
            }
            Effect::History(cmd) => {
                if let Some(h) = history_ref {
                    h.send(cmd);
                }
            }
            // The app loop performs these itself, between frames.
            Effect::OpenUrl(_) | Effect::Copy(_) | Effect::Export(_) | Effect::Alert(_) => {}
        };
        let res = resou::app::run(&mut guard.terminal, &mut app, rx, a_rx, h_rx, effects).await;
        drop(guard);
        // Queued history writes land before exit (SIGTERM/SIGHUP/SIGINT come through here too).
        if let Some(h) = history {
            h.finish();
        }
        // This look ends now: what appears later is "new" next time. The final save waits for
        // any save still being written.
        if let (Some(s), Some(now)) = (saver_owned, app.state.now) {
            let mut t = std::mem::take(&mut app.state.triage);
            t.set_last_look(now);
            t.prune(now);
            s.finish(t);
        }
        // The worker saves detector baselines when its input closes (done above, with the
        // outlets); wait for it so a restart keeps them.
        let _ = bridge.join();
        res.context("terminal I/O")
    })
}

/// Command-line settings over the config file's.
fn apply_overrides(
    cfg: &mut Config,
    origin: Option<String>,
    platform: Option<Vec<resou::domain::Platform>>,
    interval: Option<u64>,
) -> anyhow::Result<()> {
    if let Some(o) = origin {
        validate_origin(&o).map_err(|p| anyhow::anyhow!("--origin: {p}"))?;
        cfg.network.origin = Some(o);
    }
    if let Some(p) = platform {
        cfg.general.platforms = p;
    }
    if let Some(i) = interval {
        anyhow::ensure!(i >= 5, "--interval must be at least 5 seconds");
        cfg.general.interval_secs = i;
    }
    Ok(())
}

/// `resou collect`: pollers → history store, no UI, until a signal or `--count`.
fn collect(
    cli: &Cli,
    platform: Option<Vec<resou::domain::Platform>>,
    interval: Option<u64>,
    origin: Option<String>,
    count: Option<u64>,
) -> anyhow::Result<()> {
    let (_log_guard, log_path) = resou::logging::init(cli.log_file.as_deref());
    let (mut cfg, _) = Config::load(cli.config.as_deref())?;
    apply_overrides(&mut cfg, origin, platform, interval)?;
    anyhow::ensure!(
        !cli.viewer,
        "collect writes the history; --viewer is for the TUI"
    );
    // `resou --demo collect`: collect from the bundled demo data (team mode tried offline).
    let replay = resou::commands::replay::requested(cli);
    let offline = replay.is_some();
    let spec = store_spec(cli, &cfg, offline)?
        .context("collect needs a history store (drop --no-history / [history] enabled = false)")?;
    let mut sources = cfg.sources();
    let rt = resou::commands::runtime()?;
    let _server = match &replay {
        Some(r) => {
            let running = rt.block_on(resou::commands::replay::start(r))?;
            sources.net.origin = Some(running.server.origin());
            if interval.is_none() {
                sources.interval = r.step;
                sources.max_backoff = r.step * 8;
            }
            Some(running.server)
        }
        None => None,
    };
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
    let opts = resou::history::HistoryOptions {
        platforms: sources.platforms.clone(),
        keep_days: if offline { 0 } else { cfg.history.keep_days },
        skip_duplicates: offline,
        announce: false,
        follow: None,
        team_user: None,
    };
    let history = resou::history::spawn(open_store(spec), opts, h_tx)?;
    let (report, stop) = rt.block_on(resou::collect::run(sources, history, h_rx, count))?;
    tracing::info!(?report, ?stop, "collector stopped");
    eprintln!(
        "resou collect: stopped: {} polls stored, {} failed, {} write failures",
        report.polls_ok, report.polls_failed, report.write_failures
    );
    anyhow::ensure!(stop != resou::collect::Stop::NoStore, "no history store");
    Ok(())
}

/// `resou import --to-history`: archives or snapshot files into the history store, one
/// transaction per list; a line on stdout after each commit.
fn import_to_history(
    cli: &Cli,
    inputs: &[std::path::PathBuf],
    platforms: Option<&[resou::domain::Platform]>,
) -> anyhow::Result<()> {
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let spec = store_spec(cli, &cfg, false)?.context("--to-history with --no-history")?;
    let lines = resou::import::import_paths(inputs, platforms)?;
    let mut store =
        open_store(spec.clone())().with_context(|| format!("opening {}", shown_spec(&spec)))?;
    let mut out = std::io::stdout().lock();
    for l in &lines {
        let snap = l.to_snapshot();
        let id = store.insert_poll(&snap, "import")?;
        writeln!(
            out,
            "stored {} {} poll {id}",
            snap.platform,
            snap.captured_at.to_rfc3339()
        )?;
        out.flush()?;
    }
    eprintln!(
        "resou: {} lists stored in {}",
        lines.len(),
        shown_spec(&spec)
    );
    Ok(())
}

/// A store spec for messages: URLs lose their password.
fn shown_spec(spec: &str) -> String {
    resou::store::StoreSpec::parse(spec).describe()
}

/// Where history goes: `--no-history` / `[history] enabled = false` → none; else `--store`,
/// `[history] store`, `RESOU_STORE`, and the default file (the demo keeps its own file, so
/// archived lists never mix with real ones).
fn store_spec(cli: &Cli, cfg: &Config, offline: bool) -> anyhow::Result<Option<String>> {
    if cli.no_history || !cfg.history.enabled {
        anyhow::ensure!(!cli.viewer, "--viewer needs a history store (--store)");
        return Ok(None);
    }
    let given = cli
        .store
        .clone()
        .or_else(|| cfg.history.store.clone())
        .or_else(|| std::env::var("RESOU_STORE").ok().filter(|s| !s.is_empty()));
    if let Some(spec) = given {
        // A database password is a secret like a cookie: crash reports scrub it.
        if let Ok(u) = url::Url::parse(&spec)
            && let Some(p) = u.password()
        {
            resou::crash::register_secret(p);
        }
        return Ok(Some(spec));
    }
    anyhow::ensure!(
        !cli.viewer,
        "--viewer needs the collector's store: give --store"
    );
    let name = if offline {
        "history-demo.sqlite3"
    } else {
        resou::store::FILE_NAME
    };
    Ok(paths::data_dir().map(|d| d.join(name).display().to_string()))
}

/// Opens a history store from its spec, on the history thread.
fn open_store(spec: String) -> resou::history::Opener {
    Box::new(move || {
        let store = resou::store::open(&resou::store::StoreSpec::parse(&spec))?;
        Ok(store)
    })
}

/// The user name triage rows are stored under (team mode tells users apart by it).
fn history_user(cfg: &Config) -> String {
    cfg.history
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "local".into())
}

/// Writes triage saves off the UI thread, one at a time, the newest winning.
struct TriageSaver {
    tx: std::sync::mpsc::Sender<resou::triage::Triage>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TriageSaver {
    fn spawn(path: std::path::PathBuf) -> TriageSaver {
        let (tx, rx) = std::sync::mpsc::channel::<resou::triage::Triage>();
        let thread = std::thread::Builder::new()
            .name("resou-triage-saver".into())
            .spawn(move || {
                while let Ok(mut t) = rx.recv() {
                    // Only the latest state matters.
                    while let Ok(newer) = rx.try_recv() {
                        t = newer;
                    }
                    if let Err(e) = t.save(&path) {
                        tracing::warn!("saving triage: {e}");
                    }
                }
            })
            .ok();
        TriageSaver { tx, thread }
    }

    fn save(&self, t: resou::triage::Triage) {
        let _ = self.tx.send(t);
    }

    /// Save `t` last and wait until everything is on disk.
    fn finish(self, t: resou::triage::Triage) {
        let _ = self.tx.send(t);
        drop(self.tx);
        if let Some(h) = self.thread {
            let _ = h.join();
        }
    }
}
