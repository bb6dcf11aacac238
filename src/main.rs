//! Wiring only: CLI → logging → config → keymap → (demo server) → pollers → terminal → app loop.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use resou::analysis::WorkerInput;
use resou::app::{App, Effect};
use resou::cli::{Cli, Command};
use resou::config::keymap::{Keymap, KeymapError, Layers, Loaded};
use resou::config::{Config, paths, validate_origin};
use resou::sources::poller;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Import {
            paths,
            out,
            platform,
        }) => import(paths, out.as_deref(), platform.as_deref()),
        Some(Command::Analyze { snapshots, format }) => analyze(&cli, snapshots, *format),
        Some(Command::Eval {
            snapshots,
            thresholds,
        }) => eval(&cli, snapshots, thresholds),
        Some(Command::Keys) => keys(&cli),
        Some(Command::Snapshot(a)) => resou::commands::snapshot::main(&cli, a),
        Some(Command::Record(a)) => resou::commands::record::main(&cli, a),
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

fn eval(cli: &Cli, files: &[std::path::PathBuf], thresholds: &[f64]) -> anyhow::Result<()> {
    let lines = read_snapshots(files)?;
    let report = resou::analysis::evaluate(&lines, &headless_analysis_config(cli)?, thresholds);
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
    if let Some(o) = &cli.origin {
        validate_origin(o).map_err(|p| anyhow::anyhow!("--origin: {p}"))?;
        cfg.network.origin = Some(o.clone());
    }
    if let Some(p) = &cli.platform {
        cfg.general.platforms = p.clone();
    }
    if let Some(i) = cli.interval {
        anyhow::ensure!(i >= 5, "--interval must be at least 5 seconds");
        cfg.general.interval_secs = i;
    }
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
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
            resou::sources::http::HttpClient::new(&sources.net).map_err(|e| anyhow::anyhow!("HTTP client: {e}"))?,
        );
        let topics = resou::sources::topic::spawn_topic_fetcher(topic_client.clone(), Default::default(), tx.clone());
        // Drill-down pages: spaced per host, cached, cancellable; shares the topic client's cookies.
        let drill = resou::sources::drill::spawn_drill_fetcher(topic_client, Default::default(), tx.clone());
        let handle =
            poller::spawn(sources, tx).map_err(|e| anyhow::anyhow!("starting pollers: {e}"))?;

        // Analysis on its own thread (jieba loads there); the board shows before it is ready.
        let (analysis_cfg, analysis_warnings) = resou::config::analysis_config(&cfg, !offline);
        let (snap_tx, analysis_events) = resou::analysis::spawn_worker(analysis_cfg);
        let (a_tx, a_rx) = tokio::sync::mpsc::channel(64);
        let bridge = std::thread::Builder::new().name("resou-analysis-bridge".into()).spawn(move || {
            // Keep draining after the app has quit (sends then fail), so the worker finishes
            // the lists already queued and saves its baselines instead of stopping half-way.
            while let Ok(ev) = analysis_events.recv() {
                let _ = a_tx.blocking_send(ev);
            }
        })?;

        let env = |k: &str| std::env::var(k).ok();
        let mut app = App::new(keymap);
        app.theme = resou::ui::Theme::select(cfg.theme.name, cfg.theme.colours, &env, None);
        app.desktop = resou::desktop::Desktop::detect(cfg.desktop.clipboard, cfg.desktop.browser.clone());
        resou::app::update::enable_platforms(&mut app.state, &platforms);
        app.state.banner = banner;
        app.state.flash = keymap_warning.or_else(|| analysis_warnings.into_iter().next());

        // Triage (flags, notes, mutes, watchlists) survives restarts; the demo keeps its own file
        // so archived topics never mix with the user's real triage.
        let data_dir = paths::data_dir();
        let triage_path = data_dir
            .as_ref()
            .map(|d| d.join(if offline { "triage-demo.json" } else { "triage.json" }));
        if let Some(p) = &triage_path {
            let (t, err) = resou::triage::Triage::load_or_empty(p);
            app.state.triage = t;
            if let Some(e) = err {
                app.state.flash = Some(format!("triage file unreadable, starting empty (kept aside on save): {e}"));
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

        let mut guard = resou::tui::init(cfg.theme.mouse).context("setting up the terminal")?;
        // Moves the worker's sender in: when `run` returns and drops this closure, the worker's
        // input closes and it saves its baselines (the bridge join below waits for that).
        let saver_owned = saver;
        let (handle, topics, drill, saver) = (&handle, &topics, &drill, saver_owned.as_ref());
        let effects = move |e: Effect| match e {
            Effect::Source(cmd) => handle.send(cmd),
            Effect::Analyze(snap) => {
                let _ = snap_tx.send(WorkerInput::Snapshot(snap));
            }
            Effect::TopicAccounts { topic, records } => {
                let _ = snap_tx.send(WorkerInput::TopicAccounts { topic, records });
            }
            Effect::FetchTopic(hashtag) => {
                topics.request(&hashtag);
            }
            Effect::Drill { id, request, fresh: false } => drill.request(id, request),
            Effect::Drill { id, request, fresh: true } => drill.reload(id, request),
            Effect::CancelDrill(id) => drill.cancel(id),
            Effect::SaveTriage(t) => {
                if let Some(s) = saver {
                    s.save(*t);
                }
            }
            // The app loop performs these itself, between frames.
            Effect::OpenUrl(_) | Effect::Copy(_) | Effect::Export(_) | Effect::Alert(_) => {}
        };
        let res = resou::app::run(&mut guard.terminal, &mut app, rx, a_rx, effects).await;
        drop(guard);
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
