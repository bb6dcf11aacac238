//! The soak harness (issue #7, bounded resources; issue 18, every list), shared by
//! `examples/soak.rs` (30 simulated days) and `tests/soak/soak.rs` (a short span in CI): the
//! real app pieces, headless, for N simulated days of polls of the eleven lists of the
//! 2025-10-15 demo day, each on the default config's schedule (Weibo and Tieba every minute,
//! the other nine every 5 minutes: `Config::default().sources().interval_for`).
//!
//! What runs, as `run_tui` wires it: a headless [`App`] gets one poll report per list when its
//! poll is due (`AppMsg::Source(Poll)`); its effects go to a real analysis worker
//! (`analysis::spawn_worker`: keywords, the events grouper, the list dynamics), a real history
//! service (`history::spawn`) on a temporary SQLite file, the real topic fetcher and the real
//! drill fetcher, both against a loopback [`ReplayServer`]. Every simulated hour a Weibo posts
//! view and a Tieba threads view are opened with Enter on a board row, paged with `G`, and
//! left with Esc.
//!
//! The lists:
//! - Weibo and Tieba as before issue 18, so the figures compare: the bundled demo lists
//!   (`replay::demo_data`, Tieba put on Weibo's clock with `align_to`), cycled one per minute;
//!   titles ranked below 25 get a per-day suffix (`…·第N天`): about half of each day's titles
//!   are new topics, as in `scripts/rss-replay.py`;
//! - the other nine (Baidu, Douyin, Zhihu, Toutiao, Bilibili, The Paper, CLS, Ifeng,
//!   Wallstreetcn; the day has no Kuaishou list): the list of the 2025-10-15 day
//!   (`DemoDay::Day20251015`) archived at or before the simulated time of day, so each
//!   simulated day replays the real day (~960 distinct titles); every title and platform id
//!   gets the per-day suffix, so every day brings that many new topics, as a real next day
//!   would. Heat is derived from the rank on the lists whose own client reads heat (the
//!   replay server derives it too); the newsnow lists carry none.
//! - On every list, neighbouring ranks swap at random (seeded by the minute), so movement and
//!   series change; heat is jittered ±10 % per poll.
//!
//! Clocks: nothing sleeps. The app and the analysis run on the simulated clock (poll
//! times). The history service applies retention on the wall clock, hourly; the store is
//! wrapped ([`SimClockStore`]) so retention (90 days, compaction after 2 days) runs every
//! simulated hour on the simulated clock, as it would over 30 real days. The fetchers space
//! requests by 1 ms (their config), so they never hold the run back.
#![allow(dead_code)] // the example and the test use different parts

pub mod heap;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Timelike};
use tokio::sync::mpsc;

use resou::analysis::{AnalysisEvent, AnalyzerStats, WorkerInput};
use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::{Key, Keymap};
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use resou::domain::{Platform, Snapshot, TopicKey};
use resou::history::{HistoryCmd, HistoryEvent, HistoryHandle, HistoryOptions};
use resou::replay::{ClockMode, ReplayConfig, ReplayServer};
use resou::sources::drill::{DrillFetcherConfig, DrillHandle};
use resou::sources::http::{HttpClient, NetConfig};
use resou::sources::topic::{TopicFetcherConfig, TopicFetcherHandle};
use resou::sources::{Endpoint, PollReport, SourceEvent};
use resou::store::{
    HistoryStore, KeywordPoint, KolMention, PollRef, RetainReport, Store, TopicHistory,
    TriageRecord,
};

/// Days of history kept (the config default).
pub const KEEP_DAYS: u32 = 90;
/// A wait longer than this is a hang, not a wait.
const HANG: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// Simulated minutes to run (each list polled on its schedule, see [`Lists::schedule`]).
    pub minutes: u64,
    /// A sample every this many simulated minutes.
    pub sample_every: u64,
    /// Drill-downs every this many simulated minutes.
    pub drill_every: u64,
    /// Where the history file goes.
    pub dir: PathBuf,
    /// Where the replay server runs.
    pub server: ServerPlace,
}

/// Where the replay server (the platforms' stand-in that answers the drill-downs) runs. In a
/// child process the figures are the app's alone, as in a live session; in-process they also
/// hold the server's post fixtures (~5 MB parsed) and its share of the allocator's arenas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerPlace {
    InProcess,
    /// A child running the same executable with [`SERVER_CHILD_ENV`] set, which must call
    /// [`serve_child`] first thing.
    Child,
}

/// Set in the child that serves (see [`ServerPlace::Child`]).
pub const SERVER_CHILD_ENV: &str = "RESOU_SOAK_SERVER_CHILD";

fn server_config() -> ReplayConfig {
    ReplayConfig {
        // Polls are fed to the app directly; the server answers the drill-downs and topic
        // pages only (from its own post fixtures), so it holds no copy of the lists.
        lists: Vec::new(),
        step: Duration::from_secs(60),
        clock: ClockMode::Manual,
    }
}

/// The child's side of [`ServerPlace::Child`]: serve, print the origin as the first line of
/// stdout, stop when stdin closes (the parent finished or died).
pub fn serve_child() -> Result<(), String> {
    use std::io::{Read, Write};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let server = rt
        .block_on(ReplayServer::start(server_config()))
        .map_err(|e| format!("replay server: {e}"))?;
    let mut out = std::io::stdout();
    writeln!(out, "{}", server.origin())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    rt.block_on(server.shutdown());
    Ok(())
}

/// The running server, and how to stop it.
enum Server {
    Local(ReplayServer),
    Child(std::process::Child),
}

impl Server {
    fn start(place: ServerPlace, rt: &tokio::runtime::Runtime) -> Result<(Server, String), String> {
        match place {
            ServerPlace::InProcess => {
                let s = rt
                    .block_on(ReplayServer::start(server_config()))
                    .map_err(|e| format!("replay server: {e}"))?;
                let origin = s.origin();
                Ok((Server::Local(s), origin))
            }
            ServerPlace::Child => {
                use std::io::BufRead;
                use std::process::{Command, Stdio};
                let exe = std::env::current_exe().map_err(|e| e.to_string())?;
                let mut child = Command::new(exe)
                    .env(SERVER_CHILD_ENV, "1")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("replay server child: {e}"))?;
                let mut line = String::new();
                let out = child.stdout.take().ok_or("child stdout")?;
                std::io::BufReader::new(out)
                    .read_line(&mut line)
                    .map_err(|e| format!("replay server child: {e}"))?;
                let origin = line.trim().to_string();
                if !origin.starts_with("http://127.0.0.1:") {
                    let _ = child.kill();
                    return Err(format!("replay server child said {origin:?}"));
                }
                Ok((Server::Child(child), origin))
            }
        }
    }

    async fn shutdown(self) {
        match self {
            Server::Local(s) => s.shutdown().await,
            Server::Child(mut c) => {
                // Closing its stdin stops it.
                drop(c.stdin.take());
                let _ = c.wait();
            }
        }
    }
}

/// One row of the curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub minute: u64,
    pub at: DateTime<FixedOffset>,
    /// Polls handled (every list).
    pub polls: u64,
    pub rss_mb: f64,
    /// Of `rss_mb`, pages of mapped files (the binary's code and data, shared libraries):
    /// `RssFile`, MB. The rest is anonymous memory (heap, stacks, allocator arenas).
    pub rss_file_mb: f64,
    /// Live heap of the Rust code, MB ([`heap::live_mb`]).
    pub heap_mb: f64,
    /// Blocks in it ([`heap::live_blocks`]): each costs the allocator a header and rounding,
    /// and long-lived small ones scattered over the heap keep its pages resident.
    pub heap_blocks: usize,
    /// Of `heap_mb`, the harness's own copy of the lists it feeds ([`Lists`]), MB.
    pub lists_mb: f64,
    /// SQLite's own allocations (page cache, statements), MB: outside `heap_mb`.
    pub sqlite_mb: f64,
    pub fds: usize,
    /// Triage entries (`state.triage.topics`).
    pub triage: usize,
    /// Sparkline series held (`state.history.series`).
    pub series: usize,
    /// Poll times held for time travel (`state.history.times`).
    pub times: usize,
    /// First-seen times held by the boards.
    pub first_seen: usize,
    /// Topic pages held (`state.enrich.topic_details`).
    pub topic_details: usize,
    /// KOL names the app marks (`state.enrich.kol_names`).
    pub kol_names: usize,
    pub analysis: AnalyzerStats,
    /// Live events (stories across lists) in the last analysis update, their titles in all,
    /// and the titles of the largest one.
    pub events: usize,
    pub event_members: usize,
    pub largest_event: usize,
    /// Board rows (every list).
    pub rows: usize,
    /// Drill-down views opened and pages received so far.
    pub views: u64,
    pub pages: u64,
    /// History file size (database + WAL), MB.
    pub store_mb: f64,
}

impl Sample {
    pub const HEADER: &'static str = "day,minute,polls,rss_mb,heap_mb,lists_mb,sqlite_mb,fds,triage,series,times,first_seen,topic_details,kol_names,tracked_terms,interned_terms,cached_titles,kols,hosted_topics,events,event_members,largest_event,rows,views,pages,store_mb,rss_file_mb,heap_blocks";

    pub fn csv(&self) -> String {
        let a = &self.analysis;
        format!(
            "{:.2},{},{},{:.1},{:.1},{:.1},{:.1},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.1},{:.1},{}",
            self.minute as f64 / 1440.0,
            self.minute,
            self.polls,
            self.rss_mb,
            self.heap_mb,
            self.lists_mb,
            self.sqlite_mb,
            self.fds,
            self.triage,
            self.series,
            self.times,
            self.first_seen,
            self.topic_details,
            self.kol_names,
            a.tracked_terms,
            a.interned_terms,
            a.cached_titles,
            a.kols,
            a.hosted_topics,
            self.events,
            self.event_members,
            self.largest_event,
            self.rows,
            self.views,
            self.pages,
            self.store_mb,
            self.rss_file_mb,
            self.heap_blocks,
        )
    }
}

/// Resident set size of this process, MB (`VmRSS` of /proc/self/status).
pub fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

/// Resident pages of mapped files, MB (`RssFile` of /proc/self/status).
pub fn rss_file_mb() -> f64 {
    status_mb("RssFile:")
}

/// A kB field of /proc/self/status, MB.
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Memory SQLite holds (`sqlite3_memory_used`), MB.
pub fn sqlite_mb() -> f64 {
    // SAFETY: a read of SQLite's global allocation counter; no arguments, no state.
    let bytes = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    bytes as f64 / (1024.0 * 1024.0)
}

/// Open file descriptors of this process (entries of /proc/self/fd).
pub fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

// --- the lists ---

/// splitmix64: a deterministic hash of a few numbers.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One list kept gzipped (~2 KB instead of ~17 KB parsed): the harness's own copy of the
/// day must not weigh in the resident memory it measures (a session holds no such copy).
struct Packed(Box<[u8]>);

impl Packed {
    fn pack(line: &SnapshotLine) -> Packed {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        // ok: serialising a parsed line into memory cannot fail
        serde_json::to_writer(&mut gz, line).expect("serialise a list");
        // ok: writing into a Vec cannot fail
        Packed(gz.finish().expect("gzip a list").into_boxed_slice())
    }

    fn unpack(&self) -> SnapshotLine {
        // ok: packed by `pack` above
        serde_json::from_reader(flate2::read::GzDecoder::new(&self.0[..])).expect("packed list")
    }
}

/// The demo lists, cycled and perturbed (see the module doc).
pub struct Lists {
    weibo: Vec<Packed>,
    tieba: Vec<Packed>,
    /// The other lists of the 2025-10-15 day, each in time order with its minute of the day.
    day: Vec<(Platform, Vec<(u64, Packed)>)>,
    /// Each list and its poll interval in minutes, in `Platform::ALL` order.
    schedule: Vec<(Platform, u64)>,
    start: DateTime<FixedOffset>,
    /// The last list unpacked per platform (a day's list serves ~6 polls in a row).
    unpacked: std::cell::RefCell<Vec<Option<(usize, SnapshotLine)>>>,
}

/// Weibo and Tieba ranks below this get the per-day suffix (new topics every day).
const STABLE_RANKS: u32 = 25;

impl Lists {
    pub fn new(start: DateTime<FixedOffset>) -> Lists {
        // ok: the demo data is embedded in the binary and checked by the crate's tests
        let demo = resou::replay::demo_data().expect("bundled demo data");
        let tieba = resou::replay::align_to(&demo.weibo, &demo.tieba);
        // ok: as above
        let lines = resou::replay::DemoDay::Day20251015
            .lists()
            .expect("bundled demo day");
        let mut day: Vec<(Platform, Vec<(u64, Packed)>)> = Vec::new();
        for p in Platform::ALL {
            if matches!(p, Platform::Weibo | Platform::Tieba) {
                continue;
            }
            let mut of_p: Vec<(u64, Packed)> = lines
                .iter()
                .filter(|l| l.platform == p)
                .map(|l| {
                    let t = l.captured_at.time();
                    (u64::from(t.hour() * 60 + t.minute()), Packed::pack(l))
                })
                .collect();
            of_p.sort_by_key(|(m, _)| *m);
            if !of_p.is_empty() {
                day.push((p, of_p));
            }
        }
        let sources = resou::config::Config::default().sources();
        let schedule = Platform::ALL
            .into_iter()
            .filter(|p| {
                matches!(p, Platform::Weibo | Platform::Tieba) || day.iter().any(|(q, _)| q == p)
            })
            .map(|p| (p, (sources.interval_for(p).as_secs() / 60).max(1)))
            .collect();
        Lists {
            weibo: demo.weibo.iter().map(Packed::pack).collect(),
            tieba: tieba.iter().map(Packed::pack).collect(),
            day,
            schedule,
            start,
            unpacked: std::cell::RefCell::new(vec![None; Platform::COUNT]),
        }
    }

    /// The harness's own lists, packed (MB).
    pub fn packed_mb(&self) -> f64 {
        let day = self
            .day
            .iter()
            .flat_map(|(_, ls)| ls.iter().map(|(_, l)| l));
        let bytes: usize = self
            .weibo
            .iter()
            .chain(&self.tieba)
            .chain(day)
            .map(|l| l.0.len())
            .sum();
        bytes as f64 / 1e6
    }

    /// The items of `platform`'s `i`-th packed list, unpacked once while it stays in use.
    fn items_of(&self, platform: Platform, i: usize, packed: &Packed) -> Vec<SnapshotItem> {
        let mut cache = self.unpacked.borrow_mut();
        let slot = &mut cache[platform.index()];
        if slot.as_ref().is_none_or(|(j, _)| *j != i) {
            *slot = Some((i, packed.unpack()));
        }
        // ok: filled just above
        slot.as_ref().expect("unpacked list").1.items.clone()
    }

    pub fn at(&self, minute: u64) -> DateTime<FixedOffset> {
        self.start + chrono::Duration::minutes(minute as i64)
    }

    /// Every list and its poll interval (minutes).
    pub fn schedule(&self) -> &[(Platform, u64)] {
        &self.schedule
    }

    /// Polls of every list in the first `minutes` simulated minutes.
    pub fn polls_in(&self, minutes: u64) -> u64 {
        self.schedule
            .iter()
            .map(|(_, every)| minutes.div_ceil(*every))
            .sum()
    }

    /// The most rows all lists can show at once (pinned rows included).
    pub fn max_listed(&self) -> usize {
        let longest = |lines: &mut dyn Iterator<Item = &Packed>| {
            lines.map(|l| l.unpack().items.len()).max().unwrap_or(0)
        };
        longest(&mut self.weibo.iter())
            + longest(&mut self.tieba.iter())
            + self
                .day
                .iter()
                .map(|(_, ls)| longest(&mut ls.iter().map(|(_, l)| l)))
                .sum::<usize>()
    }

    /// The list `platform` shows at simulated `minute` (see the module doc).
    pub fn snapshot(&self, platform: Platform, minute: u64) -> Snapshot {
        let day = minute / 1440;
        let (i, src, every_title_new) = match platform {
            Platform::Weibo => {
                let i = (minute as usize) % self.weibo.len();
                (i, &self.weibo[i], false)
            }
            Platform::Tieba => {
                let i = (minute as usize) % self.tieba.len();
                (i, &self.tieba[i], false)
            }
            p => {
                let lists = self
                    .day
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map(|(_, ls)| ls.as_slice())
                    .unwrap_or_default();
                // The day's list at or before this time of day (its first before 00:05).
                let i = lists.partition_point(|(m, _)| *m <= minute % 1440);
                match lists.get(i.saturating_sub(1)) {
                    Some((_, l)) => (i, l, true),
                    None => return Snapshot::new(platform, self.at(minute)),
                }
            }
        };
        let mut items = self.items_of(platform, i, src);
        // Neighbouring ranked rows swap places now and then.
        let ranked: Vec<usize> = (0..items.len()).filter(|&i| !items[i].pinned).collect();
        for (k, pair) in ranked.chunks(2).enumerate() {
            if let [a, b] = *pair
                && mix(minute << 16 | k as u64).is_multiple_of(4)
            {
                let (ra, rb) = (items[a].rank, items[b].rank);
                items[a].rank = rb;
                items[b].rank = ra;
            }
        }
        // Lists read through newsnow carry no heat (sources/newsnow.rs); the others do.
        let has_heat = platform.has_own_client();
        for (k, it) in items.iter_mut().enumerate() {
            if every_title_new || it.rank.is_some_and(|r| r > STABLE_RANKS) {
                it.title = format!("{}·第{day}天", it.title);
                it.query = it.query.as_ref().map(|q| format!("{q}·第{day}天"));
            }
            if every_title_new {
                // A new day's items are new items: a kept id would join yesterday's story.
                it.id = it.id.as_ref().map(|id| format!("{id}-{day}"));
            }
            let base = it
                .heat
                .or_else(|| it.rank.map(|r| (3e6 * 0.9f64.powi(r as i32 - 1)) as u64))
                .filter(|_| has_heat);
            let jitter = 0.9 + 0.2 * (mix(minute << 20 | k as u64) % 1000) as f64 / 1000.0;
            it.heat = base.map(|h| (h as f64 * jitter) as u64);
        }
        let line = SnapshotLine {
            captured_at: self.at(minute),
            platform,
            items,
        };
        let mut snap = line.to_snapshot();
        // The Tieba parser takes the topic id from the list (the archive has it in the URL).
        for t in snap.ranked.iter_mut().chain(snap.pinned.iter_mut()) {
            if platform == Platform::Tieba {
                t.platform_id = t
                    .url
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
                    .and_then(|u| {
                        u.query_pairs()
                            .find(|(k, _)| k == "topic_id")
                            .map(|(_, v)| v.into_owned())
                    });
            }
        }
        snap
    }
}

/// A successful poll report carrying `snap`, the next one due in `every` minutes, as the
/// pollers send it.
fn poll(snap: Snapshot, every: u64) -> AppMsg {
    let endpoint = Endpoint::chain_of(snap.platform)[0];
    AppMsg::Source(SourceEvent::Poll(PollReport::first_step_ok(
        snap,
        endpoint,
        Duration::from_secs(60 * every),
    )))
}

// --- the store on the simulated clock ---

/// The SQLite store with retention on the simulated clock: every simulated hour (the
/// service's own rate, on the wall clock), and the service's wall-clock calls answered with
/// the simulated time too.
pub struct SimClockStore {
    inner: Store,
    now: Option<DateTime<FixedOffset>>,
    retained_at: Option<DateTime<FixedOffset>>,
}

impl SimClockStore {
    pub fn open(path: &Path) -> Result<SimClockStore, resou::store::StoreError> {
        Ok(SimClockStore {
            inner: Store::open(path)?,
            now: None,
            retained_at: None,
        })
    }
}

impl HistoryStore for SimClockStore {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> resou::store::Result<i64> {
        let id = self.inner.insert_poll(snap, endpoint)?;
        let at = snap.captured_at;
        self.now = self.now.max(Some(at));
        if self
            .retained_at
            .is_none_or(|r| (at - r).num_seconds() >= 3_600)
        {
            self.retained_at = Some(at);
            self.inner.retain(at, KEEP_DAYS)?;
        }
        Ok(id)
    }
    fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<PollRef>> {
        self.inner.polls_between(platform, from, to)
    }
    fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> resou::store::Result<Option<Snapshot>> {
        self.inner.snapshot_at(platform, at)
    }
    fn topic_history(&self, key: &TopicKey) -> resou::store::Result<Option<TopicHistory>> {
        self.inner.topic_history(key)
    }
    fn retain(
        &mut self,
        now: DateTime<FixedOffset>,
        keep_days: u32,
    ) -> resou::store::Result<RetainReport> {
        self.inner.retain(self.now.unwrap_or(now), keep_days)
    }
    fn put_kv(&mut self, key: &str, value: &[u8]) -> resou::store::Result<()> {
        self.inner.put_kv(key, value)
    }
    fn get_kv(&self, key: &str) -> resou::store::Result<Option<Vec<u8>>> {
        self.inner.get_kv(key)
    }
    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> resou::store::Result<()> {
        self.inner.append_keyword_points(points)
    }
    fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<KeywordPoint>> {
        self.inner.keyword_series(keyword, from, to)
    }
    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> resou::store::Result<()> {
        self.inner.append_kol_mentions(mentions)
    }
    fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<KolMention>> {
        self.inner.kol_mentions(name, from, to)
    }
    fn save_triage(&mut self, record: &TriageRecord) -> resou::store::Result<()> {
        self.inner.save_triage(record)
    }
    fn load_triage(&self) -> resou::store::Result<Vec<TriageRecord>> {
        self.inner.load_triage()
    }
    fn record_story_titles(
        &mut self,
        titles: &[resou::store::StoryTitle],
    ) -> resou::store::Result<()> {
        self.inner.record_story_titles(titles)
    }
    fn story_of(
        &self,
        key: &TopicKey,
        at: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<resou::store::StoryTitle>> {
        self.inner.story_of(key, at)
    }
    fn enqueue_push(&mut self, push: &resou::store::NewPush) -> resou::store::Result<i64> {
        self.inner.enqueue_push(push)
    }
    fn pending_pushes(&self) -> resou::store::Result<Vec<resou::store::PushRecord>> {
        self.inner.pending_pushes()
    }
    fn update_push(
        &mut self,
        id: i64,
        update: &resou::store::PushUpdate,
    ) -> resou::store::Result<()> {
        self.inner.update_push(id, update)
    }
    fn recent_pushes(&self, limit: u32) -> resou::store::Result<Vec<resou::store::PushRecord>> {
        self.inner.recent_pushes(limit)
    }
    fn record_watch_posts(
        &mut self,
        posts: &[resou::domain::watch::WatchPost],
    ) -> resou::store::Result<()> {
        self.inner.record_watch_posts(posts)
    }
    fn watch_posts_between(
        &self,
        term: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<resou::domain::watch::WatchPost>> {
        self.inner.watch_posts_between(term, from, to)
    }
    fn newest_watch_post(
        &self,
        term: &str,
    ) -> resou::store::Result<Option<resou::domain::watch::WatchPost>> {
        self.inner.newest_watch_post(term)
    }

    // Reads for reports and the feed.
    fn snapshots_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<Snapshot>> {
        self.inner.snapshots_between(platform, from, to)
    }
    fn topics_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
        top_n: u32,
    ) -> resou::store::Result<Vec<resou::store::PeriodTopic>> {
        self.inner.topics_between(from, to, top_n)
    }
    fn keyword_points_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<KeywordPoint>> {
        self.inner.keyword_points_between(from, to)
    }
    fn story_titles_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> resou::store::Result<Vec<resou::store::StoryTitle>> {
        self.inner.story_titles_between(from, to)
    }
    fn latest_poll_at(&self) -> resou::store::Result<Option<DateTime<FixedOffset>>> {
        self.inner.latest_poll_at()
    }
}

// --- the rig ---

/// The running pieces and the routing of the app's effects (what `run_tui`'s closure does).
struct Rig {
    rt: tokio::runtime::Runtime,
    server: Server,
    topics: TopicFetcherHandle,
    drill: DrillHandle,
    sources: mpsc::Receiver<SourceEvent>,
    analysis_tx: std::sync::mpsc::Sender<WorkerInput>,
    analysis_rx: std::sync::mpsc::Receiver<AnalysisEvent>,
    history: Option<HistoryHandle>,
    history_rx: mpsc::Receiver<HistoryEvent>,
    /// Snapshots sent to the worker and not yet answered.
    analysing: usize,
    stats: Option<AnalyzerStats>,
    barrier_seen: bool,
    views: u64,
    pages: u64,
}

/// A topic key no list has: a read for it is the history service's "done so far" answer.
fn barrier_key() -> TopicKey {
    TopicKey::new(Platform::Weibo, "\u{1}soak-barrier")
}

impl Rig {
    /// Apply `msg` and perform what the app asks for.
    fn dispatch(&mut self, app: &mut App, msg: AppMsg) {
        let (fx, _) = app.handle(msg);
        for e in fx {
            self.perform(e);
        }
    }

    fn perform(&mut self, e: Effect) {
        match e {
            Effect::Analyze(snap) => {
                self.analysing += 1;
                let _ = self.analysis_tx.send(WorkerInput::Snapshot(snap));
            }
            Effect::TopicAccounts { topic, records } => {
                let _ = self
                    .analysis_tx
                    .send(WorkerInput::TopicAccounts { topic, records });
            }
            Effect::History(cmd) => {
                if let Some(h) = &self.history {
                    h.send(cmd);
                }
            }
            Effect::FetchTopic(tag) => {
                self.topics.request(&tag);
            }
            Effect::Drill {
                id,
                request,
                fresh: false,
            } => self.drill.request(id, request),
            Effect::Drill {
                id,
                request,
                fresh: true,
            } => self.drill.reload(id, request),
            Effect::CancelDrill(id) => self.drill.cancel(id),
            // No pollers (polls are fed in), no terminal, no triage file, no desktop, no
            // watched terms (the brand worker is not part of the soak).
            Effect::Source(_)
            | Effect::Brand(_)
            | Effect::SentinelPosts(_)
            | Effect::WatchPage { .. }
            | Effect::WatchTerms(_)
            | Effect::WatchSentinels(_)
            | Effect::SaveTriage(_)
            | Effect::OpenUrl(_)
            | Effect::Copy(_)
            | Effect::Export(_)
            | Effect::Alert(_) => {}
        }
    }

    fn on_analysis(&mut self, app: &mut App, ev: AnalysisEvent) {
        match ev {
            AnalysisEvent::Stats(s) => self.stats = Some(s),
            ev => {
                if matches!(ev, AnalysisEvent::Update(_)) {
                    self.analysing = self.analysing.saturating_sub(1);
                }
                self.dispatch(app, AppMsg::Analysis(ev));
            }
        }
    }

    fn on_history(&mut self, app: &mut App, ev: HistoryEvent) {
        if std::env::var_os("SOAK_DEBUG").is_some() {
            eprintln!(
                "history: {}",
                format!("{ev:?}").chars().take(120).collect::<String>()
            );
        }
        match ev {
            HistoryEvent::Detail(k, _, _) if k == barrier_key() => self.barrier_seen = true,
            ev => self.dispatch(app, AppMsg::History(ev)),
        }
    }

    fn on_source(&mut self, app: &mut App, ev: SourceEvent) {
        if matches!(ev, SourceEvent::Drill { .. }) {
            self.pages += 1;
        }
        self.dispatch(app, AppMsg::Source(ev));
    }

    /// Everything already queued, from every piece. Returns whether there was anything.
    fn drain(&mut self, app: &mut App) -> bool {
        let mut handled = false;
        loop {
            let mut any = false;
            while let Ok(ev) = self.analysis_rx.try_recv() {
                self.on_analysis(app, ev);
                any = true;
            }
            while let Ok(ev) = self.history_rx.try_recv() {
                self.on_history(app, ev);
                any = true;
            }
            while let Ok(ev) = self.sources.try_recv() {
                self.on_source(app, ev);
                any = true;
            }
            if !any {
                return handled;
            }
            handled = true;
        }
    }

    /// Take what is queued; with nothing queued, wait for the next event from the history
    /// service or the fetchers (callers re-check their condition after each call).
    fn wait_io(&mut self, app: &mut App) -> Result<(), String> {
        if self.drain(app) {
            return Ok(());
        }
        let (src, hist) = (&mut self.sources, &mut self.history_rx);
        let got = self.rt.block_on(async {
            tokio::time::timeout(HANG, async {
                tokio::select! {
                    ev = src.recv() => ev.map(Ok),
                    ev = hist.recv() => ev.map(Err),
                }
            })
            .await
        });
        match got {
            Ok(Some(Ok(ev))) => self.on_source(app, ev),
            Ok(Some(Err(ev))) => self.on_history(app, ev),
            Ok(None) => return Err("an event channel closed".into()),
            Err(_) => return Err("no event from the fetchers or the history service".into()),
        }
        self.drain(app);
        Ok(())
    }

    /// Until the worker has answered every snapshot sent.
    fn settle_analysis(&mut self, app: &mut App) -> Result<(), String> {
        while self.analysing > 0 {
            let ev = self
                .analysis_rx
                .recv_timeout(HANG)
                .map_err(|e| format!("analysis worker: {e}"))?;
            self.on_analysis(app, ev);
        }
        Ok(())
    }

    /// Until the history service has done everything sent so far (its commands run in order).
    fn settle_history(&mut self, app: &mut App) -> Result<(), String> {
        if let Some(h) = &self.history {
            h.send(HistoryCmd::Detail(barrier_key(), None));
        }
        self.barrier_seen = false;
        while !self.barrier_seen {
            self.wait_io(app)
                .map_err(|e| format!("waiting for the history service: {e}"))?;
        }
        Ok(())
    }

    fn analyzer_stats(&mut self, app: &mut App) -> Result<AnalyzerStats, String> {
        self.stats = None;
        let _ = self.analysis_tx.send(WorkerInput::Stats);
        while self.stats.is_none() {
            let ev = self
                .analysis_rx
                .recv_timeout(HANG)
                .map_err(|e| format!("analysis worker: {e}"))?;
            self.on_analysis(app, ev);
        }
        self.stats.ok_or_else(|| "no stats".into())
    }

    /// Enter on the `nth` listed topic of `platform`, two pages more with `G`, then Esc.
    fn drill_down(&mut self, app: &mut App, platform: Platform, nth: usize) -> Result<(), String> {
        let rows: Vec<TopicKey> = app
            .state
            .board
            .rows
            .iter()
            .filter(|r| r.topic.platform == platform && !r.topic.pinned)
            .map(|r| r.key.clone())
            .take(20)
            .collect();
        let Some(key) = rows.get(nth % rows.len().max(1)).cloned() else {
            return Ok(());
        };
        app.state.board.selection.key = Some(key);
        app.state.board.selection.chosen = true;
        self.press(app, "enter");
        if app.state.views.stack.is_empty() {
            return Err(format!("Enter on a {platform} topic opened no view"));
        }
        self.views += 1;
        for more in 0..3 {
            while app.state.views.stack.last().is_some_and(|v| v.loading) {
                self.wait_io(app).map_err(|e| {
                    let v = app
                        .state
                        .views
                        .stack
                        .last()
                        .map(|v| (&v.first, v.entries.len()));
                    format!("waiting for a {platform} drill page ({v:?}): {e}")
                })?;
            }
            if more < 2 {
                self.press(app, "G");
            }
        }
        self.press(app, "esc");
        if !app.state.views.stack.is_empty() {
            return Err("Esc did not leave the view".into());
        }
        Ok(())
    }

    fn press(&mut self, app: &mut App, key: &str) {
        // ok: the keys pressed are fixed names of the default keymap
        let k = Key::parse(key).expect("key name");
        self.dispatch(app, AppMsg::Key(k));
    }
}

fn net(origin: &str) -> NetConfig {
    NetConfig {
        origin: Some(origin.to_string()),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        weibo_cookie: None,
        tieba_cookie: None,
        zhihu_cookie: None,
        max_body_bytes: 4 << 20,
    }
}

/// Run the soak; `on_sample` sees each sample as it is taken (the first after the first
/// poll, then every `sample_every` minutes, and at the end).
pub fn run(opts: &SoakOptions, mut on_sample: impl FnMut(&Sample)) -> Result<Vec<Sample>, String> {
    // As `main` does first (in the test binary other tests' threads may already exist).
    resou::memory::tune_allocator();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let (server, origin) = Server::start(opts.server, &rt)?;
    let client = Arc::new(HttpClient::new(&net(&origin)).map_err(|e| e.to_string())?);
    let (tx, sources) = mpsc::channel(64);
    let (topics, drill) = {
        let _enter = rt.enter();
        let quick = Duration::from_millis(1);
        let topics = resou::sources::topic::spawn_topic_fetcher(
            client.clone(),
            TopicFetcherConfig {
                min_gap: quick,
                jitter: Duration::ZERO,
                ..Default::default()
            },
            tx.clone(),
        );
        let drill = resou::sources::drill::spawn_drill_fetcher(
            client,
            DrillFetcherConfig {
                min_gap: quick,
                jitter: Duration::ZERO,
                ..Default::default()
            },
            tx,
        );
        (topics, drill)
    };
    let (acfg, _) = resou::config::analysis_config(&resou::config::Config::default(), false);
    let (analysis_tx, analysis_rx) = resou::analysis::spawn_worker(acfg);
    // Start on the next whole hour of the wall clock, in China time (the data's zone).
    let now = resou::domain::now_cst();
    let start =
        now - chrono::Duration::seconds(now.timestamp() % 3600) + chrono::Duration::hours(1);
    let lists = Lists::new(start);
    let lists_mb = lists.packed_mb();
    let platforms: Vec<Platform> = lists.schedule().iter().map(|(p, _)| *p).collect();
    let (h_tx, history_rx) = mpsc::channel(64);
    let path = opts.dir.join("history.sqlite3");
    let open_path = path.clone();
    let history = resou::history::spawn(
        Box::new(move || Ok(Box::new(SimClockStore::open(&open_path)?) as Box<dyn HistoryStore>)),
        HistoryOptions {
            platforms: platforms.clone(),
            keep_days: KEEP_DAYS,
            skip_duplicates: false,
            announce: true,
            follow: None,
            team_user: None,
        },
        h_tx,
    )
    .map_err(|e| format!("history service: {e}"))?;

    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 30,
        keyword_rows: 12,
        size: (160, 48),
    });
    resou::app::update::enable_platforms(&mut app.state, &platforms);
    let mut rig = Rig {
        rt,
        server,
        topics,
        drill,
        sources,
        analysis_tx,
        analysis_rx,
        history: Some(history),
        history_rx,
        analysing: 0,
        stats: None,
        barrier_seen: false,
        views: 0,
        pages: 0,
    };
    let mut samples = Vec::new();
    let mut polls = 0u64;
    let store_mb = |p: &Path| {
        let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let wal = PathBuf::from(format!("{}-wal", p.display()));
        (size(p) + size(&wal)) as f64 / 1e6
    };
    for minute in 0..opts.minutes {
        rig.dispatch(&mut app, AppMsg::Tick(lists.at(minute)));
        for &(p, every) in lists.schedule() {
            if minute.is_multiple_of(every) {
                rig.dispatch(&mut app, poll(lists.snapshot(p, minute), every));
                polls += 1;
            }
        }
        rig.settle_analysis(&mut app)?;
        let _ = rig.drain(&mut app);
        let next = minute + 1;
        if next.is_multiple_of(opts.drill_every) {
            rig.settle_history(&mut app)?;
            let hour = (next / opts.drill_every) as usize;
            rig.drill_down(&mut app, Platform::Weibo, hour)?;
            rig.drill_down(&mut app, Platform::Tieba, hour)?;
        }
        if minute == 0 || next.is_multiple_of(opts.sample_every) || next == opts.minutes {
            rig.settle_history(&mut app)?;
            let analysis = rig.analyzer_stats(&mut app)?;
            let s = &app.state;
            let events = &s.analysis.events.events;
            let sample = Sample {
                minute: next,
                at: lists.at(minute),
                polls,
                rss_mb: rss_mb(),
                rss_file_mb: rss_file_mb(),
                sqlite_mb: sqlite_mb(),
                heap_mb: heap::live_mb(),
                heap_blocks: heap::live_blocks(),
                lists_mb,
                fds: fds(),
                triage: s.triage.topics.len(),
                series: s.history.series.len(),
                times: s.history.times.len(),
                first_seen: s.lists.boards.values().map(|b| b.first_seen.len()).sum(),
                topic_details: s.enrich.topic_details.len(),
                kol_names: s.enrich.kol_names.len(),
                analysis,
                events: events.len(),
                event_members: events.iter().map(|e| e.members.len()).sum(),
                largest_event: events.iter().map(|e| e.members.len()).max().unwrap_or(0),
                rows: s.board.rows.len(),
                views: rig.views,
                pages: rig.pages,
                store_mb: store_mb(&path),
            };
            on_sample(&sample);
            samples.push(sample);
        }
    }
    // Queued writes land; then everything stops.
    if let Some(h) = rig.history.take() {
        h.finish();
    }
    let Rig {
        rt, server, topics, ..
    } = rig;
    rt.block_on(async move {
        topics.shutdown().await;
        server.shutdown().await;
    });
    Ok(samples)
}
