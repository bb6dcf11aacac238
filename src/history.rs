//! The history service: one thread that owns the store, so SQLite/PostgreSQL work never runs
//! on the UI's thread. The app sends [`HistoryCmd`]s (fire and forget) and hears back through
//! [`HistoryEvent`]s on a channel its loop selects on.
//!
//! Writes are best effort: a failed write (disk full, read-only file, server gone) becomes a
//! `WriteFailed` event that the status bar shows, the poll stays in memory, and the next
//! write tries again. Nothing here panics on a store error.

use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use chrono::{DateTime, Duration as ChronoDuration, FixedOffset};
use tokio::sync::mpsc;

use crate::domain::{Platform, Snapshot, TopicKey, now_cst};

use crate::analysis::events::Joined;
use crate::store::{
    HistoryPoint, HistoryStore, PushRecord, StoreError, StoryTitle, TopicHistory, TriageRecord,
};

/// Points of a topic's series sent for its sparkline (the newest ones).
pub const SERIES_POINTS: usize = 64;
/// Retention runs at most this often.
const RETAIN_EVERY_SECS: i64 = 3_600;

#[derive(Debug, Clone, PartialEq)]
pub enum HistoryCmd {
    /// Store a successful poll.
    Record {
        snapshot: Box<Snapshot>,
        endpoint: &'static str,
    },
    /// The boards as they were at `at` (time travel).
    Boards { at: DateTime<FixedOffset> },
    /// Recent heat/rank points of these topics (sparklines).
    Series(Vec<TopicKey>),
    /// A topic's whole stored history and its stories as of a time (`None`: now) (the detail
    /// pane).
    Detail(TopicKey, Option<DateTime<FixedOffset>>),
    /// Replace this user's triage state.
    SaveTriage(TriageRecord),
    /// One analysed poll's keyword points and KOL mentions, and the titles that joined a
    /// story in it.
    Analysis {
        keywords: Vec<crate::store::KeywordPoint>,
        kols: Vec<crate::store::KolMention>,
        joined: Vec<Joined>,
    },
    /// The `limit` team alert deliveries changed last (sent, waiting or failed), newest
    /// first: the deliveries view and the status bar's push notices. A team viewer reads the
    /// collector's rows the same way.
    RecentPushes { limit: u32 },
    /// Brand watch posts found by the watch loop: kept once by id.
    RecordWatch(Vec<crate::domain::watch::WatchPost>),
    /// The stored posts of these watched terms created in `since..=until` (`None`: from the
    /// first; up to now), for the brand view.
    WatchPosts {
        terms: Vec<String>,
        since: Option<DateTime<FixedOffset>>,
        until: Option<DateTime<FixedOffset>>,
    },
}

/// One platform's board at a past moment, with the list before it (for movement arrows).
#[derive(Debug, Clone, PartialEq)]
pub struct PastBoard {
    pub current: Snapshot,
    pub previous: Option<Snapshot>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEvent {
    /// The store is open: where it is and the last stored list of each platform.
    Opened {
        source: String,
        latest: Vec<PastBoard>,
    },
    /// Every stored poll time (unix seconds, both platforms, ascending, distinct).
    Times(Vec<i64>),
    /// Answer to [`HistoryCmd::Boards`], with the stored stories of the ranked topics as of
    /// `at`.
    Boards {
        at: DateTime<FixedOffset>,
        boards: Vec<PastBoard>,
        stories: Vec<StoryTitle>,
    },
    Series(Vec<(TopicKey, Vec<HistoryPoint>)>),
    /// Answer to [`HistoryCmd::Detail`]: the history, and the stored stories of the topic
    /// (empty when it was in none or they could not be read).
    Detail(
        TopicKey,
        Result<Option<TopicHistory>, String>,
        Vec<StoryTitle>,
    ),
    /// A write failed; polling goes on in memory.
    WriteFailed(String),
    /// A write succeeded after failures.
    WriteRecovered,
    /// A read failed (travel, series, detail): the message says what.
    ReadFailed(String),
    /// The store could not be opened: no history this run.
    Unavailable(String),
    /// Viewer: a poll the collector stored, newer than anything shown.
    Live(Box<Snapshot>),
    /// Viewer: the live feed is down (`Some(reason)`) or back (`None`).
    Feed(Option<String>),
    /// The others' flags and notes, by triage entry key.
    Team(std::collections::HashMap<String, Vec<TeamMark>>),
    /// Answer to [`HistoryCmd::RecentPushes`]: the records as stored (their text unsanitised),
    /// newest first, or why they could not be read.
    RecentPushes(Result<Vec<PushRecord>, String>),
    /// Answer to [`HistoryCmd::WatchPosts`]: the posts as stored, or why they could not be read.
    WatchPosts(Result<Vec<crate::domain::watch::WatchPost>, String>),
}

/// Settings of the service.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub platforms: Vec<Platform>,
    /// Days of history kept (0 = keep everything).
    pub keep_days: u32,
    /// The demo replays the same archive on every run: skip polls already stored.
    pub skip_duplicates: bool,
    /// Report the latest lists and every poll time on open (a viewer wants them; the
    /// collector does not).
    pub announce: bool,
    /// Team viewer: follow the polls a collector writes and report each as `Live`.
    pub follow: Option<Follow>,
    /// Shared triage: this user's name; the others' flags and notes are reported as `Team`
    /// on open and every [`TEAM_EVERY`].
    pub team_user: Option<String>,
}

/// How often the team's flags and notes are re-read.
pub const TEAM_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Someone else's flag or note on a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamMark {
    pub user: String,
    pub title: String,
    pub flagged: bool,
    pub note: Option<String>,
}

/// How a viewer hears of new polls.
pub struct Follow {
    /// Checked for new polls this often even without a notification.
    pub every: std::time::Duration,
    /// Notifications of committed polls (PostgreSQL LISTEN); `None`: check on the timer only.
    pub notices: Option<std_mpsc::Receiver<FeedNotice>>,
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follow")
            .field("every", &self.every)
            .finish()
    }
}

impl Clone for Follow {
    fn clone(&self) -> Self {
        // A receiver has one owner; a clone follows on the timer alone.
        Follow {
            every: self.every,
            notices: None,
        }
    }
}

/// How a viewer follows the collector: PostgreSQL notifications (with a 10 s safety check),
/// or a 2 s check of an SQLite file.
pub fn follow(spec: &str) -> Follow {
    use crate::store::{StoreFeed, StoreSpec};
    let StoreSpec::Postgres(url) = StoreSpec::parse(spec) else {
        return Follow {
            every: std::time::Duration::from_secs(2),
            notices: None,
        };
    };
    let (tx, rx) = std::sync::mpsc::channel();
    // The subscription has its own thread and connection; this one only translates.
    let bridge = std::thread::Builder::new()
        .name("resou-feed".into())
        .spawn(move || {
            let sub = crate::store::subscribe(&url);
            while let Ok(ev) = sub.events().recv() {
                let notice = match ev {
                    StoreFeed::Listening => continue,
                    StoreFeed::Poll(_) => FeedNotice::Poll,
                    StoreFeed::Lost(why) => FeedNotice::Lost(why),
                    StoreFeed::Reconnected => FeedNotice::Reconnected,
                };
                if tx.send(notice).is_err() {
                    return;
                }
            }
        });
    if let Err(e) = bridge {
        tracing::warn!("team feed thread: {e}; checking every 10 s instead");
    }
    Follow {
        every: std::time::Duration::from_secs(10),
        notices: Some(rx),
    }
}

/// What a live feed of the store says.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedNotice {
    /// A poll was committed (check the store now).
    Poll,
    /// The feed's connection dropped; reconnecting.
    Lost(String),
    /// The feed is back (the next check catches up on what was missed).
    Reconnected,
}

/// The running service. Dropping it (or [`HistoryHandle::finish`]) lets it write what is
/// queued and stop.
#[derive(Debug)]
pub struct HistoryHandle {
    tx: std_mpsc::Sender<HistoryCmd>,
    thread: Option<JoinHandle<()>>,
}

impl HistoryHandle {
    pub fn send(&self, cmd: HistoryCmd) {
        // A closed channel means the service already stopped (its last error was reported).
        let _ = self.tx.send(cmd);
    }

    /// Write everything queued, then stop.
    pub fn finish(mut self) {
        self.join();
    }

    fn join(&mut self) {
        let (tx, _) = std_mpsc::channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for HistoryHandle {
    fn drop(&mut self) {
        self.join();
    }
}

/// Opens the store on the service's thread (a team server may take a while to answer, and
/// its client must not run inside the async runtime).
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn HistoryStore>, StoreError> + Send>;

/// The stored polls of `platforms` captured in `from..=to`, oldest first, from a store of its
/// own (opened by `open` on the caller's thread): the analysis worker's start-up replay (see
/// `analysis::spawn_worker_seeded`). Returns how many polls it gave.
pub fn stored_polls(
    open: Opener,
    platforms: Vec<Platform>,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> impl FnOnce(&mut dyn FnMut(Snapshot)) -> Result<usize, String> + Send {
    move |sink| {
        let store = open().map_err(|e| e.to_string())?;
        let mut refs = Vec::new();
        for p in platforms {
            refs.extend(
                store
                    .polls_between(p, from, to)
                    .map_err(|e| e.to_string())?,
            );
        }
        refs.sort_by_key(|r| r.captured_at);
        let mut n = 0;
        for r in refs {
            if let Some(snap) = store
                .snapshot_at(r.platform, r.captured_at)
                .map_err(|e| e.to_string())?
            {
                sink(snap);
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Start the service on its own thread. It opens the store, then reports `Opened` (the latest
/// lists, for the first frame) and `Times`, or `Unavailable` when the store cannot be opened
/// (commands are then dropped and the app runs on memory alone).
pub fn spawn(
    open: Opener,
    opts: HistoryOptions,
    events: mpsc::Sender<HistoryEvent>,
) -> std::io::Result<HistoryHandle> {
    let (tx, rx) = std_mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("resou-history".into())
        .spawn(move || match open() {
            Ok(store) => Service::new(store, opts, events).run(rx),
            Err(e) => {
                tracing::warn!("history store unavailable: {e}");
                let _ = events.blocking_send(HistoryEvent::Unavailable(e.to_string()));
            }
        })?;
    Ok(HistoryHandle {
        tx,
        thread: Some(thread),
    })
}

struct Service {
    store: Box<dyn HistoryStore>,
    opts: HistoryOptions,
    events: mpsc::Sender<HistoryEvent>,
    failing: bool,
    last_retain: Option<i64>,
    last_team: Option<std::collections::HashMap<String, Vec<TeamMark>>>,
    /// Stories are named `<run>-<event id>`: event ids restart with the process.
    run: i64,
}

impl Service {
    fn new(
        store: Box<dyn HistoryStore>,
        opts: HistoryOptions,
        events: mpsc::Sender<HistoryEvent>,
    ) -> Service {
        Service {
            store,
            opts,
            events,
            failing: false,
            last_retain: None,
            last_team: None,
            run: now_cst().timestamp(),
        }
    }

    fn emit(&self, ev: HistoryEvent) {
        // The app may have quit; the queued writes still happen.
        let _ = self.events.blocking_send(ev);
    }

    fn run(mut self, rx: std_mpsc::Receiver<HistoryCmd>) {
        if self.opts.announce {
            self.announce();
        } else {
            self.emit(HistoryEvent::Opened {
                source: self.store.describe(),
                latest: Vec::new(),
            });
        }
        self.team_triage();
        match self.opts.follow.take() {
            None if self.opts.team_user.is_none() => {
                while let Ok(cmd) = rx.recv() {
                    self.handle(cmd);
                }
            }
            None => self.follow(
                rx,
                Follow {
                    every: TEAM_EVERY,
                    notices: None,
                },
                false,
            ),
            Some(follow) => self.follow(rx, follow, true),
        }
    }

    /// Read every other user's triage and report their flags and notes.
    fn team_triage(&mut self) {
        let Some(me) = self.opts.team_user.clone() else {
            return;
        };
        let records = match self.store.load_triage() {
            Ok(r) => r,
            Err(e) => return self.emit(HistoryEvent::ReadFailed(e.to_string())),
        };
        let mut marks: std::collections::HashMap<String, Vec<TeamMark>> = Default::default();
        for r in records.into_iter().filter(|r| r.user != me) {
            // Another user's file: skip what does not parse rather than fail the rest.
            let Ok(t) = serde_json::from_str::<crate::triage::Triage>(&r.json) else {
                tracing::warn!(user = %r.user, "shared triage does not parse; skipped");
                continue;
            };
            for (key, e) in t.topics {
                if e.flagged || e.note.is_some() {
                    marks.entry(key).or_default().push(TeamMark {
                        user: crate::domain::SafeText::line(&r.user).as_str().to_string(),
                        title: e.title,
                        flagged: e.flagged,
                        note: e
                            .note
                            .map(|n| crate::domain::SafeText::line(&n).as_str().to_string()),
                    });
                }
            }
        }
        if self.last_team.as_ref() != Some(&marks) {
            self.last_team = Some(marks.clone());
            self.emit(HistoryEvent::Team(marks));
        }
    }

    /// Timed loop: commands as they come; on each notice and tick, new polls (`live`: a
    /// viewer) and the team's triage.
    fn follow(&mut self, rx: std_mpsc::Receiver<HistoryCmd>, follow: Follow, live: bool) {
        let mut seen = self.newest();
        let mut next_check = std::time::Instant::now() + follow.every;
        // Short waits only while notices can arrive; otherwise the timer alone.
        let slice = if follow.notices.is_some() {
            std::time::Duration::from_millis(100)
        } else {
            follow.every
        };
        loop {
            let wait = next_check
                .saturating_duration_since(std::time::Instant::now())
                .min(slice);
            match rx.recv_timeout(wait) {
                Ok(cmd) => {
                    self.handle(cmd);
                    continue;
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            }
            let mut check = std::time::Instant::now() >= next_check;
            if let Some(notices) = &follow.notices {
                while let Ok(n) = notices.try_recv() {
                    match n {
                        FeedNotice::Poll => check = true,
                        FeedNotice::Lost(why) => self.emit(HistoryEvent::Feed(Some(why))),
                        FeedNotice::Reconnected => {
                            self.emit(HistoryEvent::Feed(None));
                            check = true;
                        }
                    }
                }
            }
            if check {
                next_check = std::time::Instant::now() + follow.every;
                if live {
                    self.catch_up(&mut seen);
                }
                self.team_triage();
            }
        }
    }

    /// The newest stored poll time per platform.
    fn newest(&self) -> Vec<(Platform, i64)> {
        let far = far_future();
        self.opts
            .platforms
            .iter()
            .map(|&p| {
                let at = self
                    .store
                    .snapshot_at(p, far)
                    .ok()
                    .flatten()
                    .map_or(i64::MIN, |s| s.captured_at.timestamp());
                (p, at)
            })
            .collect()
    }

    /// Report every platform's newest poll when it is newer than the one reported last.
    fn catch_up(&mut self, seen: &mut [(Platform, i64)]) {
        let far = far_future();
        for (p, last) in seen.iter_mut() {
            match self.store.snapshot_at(*p, far) {
                Ok(Some(s)) if s.captured_at.timestamp() > *last => {
                    *last = s.captured_at.timestamp();
                    self.emit(HistoryEvent::Live(Box::new(s)));
                }
                Ok(_) => {}
                Err(e) => self.emit(HistoryEvent::ReadFailed(e.to_string())),
            }
        }
    }

    fn announce(&self) {
        let latest = self.boards_at(far_future());
        match latest {
            Ok(latest) => self.emit(HistoryEvent::Opened {
                source: self.store.describe(),
                latest,
            }),
            Err(e) => self.emit(HistoryEvent::ReadFailed(e.to_string())),
        }
        match self.times() {
            Ok(times) => self.emit(HistoryEvent::Times(times)),
            Err(e) => self.emit(HistoryEvent::ReadFailed(e.to_string())),
        }
    }

    fn handle(&mut self, cmd: HistoryCmd) {
        match cmd {
            HistoryCmd::Record { snapshot, endpoint } => self.record(&snapshot, endpoint),
            HistoryCmd::RecordWatch(posts) => {
                let r = self.store.record_watch_posts(&posts);
                self.written(r);
            }
            HistoryCmd::Boards { at } => match self.boards_at(at) {
                Ok(boards) => {
                    let keys: Vec<TopicKey> = boards
                        .iter()
                        .flat_map(|b| b.current.ranked.iter().map(|t| t.key()))
                        .collect();
                    let stories = self.stories(&keys, at);
                    self.emit(HistoryEvent::Boards {
                        at,
                        boards,
                        stories,
                    })
                }
                Err(e) => self.emit(HistoryEvent::ReadFailed(e.to_string())),
            },
            HistoryCmd::Series(keys) => {
                let mut out = Vec::with_capacity(keys.len());
                for key in keys {
                    match self.store.topic_history(&key) {
                        Ok(Some(h)) => {
                            // A copy of the tail: the stored series may hold thousands of
                            // points, and the app keeps this one for the session.
                            let cut = h.points.len().saturating_sub(SERIES_POINTS);
                            out.push((key, h.points[cut..].to_vec()));
                        }
                        Ok(None) => {}
                        Err(e) => {
                            self.emit(HistoryEvent::ReadFailed(e.to_string()));
                            break;
                        }
                    }
                }
                self.emit(HistoryEvent::Series(out));
            }
            HistoryCmd::Detail(key, at) => {
                let h = self.store.topic_history(&key).map_err(|e| e.to_string());
                let at = at.unwrap_or_else(far_future);
                let story = self.stories(std::slice::from_ref(&key), at);
                self.emit(HistoryEvent::Detail(key, h, story));
            }
            HistoryCmd::Analysis {
                keywords,
                kols,
                joined,
            } => {
                let titles: Vec<StoryTitle> = joined
                    .into_iter()
                    .map(|j| StoryTitle {
                        story: format!("{}-{}", self.run, j.event),
                        key: j.key,
                        title: j.title,
                        first_seen: j.first_seen,
                        best_rank: None,
                        last_seen: None,
                    })
                    .collect();
                let r = self
                    .store
                    .append_keyword_points(&keywords)
                    .and_then(|()| self.store.append_kol_mentions(&kols))
                    .and_then(|()| self.store.record_story_titles(&titles));
                self.written(r);
            }
            HistoryCmd::SaveTriage(record) => {
                let r = self.store.save_triage(&record);
                self.written(r.map(drop));
            }
            HistoryCmd::RecentPushes { limit } => {
                let r = self.store.recent_pushes(limit).map_err(|e| e.to_string());
                self.emit(HistoryEvent::RecentPushes(r));
            }
            HistoryCmd::WatchPosts {
                terms,
                since,
                until,
            } => {
                let until = until.unwrap_or_else(crate::domain::now_cst);
                // Before any post this build can have stored (Weibo opened in 2009).
                let since = since.unwrap_or_else(|| {
                    DateTime::parse_from_rfc3339("2000-01-01T00:00:00+08:00").unwrap_or(until)
                });
                let mut posts = Vec::new();
                let mut r = Ok(());
                for t in &terms {
                    match self.store.watch_posts_between(t, since, until) {
                        Ok(mut p) => posts.append(&mut p),
                        Err(e) => {
                            r = Err(e.to_string());
                            break;
                        }
                    }
                }
                self.emit(HistoryEvent::WatchPosts(r.map(|()| posts)));
            }
        }
    }

    /// Stored stories of `keys` as of `at`; none (said in the status) when the read fails, so
    /// the boards or history asked for still show.
    fn stories(&self, keys: &[TopicKey], at: DateTime<FixedOffset>) -> Vec<StoryTitle> {
        self.store.stories_of(keys, at).unwrap_or_else(|e| {
            self.emit(HistoryEvent::ReadFailed(e.to_string()));
            Vec::new()
        })
    }

    fn record(&mut self, snap: &Snapshot, endpoint: &str) {
        let at = snap.captured_at;
        if self.opts.skip_duplicates {
            match self.store.polls_between(snap.platform, at, at) {
                Ok(found) if !found.is_empty() => return,
                Ok(_) => {}
                Err(e) => return self.written(Err(e)),
            }
        }
        let r = self.store.insert_poll(snap, endpoint).map(drop);
        let ok = r.is_ok();
        self.written(r);
        // Retention counts days back from the wall clock, not from the data: a replayed
        // archive's times say nothing about how long its lists have been kept.
        let now = now_cst();
        let secs = now.timestamp();
        let due = self
            .last_retain
            .is_none_or(|last| secs - last >= RETAIN_EVERY_SECS);
        if ok && self.opts.keep_days > 0 && due {
            self.last_retain = Some(secs);
            match self.store.retain(now, self.opts.keep_days) {
                Ok(report) => tracing::debug!(?report, "history retention"),
                Err(e) => tracing::warn!("history retention: {e}"),
            }
        }
    }

    fn written(&mut self, r: Result<(), StoreError>) {
        match r {
            Ok(()) if self.failing => {
                self.failing = false;
                tracing::info!("history writes work again");
                self.emit(HistoryEvent::WriteRecovered);
            }
            Ok(()) => {}
            Err(e) => {
                // Log the first failure of a run; the status bar keeps showing it.
                if !self.failing {
                    tracing::warn!("history write failed: {e}");
                }
                self.failing = true;
                self.emit(HistoryEvent::WriteFailed(write_failure(&e)));
            }
        }
    }

    /// Each platform's last list at or before `at`, with the one before it.
    fn boards_at(&self, at: DateTime<FixedOffset>) -> Result<Vec<PastBoard>, StoreError> {
        let mut out = Vec::new();
        for &p in &self.opts.platforms {
            let Some(current) = self.store.snapshot_at(p, at)? else {
                continue;
            };
            let before = current.captured_at - ChronoDuration::seconds(1);
            let previous = self.store.snapshot_at(p, before)?;
            out.push(PastBoard { current, previous });
        }
        Ok(out)
    }

    fn times(&self) -> Result<Vec<i64>, StoreError> {
        let (from, to) = (
            crate::domain::from_unix(0).unwrap_or_else(now_cst),
            far_future(),
        );
        let mut times = Vec::new();
        for &p in &self.opts.platforms {
            times.extend(
                self.store
                    .polls_between(p, from, to)?
                    .into_iter()
                    .map(|r| r.captured_at.timestamp()),
            );
        }
        times.sort_unstable();
        times.dedup();
        Ok(times)
    }
}

/// The status-bar form of a write failure: what happened and that polling goes on.
/// A time after every stored poll: "the latest" for reads that take a time.
pub fn far_future() -> DateTime<FixedOffset> {
    crate::domain::from_unix(i64::from(i32::MAX)).unwrap_or_else(now_cst)
}

fn write_failure(e: &StoreError) -> String {
    let what = if e.is_disk_full() {
        "disk full".to_string()
    } else if e.is_read_only() {
        "file is read-only".to_string()
    } else {
        e.to_string()
    };
    format!("history not saved ({what}); lists kept in memory, next poll retries")
}
