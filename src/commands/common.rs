//! Set-up the commands share: the command line's settings over the config file's, the history
//! store, the keymap, snapshot files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::Cli;
use crate::config::keymap::{Keymap, KeymapError, Layers, Loaded};
use crate::config::{Config, validate_origin};
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;
use crate::paths;
use crate::sources::SourcesConfig;

/// Polling settings given on the command line, checked when given (the error names the flag,
/// before anything is started); [`effective_sources`] lays them over the config file's.
#[derive(Debug, Clone)]
pub struct Overrides {
    origin: Option<String>,
    platforms: Option<Vec<Platform>>,
    interval: Option<u64>,
}

impl Overrides {
    pub fn new(
        origin: Option<String>,
        platforms: Option<Vec<Platform>>,
        interval: Option<u64>,
    ) -> anyhow::Result<Overrides> {
        if let Some(o) = &origin {
            validate_origin(o).map_err(|p| anyhow::anyhow!("--origin: {p}"))?;
        }
        if let Some(i) = interval {
            anyhow::ensure!(i >= 5, "--interval must be at least 5 seconds");
        }
        Ok(Overrides {
            origin,
            platforms,
            interval,
        })
    }
}

/// A running replay as the pollers see it (`commands::replay::Running::served`).
#[derive(Debug, Clone)]
pub struct Served {
    pub origin: String,
    pub step: Duration,
    /// The platforms it has lists for: the only ones worth polling.
    pub platforms: Vec<Platform>,
}

/// What the pollers poll: the config file's settings, the command line's over them, and a
/// running replay's over both — its origin always, its platforms (narrowed by `--platform`)
/// always, its step (with back-off to match) only when no interval was given.
pub fn effective_sources(
    cfg: &Config,
    overrides: &Overrides,
    served: Option<Served>,
) -> SourcesConfig {
    let mut cfg = cfg.clone();
    if let Some(o) = &overrides.origin {
        cfg.network.origin = Some(o.clone());
    }
    if let Some(p) = &overrides.platforms {
        cfg.general.platforms = p.clone();
    }
    if let Some(i) = overrides.interval {
        // `--interval` sets every list's interval
        cfg.general.interval_secs = i;
        for p in Platform::ALL {
            cfg.platform.entry(p).or_default().interval_secs = Some(i);
        }
    }
    let mut sources = cfg.sources();
    if let Some(served) = served {
        sources.net.origin = Some(served.origin);
        sources.platforms = served.platforms;
        if let Some(p) = &overrides.platforms {
            sources.platforms.retain(|s| p.contains(s));
        }
        if overrides.interval.is_none() {
            // a replay steps every list on one clock
            sources.interval = served.step;
            sources.intervals.clear();
            sources.max_backoff = served.step * 8;
        }
    }
    sources
}

/// What a headless command polls once or records: the effective sources, each platform once.
pub fn sources_config(
    config: Option<&Path>,
    origin: Option<&str>,
    platforms: Option<&[Platform]>,
) -> anyhow::Result<SourcesConfig> {
    let (cfg, _) = Config::load(config)?;
    let overrides = Overrides::new(
        origin.map(str::to_string),
        platforms.map(<[_]>::to_vec),
        None,
    )?;
    let mut sources = effective_sources(&cfg, &overrides, None);
    sources.platforms.sort();
    sources.platforms.dedup();
    anyhow::ensure!(!sources.platforms.is_empty(), "no platform to poll");
    Ok(sources)
}

/// Where history goes: `--no-history` / `[history] enabled = false` → none; else `--store`,
/// `[history] store`, `RESOU_STORE`, and the default file (the demo keeps its own file, so
/// archived lists never mix with real ones).
pub fn store_spec(cli: &Cli, cfg: &Config, offline: bool) -> anyhow::Result<Option<String>> {
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
            crate::crash::register_secret(p);
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
        crate::store::FILE_NAME
    };
    Ok(paths::data_dir().map(|d| d.join(name).display().to_string()))
}

/// The alert sender's set-up from `[push]`, or `None` when no rules are configured: the
/// rules and channels opened (problems name their file and line), and the sender's own
/// connection to the history store at `spec`. Replays run the rules on the lists' own clock.
pub fn alert_setup(
    cfg: &Config,
    cfg_path: Option<&std::path::Path>,
    spec: &str,
    offline: bool,
) -> anyhow::Result<Option<(crate::dispatch::Setup, String)>> {
    let push = crate::config::push::PushConfig {
        section: &cfg.push,
        file: cfg_path,
    };
    let reports_wanted = !cfg.report.channels.is_empty() && !cfg.report.at.is_empty();
    let Some(p) = push.open(reports_wanted)? else {
        return Ok(None);
    };
    let channels = p.channels.keys().cloned().collect::<Vec<_>>().join(", ");
    let what = match &p.rules_path {
        Some(rules) => format!(
            "team alerts by the rules in {} to {channels}",
            rules.display()
        ),
        None => "scheduled reports only (no rules file)".to_string(),
    };
    let store = crate::store::open(&crate::store::StoreSpec::parse(spec))?;
    let reports = if !reports_wanted {
        None
    } else {
        if let Some(missing) = cfg
            .report
            .channels
            .iter()
            .find(|c| !p.channels.contains_key(*c))
        {
            anyhow::bail!(
                "[report] channels: no channel {missing:?} in [push.channels] (configured: {})",
                p.channels.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        Some(crate::dispatch::ReportPlan {
            schedule: cfg.report.at.clone(),
            period: cfg.report.period,
            channels: cfg.report.channels.clone(),
            dir: cfg.report.dir(),
            options: crate::report::Options {
                tiers: p.rules.tiers.clone(),
                ..Default::default()
            },
        })
    };
    let what = match &reports {
        Some(r) => format!(
            "{what}; reports at {} to {}",
            r.schedule.times().join(", "),
            r.channels.join(", ")
        ),
        None => what,
    };
    let setup = crate::dispatch::Setup {
        rules: p.rules,
        channels: p.channels,
        store,
        clock: if offline {
            crate::dispatch::RouteClock::Data
        } else {
            crate::dispatch::RouteClock::Wall
        },
        reports,
    };
    Ok(Some((setup, what)))
}

/// Opens a history store from its spec, on the history thread.
pub fn open_store(spec: String) -> crate::history::Opener {
    Box::new(move || {
        let store = crate::store::open(&crate::store::StoreSpec::parse(&spec))?;
        Ok(store)
    })
}

/// A store spec for messages: URLs lose their password.
pub fn shown_spec(spec: &str) -> String {
    crate::store::StoreSpec::parse(spec).describe()
}

/// The user name triage rows are stored under (team mode tells users apart by it).
pub fn history_user(cfg: &Config) -> String {
    cfg.history
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "local".into())
}

/// Default → preset → user keymap file → `--bind`. A bad preset or user file keeps the layers
/// below and comes back as warnings (shown in the status bar); a bad `--bind` is an error.
pub fn keymap(
    cli: &Cli,
    config_preset: Option<&str>,
    config_path: Option<&Path>,
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

/// Snapshot files for the headless commands, merged in time order.
pub fn read_snapshots(files: &[PathBuf]) -> anyhow::Result<Vec<SnapshotLine>> {
    let mut lines = Vec::new();
    for f in files {
        lines.extend(crate::import::read_jsonl(f)?);
    }
    lines.sort_by_key(|l| (l.captured_at, l.platform));
    Ok(lines)
}

/// The analysis settings of the headless commands (no detector state file: baselines stay in
/// memory); the config's warnings go to stderr.
pub fn headless_analysis_config(cli: &Cli) -> anyhow::Result<crate::analysis::AnalysisConfig> {
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let (acfg, warnings) = crate::config::analysis_config(&cfg, false);
    for w in warnings {
        eprintln!("resou: {w}");
    }
    Ok(acfg)
}
