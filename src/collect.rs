//! `resou collect`: the headless collector. Polls like the app (same pollers, same fallback
//! chains and back-off), writes every successful poll to the history store through the
//! history service, groups the lists into stories on a thread of its own and stores their
//! titles (so the team's time travel, `H` and export show where a story appeared first), logs
//! to the log file, and stops cleanly on SIGTERM / SIGINT / SIGHUP: pollers first, then the
//! stories of the last polls, then every queued write is committed before exit.
//!
//! With team alert rules ([`Alerting`]) the collector is the team's one sender: the full
//! analysis runs on its thread instead of the bare story grouper (its stories are stored the
//! same way), and every list and analysis goes to the sender (`dispatch`), which is finished
//! (what is due is tried, the rest stays queued in the store) before the history.

use tokio::sync::mpsc;

use crate::history::{HistoryCmd, HistoryEvent, HistoryHandle};
use crate::sources::{PollOutcome, SourceEvent, SourcesConfig, poller};

/// What one collector run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollectReport {
    pub polls_ok: u64,
    pub polls_failed: u64,
    pub write_failures: u64,
    pub alerts_delivered: u64,
    pub alerts_failed: u64,
    /// Brand watch posts handed to the store (a post seen again is kept once there).
    pub watch_posts: u64,
    /// Of those, sentinel accounts' timeline posts.
    pub sentinel_posts: u64,
    pub watch_failures: u64,
}

/// The collector as the team's alert sender.
pub struct Alerting {
    pub analysis: crate::analysis::AnalysisConfig,
    /// Brand alerts on the watch loop's posts (`[watch.alerts]`).
    pub brand: crate::analysis::brand::BrandConfig,
    pub sender: crate::dispatch::Handle,
    pub events: mpsc::UnboundedReceiver<crate::dispatch::Event>,
}

/// Why the collector stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Signal,
    /// `--count` successful polls per platform were made.
    Count,
    /// The store could not be opened.
    NoStore,
}

/// Run until a signal (or `count` successful polls per platform). `history` receives every
/// good poll and is finished (queued writes committed) before this returns; `history_events`
/// are its answers (write failures are logged and counted).
pub async fn run(
    sources: SourcesConfig,
    history: HistoryHandle,
    history_events: mpsc::Receiver<HistoryEvent>,
    count: Option<u64>,
    alerting: Option<Alerting>,
) -> anyhow::Result<(CollectReport, Stop)> {
    run_watching(sources, history, history_events, count, alerting, None).await
}

/// [`run`], also running the brand watch loop (issue 20) when `watch` is given: its posts
/// (terms' searches and sentinel accounts' timelines) go to the store through the history
/// service, its budget to the log.
pub async fn run_watching(
    sources: SourcesConfig,
    history: HistoryHandle,
    mut history_events: mpsc::Receiver<HistoryEvent>,
    count: Option<u64>,
    alerting: Option<Alerting>,
    watch: Option<crate::sources::watch::WatchConfig>,
) -> anyhow::Result<(CollectReport, Stop)> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let platforms = sources.platforms.len() as u64;
    let (mut watch_rx, watcher) = match watch {
        Some(w) => {
            let client = crate::sources::http::HttpClient::new(&sources.net)
                .map_err(|e| anyhow::anyhow!("HTTP client: {e}"))?;
            let (wtx, wrx) = mpsc::channel(64);
            let h = crate::sources::watch::spawn_watch(
                std::sync::Arc::new(client),
                w,
                Default::default(),
                wtx,
            );
            (Some(wrx), Some(h))
        }
        None => (None, None),
    };
    let (tx, mut rx) = mpsc::channel(64);
    let pollers =
        poller::spawn(sources, tx).map_err(|e| anyhow::anyhow!("starting pollers: {e}"))?;
    // The alerting analysis worker also flags the sentinels' tags (sent on to the rules).
    let mut sentinel_in: Option<std::sync::mpsc::Sender<crate::analysis::WorkerInput>> = None;
    let (sender, mut alert_events, (stories, mut joined)) = match alerting {
        Some(a) => {
            let to_sender = a.sender.inputs();
            if watcher.is_some() {
                // Brand alerts know the configured KOLs (kols.toml) as authors.
                let monitor = crate::analysis::brand::BrandMonitor::new(
                    a.brand,
                    &a.analysis.kols,
                    crate::sentiment::Scorer::new(),
                );
                a.sender
                    .send(crate::dispatch::Input::Brand(Box::new(monitor)));
            }
            (
                Some(a.sender),
                Some(a.events),
                spawn_analysis(a.analysis, to_sender, &mut sentinel_in),
            )
        }
        None => (None, None, spawn_stories()),
    };
    let mut report = CollectReport::default();
    let mut history_open = true;
    let stop = loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(SourceEvent::Poll(r)) => match r.outcome {
                    PollOutcome::Ok { snapshot, endpoint } => {
                        report.polls_ok += 1;
                        tracing::info!(platform = %r.platform, items = snapshot.ranked.len() + snapshot.pinned.len(),
                            via = endpoint.label(), "poll stored");
                        if let Some(s) = &sender {
                            s.send(crate::dispatch::Input::Snapshot(Box::new(snapshot.clone())));
                        }
                        let _ = stories.send(snapshot.clone());
                        history.send(HistoryCmd::Record { snapshot: Box::new(snapshot), endpoint: endpoint.label() });
                        if count.is_some_and(|c| report.polls_ok >= c * platforms) {
                            break Stop::Count;
                        }
                    }
                    PollOutcome::Failed { error } => {
                        report.polls_failed += 1;
                        tracing::warn!(platform = %r.platform, next_in = ?r.next_in, "poll failed: {error}");
                    }
                },
                Some(_) => {}
                None => break Stop::Signal,
            },
            Some(j) = joined.recv() => history.send(stories_cmd(j)),
            Some(ev) = recv_some(&mut alert_events) => count_alert(&mut report, &ev),
            Some(ev) = recv_watch(&mut watch_rx) => watch_event(&mut report, &history, sender.as_ref(), sentinel_in.as_ref(), ev),
            ev = history_events.recv(), if history_open => match ev {
                Some(HistoryEvent::WriteFailed(msg)) => {
                    report.write_failures += 1;
                    tracing::warn!("{msg}");
                }
                Some(HistoryEvent::Unavailable(msg)) => {
                    tracing::error!("history store unavailable: {msg}");
                    eprintln!("resou collect: history store unavailable: {msg}");
                    break Stop::NoStore;
                }
                Some(HistoryEvent::Opened { source, latest }) => {
                    tracing::info!(%source, platforms = latest.len(), "history store open");
                }
                Some(_) => {}
                None => history_open = false,
            },
            _ = sigterm.recv() => break Stop::Signal,
            _ = sighup.recv() => break Stop::Signal,
            _ = sigint.recv() => break Stop::Signal,
        }
    };
    pollers.shutdown().await;
    if let Some(w) = watcher {
        w.shutdown().await;
    }
    // The stories of the polls taken in so far, then the writes. The worker's input closes
    // with both of its senders (lists and sentinel posts).
    drop(sentinel_in);
    drop(stories);
    while let Some(j) = joined.recv().await {
        history.send(stories_cmd(j));
    }
    // The sender routes what the analysis gave it and tries what is due, then stops.
    if let Some(s) = sender {
        tokio::task::spawn_blocking(move || s.finish()).await?;
    }
    while let Some(ev) = alert_events.as_mut().and_then(|r| r.try_recv().ok()) {
        count_alert(&mut report, &ev);
    }
    // Every queued write is committed before the process ends; failures among them count.
    tokio::task::spawn_blocking(move || history.finish()).await?;
    while let Ok(ev) = history_events.try_recv() {
        if let HistoryEvent::WriteFailed(msg) = ev {
            report.write_failures += 1;
            tracing::warn!("{msg}");
        }
    }
    Ok((report, stop))
}

async fn recv_some<T>(rx: &mut Option<mpsc::UnboundedReceiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn recv_watch<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn watch_event(
    report: &mut CollectReport,
    history: &HistoryHandle,
    sender: Option<&crate::dispatch::Handle>,
    sentinel_in: Option<&std::sync::mpsc::Sender<crate::analysis::WorkerInput>>,
    ev: crate::sources::watch::WatchEvent,
) {
    use crate::sources::watch::WatchEvent;
    match ev {
        WatchEvent::Posts {
            term,
            page,
            posts,
            new,
            ..
        } => {
            tracing::info!(%term, page, posts = posts.len(), new, "watch page");
            report.watch_posts += posts.len() as u64;
            // The sender looks for spikes, negative turns and KOL posts (brand alerts).
            if let (Some(s), Some(at)) = (sender, posts.iter().map(|p| p.first_seen).max()) {
                s.send(crate::dispatch::Input::WatchPosts {
                    term: term.clone(),
                    posts: posts.clone(),
                    at,
                });
            }
            if !posts.is_empty() {
                history.send(HistoryCmd::RecordWatch(posts));
            }
        }
        WatchEvent::SentinelPosts {
            account,
            page,
            posts,
            new,
        } => {
            tracing::info!(account = %account.name, uid = %account.uid, page, posts = posts.len(), new, "sentinel page");
            report.watch_posts += posts.len() as u64;
            report.sentinel_posts += posts.len() as u64;
            if let Some(w) = sentinel_in.filter(|_| !posts.is_empty()) {
                let _ = w.send(crate::analysis::WorkerInput::SentinelPosts(posts.clone()));
            }
            if !posts.is_empty() {
                history.send(HistoryCmd::RecordWatch(posts));
            }
        }
        WatchEvent::Failed {
            term,
            page,
            error,
            refused,
            ..
        } => {
            report.watch_failures += 1;
            tracing::warn!(%term, page, refused, "watch search failed: {error}");
        }
        WatchEvent::Budget(b) => tracing::info!("{b}"),
    }
}

fn count_alert(report: &mut CollectReport, ev: &crate::dispatch::Event) {
    use crate::dispatch::Event;
    match ev {
        Event::Delivered { .. } => report.alerts_delivered += 1,
        Event::Failed { .. } => report.alerts_failed += 1,
        Event::Retrying { .. } | Event::Warning(_) => {}
    }
}

/// The analysis worker in the story grouper's place (alerting needs rising keywords, KOLs,
/// dynamics): lists in; every update goes to the sender and the titles that joined a story
/// come out, as from [`spawn_stories`]. It ends when the input closes, after the lists
/// already sent (the worker then saves its detector state).
fn spawn_analysis(
    cfg: crate::analysis::AnalysisConfig,
    to_sender: mpsc::UnboundedSender<crate::dispatch::Input>,
    sentinel_in: &mut Option<std::sync::mpsc::Sender<crate::analysis::WorkerInput>>,
) -> (
    std::sync::mpsc::Sender<crate::domain::Snapshot>,
    mpsc::Receiver<Vec<crate::analysis::events::Joined>>,
) {
    use crate::analysis::{AnalysisEvent, WorkerInput};
    let (tx, rx) = std::sync::mpsc::channel::<crate::domain::Snapshot>();
    let (out, joined) = mpsc::channel(64);
    let (worker, events) = crate::analysis::spawn_worker(cfg);
    *sentinel_in = Some(worker.clone());
    let spawned = std::thread::Builder::new()
        .name("resou-alert-feed".into())
        .spawn(move || {
            // Lists in order to the worker; when the input closes, the worker's sender goes
            // too and its events end after the last update.
            let forward = std::thread::spawn(move || {
                while let Ok(snap) = rx.recv() {
                    if worker.send(WorkerInput::from(snap)).is_err() {
                        break;
                    }
                }
            });
            while let Ok(ev) = events.recv() {
                match ev {
                    AnalysisEvent::Update(u) => {
                        let j = u.events.joined.clone();
                        let _ = to_sender.send(crate::dispatch::Input::Update(u));
                        if !j.is_empty() && out.blocking_send(j).is_err() {
                            break;
                        }
                    }
                    AnalysisEvent::Sentinels(flags) => {
                        let _ = to_sender.send(crate::dispatch::Input::Sentinels(flags));
                    }
                    AnalysisEvent::Warning(w) => tracing::warn!("analysis: {w}"),
                    _ => {}
                }
            }
            let _ = forward.join();
        });
    if let Err(e) = spawned {
        tracing::error!("analysis for alerts not started: {e}");
    }
    (tx, joined)
}

/// The story grouper's thread: lists in, the titles that joined a story out (jieba loads on
/// this thread, so polling starts at once). It ends when the input closes, after the lists
/// already sent.
fn spawn_stories() -> (
    std::sync::mpsc::Sender<crate::domain::Snapshot>,
    mpsc::Receiver<Vec<crate::analysis::events::Joined>>,
) {
    let (tx, rx) = std::sync::mpsc::channel::<crate::domain::Snapshot>();
    let (out, joined) = mpsc::channel(64);
    let spawned = std::thread::Builder::new()
        .name("resou-stories".into())
        .spawn(move || {
            let tok = crate::analysis::tokenize::Tokenizer::new(&[], &[]);
            let mut grouper = crate::analysis::events::EventGrouper::default();
            while let Ok(snap) = rx.recv() {
                grouper.observe(&snap, &tok);
                let j = grouper.events().joined.clone();
                if !j.is_empty() && out.blocking_send(j).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        // Polls are still stored; only the stories are missing.
        tracing::warn!("story grouping not started: {e}");
    }
    (tx, joined)
}

fn stories_cmd(joined: Vec<crate::analysis::events::Joined>) -> HistoryCmd {
    HistoryCmd::Analysis {
        keywords: Vec::new(),
        kols: Vec::new(),
        joined,
    }
}
