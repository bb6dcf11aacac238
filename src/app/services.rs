//! The background services the TUI talks to, and the one place an [`Effect`] is carried out.
//!
//! `update` only asks (it returns effects); [`Services::run`] does what it asks, between frames,
//! and hands back the messages some effects answer with (a copy's or an export's outcome), which
//! the loop feeds to `update` like any other message.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::{AppMsg, Effect};
use crate::alerts::Notifier;
use crate::analysis::{AnalysisConfig, AnalysisEvent, Seed, WorkerInput};
use crate::desktop::{Desktop, Outcome};
use crate::domain::now_cst;
use crate::export::ExportRow;
use crate::history::{HistoryCmd, HistoryEvent, HistoryHandle, HistoryOptions, Opener};
use crate::sources::drill::{DrillHandle, spawn_drill_fetcher};
use crate::sources::http::HttpClient;
use crate::sources::poller::{self, SourcesHandle};
use crate::sources::topic::{TopicFetcherHandle, spawn_topic_fetcher};
use crate::sources::{SourceEvent, SourcesConfig};
use crate::triage::Triage;

/// What to start: everything [`Services::start`] needs, decided by the TUI command.
pub struct Plan {
    /// What the pollers poll; the fetchers use its network settings too.
    pub sources: SourcesConfig,
    /// False for a team viewer: its lists come from the collector's store.
    pub poll: bool,
    pub analysis: AnalysisConfig,
    /// Baselines from stored polls, replayed by the worker before the first live list.
    pub seed: Option<Seed>,
    /// The triage file saves go to (none without a data directory).
    pub triage_file: Option<PathBuf>,
    /// The history store and how to run it (none with `--no-history`).
    pub history: Option<(Opener, HistoryOptions)>,
    /// The name triage rows are stored under in the history store.
    pub history_user: String,
    /// Where `o` / `y` send links.
    pub desktop: Desktop,
    /// How alerts reach the user beyond the status bar (bell, desktop notification, hook).
    pub notifier: Notifier,
    /// Where `e` writes exports, and in which format.
    pub export_dir: Option<PathBuf>,
    pub export_format: crate::export::Format,
    /// The team alert sender, when this TUI is the one that sends (`[push] tui_sends`).
    pub alerts: Option<crate::dispatch::Setup>,
    /// The brand view's terms and, unless a viewer, the search loop (none: no watched terms).
    pub watch: Option<WatchPlan>,
}

/// What the brand view needs.
pub struct WatchPlan {
    pub terms: Vec<crate::domain::watch::WatchTerm>,
    /// The configured terms (and the demo's), which the watchlist's keywords join.
    pub configured: Vec<crate::domain::watch::WatchTerm>,
    /// The sentinel accounts followed (a viewer reads their stored posts).
    pub sentinels: Vec<crate::domain::watch::Sentinel>,
    /// The watch loop's settings, when this app searches (not a team viewer).
    pub search: Option<crate::sources::watch::WatchConfig>,
    /// The scorer of the brand worker (and of the drill-down marks).
    pub scorer: Arc<crate::sentiment::Scorer>,
    /// Spike settings (`[watch.alerts]`) for the sparklines' marks.
    pub spike: crate::analysis::mentions::SpikeConfig,
    /// Brand alerts (`[watch.alerts]`) with the KOLs they know as authors, for the team alert
    /// sender when this app sends.
    pub monitor: Option<crate::analysis::brand::BrandMonitor>,
}

/// What the services send the app: the loop selects over these.
pub struct Inbox {
    /// Polls, topic stats and drill-down pages.
    pub sources: mpsc::Receiver<SourceEvent>,
    pub analysis: mpsc::Receiver<AnalysisEvent>,
    pub history: mpsc::Receiver<HistoryEvent>,
    /// The brand watch loop's pages, failures and budget.
    pub watch: mpsc::Receiver<crate::sources::watch::WatchEvent>,
    /// Brand view summaries from the brand worker.
    pub brand: mpsc::Receiver<Vec<crate::analysis::term_summary::TermSummary>>,
}

/// Every background service of the TUI, owned in one place.
///
/// Start order ([`Services::start`]), each after the one before so a failure stops before the
/// rest is wired:
/// 1. topic and drill fetchers, sharing one HTTP client (and its cookies);
/// 2. pollers (none for a team viewer);
/// 3. analysis worker and its bridge thread (jieba loads there: the board shows before it is
///    ready);
/// 4. triage saver;
/// 5. history service (its first answer can show the last stored lists before the first poll).
///
/// Stop order ([`Services::stop`]), once the loop has returned and the terminal is restored:
/// 1. the analysis worker's input closes: it finishes the lists already queued and saves its
///    baselines while the rest stop (the bridge keeps draining, so the worker never blocks);
/// 2. history finishes: queued writes land before exit;
/// 3. triage saver: the final save (this look's end) goes last, after any save still being
///    written;
/// 4. the bridge is joined: by then the worker has saved its baselines, so a restart keeps them;
/// 5. the alert sender (if this TUI sends) routes the last updates and tries what is due;
/// 6. pollers and fetchers are dropped (aborted): nothing reads their events any more.
pub struct Services {
    pollers: Option<SourcesHandle>,
    topics: TopicFetcherHandle,
    drill: DrillHandle,
    /// `None` once stopping: closing it is what makes the worker save.
    analysis: Option<std::sync::mpsc::Sender<WorkerInput>>,
    bridge: Option<JoinHandle<()>>,
    triage: Option<TriageSaver>,
    history: Option<HistoryHandle>,
    history_user: String,
    desktop: Desktop,
    notifier: Notifier,
    export_dir: Option<PathBuf>,
    export_format: crate::export::Format,
    /// The alert sender; its deliveries reach the app through the store, like a collector's.
    alerts: Option<crate::dispatch::Handle>,
    /// The brand worker's input (none without watched terms).
    brand: Option<std::sync::mpsc::Sender<crate::analysis::watch_worker::WatchInput>>,
    /// The brand watch loop (aborted when dropped); `w` changes its terms.
    watcher: Option<crate::sources::watch::WatchHandle>,
}

impl Services {
    /// Start every service in the documented order (inside the tokio runtime: the pollers and
    /// fetchers are tasks).
    pub fn start(plan: Plan) -> anyhow::Result<(Services, Inbox)> {
        let (tx, sources) = mpsc::channel(64);
        // Topic stats (hosts, media accounts) come through their own rate-limited fetcher.
        let client = Arc::new(
            HttpClient::new(&plan.sources.net).map_err(|e| anyhow::anyhow!("HTTP client: {e}"))?,
        );
        let topics = spawn_topic_fetcher(client.clone(), Default::default(), tx.clone());
        // Drill-down pages: spaced per host, cached, cancellable; shares the topic client's cookies.
        let drill = spawn_drill_fetcher(client.clone(), Default::default(), tx.clone());
        // Brand watch: the worker summarises; the search loop (its own fetcher, same client and
        // cookies) finds posts — unless a viewer, whose posts come from the collector's store.
        let (w_tx, watch) = mpsc::channel(64);
        let (b_tx, brand) = mpsc::channel(8);
        let mut monitor = None;
        let (brand_in, watcher) = match plan.watch {
            Some(w) => {
                monitor = w.monitor;
                let board = crate::analysis::watch_worker::WatchBoard::new((*w.scorer).clone())
                    .with_spikes(w.spike.clone());
                let input = crate::analysis::watch_worker::spawn_watch_worker(board, move |s| {
                    b_tx.blocking_send(s).is_ok()
                });
                let _ = input.send(crate::analysis::watch_worker::WatchInput::Terms(
                    w.terms.clone(),
                ));
                let watcher = w.search.map(|cfg| {
                    crate::sources::watch::spawn_watch(
                        client.clone(),
                        cfg,
                        std::collections::HashMap::new(),
                        w_tx,
                    )
                });
                (Some(input), watcher)
            }
            None => (None, None),
        };
        let pollers = if plan.poll {
            Some(
                poller::spawn(plan.sources, tx)
                    .map_err(|e| anyhow::anyhow!("starting pollers: {e}"))?,
            )
        } else {
            None
        };

        let (snap_tx, analysis_events) =
            crate::analysis::spawn_worker_seeded(plan.analysis, plan.seed);
        let (a_tx, analysis) = mpsc::channel(64);
        // Its events are logged by the sender; the app reads deliveries from the store.
        let alerts = match plan.alerts {
            Some(setup) => Some(crate::dispatch::spawn(setup, mpsc::unbounded_channel().0)?),
            None => None,
        };
        let to_alerts = alerts.as_ref().map(crate::dispatch::Handle::inputs);
        if let (Some(a), Some(m)) = (&alerts, monitor) {
            a.send(crate::dispatch::Input::Brand(Box::new(m)));
        }
        let bridge = std::thread::Builder::new()
            .name("resou-analysis-bridge".into())
            .spawn(move || {
                // Keep draining after the app has quit (sends then fail), so the worker finishes
                // the lists already queued and saves its baselines instead of stopping half-way.
                while let Ok(ev) = analysis_events.recv() {
                    match (&to_alerts, &ev) {
                        (Some(tx), AnalysisEvent::Update(u)) => {
                            let _ = tx.send(crate::dispatch::Input::Update(u.clone()));
                        }
                        (Some(tx), AnalysisEvent::Sentinels(f)) => {
                            let _ = tx.send(crate::dispatch::Input::Sentinels(f.clone()));
                        }
                        _ => {}
                    }
                    let _ = a_tx.blocking_send(ev);
                }
            })?;

        let triage = plan.triage_file.map(TriageSaver::spawn);

        // The store runs on its own thread; a store that cannot open leaves the app on memory
        // alone (it says so through `history`).
        let (h_tx, history_events) = mpsc::channel(64);
        let history = match plan.history {
            Some((open, opts)) => Some(crate::history::spawn(open, opts, h_tx)?),
            None => None,
        };

        let services = Services {
            pollers,
            topics,
            drill,
            analysis: Some(snap_tx),
            bridge: Some(bridge),
            triage,
            history,
            history_user: plan.history_user,
            desktop: plan.desktop,
            notifier: plan.notifier,
            export_dir: plan.export_dir,
            export_format: plan.export_format,
            alerts,
            brand: brand_in,
            watcher,
        };
        let inbox = Inbox {
            sources,
            analysis,
            history: history_events,
            watch,
            brand,
        };
        Ok((services, inbox))
    }

    /// Carry out one effect; an answer for the app comes back as a message. Never blocks on
    /// the network: slow work is queued to its service.
    pub fn run(&mut self, effect: Effect) -> Option<AppMsg> {
        let outcome = match effect {
            Effect::Source(cmd) => {
                if let Some(p) = &self.pollers {
                    p.send(cmd);
                }
                None
            }
            Effect::Analyze(snap) => {
                if let Some(a) = &self.alerts {
                    a.send(crate::dispatch::Input::Snapshot(snap.clone()));
                }
                self.to_worker(WorkerInput::Snapshot(snap));
                None
            }
            Effect::TopicAccounts { topic, records } => {
                self.to_worker(WorkerInput::TopicAccounts { topic, records });
                None
            }
            Effect::FetchTopic(hashtag) => {
                self.topics.request(&hashtag);
                None
            }
            Effect::Drill {
                id,
                request,
                fresh: false,
            } => {
                self.drill.request(id, request);
                None
            }
            Effect::Drill {
                id,
                request,
                fresh: true,
            } => {
                self.drill.reload(id, request);
                None
            }
            Effect::CancelDrill(id) => {
                self.drill.cancel(id);
                None
            }
            Effect::SaveTriage(t) => {
                self.save_triage(*t);
                None
            }
            Effect::History(cmd) => {
                if let Some(h) = &self.history {
                    h.send(cmd);
                }
                None
            }
            Effect::Alert(alert) => {
                let report = crate::alerts::deliver(&alert, &self.notifier, &mut io::stdout());
                for e in report.errors {
                    tracing::warn!("alert delivery: {e}");
                }
                None
            }
            // Written to the terminal from the loop's thread, between frames: an OSC 52
            // sequence cannot split a draw.
            Effect::Copy(text) => Some(crate::desktop::copy(
                &text,
                &self.desktop,
                &mut io::stdout(),
            )),
            Effect::OpenUrl(url) => Some(crate::desktop::open(&url, &self.desktop)),
            Effect::Export(rows) => Some(self.export_file(&rows)),
            Effect::WatchTerms(terms) => {
                if let Some(w) = &self.watcher {
                    w.set_terms(terms.clone());
                }
                if let Some(b) = &self.brand {
                    let _ = b.send(crate::analysis::watch_worker::WatchInput::Terms(terms));
                }
                None
            }
            Effect::WatchSentinels(accounts) => {
                if let Some(w) = &self.watcher {
                    w.set_sentinels(accounts);
                }
                None
            }
            Effect::WatchPage { term, posts } => {
                if let (Some(a), Some(at)) =
                    (&self.alerts, posts.iter().map(|p| p.first_seen).max())
                {
                    a.send(crate::dispatch::Input::WatchPosts { term, posts, at });
                }
                None
            }
            Effect::SentinelPosts(posts) => {
                self.to_worker(WorkerInput::SentinelPosts(posts));
                None
            }
            Effect::Brand(input) => {
                if let Some(b) = &self.brand {
                    let _ = b.send(input);
                }
                None
            }
        };
        outcome.map(|o| AppMsg::Desktop {
            notice: o.notice,
            show: o.show,
        })
    }

    /// Stop every service in the documented order, `last` (this look's triage) saved last.
    pub fn stop(mut self, last: Option<Triage>) {
        drop(self.analysis.take());
        if let Some(h) = self.history.take() {
            h.finish();
        }
        if let (Some(s), Some(t)) = (self.triage.take(), last) {
            s.finish(t);
        }
        if let Some(b) = self.bridge.take() {
            let _ = b.join();
        }
        // After the bridge (its last updates are routed): what is due is tried, the rest
        // stays queued in the store.
        if let Some(a) = self.alerts.take() {
            a.finish();
        }
        // What is left: pollers and fetchers.
        drop(self);
    }

    fn to_worker(&self, input: WorkerInput) {
        if let Some(tx) = &self.analysis {
            let _ = tx.send(input);
        }
    }

    /// To the triage file, and to the history store (team mode shares it from there).
    fn save_triage(&self, t: Triage) {
        if let Some(h) = &self.history {
            match serde_json::to_string(&t) {
                Ok(json) => h.send(HistoryCmd::SaveTriage(crate::store::TriageRecord {
                    user: self.history_user.clone(),
                    json,
                    updated_at: now_cst(),
                })),
                Err(e) => tracing::warn!("triage to JSON: {e}"),
            }
        }
        if let Some(s) = &self.triage {
            s.save(t);
        }
    }

    /// Write an export under the export dir as `resou-YYYYMMDD-HHMMSS.<ext>` and say where.
    fn export_file(&self, rows: &[ExportRow]) -> Outcome {
        let fmt = self.export_format;
        let notice = |notice: String| Outcome { notice, show: None };
        let Some(dir) = &self.export_dir else {
            return notice("export: no data directory to write to".into());
        };
        let name = format!(
            "resou-{}.{}",
            now_cst().format("%Y%m%d-%H%M%S"),
            fmt.extension()
        );
        let path = dir.join(name);
        let text = crate::export::export(rows, fmt);
        let written = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text));
        match written {
            Ok(()) => notice(format!(
                "exported {} topic{} to {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                path.display()
            )),
            Err(e) => {
                tracing::warn!("export to {} failed: {e}", path.display());
                notice(format!("export failed: {}: {e}", path.display()))
            }
        }
    }
}

/// Writes triage saves off the UI thread, one at a time, the newest winning.
struct TriageSaver {
    tx: std::sync::mpsc::Sender<Triage>,
    thread: Option<JoinHandle<()>>,
}

impl TriageSaver {
    fn spawn(path: PathBuf) -> TriageSaver {
        let (tx, rx) = std::sync::mpsc::channel::<Triage>();
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

    fn save(&self, t: Triage) {
        let _ = self.tx.send(t);
    }

    /// Save `t` last and wait until everything is on disk.
    fn finish(self, t: Triage) {
        let _ = self.tx.send(t);
        drop(self.tx);
        if let Some(h) = self.thread {
            let _ = h.join();
        }
    }
}
