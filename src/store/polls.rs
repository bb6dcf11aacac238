//! Polls: one row per successful poll of one platform, its items in list order, and the
//! per-topic summary (`topics`) kept current on every insert.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, heat_from_sql, heat_to_sql, to_time};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, TopicKey, normalise_title};

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

/// `topics` row: title, first_seen, last_seen, peak_rank, peak_heat.
type SummaryRow = (String, i64, i64, Option<u32>, Option<i64>);

fn platform_sql(p: Platform) -> &'static str {
    match p {
        Platform::Weibo => "weibo",
        Platform::Tieba => "tieba",
    }
}

impl Store {
    /// Store one poll and fold it into the topic summary, in one transaction.
    /// Returns the poll id.
    pub fn insert_poll(&mut self, snap: &Snapshot, endpoint: &str) -> Result<i64> {
        const OP: &str = "insert poll";
        let path = self.path.clone();
        let e = |source| super::sql_err(&path, OP, source);
        let at = snap.captured_at.timestamp();
        let platform = platform_sql(snap.platform);
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO polls (platform, captured_at, endpoint) VALUES (?1, ?2, ?3)",
            params![platform, at, endpoint],
        )
        .map_err(e)?;
        let poll_id = tx.last_insert_rowid();
        {
            let mut item = tx
                .prepare_cached(
                    "INSERT INTO items (poll_id, pos, rank, title, norm, query, heat, label, url,
                                        platform_id, pinned, onboard, category)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(e)?;
            let mut topic = tx
                .prepare_cached(
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
                                       coalesce(excluded.peak_heat, topics.peak_heat))",
                )
                .map_err(e)?;
            for (pos, t) in snap.pinned.iter().chain(&snap.ranked).enumerate() {
                let title = t.title.as_str();
                let norm = normalise_title(title);
                let rank = if t.pinned { None } else { t.rank };
                let heat = t.heat.map(heat_to_sql);
                item.execute(params![
                    poll_id,
                    pos as i64,
                    rank,
                    title,
                    norm,
                    t.query.as_ref().map(SafeText::as_str),
                    heat,
                    t.label.as_str(),
                    t.url,
                    t.platform_id,
                    t.pinned,
                    t.onboard.map(|o| o.timestamp()),
                    t.category.as_ref().map(SafeText::as_str),
                ])
                .map_err(e)?;
                topic
                    .execute(params![platform, norm, title, at, rank, heat])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(poll_id)
    }

    /// Polls of `platform` captured in `from..=to`, oldest first.
    pub fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<PollRef>> {
        const OP: &str = "list polls";
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, captured_at FROM polls
                 WHERE platform = ?1 AND captured_at BETWEEN ?2 AND ?3
                 ORDER BY captured_at, id",
            )
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map(
                params![platform_sql(platform), from.timestamp(), to.timestamp()],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .map_err(|e| self.err(OP, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at) = row.map_err(|e| self.err(OP, e))?;
            out.push(PollRef {
                id,
                platform,
                captured_at: self.time(OP, at)?,
            });
        }
        Ok(out)
    }

    /// The board as it was at `at`: the last poll of `platform` at or before it.
    pub fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<Snapshot>> {
        const OP: &str = "read snapshot";
        let poll: Option<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT id, captured_at FROM polls
                 WHERE platform = ?1 AND captured_at <= ?2
                 ORDER BY captured_at DESC, id DESC LIMIT 1",
            )
            .and_then(|mut st| {
                st.query_row(params![platform_sql(platform), at.timestamp()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .map_err(|e| self.err(OP, e))?;
        let Some((id, captured)) = poll else {
            return Ok(None);
        };
        let mut snap = Snapshot::new(platform, self.time(OP, captured)?);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT rank, title, query, heat, label, url, platform_id, pinned, onboard, category
                 FROM items WHERE poll_id = ?1 ORDER BY pos",
            )
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map([id], |r| {
                // Stored text is re-sanitised: the file is outside our control once written.
                let mut t = Topic::new(platform, r.get(0)?, &r.get::<_, String>(1)?);
                t.query = r
                    .get::<_, Option<String>>(2)?
                    .as_deref()
                    .map(SafeText::line);
                t.heat = r.get::<_, Option<i64>>(3)?.and_then(heat_from_sql);
                t.label = Label::from_text(&r.get::<_, String>(4)?);
                t.url = r.get(5)?;
                t.platform_id = r.get(6)?;
                t.pinned = r.get(7)?;
                t.onboard = r.get::<_, Option<i64>>(8)?.and_then(to_time);
                t.category = r
                    .get::<_, Option<String>>(9)?
                    .as_deref()
                    .map(SafeText::line);
                Ok(t)
            })
            .map_err(|e| self.err(OP, e))?;
        for t in rows {
            let t = t.map_err(|e| self.err(OP, e))?;
            if t.pinned {
                snap.pinned.push(t);
            } else {
                snap.ranked.push(t);
            }
        }
        Ok(Some(snap))
    }

    /// First/last seen, peaks and the stored rank path of one topic; `None` if never seen.
    pub fn topic_history(&self, key: &TopicKey) -> Result<Option<TopicHistory>> {
        const OP: &str = "read topic history";
        let platform = platform_sql(key.platform);
        let summary: Option<SummaryRow> = self
            .conn
            .prepare_cached(
                "SELECT title, first_seen, last_seen, peak_rank, peak_heat FROM topics
                 WHERE platform = ?1 AND norm = ?2",
            )
            .and_then(|mut st| {
                st.query_row(params![platform, key.norm], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
            })
            .map_err(|e| self.err(OP, e))?;
        let Some((title, first, last, peak_rank, peak_heat)) = summary else {
            return Ok(None);
        };
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT p.captured_at, i.rank, i.heat FROM items i JOIN polls p ON p.id = i.poll_id
                 WHERE i.norm = ?2 AND p.platform = ?1
                 ORDER BY p.captured_at, p.id, i.pos",
            )
            .map_err(|e| self.err(OP, e))?;
        let rows = st
            .query_map(params![platform, key.norm], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<u32>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })
            .map_err(|e| self.err(OP, e))?;
        let mut points = Vec::new();
        for row in rows {
            let (at, rank, heat) = row.map_err(|e| self.err(OP, e))?;
            points.push(HistoryPoint {
                at: self.time(OP, at)?,
                rank,
                heat: heat.and_then(heat_from_sql),
            });
        }
        Ok(Some(TopicHistory {
            title,
            first_seen: self.time(OP, first)?,
            last_seen: self.time(OP, last)?,
            peak_rank,
            peak_heat: peak_heat.and_then(heat_from_sql),
            points,
        }))
    }
}
