//! Retention, one plan for both engines: drop everything older than the keep window, and thin
//! what is older than [`COMPACT_AFTER_SECS`] to one row an hour: the last poll of each
//! platform-hour, one point of each keyword-hour (the last rising one if any, so a rise is
//! never compacted away), and one mention of each KOL-hour carrying every title of that hour.
//! Topic summaries are kept until the topic itself falls out of the window, so first-seen and
//! peaks stay exact.
//!
//! Times are BIGINT/INTEGER unix seconds in both engines, so the statements are the same but
//! for how a row's insertion order is named and how the KOL titles (JSON) are merged.

use chrono::{DateTime, FixedOffset};

use super::{COMPACT_AFTER_SECS, Result, RetainReport};

/// What differs between the engines.
pub(super) struct Dialect {
    /// The column giving the series tables' insertion order (`rowid`, `id`).
    pub series_id: &'static str,
    /// Gives the last mention of each KOL-hour older than `$1` the hour's titles (in order of
    /// first appearance), when the hour has more than one mention.
    pub merge_kol_titles: &'static str,
}

/// Apply retention as of `now`, keeping `keep_days` days. `exec(sql, t)` runs one statement
/// with `$1 = t` inside the caller's transaction and returns the rows it changed.
pub(super) fn run(
    now: DateTime<FixedOffset>,
    keep_days: u32,
    dialect: &Dialect,
    mut exec: impl FnMut(&str, i64) -> Result<usize>,
) -> Result<RetainReport> {
    let now = now.timestamp();
    let cutoff = now.saturating_sub(i64::from(keep_days) * 86_400);
    let compact_before = now.saturating_sub(COMPACT_AFTER_SECS);
    let id = dialect.series_id;
    // Items go with their poll (ON DELETE CASCADE).
    let expired_polls = exec("DELETE FROM polls WHERE captured_at < $1", cutoff)?;
    let compacted_polls = exec(
        &keep_one_an_hour(
            "polls",
            "id",
            "platform",
            "captured_at",
            "captured_at DESC, id DESC",
        ),
        compact_before,
    )?;
    let expired_topics = exec("DELETE FROM topics WHERE last_seen < $1", cutoff)?;
    // A story title goes with its topic's summary.
    exec(
        "DELETE FROM story_titles WHERE first_seen < $1 AND NOT EXISTS (
           SELECT 1 FROM topics t
           WHERE t.platform = story_titles.platform AND t.norm = story_titles.norm)",
        cutoff,
    )?;
    // Deliveries done or given up, after the keep window; pending ones are never dropped.
    exec(
        "DELETE FROM push_queue WHERE state <> 'pending' AND updated_at < $1",
        cutoff,
    )?;
    let expired_keyword_points = exec("DELETE FROM keyword_points WHERE at < $1", cutoff)?;
    let compacted_keyword_points = exec(
        &keep_one_an_hour(
            "keyword_points",
            id,
            "keyword",
            "at",
            &format!("rising DESC, at DESC, {id} DESC"),
        ),
        compact_before,
    )?;
    let expired_kol_mentions = exec("DELETE FROM kol_mentions WHERE at < $1", cutoff)?;
    // The hour's last mention takes the union of the hour's titles, then the others go.
    exec(dialect.merge_kol_titles, compact_before)?;
    let compacted_kol_mentions = exec(
        &keep_one_an_hour(
            "kol_mentions",
            id,
            "name",
            "at",
            &format!("at DESC, {id} DESC"),
        ),
        compact_before,
    )?;
    // Brand watch posts by when they were found: a post dated long ago but found today stays
    // for the window (the brand view and the collector's dedup read it).
    let expired_watch_posts = exec("DELETE FROM watch_posts WHERE first_seen < $1", cutoff)?;
    Ok(RetainReport {
        expired_watch_posts,
        expired_polls,
        compacted_polls,
        expired_topics,
        expired_keyword_points,
        compacted_keyword_points,
        expired_kol_mentions,
        compacted_kol_mentions,
    })
}

/// Delete the rows of `table` older than `$1` except the first by `order` of each `group`-hour.
/// Hour buckets are UTC hours, which are also CST hours (+8:00, no DST).
fn keep_one_an_hour(table: &str, id: &str, group: &str, time: &str, order: &str) -> String {
    format!(
        "DELETE FROM {table} WHERE {time} < $1 AND {id} NOT IN (
           SELECT {id} FROM (
             SELECT {id}, row_number() OVER (
               PARTITION BY {group}, {time} / 3600
               ORDER BY {order}) AS n
             FROM {table} WHERE {time} < $1) AS ranked
           WHERE n = 1)"
    )
}
