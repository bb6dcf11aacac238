//! Retention: drop everything older than the keep window, and thin what is older than
//! [`COMPACT_AFTER_SECS`] to one row an hour: the last poll of each platform-hour, one point
//! of each keyword-hour (the last rising one if any, so a rise is never compacted away), and
//! one mention of each KOL-hour carrying every title of that hour. Topic summaries are kept
//! until the topic itself falls out of the window, so first-seen and peaks stay exact.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;

use super::{Result, Store};

/// Minute-level polls are kept this long before hourly compaction.
pub const COMPACT_AFTER_SECS: i64 = 2 * 86_400;

/// What one [`Store::retain`] run removed.
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
}

impl Store {
    /// Apply retention as of `now`, keeping `keep_days` days, in one transaction.
    pub fn retain(&mut self, now: DateTime<FixedOffset>, keep_days: u32) -> Result<RetainReport> {
        const OP: &str = "apply retention";
        let path = self.path.clone();
        let e = |source| super::sql_err(&path, OP, source);
        let now = now.timestamp();
        let cutoff = now.saturating_sub(i64::from(keep_days) * 86_400);
        let compact_before = now.saturating_sub(COMPACT_AFTER_SECS);
        let tx = self.conn.transaction().map_err(e)?;
        // Items go with their poll (ON DELETE CASCADE).
        let expired_polls = tx
            .execute("DELETE FROM polls WHERE captured_at < ?1", [cutoff])
            .map_err(e)?;
        // Hour buckets are UTC hours, which are also CST hours (+8:00, no DST).
        let compacted_polls = tx
            .execute(
                "DELETE FROM polls WHERE captured_at < ?1 AND id NOT IN (
                   SELECT id FROM (
                     SELECT id, row_number() OVER (
                       PARTITION BY platform, captured_at / 3600
                       ORDER BY captured_at DESC, id DESC) AS n
                     FROM polls WHERE captured_at < ?1)
                   WHERE n = 1)",
                [compact_before],
            )
            .map_err(e)?;
        let expired_topics = tx
            .execute("DELETE FROM topics WHERE last_seen < ?1", [cutoff])
            .map_err(e)?;
        let expired_keyword_points = tx
            .execute("DELETE FROM keyword_points WHERE at < ?1", params![cutoff])
            .map_err(e)?;
        let compacted_keyword_points = tx
            .execute(
                "DELETE FROM keyword_points WHERE at < ?1 AND rowid NOT IN (
                   SELECT rowid FROM (
                     SELECT rowid, row_number() OVER (
                       PARTITION BY keyword, at / 3600
                       ORDER BY rising DESC, at DESC, rowid DESC) AS n
                     FROM keyword_points WHERE at < ?1)
                   WHERE n = 1)",
                [compact_before],
            )
            .map_err(e)?;
        let expired_kol_mentions = tx
            .execute("DELETE FROM kol_mentions WHERE at < ?1", params![cutoff])
            .map_err(e)?;
        // The hour's last mention takes the union of the hour's titles (in order of first
        // appearance), then the others go.
        tx.execute(
            "UPDATE kol_mentions SET titles = (
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
            [compact_before],
        )
        .map_err(e)?;
        let compacted_kol_mentions = tx
            .execute(
                "DELETE FROM kol_mentions WHERE at < ?1 AND rowid NOT IN (
                   SELECT rowid FROM (
                     SELECT rowid, row_number() OVER (
                       PARTITION BY name, at / 3600
                       ORDER BY at DESC, rowid DESC) AS n
                     FROM kol_mentions WHERE at < ?1)
                   WHERE n = 1)",
                [compact_before],
            )
            .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(RetainReport {
            expired_polls,
            compacted_polls,
            expired_topics,
            expired_keyword_points,
            compacted_keyword_points,
            expired_kol_mentions,
            compacted_kol_mentions,
        })
    }
}
