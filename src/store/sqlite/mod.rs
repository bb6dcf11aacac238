//! The embedded engine: one SQLite file (`$XDG_DATA_HOME/resou/history.sqlite3`) in WAL mode,
//! so a collector can write while viewers read. This module opens and migrates the file;
//! `history` implements [`HistoryStore`](super::HistoryStore) on it.

mod history;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::rows::{Cells, Column, Row};
use super::{Result, StoreError};

pub const FILE_NAME: &str = "history.sqlite3";
/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `$XDG_DATA_HOME/resou/history.sqlite3`.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join(FILE_NAME))
}

pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Open (creating file and parent directories) and migrate to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
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
        SqliteStore::setup(conn, name, true)
    }

    /// Open an existing file without ever writing to it (viewers, inspection).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| sql_err(&name, "open", e))?;
        SqliteStore::setup(conn, name, false)
    }

    /// A private in-memory store (tests, `--no-history`).
    pub fn open_in_memory() -> Result<SqliteStore> {
        let name = ":memory:".to_string();
        let conn = Connection::open_in_memory().map_err(|e| sql_err(&name, "open", e))?;
        SqliteStore::setup(conn, name, true)
    }

    fn setup(mut conn: Connection, path: String, writable: bool) -> Result<SqliteStore> {
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
        Ok(SqliteStore { conn, path })
    }

    /// The file this store was opened on (`:memory:` for in-memory stores).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        schema::user_version(&self.conn).map_err(|e| self.err("read schema version", e))
    }

    #[cfg(test)]
    pub(in crate::store) fn connection(&self) -> &Connection {
        &self.conn
    }

    fn err(&self, op: &'static str, source: rusqlite::Error) -> StoreError {
        sql_err(&self.path, op, source)
    }

    /// Run `sql` with `params` and rebuild every row with `f`.
    fn rows<T>(
        &self,
        op: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl Fn(&Cells<'_, rusqlite::Row<'_>>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(op, e))?;
        let mut rows = st.query(params).map_err(|e| self.err(op, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(op, e))? {
            out.push(f(&Cells {
                row,
                place: &self.path,
                op,
            })?);
        }
        Ok(out)
    }

    /// Insert every item with `sql` (through `insert`), in one transaction.
    fn append<T>(
        &mut self,
        op: &'static str,
        sql: &str,
        items: &[T],
        insert: impl Fn(&mut rusqlite::CachedStatement<'_>, &T) -> rusqlite::Result<usize>,
    ) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let e = |source| sql_err(&path, op, source);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx.prepare_cached(sql).map_err(e)?;
            for item in items {
                insert(&mut st, item).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }
}

impl Row for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn column<T: Column>(&self, i: usize) -> rusqlite::Result<T> {
        self.get(i)
    }

    fn error(place: &str, op: &'static str, e: rusqlite::Error) -> StoreError {
        sql_err(place, op, e)
    }
}

fn sql_err(path: &str, op: &'static str, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_string(),
        op,
        source,
    }
}

#[cfg(test)]
mod tests;
