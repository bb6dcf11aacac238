//! The history store: every poll, the per-topic summary, analysis series, triage state and
//! small blobs, behind one interface ([`HistoryStore`]) with one module per engine:
//! - [`sqlite`]: an embedded file (`$XDG_DATA_HOME/resou/history.sqlite3`) in WAL mode, so a
//!   collector can write while viewers read;
//! - [`postgres`]: a shared server for team mode, with live updates through
//!   [`subscribe`].
//!
//! [`open`] picks the engine from a [`StoreSpec`]. What does not depend on the engine is
//! written once: the statements both dialects run verbatim (`sql`), value conversions and
//! rebuilding domain types from stored rows (`rows`), and the retention plan (`retain`).
//!
//! Every write is one transaction. Failures (disk full, read-only file, a newer schema, a lost
//! server) come back as a [`StoreError`] naming the file or server and the operation; nothing
//! here panics on them, so the caller can show a status and keep polling in memory.

mod error;
mod open;
pub mod postgres;
mod retain;
mod rows;
mod sql;
pub mod sqlite;

use chrono::{DateTime, FixedOffset};

use crate::domain::watch::WatchPost;
use crate::domain::{Platform, Snapshot, TopicKey};

pub use error::StoreError;
pub use open::{StoreSpec, open, redact_url};
pub use postgres::PgStore;
pub use postgres::feed::{StoreFeed, Subscription, subscribe};
pub use sqlite::{FILE_NAME, SqliteStore, default_path};

// The SQLite engine's store and schema at the paths they had before the engines were split.
pub use sqlite::SqliteStore as Store;
pub use sqlite::schema;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A time in or out of the store (CST, like every platform time), for the engines' short
/// signatures.
pub(crate) type At = DateTime<FixedOffset>;

/// Minute-level polls are kept this long before hourly compaction.
pub const COMPACT_AFTER_SECS: i64 = 2 * 86_400;

/// The store interface the app, the collector and the viewers use, whichever engine holds
/// the history. Every method is blocking; callers run it on a store thread, never the UI's.
pub trait HistoryStore: Send {
    /// Where the history lives, for messages (a path, or a URL without its password).
    fn describe(&self) -> String;

    /// Store one poll and fold it into the topic summary, atomically. Returns the poll id.
    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64>;

    /// Polls of `platform` captured in `from..=to`, oldest first.
    fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<PollRef>>;

    /// The board as it was at `at`: the last poll of `platform` at or before it, with its
    /// items.
    fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<Snapshot>>;

    /// First/last seen, peaks and stored rank/heat path of one topic; `None` if never seen.
    fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>>;

    /// Drop data older than `keep_days` and compact old minute-level polls to hourly, in one
    /// transaction (see `retain` for the plan).
    fn retain(&mut self, now: DateTime<FixedOffset>, keep_days: u32) -> Result<RetainReport>;

    /// Store a blob under `key` (detector state, cursors), replacing any previous value.
    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()>;
    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Append keyword points in one transaction.
    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()>;
    /// Points of one keyword in `from..=to`, oldest first.
    fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>>;
    /// Append KOL mentions in one transaction.
    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()>;
    /// Mentions of one KOL in `from..=to`, oldest first.
    fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KolMention>>;

    /// Replace `user`'s triage state.
    fn save_triage(&mut self, record: &TriageRecord) -> Result<()>;
    /// Every user's triage state, by user name in byte order (team mode shows the others'
    /// flags and notes).
    fn load_triage(&self) -> Result<Vec<TriageRecord>>;

    /// Record story titles in one transaction; a title already recorded keeps the earlier
    /// first sighting.
    fn record_story_titles(&mut self, titles: &[StoryTitle]) -> Result<()>;
    /// The titles, seen by `at`, of every story `key` belonged to by `at`, first seen first
    /// (each with its best rank by `at`). Empty when the topic was in no story.
    fn story_of(&self, key: &TopicKey, at: DateTime<FixedOffset>) -> Result<Vec<StoryTitle>>;

    // Team alert deliveries (issue 19): the queue the one sender works through.

    /// Queue one message for one channel (state pending); returns its id.
    fn enqueue_push(&mut self, push: &NewPush) -> Result<i64>;
    /// Every pending delivery, the one due first first.
    fn pending_pushes(&self) -> Result<Vec<PushRecord>>;
    /// Record an attempt's result.
    fn update_push(&mut self, id: i64, update: &PushUpdate) -> Result<()>;
    /// The `limit` deliveries changed last (sent, failed or waiting), newest first.
    fn recent_pushes(&self, limit: u32) -> Result<Vec<PushRecord>>;

    // Brand watch (issue 20): posts found for watched terms.

    /// Keep each post once (by platform and id), in one transaction; a post already stored
    /// keeps its first row (term, counts and first sighting).
    fn record_watch_posts(&mut self, posts: &[WatchPost]) -> Result<()>;
    /// Posts of `term` (its name as configured) created in `from..=to` (a post without a
    /// readable time counts at its first sighting), oldest first.
    fn watch_posts_between(
        &self,
        term: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<WatchPost>>;
    /// The newest stored post of `term`: where the next search may stop paging.
    fn newest_watch_post(&self, term: &str) -> Result<Option<WatchPost>>;

    /// [`HistoryStore::story_of`] for several topics, each stored title once.
    fn stories_of(&self, keys: &[TopicKey], at: DateTime<FixedOffset>) -> Result<Vec<StoryTitle>> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for key in keys {
            for t in self.story_of(key, at)? {
                if seen.insert((t.story.clone(), t.key.clone())) {
                    out.push(t);
                }
            }
        }
        out.sort_by(|a, b| (a.first_seen, &a.story, &a.key).cmp(&(b.first_seen, &b.story, &b.key)));
        Ok(out)
    }

    // Reads for reports and the feed.

    /// Every poll of `platform` captured in `from..=to` with its board, oldest first (one
    /// query: a report replays a day of polls through the list dynamics).
    fn snapshots_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<Snapshot>>;

    /// Every topic on some list in `from..=to`, with what the polls of the period show (see
    /// [`PeriodTopic`]); `top_n` sets the rank [`PeriodTopic::top_at`] looks for. By topic key.
    fn topics_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
        top_n: u32,
    ) -> Result<Vec<PeriodTopic>>;

    /// Every keyword point in `from..=to` (rising ones and the steady ones stored beside
    /// them), by time, then keyword.
    fn keyword_points_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>>;

    /// The titles, seen by `to`, of every story with a title first seen in `from..=to`, each
    /// with its best rank and last sighting by `to`; first seen first (the propagation order).
    fn story_titles_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<StoryTitle>>;

    /// When the newest stored poll (of any platform) was captured; `None` for an empty store.
    fn latest_poll_at(&self) -> Result<Option<DateTime<FixedOffset>>>;
}

/// A topic over a period (`HistoryStore::topics_between`): what the period's stored polls
/// show of it, beside the summary's first sighting ever.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodTopic {
    pub key: TopicKey,
    /// The latest display title.
    pub title: String,
    /// Best rank in the period; `None` when only pinned.
    pub peak_rank: Option<u32>,
    pub peak_heat: Option<u64>,
    /// First and last poll of the period that had it.
    pub first_at: DateTime<FixedOffset>,
    pub last_at: DateTime<FixedOffset>,
    /// Polls of the period that had it.
    pub polls: u32,
    /// First sighting ever (the summary's, which outlives compaction).
    pub first_seen: DateTime<FixedOffset>,
    /// First seen inside the period: a new entry.
    pub new: bool,
    /// The first poll of the period that had it at rank ≤ `top_n`.
    pub top_at: Option<DateTime<FixedOffset>>,
    /// The strongest of 新 < 热 < 沸 < 爆 it showed in the period (商 and none: `None`).
    pub label: crate::domain::Label,
}

/// One title of a story (an event of the analysis) as stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoryTitle {
    /// The story: `<grouping run's start, unix seconds>-<event id>`. A restart groups anew,
    /// so one topic can be in stories of several runs; readers take their union.
    pub story: String,
    pub key: TopicKey,
    pub title: String,
    pub first_seen: DateTime<FixedOffset>,
    /// Best rank by the time asked for (reads only; `None` when unknown).
    pub best_rank: Option<u32>,
    /// Last stored sighting by the time asked for (reads only).
    pub last_seen: Option<DateTime<FixedOffset>>,
}

/// A stored poll, without its items.
#[derive(Debug, Clone, PartialEq)]
pub struct PollRef {
    pub id: i64,
    pub platform: Platform,
    pub captured_at: DateTime<FixedOffset>,
}

/// One observation of a topic: the poll time and where it stood.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    pub at: DateTime<FixedOffset>,
    /// `None` when the topic was pinned in that poll.
    pub rank: Option<u32>,
    pub heat: Option<u64>,
}

/// Everything known about one topic. `first_seen`/`last_seen`/peaks come from the summary
/// kept at insert time, so they survive compaction; `points` are the polls still stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicHistory {
    pub title: String,
    pub first_seen: DateTime<FixedOffset>,
    pub last_seen: DateTime<FixedOffset>,
    pub peak_rank: Option<u32>,
    pub peak_heat: Option<u64>,
    pub points: Vec<HistoryPoint>,
}

impl TopicHistory {
    /// What was known of the topic at `at` (time travel): the polls up to it, and first/last
    /// seen and peaks as of then. `None` when it had not been seen yet. A topic last seen by
    /// `at` is returned whole (its summary is exact); otherwise last seen and peaks come from
    /// the stored polls up to `at`, which may miss peaks of polls compacted away.
    pub fn as_of(&self, at: DateTime<FixedOffset>) -> Option<TopicHistory> {
        if self.first_seen > at {
            return None;
        }
        if self.last_seen <= at {
            return Some(self.clone());
        }
        let points: Vec<HistoryPoint> =
            self.points.iter().filter(|p| p.at <= at).cloned().collect();
        Some(TopicHistory {
            title: self.title.clone(),
            first_seen: self.first_seen,
            last_seen: points.last().map_or(self.first_seen, |p| p.at),
            peak_rank: points.iter().filter_map(|p| p.rank).min(),
            peak_heat: points.iter().filter_map(|p| p.heat).max(),
            points,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeywordPoint {
    pub keyword: String,
    pub at: DateTime<FixedOffset>,
    pub share: f64,
    pub score: f64,
    pub rising: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KolMention {
    pub name: String,
    pub at: DateTime<FixedOffset>,
    /// Titles the KOL appeared in at that time.
    pub titles: Vec<String>,
}

/// One user's triage state as stored (the JSON of [`crate::triage::Triage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TriageRecord {
    pub user: String,
    pub json: String,
    pub updated_at: DateTime<FixedOffset>,
}

/// Where a queued delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushState {
    /// Not (wholly) delivered yet; tried again at `next_at`.
    Pending,
    Delivered,
    /// Given up: the channel refused it for good (a bad key, a wrong signature).
    Failed,
}

impl PushState {
    pub fn id(self) -> &'static str {
        match self {
            PushState::Pending => "pending",
            PushState::Delivered => "delivered",
            PushState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PushState> {
        [PushState::Pending, PushState::Delivered, PushState::Failed]
            .into_iter()
            .find(|p| p.id() == s)
    }
}

/// A message to queue for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPush {
    pub channel: String,
    pub rule: String,
    /// The tier's id (`blue` … `red`).
    pub tier: String,
    pub title: String,
    /// The message as JSON (`push::Message`), rendered again for each attempt.
    pub message: String,
    pub created_at: DateTime<FixedOffset>,
    /// When to send it first (now, or later when a local rate limit says so).
    pub next_at: DateTime<FixedOffset>,
}

/// A queued delivery as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PushRecord {
    pub id: i64,
    pub channel: String,
    pub rule: String,
    pub tier: String,
    pub title: String,
    pub message: String,
    pub state: PushState,
    /// Parts (of a split message) delivered so far; a retry sends the rest.
    pub parts_done: u32,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub next_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

/// The result of one attempt, written over the row's state.
#[derive(Debug, Clone, PartialEq)]
pub struct PushUpdate {
    pub state: PushState,
    pub parts_done: u32,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

/// What one [`HistoryStore::retain`] run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetainReport {
    /// Polls older than the keep window.
    pub expired_polls: usize,
    /// Polls removed by hourly compaction.
    pub compacted_polls: usize,
    pub expired_topics: usize,
    pub expired_keyword_points: usize,
    /// Keyword points removed by hourly compaction.
    pub compacted_keyword_points: usize,
    pub expired_kol_mentions: usize,
    /// KOL mentions merged into the hour's last one by hourly compaction.
    pub compacted_kol_mentions: usize,
    /// Brand watch posts first seen before the keep window.
    pub expired_watch_posts: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_as_of_a_past_moment() {
        let t = |h: i64| {
            DateTime::parse_from_rfc3339("2025-10-15T08:00:00+08:00").unwrap()
                + chrono::Duration::hours(h)
        };
        let point = |h, rank, heat| HistoryPoint {
            at: t(h),
            rank,
            heat,
        };
        let h = TopicHistory {
            title: "台风".into(),
            first_seen: t(0),
            last_seen: t(3),
            peak_rank: Some(1),
            peak_heat: Some(900),
            points: vec![
                point(0, Some(9), Some(100)),
                point(1, Some(4), Some(300)),
                point(2, None, None),
                point(3, Some(1), Some(900)),
            ],
        };
        assert_eq!(h.as_of(t(-1)), None, "not seen yet");
        assert_eq!(h.as_of(t(3)).as_ref(), Some(&h), "nothing after: whole");
        let past = h.as_of(t(2)).unwrap();
        assert_eq!(past.last_seen, t(2));
        assert_eq!(past.points.len(), 3);
        assert_eq!((past.peak_rank, past.peak_heat), (Some(4), Some(300)));
        assert_eq!(past.first_seen, t(0));
    }
}
