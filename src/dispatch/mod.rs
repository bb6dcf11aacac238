//! Team alert delivery (issue 19): the one sender. What the lists and the analysis report
//! becomes rule candidates (`rules::subjects`); the rules' router says what goes where, when
//! and at what tier; each message is queued in the history store once per channel
//! (`HistoryStore::enqueue_push`), and the queue is worked through with the channels'
//! limits, retries with back-off, and only the undelivered parts sent again (`attempt`). The
//! router's state (dedup windows, alerts held over quiet hours, digests) is kept in the
//! store too, so a restart loses neither an alert nor a delivery.
//!
//! Runs on a thread of its own with its own store connection and a small runtime for the
//! HTTP and SMTP clients. Who runs it: the team collector (`resou collect`), or a single
//! user's TUI when `[push] tui_sends` is on; a viewer never does.

pub mod attempt;
pub mod compose;
pub mod watch;

use std::collections::BTreeMap;
use std::time::SystemTime;

use chrono::{DateTime, FixedOffset};
use tokio::sync::mpsc;

use crate::analysis::AnalysisUpdate;
use crate::analysis::brand::BrandMonitor;
use crate::domain::watch::WatchPost;
use crate::domain::{Platform, Snapshot, now_cst};
use crate::push::{Channel, Message};
use crate::rules::{Outcome as Routing, Router, RouterState, RuleSet, subjects};
use crate::store::{HistoryStore, NewPush, PushRecord, PushState};

/// Where the router's state is kept in the store's key/value table.
pub const ROUTER_KEY: &str = "push.router";

/// The clock rules run on (quiet hours, dedup windows, digests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteClock {
    /// The wall clock (live lists).
    Wall,
    /// The time of the newest list seen: a demo or a replay runs its own day.
    Data,
}

/// Scheduled reports (`[report]`): built from the store at each report time, saved as
/// markdown and HTML, and their summary queued for `channels` (email carries the whole HTML).
pub struct ReportPlan {
    pub schedule: crate::report::Schedule,
    pub period: crate::report::PeriodSpec,
    pub channels: Vec<String>,
    /// Where the files go (none: not saved).
    pub dir: Option<std::path::PathBuf>,
    pub options: crate::report::Options,
}

pub struct Setup {
    pub rules: RuleSet,
    /// Opened channels by name (`[push.channels.NAME]`).
    pub channels: BTreeMap<String, Channel>,
    /// The sender's own connection to the history store.
    pub store: Box<dyn HistoryStore>,
    pub clock: RouteClock,
    pub reports: Option<ReportPlan>,
}

/// What the sender is given.
#[derive(Debug)]
pub enum Input {
    /// A list as polled; its candidates go out with the analysis of the same poll.
    Snapshot(Box<Snapshot>),
    Update(Box<AnalysisUpdate>),
    /// Brand watch (issue 20): the monitor to run (its settings and KOLs), given before the
    /// first posts; without one a default monitor (no KOL list) runs.
    Brand(Box<BrandMonitor>),
    /// A page of a watched term's posts, found at `at`: mention spikes, negative turns and
    /// KOL posts go through the rules.
    WatchPosts {
        term: String,
        posts: Vec<WatchPost>,
        at: DateTime<FixedOffset>,
    },
    /// The tags several sentinel accounts started using, as of the last list
    /// (`analysis::sentinel`): each flag is a candidate of kind `sentinel_tag`.
    Sentinels(Vec<crate::analysis::sentinel::SentinelFlag>),
}

/// What the sender did, for the status bar and the log.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Delivered {
        channel: String,
        title: String,
    },
    Retrying {
        channel: String,
        title: String,
        at: DateTime<FixedOffset>,
        reason: String,
    },
    Failed {
        channel: String,
        title: String,
        reason: String,
    },
    /// A store or state problem; sending carries on.
    Warning(String),
}

pub struct Handle {
    tx: mpsc::UnboundedSender<Input>,
    thread: std::thread::JoinHandle<()>,
}

impl Handle {
    pub fn send(&self, input: Input) {
        let _ = self.tx.send(input);
    }

    /// Another way in, for a thread that feeds the sender (the analysis bridge).
    pub fn inputs(&self) -> mpsc::UnboundedSender<Input> {
        self.tx.clone()
    }

    /// Stop taking inputs, route and send what was given, and wait for the thread: what is
    /// still undelivered stays queued in the store for the next run.
    pub fn finish(self) {
        drop(self.tx);
        let _ = self.thread.join();
    }
}

/// Write the report as `report-YYYYMMDD-HHMM.md` and `.html` in `dir`; the HTML's path.
fn save_report(
    dir: &std::path::Path,
    r: &crate::report::Report,
    at: DateTime<FixedOffset>,
) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stem = dir.join(format!("report-{}", at.format("%Y%m%d-%H%M")));
    std::fs::write(stem.with_extension("md"), crate::report::render_markdown(r))?;
    let html = stem.with_extension("html");
    std::fs::write(&html, crate::report::render_html(r))?;
    Ok(html)
}

/// Start the sender. `events` hears every delivery, retry and failure.
pub fn spawn(setup: Setup, events: mpsc::UnboundedSender<Event>) -> std::io::Result<Handle> {
    let (tx, rx) = mpsc::unbounded_channel();
    let thread = std::thread::Builder::new()
        .name("resou-push".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match rt {
                Ok(rt) => rt.block_on(Sender::new(setup, events).run(rx)),
                Err(e) => tracing::error!("push sender not started: {e}"),
            }
        })?;
    Ok(Handle { tx, thread })
}

struct Sender {
    router: Router,
    channels: BTreeMap<String, Channel>,
    store: Box<dyn HistoryStore>,
    clock: RouteClock,
    client: reqwest::Client,
    events: mpsc::UnboundedSender<Event>,
    /// Lists waiting for their analysis (candidates need both).
    lists: BTreeMap<Platform, Snapshot>,
    data_now: Option<DateTime<FixedOffset>>,
    /// The team's watchlists, read from the stored triage every few minutes.
    watchlist: watch::Watchlist,
    watchlist_read: Option<std::time::Instant>,
    /// When the first queued delivery is due (from the store).
    next_send: Option<DateTime<FixedOffset>>,
    reports: Option<ReportPlan>,
    /// The next report time, once the rules' clock has a "now".
    next_report: Option<DateTime<FixedOffset>>,
    brand: Option<BrandMonitor>,
}

impl Sender {
    fn new(setup: Setup, events: mpsc::UnboundedSender<Event>) -> Sender {
        let warn = |msg: String| {
            tracing::warn!("{msg}");
            let _ = events.send(Event::Warning(msg));
        };
        let state = match setup.store.get_kv(ROUTER_KEY) {
            Ok(Some(bytes)) => serde_json::from_slice::<RouterState>(&bytes).unwrap_or_else(|e| {
                warn(format!(
                    "push: saved rule state unreadable, starting afresh: {e}"
                ));
                RouterState::default()
            }),
            Ok(None) => RouterState::default(),
            Err(e) => {
                warn(format!("push: reading saved rule state: {e}"));
                RouterState::default()
            }
        };
        let client = crate::push::http_client().unwrap_or_else(|e| {
            warn(format!("push: HTTP client with defaults ({e})"));
            reqwest::Client::new()
        });
        let mut s = Sender {
            router: Router::with_state(setup.rules, state),
            channels: setup.channels,
            store: setup.store,
            clock: setup.clock,
            client,
            events,
            lists: BTreeMap::new(),
            data_now: None,
            watchlist: watch::Watchlist::default(),
            watchlist_read: None,
            next_send: None,
            reports: setup.reports,
            next_report: None,
            brand: None,
        };
        s.refresh_next_send();
        s
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Input>) {
        loop {
            let wake = self.wake_at();
            let sleep = async {
                match wake {
                    Some(at) => {
                        let wait = (at - now_cst()).to_std().unwrap_or_default();
                        tokio::time::sleep(wait).await
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                input = rx.recv() => match input {
                    Some(i) => self.take(i),
                    None => break,
                },
                () = sleep => {}
            }
            self.release_due();
            self.report_due();
            self.send_due().await;
        }
        // Inputs already given are routed and what is due now is tried once more.
        self.release_due();
        self.send_due().await;
    }

    /// The next wall-clock time something is due: a queued delivery, or (on the wall clock)
    /// a digest or an alert held over quiet hours.
    fn wake_at(&self) -> Option<DateTime<FixedOffset>> {
        let (route, report) = match self.clock {
            RouteClock::Wall => (self.router.next_due(), self.next_report),
            RouteClock::Data => (None, None),
        };
        [self.next_send, route, report].into_iter().flatten().min()
    }

    /// `None` on the data clock before the first list: the rules have no "now" yet (the
    /// wall clock would expire every saved dedup window of a replayed day at once).
    fn route_now(&self) -> Option<DateTime<FixedOffset>> {
        match self.clock {
            RouteClock::Wall => Some(now_cst()),
            RouteClock::Data => self.data_now,
        }
    }

    fn take(&mut self, input: Input) {
        match input {
            Input::Snapshot(s) => {
                self.lists.insert(s.platform, *s);
            }
            Input::Update(u) => self.route(&u),
            Input::Brand(m) => self.brand = Some(*m),
            Input::WatchPosts { term, posts, at } => self.route_watch(&term, &posts, at),
            Input::Sentinels(flags) => {
                let Some(at) = flags.iter().map(|f| f.flagged_at).max() else {
                    return;
                };
                let now = self.route_now().unwrap_or(at);
                self.route_candidates(subjects::from_sentinel(&flags), now);
            }
        }
    }

    /// A page of watched posts through the brand monitor and the rules. A term seen for the
    /// first time starts from its stored posts (a restart does not alert from nothing); the
    /// page's own posts, stored meanwhile, are left out of that start so they count as new.
    fn route_watch(&mut self, term: &str, posts: &[WatchPost], at: DateTime<FixedOffset>) {
        let monitor = self.brand.get_or_insert_with(|| {
            BrandMonitor::new(Default::default(), &[], crate::sentiment::Scorer::new())
        });
        if !monitor.knows(term) {
            let stored = self
                .store
                .watch_posts_between(term, at - monitor.span(), at);
            let page_seen = posts.iter().map(|p| p.first_seen).min().unwrap_or(at);
            match stored {
                Ok(s) => {
                    let earlier = s.into_iter().filter(|p| p.first_seen < page_seen).collect();
                    monitor.seed(term, earlier, at);
                }
                Err(e) => {
                    monitor.seed(term, Vec::new(), at);
                    self.warn(format!("push: reading the stored posts of {term}: {e}"));
                }
            }
        }
        let Some(monitor) = self.brand.as_mut() else {
            return;
        };
        let candidates = subjects::from_brand(&monitor.observe(term, posts, at));
        let now = self.route_now().unwrap_or(at);
        self.route_candidates(candidates, now);
    }

    /// The candidates of one analysed poll through the rules.
    fn route(&mut self, u: &AnalysisUpdate) {
        if u.seeded {
            return;
        }
        self.data_now = self.data_now.max(Some(u.at));
        let now = self.route_now().unwrap_or(u.at);
        let mut candidates = subjects::from_update(u);
        if let Some(list) = self.lists.remove(&u.platform) {
            if list.captured_at == u.at {
                let topics = subjects::from_snapshot(&list, Some(u));
                self.refresh_watchlist();
                candidates.extend(self.watchlist.watched(&topics));
                candidates.extend(topics);
            } else {
                self.lists.insert(u.platform, list);
            }
        }
        self.route_candidates(candidates, now);
    }

    fn route_candidates(
        &mut self,
        candidates: Vec<crate::rules::Candidate>,
        now: DateTime<FixedOffset>,
    ) {
        let mut changed = false;
        for c in candidates {
            for d in self.router.route(c, now) {
                changed |= !matches!(d.outcome, Routing::Deduped { .. });
                if let Routing::Send(delivery) = d.outcome {
                    let msg = compose::message(&delivery);
                    self.enqueue(&delivery.channels, &msg, &delivery.rule);
                }
            }
        }
        if changed {
            self.save_state();
        }
    }

    /// Watchlists change by hand, seldom: re-read every few minutes, not per list.
    fn refresh_watchlist(&mut self) {
        const EVERY: std::time::Duration = std::time::Duration::from_secs(300);
        if self.watchlist_read.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.watchlist_read = Some(std::time::Instant::now());
        match self.store.load_triage() {
            Ok(records) => {
                let (w, problems) = watch::Watchlist::from_records(&records);
                self.watchlist = w;
                for p in problems {
                    self.warn(format!("push: {p}"));
                }
            }
            Err(e) => self.warn(format!("push: reading the watchlists: {e}")),
        }
    }

    /// Digests and held alerts whose time has come.
    fn release_due(&mut self) {
        let Some(now) = self.route_now() else {
            return;
        };
        let due = self.router.due(now);
        if due.is_empty() {
            return;
        }
        for d in &due {
            self.enqueue(&d.channels, &compose::message(d), &d.rule);
        }
        self.save_state();
    }

    /// At a report time: build the period's report from the store, save it, queue its
    /// summary. The first call only schedules (a start after 09:00 does not report 09:00).
    fn report_due(&mut self) {
        let Some(now) = self.route_now() else {
            return;
        };
        let Some(plan) = &self.reports else {
            return;
        };
        let at = match self.next_report {
            None => {
                self.next_report = plan.schedule.next_after(now);
                return;
            }
            Some(at) if at > now => return,
            Some(at) => at,
        };
        self.next_report = plan.schedule.next_after(at);
        let period = plan.period.ending_at(at, &plan.schedule);
        let built = match crate::report::build(&*self.store, &period, &plan.options) {
            Ok(r) => r,
            Err(e) => return self.warn(format!("report {}: {e}", period.label())),
        };
        let mut msg = crate::report::summary(&built);
        if let Some(dir) = &plan.dir {
            match save_report(dir, &built, at) {
                Ok(html) => {
                    tracing::info!(file = %html.display(), "report saved");
                    // Chat channels carry the summary; the whole report is this file.
                    msg.body_markdown
                        .push_str(&format!("\n\n报告文件 {}", html.display()));
                }
                Err(e) => self.warn(format!("saving the report for {}: {e}", period.label())),
            }
        }
        if built.is_empty() {
            tracing::info!(period = %period.label(), "report: nothing stored in the period");
        }
        let channels = plan.channels.clone();
        self.enqueue(&channels, &msg, "report");
    }

    fn save_state(&mut self) {
        let saved = serde_json::to_vec(self.router.state())
            .map_err(|e| e.to_string())
            .and_then(|b| self.store.put_kv(ROUTER_KEY, &b).map_err(|e| e.to_string()));
        if let Err(e) = saved {
            self.warn(format!("push: saving rule state: {e}"));
        }
    }

    fn enqueue(&mut self, channels: &[String], msg: &Message, rule: &str) {
        let json = match serde_json::to_string(msg) {
            Ok(j) => j,
            Err(e) => return self.warn(format!("push: message not queued: {e}")),
        };
        let now = now_cst();
        for name in channels {
            if !self.channels.contains_key(name) {
                // Rules are checked against the channels at start; a queued digest may
                // outlive a channel removed from the config.
                self.warn(format!("push: channel {name} is not configured; not sent"));
                continue;
            }
            let push = NewPush {
                channel: name.clone(),
                rule: rule.to_string(),
                tier: msg.tier.id().to_string(),
                title: msg.title.clone(),
                message: json.clone(),
                created_at: now,
                next_at: now,
            };
            match self.store.enqueue_push(&push) {
                Ok(id) => {
                    tracing::info!(id, channel = %name, rule, tier = %msg.tier, "alert queued");
                }
                Err(e) => self.warn(format!("push: queueing for {name}: {e}")),
            }
        }
        self.refresh_next_send();
    }

    fn refresh_next_send(&mut self) {
        match self.store.pending_pushes() {
            Ok(p) => self.next_send = p.iter().map(|r| r.next_at).min(),
            Err(e) => {
                self.warn(format!("push: reading the delivery queue: {e}"));
                // Look again in a minute rather than never.
                self.next_send = Some(now_cst() + chrono::Duration::seconds(60));
            }
        }
    }

    /// Try every queued delivery that is due, oldest due first.
    async fn send_due(&mut self) {
        let now = now_cst();
        if self.next_send.is_none_or(|t| t > now) {
            return;
        }
        let pending = match self.store.pending_pushes() {
            Ok(p) => p,
            Err(e) => return self.warn(format!("push: reading the delivery queue: {e}")),
        };
        for r in pending.into_iter().filter(|r| r.next_at <= now) {
            self.attempt(r).await;
        }
        self.refresh_next_send();
    }

    async fn attempt(&mut self, r: PushRecord) {
        let clock = SystemTime::now;
        let outcomes = match (
            self.channels.get(&r.channel),
            serde_json::from_str::<Message>(&r.message),
        ) {
            (Some(ch), Ok(msg)) => {
                let done = usize::try_from(r.parts_done).unwrap_or(usize::MAX);
                crate::push::send_from(&self.client, ch, &msg, done, &clock).await
            }
            (None, _) => vec![crate::push::Outcome::Permanent {
                reason: format!("channel {} is no longer configured", r.channel),
            }],
            (_, Err(e)) => vec![crate::push::Outcome::Permanent {
                reason: format!("queued message unreadable: {e}"),
            }],
        };
        let update = attempt::judge(&r, &outcomes, now_cst());
        if let Err(e) = self.store.update_push(r.id, &update) {
            // Sent but not recorded: it may go out twice after a restart; say so.
            self.warn(format!(
                "push: recording delivery {} to {}: {e}",
                r.id, r.channel
            ));
        }
        let (channel, title) = (r.channel, r.title);
        let reason = update.last_error.clone().unwrap_or_default();
        let event = match update.state {
            PushState::Delivered => {
                tracing::info!(id = r.id, %channel, "alert delivered");
                Event::Delivered { channel, title }
            }
            PushState::Pending => {
                tracing::warn!(id = r.id, %channel, next = %update.next_at, "alert delivery failed, will retry: {reason}");
                Event::Retrying {
                    channel,
                    title,
                    at: update.next_at,
                    reason,
                }
            }
            PushState::Failed => {
                tracing::error!(id = r.id, %channel, "alert delivery failed for good: {reason}");
                Event::Failed {
                    channel,
                    title,
                    reason,
                }
            }
        };
        let _ = self.events.send(event);
    }

    fn warn(&self, msg: String) {
        tracing::warn!("{msg}");
        let _ = self.events.send(Event::Warning(msg));
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::Platform;
    use crate::store::sqlite::SqliteStore;

    const RULES: &str = "[[rule]]\nname = \"brand-watch\"\nkinds = [\"mention_spike\", \"kol_author\"]\nchannels = [\"team\"]\n\n[[rule]]\nname = \"sentinels\"\nkinds = [\"sentinel_tag\"]\nchannels = [\"team\"]\n";

    fn post(id: &str, created: DateTime<FixedOffset>, seen: DateTime<FixedOffset>) -> WatchPost {
        let (author, text) = (format!("user{id}"), "今天去胖东来买了一箱水");
        WatchPost {
            author_id: Some(format!("u{id}")),
            followers: Some(10),
            ..WatchPost::new(
                Platform::Weibo,
                id,
                "胖东来",
                &author,
                Some(created),
                text,
                seen,
            )
        }
    }

    fn sender_on(path: &std::path::Path) -> Handle {
        let read = |_: &std::path::Path| Ok(String::new());
        let rules =
            RuleSet::parse(RULES, "rules.toml", &["team"], &read).unwrap_or_else(|e| panic!("{e}"));
        // A loopback port nothing listens on: the delivery is queued, its attempt fails.
        let cfg: crate::push::ChannelConfig =
            toml::from_str("kind = \"ntfy\"\nbase_url = \"http://127.0.0.1:9\"\ntopic = \"t\"")
                .unwrap_or_else(|e| panic!("{e}"));
        let channel = cfg.open(&|_| None).unwrap_or_else(|e| panic!("{e}"));
        let setup = Setup {
            rules,
            channels: BTreeMap::from([("team".to_string(), channel)]),
            store: Box::new(SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"))),
            clock: RouteClock::Data,
            reports: None,
        };
        let (tx, _events) = mpsc::unbounded_channel();
        spawn(setup, tx).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stored posts of a quiet day, then a page with a burst: one spike alert queued for the
    /// rule's channel; the same page again, and a restart given it again, queue nothing more.
    #[test]
    fn a_mention_spike_on_a_watch_page_queues_one_delivery() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("h.sqlite");
        let at = DateTime::parse_from_rfc3339("2026-08-15T20:40:00+08:00").unwrap();
        let hour = crate::analysis::mentions::hour_floor(at);
        let quiet: Vec<WatchPost> = (1..=24)
            .flat_map(|h| {
                let t = hour - Duration::hours(h);
                [post(&format!("q{h}a"), t, t), post(&format!("q{h}b"), t, t)]
            })
            .collect();
        let mut store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        store
            .record_watch_posts(&quiet)
            .unwrap_or_else(|e| panic!("{e}"));
        let burst: Vec<WatchPost> = (0..25)
            .map(|i| post(&format!("s{i}"), at - Duration::minutes(i), at))
            .collect();
        let page = || Input::WatchPosts {
            term: "胖东来".into(),
            posts: burst.clone(),
            at,
        };
        let s = sender_on(&path);
        s.send(page());
        s.send(page());
        s.finish();
        let queued =
            |store: &SqliteStore| store.recent_pushes(10).unwrap_or_else(|e| panic!("{e}"));
        let q = queued(&store);
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(
            (q[0].rule.as_str(), q[0].channel.as_str()),
            ("brand-watch", "team")
        );
        assert!(
            q[0].title.starts_with("胖东来 提及量突增：25 条/小时"),
            "{}",
            q[0].title
        );
        // A restart: the term starts from the store, the router from its saved state.
        store
            .record_watch_posts(&burst)
            .unwrap_or_else(|e| panic!("{e}"));
        let s = sender_on(&path);
        s.send(page());
        s.finish();
        assert_eq!(queued(&store).len(), 1);
    }

    /// A sentinel flag is one alert of kind `sentinel_tag`; the same flags reported again
    /// (the next list) queue nothing more.
    #[test]
    fn sentinel_flags_queue_one_alert() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("h.sqlite3");
        let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let at = DateTime::parse_from_rfc3339("2026-08-15T12:05:00+08:00")
            .unwrap_or_else(|e| panic!("{e}"));
        let flag = crate::analysis::sentinel::SentinelFlag {
            tag: "胖东来 刑释人员".into(),
            hashtag: true,
            accounts: vec!["京东健康".into(), "中国环境".into(), "辽源发布".into()],
            first_used: at - Duration::hours(3),
            flagged_at: at,
            z: 3.8,
            on_lists: Vec::new(),
        };
        let s = sender_on(&path);
        s.send(Input::Sentinels(vec![flag.clone()]));
        s.send(Input::Sentinels(vec![flag]));
        s.finish();
        let q = store.recent_pushes(10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].rule, "sentinels");
        assert!(q[0].title.contains("胖东来 刑释人员"), "{}", q[0].title);
    }
}
