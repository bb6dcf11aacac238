//! Analysis: tokenise hot-list titles, score rising keywords, match KOLs.
//!
//! The app talks to it through [`spawn_worker`]: snapshots in, [`AnalysisEvent`]s out, on a
//! std thread of its own (jieba's dictionary loads there, never on the render path).
//! [`analyze_snapshots`] and [`evaluate`] replay snapshot files through the same
//! [`Analyzer`] for `resou analyze` / `resou eval`.

pub mod brand;
pub mod detect;
pub mod dynamics;
pub mod engine;
pub mod eval;
pub mod events;
pub mod headless;
pub mod highlight;
pub mod kol;
pub mod mentions;
pub mod panel;
pub mod row;
pub mod sentinel;
pub mod signal;
pub mod term_summary;
pub mod tokenize;
pub mod watch_worker;

use std::sync::mpsc::{Receiver, Sender, channel};

pub use detect::{Detector, DetectorConfig, StateError};
pub use engine::{
    AnalysisConfig, AnalysisUpdate, Analyzer, AnalyzerStats, Direction, KeywordRow, KolTrend,
    PanelEntry, PlatformCounts, TitleInfo, TopicKols,
};
pub use eval::{
    DocFreq, EvalPoint, EvalReport, Operating, TermOnsetPoint, document_frequency, evaluate,
    evaluate_at, evaluate_with_df_max, format_eval_report,
};
pub use headless::{PollAnalysis, analyze_snapshots, format_table};
pub use highlight::{Highlighter, highlight_spans};
pub use kol::{
    AccountRecord, AccountRole, Kol, KolFileError, KolMatcher, KolSpan, discover_kols,
    parse_kol_file,
};
pub use panel::Trend;
pub use row::{History, Keyword, Platforms};
pub use tokenize::{DictWord, Tokenizer, parse_dictionary};

use crate::domain::Snapshot;

/// What the worker is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerInput {
    Snapshot(Box<Snapshot>),
    /// Accounts from a topic's page (`topic` is its title or `#hashtag#`): discovered KOLs.
    TopicAccounts {
        topic: String,
        records: Vec<AccountRecord>,
    },
    /// Report the sizes of the analyser's bounded structures (answered with `Stats`).
    Stats,
    /// Posts of the sentinel accounts (brand watch): their tags are flagged when several
    /// sentinels start using them (`AnalysisEvent::Sentinels`, after each list).
    SentinelPosts(Vec<crate::domain::watch::WatchPost>),
}

impl From<Snapshot> for WorkerInput {
    fn from(s: Snapshot) -> WorkerInput {
        WorkerInput::Snapshot(Box::new(s))
    }
}

/// What the worker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisEvent {
    /// The dictionary is loaded; updates follow for every snapshot sent.
    DictionaryReady,
    Update(Box<AnalysisUpdate>),
    /// Every KOL name and alias now matched (sent after `DictionaryReady` when there are any,
    /// and whenever discovery adds some).
    Kols(Vec<String>),
    /// A non-fatal problem (state file unreadable or unwritable); the worker carries on.
    Warning(String),
    /// Answer to [`WorkerInput::Stats`] (memory reports).
    Stats(AnalyzerStats),
    /// The sentinel flags as of the last list, when they changed.
    Sentinels(Vec<sentinel::SentinelFlag>),
}

/// Stored polls to replay at start-up: called once on the worker thread with a sink for the
/// snapshots (oldest first); returns how many it gave, or what went wrong.
pub type Seed = Box<dyn FnOnce(&mut dyn FnMut(Snapshot)) -> Result<usize, String> + Send>;

/// How often the worker writes its detector state while running (it also does on exit), so
/// a crash loses at most this much; the history replay covers the rest.
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Start the analysis thread. Drop the sender to stop it: it then saves the detector state
/// to `cfg.state_path` (if set) and exits. Inputs sent before `DictionaryReady` queue up.
pub fn spawn_worker(cfg: AnalysisConfig) -> (Sender<WorkerInput>, Receiver<AnalysisEvent>) {
    spawn_worker_seeded(cfg, None)
}

/// [`spawn_worker`], and before the first input, `seed`'s stored polls go through the
/// detector (those the restored state has not seen) so that a start after a pause neither
/// floods the panel with old news nor forgets what was rising; the panel's rows as of the
/// newest stored lists follow as one update marked `seeded`.
pub fn spawn_worker_seeded(
    cfg: AnalysisConfig,
    seed: Option<Seed>,
) -> (Sender<WorkerInput>, Receiver<AnalysisEvent>) {
    let (snap_tx, snap_rx) = channel::<WorkerInput>();
    let (ev_tx, ev_rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("resou-analysis".into())
        .spawn(move || run_worker(cfg, seed, snap_rx, ev_tx.clone()));
    if let Err(e) = spawned {
        // Without a thread there is no analysis; say so instead of hanging the caller.
        let (tx, rx) = channel();
        let _ = tx.send(AnalysisEvent::Warning(format!(
            "analysis thread failed to start: {e}"
        )));
        return (snap_tx, rx);
    }
    (snap_tx, ev_rx)
}

/// Replay `seed` (see [`spawn_worker_seeded`]); the update for the newest lists, if any.
fn replay_seed(analyzer: &mut Analyzer, seed: Seed) -> Result<Option<AnalysisUpdate>, String> {
    let mut latest: Vec<Snapshot> = Vec::new();
    let mut replayed = 0usize;
    seed(&mut |snap: Snapshot| {
        if !analyzer.has_seen(&snap) {
            analyzer.process(&snap);
            replayed += 1;
        } else {
            analyzer.observe_events(&snap);
        }
        latest.retain(|s| s.platform != snap.platform);
        latest.push(snap);
    })?;
    tracing::info!(replayed, "analysis seeded from stored polls");
    latest.sort_by_key(|s| s.captured_at);
    let mut last = None;
    for s in &latest {
        last = Some(analyzer.present(s));
    }
    Ok(last.map(|mut u| {
        u.seeded = true;
        u.onsets.clear();
        u
    }))
}

fn run_worker(
    cfg: AnalysisConfig,
    seed: Option<Seed>,
    rx: Receiver<WorkerInput>,
    tx: Sender<AnalysisEvent>,
) {
    let mut analyzer = Analyzer::new(&cfg);
    analyzer.set_events(true);
    if let Some(path) = cfg.state_path.as_deref().filter(|p| p.exists()) {
        match Detector::load(path, cfg.detector.clone()) {
            Ok(d) => analyzer.set_detector(d),
            Err(e) => {
                let _ = tx.send(AnalysisEvent::Warning(format!(
                    "starting with fresh baselines: {e}"
                )));
            }
        }
    }
    let seeded = seed.map(|s| replay_seed(&mut analyzer, s));
    if tx.send(AnalysisEvent::DictionaryReady).is_err() {
        return;
    }
    match seeded {
        Some(Ok(Some(u))) => {
            if tx.send(AnalysisEvent::Update(Box::new(u))).is_err() {
                return;
            }
        }
        Some(Err(e)) => {
            let _ = tx.send(AnalysisEvent::Warning(format!(
                "history not replayed into the baselines: {e}"
            )));
        }
        Some(Ok(None)) | None => {}
    }
    let save = |a: &Analyzer| {
        cfg.state_path
            .as_deref()
            .map(|p| a.detector().save(p))
            .transpose()
    };
    let mut saved_at = std::time::Instant::now();
    // Building the dictionary freed tens of MB of intermediate tables; then hourly by the
    // data's clock (bounded memory over weeks; see crate::memory).
    crate::memory::release_free();
    let mut release = crate::memory::ReleaseClock::default();
    let names = analyzer.kol_names();
    if !names.is_empty() && tx.send(AnalysisEvent::Kols(names)).is_err() {
        return;
    }
    let mut sentinels = sentinel::SentinelPosts::default();
    while let Ok(input) = rx.recv() {
        match input {
            WorkerInput::SentinelPosts(posts) => sentinels.add(posts),
            WorkerInput::Snapshot(snap) => {
                crate::crash::debug_panic_point("worker");
                // A poll the detector already took in (the history replay stored it first, or
                // the same list twice) is shown, not counted again.
                let update = if analyzer.has_seen(&snap) {
                    analyzer.present(&snap)
                } else {
                    analyzer.process(&snap)
                };
                if tx.send(AnalysisEvent::Update(Box::new(update))).is_err() {
                    break;
                }
                if let Some(flags) = sentinels.flags_after(&snap, analyzer.tokenizer())
                    && tx.send(AnalysisEvent::Sentinels(flags)).is_err()
                {
                    break;
                }
                if release.due(snap.captured_at) {
                    crate::memory::release_free();
                }
                if saved_at.elapsed() >= SAVE_EVERY {
                    saved_at = std::time::Instant::now();
                    if let Err(e) = save(&analyzer) {
                        tracing::warn!("saving detector state: {e}");
                    }
                }
            }
            WorkerInput::Stats => {
                if tx.send(AnalysisEvent::Stats(analyzer.stats())).is_err() {
                    break;
                }
            }
            WorkerInput::TopicAccounts { topic, records } => {
                let added = analyzer.add_topic_accounts(&topic, &records);
                if !added.is_empty() {
                    let names = added.iter().map(|k| k.name.as_str());
                    tracing::debug!(%topic, kols = ?names.collect::<Vec<_>>(), "KOLs discovered");
                    if tx.send(AnalysisEvent::Kols(analyzer.kol_names())).is_err() {
                        break;
                    }
                }
            }
        }
    }
    if let Err(e) = save(&analyzer) {
        let _ = tx.send(AnalysisEvent::Warning(format!(
            "could not save detector state: {e}"
        )));
    }
}
