//! PostgreSQL schema versions, kept in `resou_schema` (one row). The tables mirror the SQLite
//! ones (see [`crate::store::sqlite::schema`]): timestamps are BIGINT unix seconds, so both engines
//! compare, bucket and compact times identically. Migrating runs in one transaction under an
//! advisory lock, so concurrent openers (a collector and several viewers) never race, and a
//! database that is already current is only read.

use postgres::{Client, GenericClient};

/// Ordered steps: `MIGRATIONS[i]` takes a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Advisory lock key serialising migrations ("resou" in ASCII).
const MIGRATE_LOCK: i64 = 0x0072_6573_6f75;

/// v1: polls with their items, the per-topic summary, analysis series and key/value blobs.
/// `id` columns on the series tables give the insertion order SQLite's rowid gives.
const V1: &str = r#"
CREATE TABLE polls (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    TEXT   NOT NULL,
    captured_at BIGINT NOT NULL,  -- unix seconds
    endpoint    TEXT   NOT NULL
);
CREATE INDEX polls_platform_at ON polls (platform, captured_at);
CREATE INDEX polls_at ON polls (captured_at);

CREATE TABLE items (
    poll_id     BIGINT  NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    pos         BIGINT  NOT NULL,  -- row order within the poll, pinned rows first
    rank        BIGINT,            -- NULL for pinned rows
    title       TEXT    NOT NULL,
    norm        TEXT    NOT NULL,  -- normalise_title(title): the topic identity
    query       TEXT,
    heat        BIGINT,
    label       TEXT    NOT NULL DEFAULT '',
    url         TEXT,
    platform_id TEXT,
    pinned      BOOLEAN NOT NULL,
    onboard     BIGINT,            -- unix seconds
    category    TEXT,
    PRIMARY KEY (poll_id, pos)
);
CREATE INDEX items_norm ON items (norm, poll_id);

CREATE TABLE topics (
    platform   TEXT   NOT NULL,
    norm       TEXT   NOT NULL,
    title      TEXT   NOT NULL,    -- the latest display title
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    peak_rank  BIGINT,             -- best (lowest) rank; NULL when only ever pinned
    peak_heat  BIGINT,
    PRIMARY KEY (platform, norm)
);
CREATE INDEX topics_last_seen ON topics (last_seen);

CREATE TABLE keyword_points (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    keyword TEXT             NOT NULL,
    at      BIGINT           NOT NULL,
    share   DOUBLE PRECISION NOT NULL,
    score   DOUBLE PRECISION NOT NULL,
    rising  BOOLEAN          NOT NULL
);
CREATE INDEX keyword_points_keyword_at ON keyword_points (keyword, at);
CREATE INDEX keyword_points_at ON keyword_points (at);

CREATE TABLE kol_mentions (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   TEXT   NOT NULL,
    at     BIGINT NOT NULL,
    titles TEXT   NOT NULL         -- JSON array of topic titles
);
CREATE INDEX kol_mentions_name_at ON kol_mentions (name, at);
CREATE INDEX kol_mentions_at ON kol_mentions (at);

CREATE TABLE kv (
    key   TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);
"#;

/// v2: triage state per user, as the triage JSON (`user` is reserved in PostgreSQL).
const V2: &str = r#"
CREATE TABLE triage (
    "user"     TEXT   PRIMARY KEY,
    json       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
"#;

/// v3: the titles of each story with the time each was first seen (see the SQLite v3).
const V3: &str = r#"
CREATE TABLE story_titles (
    story      TEXT   NOT NULL,
    platform   TEXT   NOT NULL,
    norm       TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (story, platform, norm)
);
CREATE INDEX story_titles_topic ON story_titles (platform, norm);
"#;

/// v4: team alert deliveries (see the SQLite v4).
const V4: &str = r#"
CREATE TABLE push_queue (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    TEXT   NOT NULL,
    rule       TEXT   NOT NULL,
    tier       TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    message    TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    parts_done BIGINT NOT NULL DEFAULT 0,
    attempts   BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    next_at    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_queue_state_next ON push_queue (state, next_at);
CREATE INDEX push_queue_updated ON push_queue (updated_at);
"#;

/// v5: brand watch posts (see the SQLite v5).
const V5: &str = r#"
CREATE TABLE watch_posts (
    platform      TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    term          TEXT   NOT NULL,
    author        TEXT   NOT NULL,
    author_id     TEXT,
    verified_type BIGINT,
    followers     BIGINT,
    reposts       BIGINT,
    comments      BIGINT,
    likes         BIGINT,
    created_at    BIGINT,
    text          TEXT   NOT NULL,
    first_seen    BIGINT NOT NULL,
    PRIMARY KEY (platform, id)
);
CREATE INDEX watch_posts_term_time ON watch_posts (term, created_at);
"#;

/// Why a migration did not complete.
#[derive(Debug)]
pub enum MigrateError {
    /// The database was written by a newer build.
    TooNew {
        found: i64,
    },
    Postgres(postgres::Error),
}

impl From<postgres::Error> for MigrateError {
    fn from(e: postgres::Error) -> Self {
        MigrateError::Postgres(e)
    }
}

/// The database's schema version; 0 when resou never wrote to it.
pub fn version(c: &mut impl GenericClient) -> Result<i64, postgres::Error> {
    let exists: bool = c
        .query_one("SELECT to_regclass('resou_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = c.query_opt("SELECT max(version) FROM resou_schema", &[])?;
    Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
}

/// Bring the database up to `steps.len()`. Returns the version found before migrating.
pub fn migrate(client: &mut Client, steps: &[&str]) -> Result<i64, MigrateError> {
    let known = steps.len() as i64;
    let found = version(client)?;
    if found > known {
        return Err(MigrateError::TooNew { found });
    }
    if found == known {
        return Ok(found);
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS resou_schema (version BIGINT NOT NULL)")?;
    // Another opener may have migrated while we waited for the lock.
    let now = version(&mut tx)?;
    if now > known {
        return Err(MigrateError::TooNew { found: now });
    }
    if now == known {
        return Ok(found);
    }
    for sql in steps.iter().skip(now.max(0) as usize) {
        tx.batch_execute(sql)?;
    }
    tx.execute("DELETE FROM resou_schema", &[])?;
    tx.execute("INSERT INTO resou_schema (version) VALUES ($1)", &[&known])?;
    tx.commit()?;
    Ok(found)
}
