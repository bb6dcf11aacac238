//! Schema versions. The file's `PRAGMA user_version` is the number of steps applied; each step
//! runs in its own immediate transaction together with its version bump, so a crash or a
//! concurrent opener never leaves a half-migrated file.

use rusqlite::{Connection, TransactionBehavior};

/// Ordered migration steps: `MIGRATIONS[i]` takes a file from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// v1: polls with their normalised items, the per-topic summary kept on insert, analysis
/// series, and a key/value table for blobs such as detector state.
const V1: &str = r#"
CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    captured_at INTEGER NOT NULL,  -- unix seconds
    endpoint    TEXT    NOT NULL
);
CREATE INDEX polls_platform_at ON polls (platform, captured_at);
CREATE INDEX polls_at ON polls (captured_at);

CREATE TABLE items (
    poll_id     INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,  -- row order within the poll, pinned rows first
    rank        INTEGER,           -- NULL for pinned rows
    title       TEXT    NOT NULL,
    norm        TEXT    NOT NULL,  -- normalise_title(title): the topic identity
    query       TEXT,
    heat        INTEGER,
    label       TEXT    NOT NULL DEFAULT '',
    url         TEXT,
    platform_id TEXT,
    pinned      INTEGER NOT NULL,
    onboard     INTEGER,           -- unix seconds
    category    TEXT,
    PRIMARY KEY (poll_id, pos)
) WITHOUT ROWID;
CREATE INDEX items_norm ON items (norm, poll_id);

CREATE TABLE topics (
    platform   TEXT    NOT NULL,
    norm       TEXT    NOT NULL,
    title      TEXT    NOT NULL,   -- the latest display title
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    peak_rank  INTEGER,            -- best (lowest) rank; NULL when only ever pinned
    peak_heat  INTEGER,
    PRIMARY KEY (platform, norm)
) WITHOUT ROWID;
CREATE INDEX topics_last_seen ON topics (last_seen);

CREATE TABLE keyword_points (
    keyword TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    share   REAL    NOT NULL,
    score   REAL    NOT NULL,
    rising  INTEGER NOT NULL
);
CREATE INDEX keyword_points_keyword_at ON keyword_points (keyword, at);
CREATE INDEX keyword_points_at ON keyword_points (at);

CREATE TABLE kol_mentions (
    name   TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    titles TEXT    NOT NULL        -- JSON array of topic titles
);
CREATE INDEX kol_mentions_name_at ON kol_mentions (name, at);
CREATE INDEX kol_mentions_at ON kol_mentions (at);

CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
"#;

/// v2: triage state (flags, notes, mutes, seen, watchlists) per user, as the triage JSON, so
/// team members can see each other's flags and notes.
const V2: &str = r#"
CREATE TABLE triage (
    user       TEXT    PRIMARY KEY,
    json       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// v3: the titles of each story (an event of the analysis: one story across platforms), with
/// the time each was first seen, so time travel, `H` and export show where a story appeared
/// first long after the process that grouped it has gone.
const V3: &str = r#"
CREATE TABLE story_titles (
    story      TEXT    NOT NULL,   -- the grouping run's event id, "<run start>-<event id>"
    platform   TEXT    NOT NULL,
    norm       TEXT    NOT NULL,   -- the topic identity, as in `topics`
    title      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,   -- unix seconds
    PRIMARY KEY (story, platform, norm)
) WITHOUT ROWID;
CREATE INDEX story_titles_topic ON story_titles (platform, norm);
"#;

/// v4: team alert deliveries (issue 19), one row per message and channel, so a restart or a
/// failed send loses none: the parts already delivered are counted and only the rest are sent
/// again. `message` is the JSON of `push::Message`; times are wall-clock unix seconds.
const V4: &str = r#"
CREATE TABLE push_queue (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL,
    rule       TEXT    NOT NULL,
    tier       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    state      TEXT    NOT NULL,   -- pending | delivered | failed
    parts_done INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    next_at    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX push_queue_state_next ON push_queue (state, next_at);
CREATE INDEX push_queue_updated ON push_queue (updated_at);
"#;

/// v5: brand watch (issue 20): posts found for watched terms, kept once per platform and
/// id (the first term that found one keeps it). Times are unix seconds; `created_at` is
/// null when the platform sent no readable time.
const V5: &str = r#"
CREATE TABLE watch_posts (
    platform      TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    term          TEXT   NOT NULL,
    author        TEXT   NOT NULL,
    author_id     TEXT,
    verified_type INTEGER,
    followers     INTEGER,
    reposts       INTEGER,
    comments      INTEGER,
    likes         INTEGER,
    created_at    INTEGER,
    text          TEXT   NOT NULL,
    first_seen    INTEGER NOT NULL,
    PRIMARY KEY (platform, id)
);
CREATE INDEX watch_posts_term_time ON watch_posts (term, created_at);
"#;

/// Why a migration did not complete.
#[derive(Debug)]
pub enum MigrateError {
    /// The file was written by a newer build.
    TooNew {
        found: i64,
    },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Bring the file up to `steps.len()`. Returns the version found before migrating.
/// Nothing is written when the file is already current (so a second reader opening a
/// file held by a writer does not need the write lock).
pub fn migrate(conn: &mut Connection, steps: &[&str]) -> Result<i64, MigrateError> {
    let known = steps.len() as i64;
    let found = user_version(conn)?;
    if found > known {
        return Err(MigrateError::TooNew { found });
    }
    for (i, sql) in steps.iter().enumerate().skip(found.max(0) as usize) {
        let target = i as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another opener may have migrated while we waited for the write lock.
        let now = user_version(&tx)?;
        if now > known {
            return Err(MigrateError::TooNew { found: now });
        }
        if now >= target {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_failing_step_leaves_the_previous_version_intact() {
        let mut conn = Connection::open_in_memory().unwrap();
        let steps = [
            V1,
            "CREATE TABLE extra (x); INSERT INTO no_such_table VALUES (1);",
        ];
        assert!(matches!(
            migrate(&mut conn, &steps),
            Err(MigrateError::Sqlite(_))
        ));
        assert_eq!(user_version(&conn).unwrap(), 1);
        assert!(!tables(&conn).contains(&"extra".to_string()));
        assert!(tables(&conn).contains(&"polls".to_string()));
    }

    #[test]
    fn steps_apply_in_order_and_only_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, &steps_v1()).unwrap(), 0);
        let two = [V1, "CREATE TABLE v2_extra (x);"];
        assert_eq!(migrate(&mut conn, &two).unwrap(), 1);
        assert_eq!(user_version(&conn).unwrap(), 2);
        assert!(tables(&conn).contains(&"v2_extra".to_string()));
        // Re-running is a no-op (a second CREATE TABLE would fail).
        assert_eq!(migrate(&mut conn, &two).unwrap(), 2);
        assert!(matches!(
            migrate(&mut conn, &steps_v1()),
            Err(MigrateError::TooNew { found: 2 })
        ));
    }

    fn steps_v1() -> [&'static str; 1] {
        [V1]
    }
}
