//! Values as both engines store them, and the domain types rebuilt from stored rows, written
//! once: each engine only says how to read one column of its own row type ([`Row`]).

use chrono::{DateTime, FixedOffset};

use super::{
    HistoryPoint, KeywordPoint, KolMention, PeriodTopic, PollRef, PushRecord, PushState, Result,
    StoreError, StoryTitle, TopicHistory, TriageRecord,
};
use crate::domain::watch::WatchPost;
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, TopicKey, normalize_title};

/// The platform as stored (`weibo`/`tieba`), in rows and in feed payloads.
pub(crate) fn platform_sql(p: Platform) -> &'static str {
    p.id()
}

/// Stored timestamps are unix seconds; they come back in CST like every platform time.
pub(crate) fn to_time(secs: i64) -> Option<DateTime<FixedOffset>> {
    crate::domain::from_unix(secs)
}

/// Heat is a `u64` in the domain and a signed 64-bit integer in both engines; no real count
/// comes near the limit.
fn heat_to_sql(h: u64) -> i64 {
    i64::try_from(h).unwrap_or(i64::MAX)
}

fn heat_from_sql(h: i64) -> Option<u64> {
    u64::try_from(h).ok()
}

/// KOL titles are stored as a JSON array.
pub(super) fn titles_json(titles: &[String]) -> String {
    // ok: serialising a slice of strings to JSON cannot fail.
    serde_json::to_string(titles).unwrap_or_else(|_| "[]".into())
}

/// A watch post's values as both engines bind them (the order of
/// [`super::sql::RECORD_WATCH_POST`]).
pub(super) struct WatchRow<'a> {
    pub platform: &'static str,
    pub id: &'a str,
    pub term: &'a str,
    pub author: &'a str,
    pub author_id: Option<&'a str>,
    pub verified_type: Option<i64>,
    pub followers: Option<i64>,
    pub reposts: Option<i64>,
    pub comments: Option<i64>,
    pub likes: Option<i64>,
    pub created_at: Option<i64>,
    pub text: &'a str,
    pub first_seen: i64,
}

pub(super) fn watch_row(p: &WatchPost) -> WatchRow<'_> {
    WatchRow {
        platform: platform_sql(p.platform),
        id: &p.id,
        term: &p.term,
        author: &p.author,
        author_id: p.author_id.as_deref(),
        verified_type: p.verified_type,
        followers: p.followers.map(heat_to_sql),
        reposts: p.reposts.map(heat_to_sql),
        comments: p.comments.map(heat_to_sql),
        likes: p.likes.map(heat_to_sql),
        created_at: p.created_at.map(|t| t.timestamp()),
        text: &p.text,
        first_seen: p.first_seen.timestamp(),
    }
}

/// One `items` row of a poll (and the values its `topics` fold needs), as both engines bind
/// it: rows in board order, pinned rows first and without a rank.
pub(super) struct Item<'a> {
    pub pos: i64,
    pub rank: Option<i64>,
    pub title: &'a str,
    /// The topic identity.
    pub norm: String,
    pub query: Option<&'a str>,
    pub heat: Option<i64>,
    pub label: &'a str,
    pub url: Option<&'a str>,
    pub platform_id: Option<&'a str>,
    pub pinned: bool,
    pub onboard: Option<i64>,
    pub category: Option<&'a str>,
}

pub(super) fn items(snap: &Snapshot) -> impl Iterator<Item = Item<'_>> {
    snap.pinned
        .iter()
        .chain(&snap.ranked)
        .enumerate()
        .map(|(pos, t)| Item {
            pos: pos as i64,
            rank: if t.pinned {
                None
            } else {
                t.rank.map(i64::from)
            },
            title: t.title.as_str(),
            norm: normalize_title(t.title.as_str()),
            query: t.query.as_ref().map(SafeText::as_str),
            heat: t.heat.map(heat_to_sql),
            label: t.label.as_str(),
            url: t.url.as_deref(),
            platform_id: t.platform_id.as_deref(),
            pinned: t.pinned,
            onboard: t.onboard.map(|o| o.timestamp()),
            category: t.category.as_ref().map(SafeText::as_str),
        })
}

/// A column type both engines can read.
pub(super) trait Column:
    rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a>
{
}
impl<T: rusqlite::types::FromSql + for<'a> ::postgres::types::FromSql<'a>> Column for T {}

/// A result row of one engine: how to read a column, and how to report a failed read.
pub(super) trait Row {
    type Error;
    fn column<T: Column>(&self, i: usize) -> Result<T, Self::Error>;
    fn error(place: &str, op: &'static str, e: Self::Error) -> StoreError;
}

/// `row`, read for `op` on the store at `place` (a path, or a server URL without its
/// password): every failure names both.
pub(super) struct Cells<'a, R> {
    pub row: &'a R,
    pub place: &'a str,
    pub op: &'static str,
}

impl<R: Row> Cells<'_, R> {
    fn get<T: Column>(&self, i: usize) -> Result<T> {
        self.row
            .column(i)
            .map_err(|e| R::error(self.place, self.op, e))
    }

    fn bad(&self, msg: String) -> StoreError {
        bad_value(self.place, self.op, msg)
    }

    fn time(&self, i: usize) -> Result<DateTime<FixedOffset>> {
        let secs = self.get(i)?;
        to_time(secs).ok_or_else(|| self.bad(format!("timestamp {secs} out of range")))
    }

    fn rank(&self, i: usize) -> Result<Option<u32>> {
        let rank: Option<i64> = self.get(i)?;
        rank.map(|r| u32::try_from(r).map_err(|_| self.bad(format!("rank {r}"))))
            .transpose()
    }

    fn heat(&self, i: usize) -> Result<Option<u64>> {
        Ok(self.get::<Option<i64>>(i)?.and_then(heat_from_sql))
    }

    /// Stored text is re-sanitised: the file or server is outside our control once written.
    fn line(&self, i: usize) -> Result<Option<SafeText>> {
        Ok(self
            .get::<Option<String>>(i)?
            .as_deref()
            .map(SafeText::line))
    }

    /// `(id, captured_at)` of `polls`.
    pub fn poll(&self, platform: Platform) -> Result<PollRef> {
        Ok(PollRef {
            id: self.get(0)?,
            platform,
            captured_at: self.time(1)?,
        })
    }

    fn platform(&self, i: usize) -> Result<Platform> {
        let platform: String = self.get(i)?;
        Platform::parse(&platform).ok_or_else(|| self.bad(format!("platform {platform:?}")))
    }

    /// The columns of [`super::sql::POLL_ITEMS`].
    pub fn topic(&self, platform: Platform) -> Result<Topic> {
        self.topic_from(platform, 0)
    }

    /// The ten item columns of [`super::sql::POLL_ITEMS`], starting at column `c`.
    fn topic_from(&self, platform: Platform, c: usize) -> Result<Topic> {
        let mut t = Topic::new(platform, self.rank(c)?, &self.get::<String>(c + 1)?);
        t.query = self.line(c + 2)?;
        t.heat = self.heat(c + 3)?;
        t.label = Label::from_text(&self.get::<String>(c + 4)?);
        t.url = self.get(c + 5)?;
        t.platform_id = self.get(c + 6)?;
        t.pinned = self.get(c + 7)?;
        t.onboard = self.get::<Option<i64>>(c + 8)?.and_then(to_time);
        t.category = self.line(c + 9)?;
        Ok(t)
    }

    /// The columns of [`super::sql::POLLS_WITH_ITEMS`]: the poll, then one of its items.
    pub fn poll_item(&self, platform: Platform) -> Result<(PollRef, Topic)> {
        Ok((self.poll(platform)?, self.topic_from(platform, 2)?))
    }

    /// The columns of [`super::sql::TOPICS_BETWEEN`]; `from` is the period's start (a topic
    /// first seen at or after it is new).
    pub fn period_topic(&self, from: DateTime<FixedOffset>) -> Result<PeriodTopic> {
        let platform = self.platform(0)?;
        let first_seen = self.time(8)?;
        let polls: i64 = self.get(7)?;
        Ok(PeriodTopic {
            key: TopicKey {
                platform,
                norm: self.get(1)?,
            },
            title: self.line(2)?.map(SafeText::into_string).unwrap_or_default(),
            peak_rank: self.rank(3)?,
            peak_heat: self.heat(4)?,
            first_at: self.time(5)?,
            last_at: self.time(6)?,
            polls: u32::try_from(polls).map_err(|_| self.bad(format!("poll count {polls}")))?,
            first_seen,
            new: first_seen >= from,
            top_at: self.get::<Option<i64>>(9)?.and_then(to_time),
            label: label_of_strength(self.get(10)?),
        })
    }

    /// `(keyword, at, share, score, rising)` of `keyword_points`.
    pub fn keyword_point_row(&self) -> Result<KeywordPoint> {
        let keyword: String = self.get(0)?;
        Ok(KeywordPoint {
            at: self.time(1)?,
            share: self.get(2)?,
            score: self.get(3)?,
            rising: self.get(4)?,
            keyword,
        })
    }

    /// The columns of [`super::sql::TOPIC_SUMMARY`], with no points yet.
    pub fn summary(&self) -> Result<TopicHistory> {
        Ok(TopicHistory {
            title: self.get(0)?,
            first_seen: self.time(1)?,
            last_seen: self.time(2)?,
            peak_rank: self.rank(3)?,
            peak_heat: self.heat(4)?,
            points: Vec::new(),
        })
    }

    /// The columns of [`super::sql::TOPIC_POINTS`].
    pub fn point(&self) -> Result<HistoryPoint> {
        Ok(HistoryPoint {
            at: self.time(0)?,
            rank: self.rank(1)?,
            heat: self.heat(2)?,
        })
    }

    /// `(at, share, score, rising)` of `keyword_points`.
    pub fn keyword_point(&self, keyword: &str) -> Result<KeywordPoint> {
        Ok(KeywordPoint {
            keyword: keyword.to_string(),
            at: self.time(0)?,
            share: self.get(1)?,
            score: self.get(2)?,
            rising: self.get(3)?,
        })
    }

    /// `(at, titles)` of `kol_mentions`.
    pub fn kol_mention(&self, name: &str) -> Result<KolMention> {
        let titles: String = self.get(1)?;
        let titles = serde_json::from_str(&titles)
            .map_err(|err| self.bad(format!("titles of {name}: {err}")))?;
        Ok(KolMention {
            name: name.to_string(),
            at: self.time(0)?,
            titles,
        })
    }

    /// The columns of [`super::sql::STORY_OF`].
    pub fn story_title(&self) -> Result<StoryTitle> {
        let platform = self.platform(1)?;
        Ok(StoryTitle {
            story: self.get(0)?,
            key: TopicKey {
                platform,
                norm: self.get(2)?,
            },
            title: self.line(3)?.map(SafeText::into_string).unwrap_or_default(),
            first_seen: self.time(4)?,
            best_rank: self.rank(5)?,
            last_seen: self.get::<Option<i64>>(6)?.and_then(to_time),
        })
    }

    /// `(user, json, updated_at)` of `triage`.
    pub fn triage(&self) -> Result<TriageRecord> {
        Ok(TriageRecord {
            user: self.get(0)?,
            json: self.get(1)?,
            updated_at: self.time(2)?,
        })
    }

    /// The columns of [`super::sql::PENDING_PUSHES`] and [`super::sql::RECENT_PUSHES`].
    pub fn push(&self) -> Result<PushRecord> {
        let count = |i| {
            let n: i64 = self.get(i)?;
            u32::try_from(n).map_err(|_| self.bad(format!("count {n}")))
        };
        let state: String = self.get(6)?;
        Ok(PushRecord {
            id: self.get(0)?,
            channel: self.get(1)?,
            rule: self.get(2)?,
            tier: self.get(3)?,
            title: self.get(4)?,
            message: self.get(5)?,
            state: PushState::parse(&state)
                .ok_or_else(|| self.bad(format!("delivery state {state:?}")))?,
            parts_done: count(7)?,
            attempts: count(8)?,
            last_error: self.get(9)?,
            created_at: self.time(10)?,
            next_at: self.time(11)?,
            updated_at: self.time(12)?,
        })
    }

    /// The columns of [`super::sql::WATCH_POSTS_BETWEEN`] and [`super::sql::NEWEST_WATCH_POST`].
    pub fn watch_post(&self) -> Result<WatchPost> {
        let text = |i| -> Result<String> {
            Ok(self.line(i)?.map(SafeText::into_string).unwrap_or_default())
        };
        Ok(WatchPost {
            platform: self.platform(0)?,
            id: self.get(1)?,
            term: self.get(2)?,
            author: text(3)?,
            author_id: self.get(4)?,
            verified_type: self.get(5)?,
            followers: self.heat(6)?,
            reposts: self.heat(7)?,
            comments: self.heat(8)?,
            likes: self.heat(9)?,
            created_at: self.get::<Option<i64>>(10)?.and_then(to_time),
            // Stored text is re-sanitised, newlines kept.
            text: SafeText::multiline(&self.get::<String>(11)?).into_string(),
            first_seen: self.time(12)?,
        })
    }

    /// The first column (a single value asked for).
    pub fn value<T: Column>(&self) -> Result<T> {
        self.get(0)
    }
}

/// The label strength [`super::sql::TOPICS_BETWEEN`] computes (0 none or 商 … 4 爆) as a
/// label.
fn label_of_strength(n: i64) -> Label {
    match n {
        4 => Label::Explosive,
        3 => Label::Boiling,
        2 => Label::Hot,
        1 => Label::New,
        _ => Label::None,
    }
}

/// A stored value this build cannot read back (hand-edited or damaged file or database).
pub(super) fn bad_value(place: &str, op: &'static str, msg: String) -> StoreError {
    StoreError::BadValue {
        path: place.to_string(),
        op,
        msg,
    }
}

/// The board of one poll from its stored rows (in stored order).
pub(super) fn board(poll: PollRef, topics: Vec<Topic>) -> Snapshot {
    let mut snap = Snapshot::new(poll.platform, poll.captured_at);
    for t in topics {
        if t.pinned {
            snap.pinned.push(t);
        } else {
            snap.ranked.push(t);
        }
    }
    snap
}

/// The boards of several polls from their stored rows (poll by poll, each in stored order,
/// as [`super::sql::POLLS_WITH_ITEMS`] returns them).
pub(super) fn boards(rows: Vec<(PollRef, Topic)>) -> Vec<Snapshot> {
    let mut out: Vec<Snapshot> = Vec::new();
    let mut poll: Option<PollRef> = None;
    let mut topics = Vec::new();
    for (p, t) in rows {
        if poll.as_ref().is_some_and(|q| q.id != p.id) {
            out.extend(poll.take().map(|q| board(q, std::mem::take(&mut topics))));
        }
        poll.get_or_insert(p);
        topics.push(t);
    }
    out.extend(poll.map(|q| board(q, topics)));
    out
}

/// Report reads come back in one order on both engines: byte order of the stored text, which
/// PostgreSQL's collation would not give.
pub(super) fn sort_period_topics(topics: &mut [PeriodTopic]) {
    topics.sort_by(|a, b| a.key.cmp(&b.key));
}

pub(super) fn sort_keyword_points(points: &mut [KeywordPoint]) {
    points.sort_by(|a, b| (a.at, &a.keyword).cmp(&(b.at, &b.keyword)));
}

pub(super) fn sort_story_titles(titles: &mut [StoryTitle]) {
    titles.sort_by(|a, b| (a.first_seen, &a.key, &a.story).cmp(&(b.first_seen, &b.key, &b.story)));
}
