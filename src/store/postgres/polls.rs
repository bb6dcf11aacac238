//! Polls, their items, the topic summary and retention on PostgreSQL, with the SQLite
//! store's semantics (see `store/polls.rs` and `store/retain.rs`).

use chrono::{DateTime, FixedOffset};
use postgres::Row;

use super::{PgStore, platform_sql};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, TopicKey, normalise_title};
use crate::store::feed::{CHANNEL, poll_payload};
use crate::store::retain::COMPACT_AFTER_SECS;
use crate::store::{
    HistoryPoint, PollRef, Result, RetainReport, TopicHistory, heat_from_sql, heat_to_sql,
};

const INSERT_ITEM: &str =
    "INSERT INTO items (poll_id, pos, rank, title, norm, query, heat, label, url,
                                              platform_id, pinned, onboard, category)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

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

impl PgStore {
    /// Store one poll and fold it into the topic summary, in one transaction that also
    /// announces it on [`CHANNEL`]; PostgreSQL delivers the notification only on commit.
    pub fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64> {
        const OP: &str = "insert poll";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let at = snap.captured_at.timestamp();
            let platform = platform_sql(snap.platform);
            let mut tx = c.transaction().map_err(&e)?;
            let poll_id: i64 = tx
                .query_one(
                    "INSERT INTO polls (platform, captured_at, endpoint) VALUES ($1, $2, $3)
                     RETURNING id",
                    &[&platform, &at, &endpoint],
                )
                .and_then(|r| r.try_get(0))
                .map_err(&e)?;
            let payload = poll_payload(snap.platform, poll_id, at);
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                .map_err(&e)?;
            let item = tx.prepare(INSERT_ITEM).map_err(&e)?;
            let topic = tx.prepare(UPSERT_TOPIC).map_err(&e)?;
            for (pos, t) in snap.pinned.iter().chain(&snap.ranked).enumerate() {
                let title = t.title.as_str();
                let norm = normalise_title(title);
                let rank = if t.pinned {
                    None
                } else {
                    t.rank.map(i64::from)
                };
                let heat = t.heat.map(heat_to_sql);
                tx.execute(
                    &item,
                    &[
                        &poll_id,
                        &(pos as i64),
                        &rank,
                        &title,
                        &norm,
                        &t.query.as_ref().map(SafeText::as_str),
                        &heat,
                        &t.label.as_str(),
                        &t.url,
                        &t.platform_id,
                        &t.pinned,
                        &t.onboard.map(|o| o.timestamp()),
                        &t.category.as_ref().map(SafeText::as_str),
                    ],
                )
                .map_err(&e)?;
                tx.execute(&topic, &[&platform, &norm, &title, &at, &rank, &heat])
                    .map_err(&e)?;
            }
            tx.commit().map_err(&e)?;
            Ok(poll_id)
        })
    }

    /// Polls of `platform` captured in `from..=to`, oldest first.
    pub fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<PollRef>> {
        const OP: &str = "list polls";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let rows = c
                .query(
                    "SELECT id, captured_at FROM polls
                     WHERE platform = $1 AND captured_at BETWEEN $2 AND $3
                     ORDER BY captured_at, id",
                    &[&platform_sql(platform), &from.timestamp(), &to.timestamp()],
                )
                .map_err(&e)?;
            rows.iter()
                .map(|r| {
                    Ok(PollRef {
                        id: r.try_get(0).map_err(&e)?,
                        platform,
                        captured_at: self.time(OP, r.try_get(1).map_err(&e)?)?,
                    })
                })
                .collect()
        })
    }

    /// The board as it was at `at`: the last poll of `platform` at or before it.
    pub fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<Snapshot>> {
        const OP: &str = "read snapshot";
        self.with(OP, |c| {
            let e = self.pg(OP);
            // One repeatable-read transaction: the poll and its items are read from one
            // snapshot even if retention deletes the poll in between.
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(&e)?;
            let poll = tx
                .query_opt(
                    "SELECT id, captured_at FROM polls
                     WHERE platform = $1 AND captured_at <= $2
                     ORDER BY captured_at DESC, id DESC LIMIT 1",
                    &[&platform_sql(platform), &at.timestamp()],
                )
                .map_err(&e)?;
            let Some(poll) = poll else {
                return Ok(None);
            };
            let id: i64 = poll.try_get(0).map_err(&e)?;
            let mut snap = Snapshot::new(platform, self.time(OP, poll.try_get(1).map_err(&e)?)?);
            let rows = tx
                .query(
                    "SELECT rank, title, query, heat, label, url, platform_id, pinned, onboard,
                            category
                     FROM items WHERE poll_id = $1 ORDER BY pos",
                    &[&id],
                )
                .map_err(&e)?;
            tx.commit().map_err(&e)?;
            for r in &rows {
                let t = self.stored_topic(platform, r)?;
                if t.pinned {
                    snap.pinned.push(t);
                } else {
                    snap.ranked.push(t);
                }
            }
            Ok(Some(snap))
        })
    }

    /// One `items` row back to a topic. Stored text is re-sanitised: the server's contents
    /// are outside our control once written.
    fn stored_topic(&self, platform: Platform, r: &Row) -> Result<Topic> {
        const OP: &str = "read snapshot";
        let e = self.pg(OP);
        let rank = self.rank(OP, r.try_get(0).map_err(&e)?)?;
        let mut t = Topic::new(platform, rank, &r.try_get::<_, String>(1).map_err(&e)?);
        t.query = r
            .try_get::<_, Option<String>>(2)
            .map_err(&e)?
            .as_deref()
            .map(SafeText::line);
        t.heat = r
            .try_get::<_, Option<i64>>(3)
            .map_err(&e)?
            .and_then(heat_from_sql);
        t.label = Label::from_text(&r.try_get::<_, String>(4).map_err(&e)?);
        t.url = r.try_get(5).map_err(&e)?;
        t.platform_id = r.try_get(6).map_err(&e)?;
        t.pinned = r.try_get(7).map_err(&e)?;
        t.onboard = r
            .try_get::<_, Option<i64>>(8)
            .map_err(&e)?
            .and_then(crate::store::to_time);
        t.category = r
            .try_get::<_, Option<String>>(9)
            .map_err(&e)?
            .as_deref()
            .map(SafeText::line);
        Ok(t)
    }

    fn rank(&self, op: &'static str, rank: Option<i64>) -> Result<Option<u32>> {
        rank.map(|r| u32::try_from(r).map_err(|_| self.bad_value(op, format!("rank {r}"))))
            .transpose()
    }

    /// First/last seen, peaks and the stored rank path of one topic; `None` if never seen.
    pub fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>> {
        const OP: &str = "read topic history";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let platform = platform_sql(key.platform);
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(&e)?;
            let summary = tx
                .query_opt(
                    "SELECT title, first_seen, last_seen, peak_rank, peak_heat FROM topics
                     WHERE platform = $1 AND norm = $2",
                    &[&platform, &key.norm],
                )
                .map_err(&e)?;
            let Some(s) = summary else {
                return Ok(None);
            };
            let rows = tx
                .query(
                    "SELECT p.captured_at, i.rank, i.heat
                     FROM items i JOIN polls p ON p.id = i.poll_id
                     WHERE i.norm = $2 AND p.platform = $1
                     ORDER BY p.captured_at, p.id, i.pos",
                    &[&platform, &key.norm],
                )
                .map_err(&e)?;
            tx.commit().map_err(&e)?;
            let points = rows
                .iter()
                .map(|r| {
                    Ok(HistoryPoint {
                        at: self.time(OP, r.try_get(0).map_err(&e)?)?,
                        rank: self.rank(OP, r.try_get(1).map_err(&e)?)?,
                        heat: r
                            .try_get::<_, Option<i64>>(2)
                            .map_err(&e)?
                            .and_then(heat_from_sql),
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Some(TopicHistory {
                title: s.try_get(0).map_err(&e)?,
                first_seen: self.time(OP, s.try_get(1).map_err(&e)?)?,
                last_seen: self.time(OP, s.try_get(2).map_err(&e)?)?,
                peak_rank: self.rank(OP, s.try_get(3).map_err(&e)?)?,
                peak_heat: s
                    .try_get::<_, Option<i64>>(4)
                    .map_err(&e)?
                    .and_then(heat_from_sql),
                points,
            }))
        })
    }

    /// Apply retention as of `now`, keeping `keep_days` days, in one transaction: the same
    /// expiry and hourly compaction as the SQLite store.
    pub fn retain(&mut self, now: DateTime<FixedOffset>, keep_days: u32) -> Result<RetainReport> {
        const OP: &str = "apply retention";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let now = now.timestamp();
            let cutoff = now.saturating_sub(i64::from(keep_days) * 86_400);
            let compact_before = now.saturating_sub(COMPACT_AFTER_SECS);
            let mut tx = c.transaction().map_err(&e)?;
            let mut delete = |sql: &str, t: i64| -> Result<usize> {
                let n = tx.execute(sql, &[&t]).map_err(&e)?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            };
            // Items go with their poll (ON DELETE CASCADE).
            let expired_polls = delete("DELETE FROM polls WHERE captured_at < $1", cutoff)?;
            // Hour buckets are UTC hours, which are also CST hours (+8:00, no DST).
            let compacted_polls = delete(
                "DELETE FROM polls WHERE captured_at < $1 AND id NOT IN (
                   SELECT id FROM (
                     SELECT id, row_number() OVER (
                       PARTITION BY platform, captured_at / 3600
                       ORDER BY captured_at DESC, id DESC) AS n
                     FROM polls WHERE captured_at < $1) AS ranked
                   WHERE n = 1)",
                compact_before,
            )?;
            let expired_topics = delete("DELETE FROM topics WHERE last_seen < $1", cutoff)?;
            let expired_keyword_points =
                delete("DELETE FROM keyword_points WHERE at < $1", cutoff)?;
            let compacted_keyword_points = delete(
                "DELETE FROM keyword_points WHERE at < $1 AND id NOT IN (
                   SELECT id FROM (
                     SELECT id, row_number() OVER (
                       PARTITION BY keyword, at / 3600
                       ORDER BY rising DESC, at DESC, id DESC) AS n
                     FROM keyword_points WHERE at < $1) AS ranked
                   WHERE n = 1)",
                compact_before,
            )?;
            let expired_kol_mentions = delete("DELETE FROM kol_mentions WHERE at < $1", cutoff)?;
            // As in SQLite: the hour's last mention takes the union of the hour's titles.
            delete(
                "UPDATE kol_mentions AS k SET titles = (
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
                compact_before,
            )?;
            let compacted_kol_mentions = delete(
                "DELETE FROM kol_mentions WHERE at < $1 AND id NOT IN (
                   SELECT id FROM (
                     SELECT id, row_number() OVER (
                       PARTITION BY name, at / 3600
                       ORDER BY at DESC, id DESC) AS n
                     FROM kol_mentions WHERE at < $1) AS ranked
                   WHERE n = 1)",
                compact_before,
            )?;
            tx.commit().map_err(&e)?;
            Ok(RetainReport {
                expired_polls,
                compacted_polls,
                expired_topics,
                expired_keyword_points,
                compacted_keyword_points,
                expired_kol_mentions,
                compacted_kol_mentions,
            })
        })
    }
}
