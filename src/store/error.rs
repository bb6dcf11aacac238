//! What can go wrong in either engine, with the file or server and the operation named.

use rusqlite::ErrorCode;

use super::postgres;

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
    #[error("{target}: {op}: {}", postgres::describe_error(source))]
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
            || self.pg_state().is_some_and(postgres::is_read_only_state)
    }

    /// The disk (or the file's size limit, or the server's disk) is full.
    pub fn is_disk_full(&self) -> bool {
        self.code() == Some(ErrorCode::DiskFull)
            || self.pg_state().is_some_and(postgres::is_disk_full_state)
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
