//! [`HistoryStore`] on the SQLite file: polls with their items in list order, the per-topic
//! summary (`topics`) kept current on every insert, series, triage and blobs.

use rusqlite::params;

use super::{SqliteStore, sql_err};
use crate::domain::watch::WatchPost;
use crate::domain::{Platform, Snapshot, TopicKey};
use crate::store::retain::{self, Dialect};
use crate::store::rows::{self, platform_sql, titles_json};
use crate::store::{
    At, HistoryStore, KeywordPoint, KolMention, NewPush, PeriodTopic, PollRef, PushRecord,
    PushUpdate, Result, RetainReport, StoryTitle, TopicHistory, TriageRecord, sql,
};

/// The summary fold. SQLite's two-argument min/max return NULL if either side is NULL, so
/// `coalesce` keeps a pinned-only sighting (NULL rank) from replacing a real peak.
const UPSERT_TOPIC: &str =
    "INSERT INTO topics (platform, norm, title, first_seen, last_seen, peak_rank, peak_heat)
     VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)
     ON CONFLICT (platform, norm) DO UPDATE SET
       title = CASE WHEN excluded.last_seen >= topics.last_seen
                    THEN excluded.title ELSE topics.title END,
       first_seen = min(topics.first_seen, excluded.first_seen),
       last_seen = max(topics.last_seen, excluded.last_seen),
       peak_rank = min(coalesce(topics.peak_rank, excluded.peak_rank),
                       coalesce(excluded.peak_rank, topics.peak_rank)),
       peak_heat = max(coalesce(topics.peak_heat, excluded.peak_heat),
                       coalesce(excluded.peak_heat, topics.peak_heat))";

const KEYWORD_SERIES: &str = "SELECT at, share, score, rising FROM keyword_points
     WHERE keyword = ?1 AND at BETWEEN ?2 AND ?3 ORDER BY at, rowid";

const KOL_MENTIONS: &str = "SELECT at, titles FROM kol_mentions
     WHERE name = ?1 AND at BETWEEN ?2 AND ?3 ORDER BY at, rowid";

/// SQLite's BINARY collation is byte order.
const LOAD_TRIAGE: &str = "SELECT user, json, updated_at FROM triage ORDER BY user";

const RETENTION: Dialect = Dialect {
    series_id: "rowid",
    merge_kol_titles: "UPDATE kol_mentions SET titles = (
       SELECT json_group_array(value ORDER BY first_seq) FROM (
         SELECT value, min(seq) AS first_seq FROM (
           SELECT j.value AS value,
             row_number() OVER (ORDER BY m.at, m.rowid, j.key) AS seq
           FROM kol_mentions AS m, json_each(m.titles) AS j
           WHERE m.name = kol_mentions.name AND m.at / 3600 = kol_mentions.at / 3600
             AND m.at < ?1)
         GROUP BY value))
     WHERE rowid IN (
       SELECT rowid FROM (
         SELECT rowid,
           row_number() OVER (PARTITION BY name, at / 3600
                              ORDER BY at DESC, rowid DESC) AS n,
           count(*) OVER (PARTITION BY name, at / 3600) AS hour_rows
         FROM kol_mentions WHERE at < ?1)
       WHERE n = 1 AND hour_rows > 1)",
};

impl HistoryStore for SqliteStore {
    fn describe(&self) -> String {
        self.path.clone()
    }

    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64> {
        const OP: &str = "insert poll";
        let path = self.path.clone();
        let e = |source| sql_err(&path, OP, source);
        let at = snap.captured_at.timestamp();
        let platform = platform_sql(snap.platform);
        let tx = self.conn.transaction().map_err(e)?;
        let poll_id: i64 = tx
            .query_row(sql::INSERT_POLL, params![platform, at, endpoint], |r| {
                r.get(0)
            })
            .map_err(e)?;
        {
            let mut item = tx.prepare_cached(sql::INSERT_ITEM).map_err(e)?;
            let mut topic = tx.prepare_cached(UPSERT_TOPIC).map_err(e)?;
            for i in rows::items(snap) {
                item.execute(params![
                    poll_id,
                    i.pos,
                    i.rank,
                    i.title,
                    i.norm,
                    i.query,
                    i.heat,
                    i.label,
                    i.url,
                    i.platform_id,
                    i.pinned,
                    i.onboard,
                    i.category,
                ])
                .map_err(e)?;
                topic
                    .execute(params![platform, i.norm, i.title, at, i.rank, i.heat])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(poll_id)
    }

    fn polls_between(&self, platform: Platform, from: At, to: At) -> Result<Vec<PollRef>> {
        let span = params![platform_sql(platform), from.timestamp(), to.timestamp()];
        self.rows("list polls", sql::POLLS_BETWEEN, span, |r| r.poll(platform))
    }

    fn snapshot_at(&self, platform: Platform, at: At) -> Result<Option<Snapshot>> {
        const OP: &str = "read snapshot";
        let when = params![platform_sql(platform), at.timestamp()];
        let Some(poll) = self
            .rows(OP, sql::POLL_AT, when, |r| r.poll(platform))?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let topics = self.rows(OP, sql::POLL_ITEMS, [poll.id], |r| r.topic(platform))?;
        Ok(Some(rows::board(poll, topics)))
    }

    fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>> {
        const OP: &str = "read topic history";
        let topic = params![platform_sql(key.platform), key.norm];
        let Some(mut history) = self
            .rows(OP, sql::TOPIC_SUMMARY, topic, |r| r.summary())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        history.points = self.rows(OP, sql::TOPIC_POINTS, topic, |r| r.point())?;
        Ok(Some(history))
    }

    fn retain(&mut self, now: At, keep_days: u32) -> Result<RetainReport> {
        const OP: &str = "apply retention";
        let path = self.path.clone();
        let e = |source| sql_err(&path, OP, source);
        let tx = self.conn.transaction().map_err(e)?;
        let report = retain::run(now, keep_days, &RETENTION, |sql, t| {
            tx.execute(sql, [t]).map_err(e)
        })?;
        tx.commit().map_err(e)?;
        Ok(report)
    }

    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.conn
            .execute(sql::PUT_KV, params![key, value])
            .map(drop)
            .map_err(|e| self.err("put kv", e))
    }

    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.rows("get kv", sql::GET_KV, [key], |r| r.value())
            .map(|v| v.into_iter().next())
    }

    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()> {
        const OP: &str = "append keyword points";
        self.append(OP, sql::INSERT_KEYWORD_POINT, points, |st, p| {
            let at = p.at.timestamp();
            st.execute(params![p.keyword, at, p.share, p.score, p.rising])
        })
    }

    fn keyword_series(&self, keyword: &str, from: At, to: At) -> Result<Vec<KeywordPoint>> {
        let span = params![keyword, from.timestamp(), to.timestamp()];
        self.rows("read keyword series", KEYWORD_SERIES, span, |r| {
            r.keyword_point(keyword)
        })
    }

    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()> {
        const OP: &str = "append KOL mentions";
        self.append(OP, sql::INSERT_KOL_MENTION, mentions, |st, m| {
            st.execute(params![m.name, m.at.timestamp(), titles_json(&m.titles)])
        })
    }

    fn kol_mentions(&self, name: &str, from: At, to: At) -> Result<Vec<KolMention>> {
        let span = params![name, from.timestamp(), to.timestamp()];
        self.rows("read KOL mentions", KOL_MENTIONS, span, |r| {
            r.kol_mention(name)
        })
    }

    fn save_triage(&mut self, record: &TriageRecord) -> Result<()> {
        let at = record.updated_at.timestamp();
        self.conn
            .execute(sql::SAVE_TRIAGE, params![record.user, record.json, at])
            .map(drop)
            .map_err(|e| self.err("save triage", e))
    }

    fn load_triage(&self) -> Result<Vec<TriageRecord>> {
        self.rows("load triage", LOAD_TRIAGE, [], |r| r.triage())
    }

    fn record_story_titles(&mut self, titles: &[StoryTitle]) -> Result<()> {
        const OP: &str = "record story titles";
        self.append(OP, sql::RECORD_STORY_TITLE, titles, |st, t| {
            let at = t.first_seen.timestamp();
            let p = platform_sql(t.key.platform);
            st.execute(params![t.story, p, t.key.norm, t.title, at])
        })
    }

    fn story_of(&self, key: &TopicKey, at: At) -> Result<Vec<StoryTitle>> {
        let topic = params![platform_sql(key.platform), key.norm, at.timestamp()];
        self.rows("read story", sql::STORY_OF, topic, |r| r.story_title())
    }

    fn enqueue_push(&mut self, p: &NewPush) -> Result<i64> {
        let (created, next) = (p.created_at.timestamp(), p.next_at.timestamp());
        let values = params![p.channel, p.rule, p.tier, p.title, p.message, created, next];
        self.conn
            .query_row(sql::ENQUEUE_PUSH, values, |r| r.get(0))
            .map_err(|e| self.err("queue delivery", e))
    }

    fn pending_pushes(&self) -> Result<Vec<PushRecord>> {
        self.rows("read delivery queue", sql::PENDING_PUSHES, [], |r| r.push())
    }

    fn update_push(&mut self, id: i64, u: &PushUpdate) -> Result<()> {
        let values = params![
            u.state.id(),
            u.parts_done,
            u.attempts,
            u.last_error,
            u.next_at.timestamp(),
            u.updated_at.timestamp(),
            id
        ];
        self.conn
            .execute(sql::UPDATE_PUSH, values)
            .map(drop)
            .map_err(|e| self.err("update delivery", e))
    }

    fn recent_pushes(&self, limit: u32) -> Result<Vec<PushRecord>> {
        self.rows("read deliveries", sql::RECENT_PUSHES, [limit], |r| r.push())
    }

    fn record_watch_posts(&mut self, posts: &[WatchPost]) -> Result<()> {
        self.append(
            "record watch posts",
            sql::RECORD_WATCH_POST,
            posts,
            |st, p| {
                let r = rows::watch_row(p);
                st.execute(params![
                    r.platform,
                    r.id,
                    r.term,
                    r.author,
                    r.author_id,
                    r.verified_type,
                    r.followers,
                    r.reposts,
                    r.comments,
                    r.likes,
                    r.created_at,
                    r.text,
                    r.first_seen
                ])
            },
        )
    }

    fn watch_posts_between(&self, term: &str, from: At, to: At) -> Result<Vec<WatchPost>> {
        let span = params![term, from.timestamp(), to.timestamp()];
        self.rows("read watch posts", sql::WATCH_POSTS_BETWEEN, span, |r| {
            r.watch_post()
        })
    }

    fn newest_watch_post(&self, term: &str) -> Result<Option<WatchPost>> {
        let rows = self.rows("read watch posts", sql::NEWEST_WATCH_POST, [term], |r| {
            r.watch_post()
        })?;
        Ok(rows.into_iter().next())
    }

    // Reads for reports and the feed.

    fn snapshots_between(&self, platform: Platform, from: At, to: At) -> Result<Vec<Snapshot>> {
        let span = params![platform_sql(platform), from.timestamp(), to.timestamp()];
        let items = self.rows("read polls", sql::POLLS_WITH_ITEMS, span, |r| {
            r.poll_item(platform)
        })?;
        Ok(rows::boards(items))
    }

    fn topics_between(&self, from: At, to: At, top_n: u32) -> Result<Vec<PeriodTopic>> {
        let span = params![from.timestamp(), to.timestamp(), top_n];
        let mut topics = self.rows("read period topics", sql::TOPICS_BETWEEN, span, |r| {
            r.period_topic(from)
        })?;
        rows::sort_period_topics(&mut topics);
        Ok(topics)
    }

    fn keyword_points_between(&self, from: At, to: At) -> Result<Vec<KeywordPoint>> {
        let span = params![from.timestamp(), to.timestamp()];
        let mut points = self.rows(
            "read keyword points",
            sql::KEYWORD_POINTS_BETWEEN,
            span,
            |r| r.keyword_point_row(),
        )?;
        rows::sort_keyword_points(&mut points);
        Ok(points)
    }

    fn story_titles_between(&self, from: At, to: At) -> Result<Vec<StoryTitle>> {
        let span = params![from.timestamp(), to.timestamp()];
        let mut titles = self.rows("read stories", sql::STORY_TITLES_BETWEEN, span, |r| {
            r.story_title()
        })?;
        rows::sort_story_titles(&mut titles);
        Ok(titles)
    }

    fn latest_poll_at(&self) -> Result<Option<At>> {
        let latest = self.rows("read latest poll", sql::LATEST_POLL, [], |r| {
            r.value::<Option<i64>>()
        })?;
        Ok(latest.into_iter().flatten().next().and_then(rows::to_time))
    }
}
