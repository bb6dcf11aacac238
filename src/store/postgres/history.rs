//! [`HistoryStore`] on PostgreSQL, with the SQLite store's semantics: the statements that
//! differ are here, the rest is shared (`store::sql`, `store::rows`, `store::retain`).

use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Transaction};

use super::PgStore;
use super::feed::{CHANNEL, poll_payload};
use crate::domain::watch::WatchPost;
use crate::domain::{Platform, Snapshot, TopicKey};
use crate::store::retain::{self, Dialect};
use crate::store::rows::{self, platform_sql, titles_json};
use crate::store::{
    At, HistoryStore, KeywordPoint, KolMention, NewPush, PeriodTopic, PollRef, PushRecord,
    PushUpdate, Result, RetainReport, StoryTitle, TopicHistory, TriageRecord, sql,
};

/// The summary fold: LEAST/GREATEST skip NULLs, so a pinned-only sighting (NULL rank) never
/// replaces a real peak, exactly as the SQLite `coalesce` form.
const UPSERT_TOPIC: &str =
    "INSERT INTO topics AS t (platform, norm, title, first_seen, last_seen, peak_rank, peak_heat)
     VALUES ($1, $2, $3, $4, $4, $5, $6)
     ON CONFLICT (platform, norm) DO UPDATE SET
       title = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.title ELSE t.title END,
       first_seen = LEAST(t.first_seen, excluded.first_seen),
       last_seen = GREATEST(t.last_seen, excluded.last_seen),
       peak_rank = LEAST(t.peak_rank, excluded.peak_rank),
       peak_heat = GREATEST(t.peak_heat, excluded.peak_heat)";

/// `id` columns give the insertion order SQLite's rowid gives.
const KEYWORD_SERIES: &str = "SELECT at, share, score, rising FROM keyword_points
     WHERE keyword = $1 AND at BETWEEN $2 AND $3 ORDER BY at, id";

const KOL_MENTIONS: &str = "SELECT at, titles FROM kol_mentions
     WHERE name = $1 AND at BETWEEN $2 AND $3 ORDER BY at, id";

/// Byte order, as SQLite sorts, whatever the database's collation.
const LOAD_TRIAGE: &str =
    r#"SELECT "user", json, updated_at FROM triage ORDER BY "user" COLLATE "C""#;

const RETENTION: Dialect = Dialect {
    series_id: "id",
    merge_kol_titles: "UPDATE kol_mentions AS k SET titles = (
       SELECT coalesce(json_agg(value ORDER BY first_seq)::text, '[]') FROM (
         SELECT value, min(seq) AS first_seq FROM (
           SELECT j.value,
             row_number() OVER (ORDER BY m.at, m.id, j.pos) AS seq
           FROM kol_mentions AS m,
                jsonb_array_elements_text(m.titles::jsonb)
                  WITH ORDINALITY AS j(value, pos)
           WHERE m.name = k.name AND m.at / 3600 = k.at / 3600 AND m.at < $1
         ) AS seqd
         GROUP BY value) AS hour_titles)
     WHERE k.id IN (
       SELECT id FROM (
         SELECT id,
           row_number() OVER (PARTITION BY name, at / 3600
                              ORDER BY at DESC, id DESC) AS n,
           count(*) OVER (PARTITION BY name, at / 3600) AS hour_rows
         FROM kol_mentions WHERE at < $1) AS ranked
       WHERE n = 1 AND hour_rows > 1)",
};

impl PgStore {
    /// A read-only transaction on one snapshot of the database, so rows read together (a poll
    /// and its items) agree even if retention deletes some in between.
    fn snapshot<'c>(&self, c: &'c mut Client, op: &'static str) -> Result<Transaction<'c>> {
        c.build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(self.pg(op))
    }
}

impl HistoryStore for PgStore {
    fn describe(&self) -> String {
        self.target.clone()
    }

    /// Also announces the poll on [`CHANNEL`], in the same transaction: PostgreSQL delivers
    /// the notification only on commit.
    fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64> {
        const OP: &str = "insert poll";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let at = snap.captured_at.timestamp();
            let platform = platform_sql(snap.platform);
            let mut tx = c.transaction().map_err(&e)?;
            let poll_id: i64 = tx
                .query_one(sql::INSERT_POLL, &[&platform, &at, &endpoint])
                .and_then(|r| r.try_get(0))
                .map_err(&e)?;
            let payload = poll_payload(snap.platform, poll_id, at);
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                .map_err(&e)?;
            let item = tx.prepare(sql::INSERT_ITEM).map_err(&e)?;
            let topic = tx.prepare(UPSERT_TOPIC).map_err(&e)?;
            for i in rows::items(snap) {
                tx.execute(
                    &item,
                    &[
                        &poll_id,
                        &i.pos,
                        &i.rank,
                        &i.title,
                        &i.norm,
                        &i.query,
                        &i.heat,
                        &i.label,
                        &i.url,
                        &i.platform_id,
                        &i.pinned,
                        &i.onboard,
                        &i.category,
                    ],
                )
                .map_err(&e)?;
                tx.execute(
                    &topic,
                    &[&platform, &i.norm, &i.title, &at, &i.rank, &i.heat],
                )
                .map_err(&e)?;
            }
            tx.commit().map_err(&e)?;
            Ok(poll_id)
        })
    }

    fn polls_between(&self, platform: Platform, from: At, to: At) -> Result<Vec<PollRef>> {
        const OP: &str = "list polls";
        let span: [&(dyn ToSql + Sync); 3] =
            [&platform_sql(platform), &from.timestamp(), &to.timestamp()];
        self.with(OP, |c| {
            self.rows(c, OP, sql::POLLS_BETWEEN, &span, |r| r.poll(platform))
        })
    }

    fn snapshot_at(&self, platform: Platform, at: At) -> Result<Option<Snapshot>> {
        const OP: &str = "read snapshot";
        let when: [&(dyn ToSql + Sync); 2] = [&platform_sql(platform), &at.timestamp()];
        self.with(OP, |c| {
            let mut tx = self.snapshot(c, OP)?;
            let Some(poll) = self
                .rows(&mut tx, OP, sql::POLL_AT, &when, |r| r.poll(platform))?
                .into_iter()
                .next()
            else {
                return Ok(None);
            };
            let topics = self.rows(&mut tx, OP, sql::POLL_ITEMS, &[&poll.id], |r| {
                r.topic(platform)
            })?;
            tx.commit().map_err(self.pg(OP))?;
            Ok(Some(rows::board(poll, topics)))
        })
    }

    fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>> {
        const OP: &str = "read topic history";
        let topic: [&(dyn ToSql + Sync); 2] = [&platform_sql(key.platform), &key.norm];
        self.with(OP, |c| {
            let mut tx = self.snapshot(c, OP)?;
            let Some(mut history) = self
                .rows(&mut tx, OP, sql::TOPIC_SUMMARY, &topic, |r| r.summary())?
                .into_iter()
                .next()
            else {
                return Ok(None);
            };
            history.points = self.rows(&mut tx, OP, sql::TOPIC_POINTS, &topic, |r| r.point())?;
            tx.commit().map_err(self.pg(OP))?;
            Ok(Some(history))
        })
    }

    fn retain(&mut self, now: At, keep_days: u32) -> Result<RetainReport> {
        const OP: &str = "apply retention";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let mut tx = c.transaction().map_err(&e)?;
            let report = retain::run(now, keep_days, &RETENTION, |sql, t| {
                let n = tx.execute(sql, &[&t]).map_err(&e)?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            })?;
            tx.commit().map_err(&e)?;
            Ok(report)
        })
    }

    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()> {
        const OP: &str = "put kv";
        self.with(OP, |c| {
            c.execute(sql::PUT_KV, &[&key, &value])
                .map(drop)
                .map_err(self.pg(OP))
        })
    }

    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>> {
        const OP: &str = "get kv";
        self.with(OP, |c| {
            self.rows(c, OP, sql::GET_KV, &[&key], |r| r.value())
                .map(|v| v.into_iter().next())
        })
    }

    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()> {
        const OP: &str = "append keyword points";
        self.append(OP, sql::INSERT_KEYWORD_POINT, points, |tx, st, p| {
            let at = p.at.timestamp();
            tx.execute(st, &[&p.keyword, &at, &p.share, &p.score, &p.rising])
        })
    }

    fn keyword_series(&self, keyword: &str, from: At, to: At) -> Result<Vec<KeywordPoint>> {
        const OP: &str = "read keyword series";
        let span: [&(dyn ToSql + Sync); 3] = [&keyword, &from.timestamp(), &to.timestamp()];
        self.with(OP, |c| {
            self.rows(c, OP, KEYWORD_SERIES, &span, |r| r.keyword_point(keyword))
        })
    }

    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()> {
        const OP: &str = "append KOL mentions";
        self.append(OP, sql::INSERT_KOL_MENTION, mentions, |tx, st, m| {
            tx.execute(st, &[&m.name, &m.at.timestamp(), &titles_json(&m.titles)])
        })
    }

    fn kol_mentions(&self, name: &str, from: At, to: At) -> Result<Vec<KolMention>> {
        const OP: &str = "read KOL mentions";
        let span: [&(dyn ToSql + Sync); 3] = [&name, &from.timestamp(), &to.timestamp()];
        self.with(OP, |c| {
            self.rows(c, OP, KOL_MENTIONS, &span, |r| r.kol_mention(name))
        })
    }

    fn save_triage(&mut self, record: &TriageRecord) -> Result<()> {
        const OP: &str = "save triage";
        let at = record.updated_at.timestamp();
        self.with(OP, |c| {
            c.execute(sql::SAVE_TRIAGE, &[&record.user, &record.json, &at])
                .map(drop)
                .map_err(self.pg(OP))
        })
    }

    fn load_triage(&self) -> Result<Vec<TriageRecord>> {
        const OP: &str = "load triage";
        self.with(OP, |c| self.rows(c, OP, LOAD_TRIAGE, &[], |r| r.triage()))
    }

    fn record_story_titles(&mut self, titles: &[StoryTitle]) -> Result<()> {
        const OP: &str = "record story titles";
        self.append(OP, sql::RECORD_STORY_TITLE, titles, |tx, st, t| {
            let at = t.first_seen.timestamp();
            let p = platform_sql(t.key.platform);
            tx.execute(st, &[&t.story, &p, &t.key.norm, &t.title, &at])
        })
    }

    fn story_of(&self, key: &TopicKey, at: At) -> Result<Vec<StoryTitle>> {
        const OP: &str = "read story";
        let topic: [&(dyn ToSql + Sync); 3] =
            [&platform_sql(key.platform), &key.norm, &at.timestamp()];
        self.with(OP, |c| {
            self.rows(c, OP, sql::STORY_OF, &topic, |r| r.story_title())
        })
    }

    fn enqueue_push(&mut self, p: &NewPush) -> Result<i64> {
        const OP: &str = "queue delivery";
        let (created, next) = (p.created_at.timestamp(), p.next_at.timestamp());
        let values: [&(dyn ToSql + Sync); 7] = [
            &p.channel, &p.rule, &p.tier, &p.title, &p.message, &created, &next,
        ];
        self.with(OP, |c| {
            c.query_one(sql::ENQUEUE_PUSH, &values)
                .map(|r| r.get(0))
                .map_err(self.pg(OP))
        })
    }

    fn pending_pushes(&self) -> Result<Vec<PushRecord>> {
        const OP: &str = "read delivery queue";
        self.with(OP, |c| {
            self.rows(c, OP, sql::PENDING_PUSHES, &[], |r| r.push())
        })
    }

    fn update_push(&mut self, id: i64, u: &PushUpdate) -> Result<()> {
        const OP: &str = "update delivery";
        let (parts, attempts) = (i64::from(u.parts_done), i64::from(u.attempts));
        let (next, updated) = (u.next_at.timestamp(), u.updated_at.timestamp());
        let values: [&(dyn ToSql + Sync); 7] = [
            &u.state.id(),
            &parts,
            &attempts,
            &u.last_error,
            &next,
            &updated,
            &id,
        ];
        self.with(OP, |c| {
            c.execute(sql::UPDATE_PUSH, &values)
                .map(drop)
                .map_err(self.pg(OP))
        })
    }

    fn recent_pushes(&self, limit: u32) -> Result<Vec<PushRecord>> {
        const OP: &str = "read deliveries";
        let limit = i64::from(limit);
        self.with(OP, |c| {
            self.rows(c, OP, sql::RECENT_PUSHES, &[&limit], |r| r.push())
        })
    }

    fn record_watch_posts(&mut self, posts: &[WatchPost]) -> Result<()> {
        const OP: &str = "record watch posts";
        self.append(OP, sql::RECORD_WATCH_POST, posts, |tx, st, p| {
            let r = rows::watch_row(p);
            tx.execute(
                st,
                &[
                    &r.platform,
                    &r.id,
                    &r.term,
                    &r.author,
                    &r.author_id,
                    &r.verified_type,
                    &r.followers,
                    &r.reposts,
                    &r.comments,
                    &r.likes,
                    &r.created_at,
                    &r.text,
                    &r.first_seen,
                ],
            )
        })
    }

    fn watch_posts_between(&self, term: &str, from: At, to: At) -> Result<Vec<WatchPost>> {
        const OP: &str = "read watch posts";
        let span: [&(dyn ToSql + Sync); 3] = [&term, &from.timestamp(), &to.timestamp()];
        self.with(OP, |c| {
            self.rows(c, OP, sql::WATCH_POSTS_BETWEEN, &span, |r| r.watch_post())
        })
    }

    fn newest_watch_post(&self, term: &str) -> Result<Option<WatchPost>> {
        const OP: &str = "read watch posts";
        let rows = self.with(OP, |c| {
            self.rows(c, OP, sql::NEWEST_WATCH_POST, &[&term], |r| r.watch_post())
        })?;
        Ok(rows.into_iter().next())
    }

    // Reads for reports and the feed.

    fn snapshots_between(&self, platform: Platform, from: At, to: At) -> Result<Vec<Snapshot>> {
        const OP: &str = "read polls";
        let span: [&(dyn ToSql + Sync); 3] =
            [&platform_sql(platform), &from.timestamp(), &to.timestamp()];
        let items = self.with(OP, |c| {
            self.rows(c, OP, sql::POLLS_WITH_ITEMS, &span, |r| {
                r.poll_item(platform)
            })
        })?;
        Ok(rows::boards(items))
    }

    fn topics_between(&self, from: At, to: At, top_n: u32) -> Result<Vec<PeriodTopic>> {
        const OP: &str = "read period topics";
        let top_n = i64::from(top_n);
        let span: [&(dyn ToSql + Sync); 3] = [&from.timestamp(), &to.timestamp(), &top_n];
        let mut topics = self.with(OP, |c| {
            self.rows(c, OP, sql::TOPICS_BETWEEN, &span, |r| r.period_topic(from))
        })?;
        rows::sort_period_topics(&mut topics);
        Ok(topics)
    }

    fn keyword_points_between(&self, from: At, to: At) -> Result<Vec<KeywordPoint>> {
        const OP: &str = "read keyword points";
        let span: [&(dyn ToSql + Sync); 2] = [&from.timestamp(), &to.timestamp()];
        let mut points = self.with(OP, |c| {
            self.rows(c, OP, sql::KEYWORD_POINTS_BETWEEN, &span, |r| {
                r.keyword_point_row()
            })
        })?;
        rows::sort_keyword_points(&mut points);
        Ok(points)
    }

    fn story_titles_between(&self, from: At, to: At) -> Result<Vec<StoryTitle>> {
        const OP: &str = "read stories";
        let span: [&(dyn ToSql + Sync); 2] = [&from.timestamp(), &to.timestamp()];
        let mut titles = self.with(OP, |c| {
            self.rows(c, OP, sql::STORY_TITLES_BETWEEN, &span, |r| r.story_title())
        })?;
        rows::sort_story_titles(&mut titles);
        Ok(titles)
    }

    fn latest_poll_at(&self) -> Result<Option<At>> {
        const OP: &str = "read latest poll";
        let latest = self.with(OP, |c| {
            self.rows(c, OP, sql::LATEST_POLL, &[], |r| r.value::<Option<i64>>())
        })?;
        Ok(latest.into_iter().flatten().next().and_then(rows::to_time))
    }
}
