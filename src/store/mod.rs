//! Embedded history store: one SQLite file (`$XDG_DATA_HOME/resou/history.sqlite3`) in WAL
//! mode, so a collector can write while viewers read. Team mode keeps the same history on a
//! PostgreSQL server ([`PgStore`], live updates through [`feed`]); [`open`] picks the engine
//! from a [`StoreSpec`].
//!
//! Every write is one transaction. Failures (disk full, read-only file, a newer schema) come
//! back as a [`StoreError`] naming the file and the operation; nothing here panics on them,
//! so the caller can show a status and keep polling in memory.

pub mod backend;
pub mod feed;
mod open;
mod polls;
pub mod postgres;
mod retain;
pub mod schema;
mod series;
mod triage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use self::postgres::PgStore;
pub use backend::{HistoryStore, TriageRecord};
pub use feed::{StoreFeed, Subscription, subscribe};
pub use open::{StoreSpec, open, redact_url};
pub use polls::{HistoryPoint, PollRef, TopicHistory};
pub use retain::{COMPACT_AFTER_SECS, RetainReport};
pub use series::{KeywordPoint, KolMention};

pub const FILE_NAME: &str = "history.sqlite3";
/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `$XDG_DATA_HOME/resou/history.sqlite3`.
pub fn default_path() -> Option<PathBuf> {
    crate::config::paths::data_dir().map(|d| d.join(FILE_NAME))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {op}: {source}")]
    Sqlite {
        path: String,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {op}: {source}")]
    Io {
        path: String,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: schema version {found} is newer than this resou knows ({known}); \
         upgrade resou or use another history file"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "{path}: read-only open of a file at schema version {found} (this resou needs {known}); open it read-write once to migrate"
    )]
    NeedsMigration {
        path: String,
        found: i64,
        known: i64,
    },
    /// A PostgreSQL (team mode) failure; `target` is the server URL without its password.
    #[error("{target}: {op}: {}", self::postgres::describe_error(source))]
    Postgres {
        target: String,
        op: &'static str,
        #[source]
        source: ::postgres::Error,
    },
    /// The synchronous PostgreSQL client was called on a thread inside a tokio runtime, where
    /// it would panic; it must run on a plain store thread.
    #[error(
        "{target}: the PostgreSQL store must run on a plain thread, not inside the async runtime"
    )]
    AsyncContext { target: String },
    /// A stored value this build cannot read back (hand-edited or damaged file).
    #[error("{path}: {op}: bad stored value: {msg}")]
    BadValue {
        path: String,
        op: &'static str,
        msg: String,
    },
}

impl StoreError {
    fn code(&self) -> Option<ErrorCode> {
        match self {
            StoreError::Sqlite { source, .. } => source.sqlite_error_code(),
            _ => None,
        }
    }

    fn pg_state(&self) -> Option<&::postgres::error::SqlState> {
        match self {
            StoreError::Postgres { source, .. } => source.code(),
            _ => None,
        }
    }

    /// The file (or its directory), or the server for this role, cannot be written.
    pub fn is_read_only(&self) -> bool {
        self.code() == Some(ErrorCode::ReadOnly)
            || self
                .pg_state()
                .is_some_and(self::postgres::is_read_only_state)
    }

    /// The disk (or the file's size limit, or the server's disk) is full.
    pub fn is_disk_full(&self) -> bool {
        self.code() == Some(ErrorCode::DiskFull)
            || self
                .pg_state()
                .is_some_and(self::postgres::is_disk_full_state)
    }

    /// The PostgreSQL server could not be reached or the connection dropped (as opposed to
    /// an SQL error); the next call reconnects.
    pub fn is_connection(&self) -> bool {
        match self {
            StoreError::Postgres { source, .. } => {
                let io =
                    std::error::Error::source(source).is_some_and(|c| c.is::<std::io::Error>());
                // 08: connection exception; 57P: the server is shutting down or starting.
                let state = source
                    .code()
                    .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"));
                source.is_closed() || io || state
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct Store {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (creating file and parent directories) and migrate to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        let name = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: name.clone(),
                op: "create directory",
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sql_err(&name, "open", e))?;
        Store::setup(conn, name, true)
    }

    /// Open an existing file without ever writing to it (viewers, inspection).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| sql_err(&name, "open", e))?;
        Store::setup(conn, name, false)
    }

    /// A private in-memory store (tests, `--no-history`).
    pub fn open_in_memory() -> Result<Store> {
        let name = ":memory:".to_string();
        let conn = Connection::open_in_memory().map_err(|e| sql_err(&name, "open", e))?;
        Store::setup(conn, name, true)
    }

    fn setup(mut conn: Connection, path: String, writable: bool) -> Result<Store> {
        let e = |op| {
            let path = path.clone();
            move |source| sql_err(&path, op, source)
        };
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(e("set busy timeout"))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(e("enable foreign keys"))?;
        if writable {
            // Only switch when needed: the switch takes the write lock, which a reader
            // opening a file already in WAL mode must not wait for.
            let mode: String = conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(e("read journal mode"))?;
            if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
                conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
                    .map_err(e("enable WAL"))?;
            }
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(e("set synchronous"))?;
            schema::migrate(&mut conn, schema::MIGRATIONS).map_err(|m| match m {
                schema::MigrateError::TooNew { found } => StoreError::TooNew {
                    path: path.clone(),
                    found,
                    known: schema::CURRENT_VERSION,
                },
                schema::MigrateError::Sqlite(source) => sql_err(&path, "migrate schema", source),
            })?;
        } else {
            let found = schema::user_version(&conn).map_err(e("read schema version"))?;
            let known = schema::CURRENT_VERSION;
            if found > known {
                return Err(StoreError::TooNew { path, found, known });
            }
            if found < known {
                return Err(StoreError::NeedsMigration { path, found, known });
            }
        }
        Ok(Store { conn, path })
    }

    /// The file this store was opened on (`:memory:` for in-memory stores).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        schema::user_version(&self.conn).map_err(|e| self.err("read schema version", e))
    }

    /// Store a blob under `key` (detector state, cursors), replacing any previous value.
    pub fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO kv (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rusqlite::params![key, value],
            )
            .map(drop)
            .map_err(|e| self.err("put kv", e))
    }

    pub fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err("get kv", e))
    }

    fn err(&self, op: &'static str, source: rusqlite::Error) -> StoreError {
        sql_err(&self.path, op, source)
    }

    fn time(&self, op: &'static str, secs: i64) -> Result<DateTime<FixedOffset>> {
        to_time(secs).ok_or_else(|| self.bad_value(op, format!("timestamp {secs} out of range")))
    }

    fn bad_value(&self, op: &'static str, msg: String) -> StoreError {
        StoreError::BadValue {
            path: self.path.clone(),
            op,
            msg,
        }
    }
}

fn sql_err(path: &str, op: &'static str, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_string(),
        op,
        source,
    }
}

/// Stored timestamps are unix seconds; they come back in CST like every platform time.
fn to_time(secs: i64) -> Option<DateTime<FixedOffset>> {
    crate::domain::from_unix(secs)
}

/// Heat is a `u64` in the domain and an `i64` in SQLite; no real count comes near the limit.
fn heat_to_sql(h: u64) -> i64 {
    i64::try_from(h).unwrap_or(i64::MAX)
}

fn heat_from_sql(h: i64) -> Option<u64> {
    u64::try_from(h).ok()
}

#[cfg(test)]
mod tests;
