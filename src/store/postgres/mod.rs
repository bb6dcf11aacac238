//! The team-mode engine: the same tables and behaviour as the SQLite file
//! ([`super::SqliteStore`]), on a shared PostgreSQL server, so one `resou collect` writes and
//! every viewer reads (and hears of new polls through [`feed::subscribe`]). This module
//! connects, reconnects and classifies server errors; `history` implements
//! [`HistoryStore`](super::HistoryStore) on it.
//!
//! # Threads
//! This uses the synchronous `postgres` client, which drives its own small tokio runtime
//! internally. Calling it (or dropping it) from inside another tokio runtime panics in tokio,
//! so a [`PgStore`] lives on a plain `std::thread` (the store thread the app already uses for
//! SQLite) and is talked to over channels. As a guard, every call made from inside a runtime
//! returns [`StoreError::AsyncContext`] instead of reaching the client.
//!
//! # Connection loss
//! A failed call returns [`StoreError::Postgres`] ([`StoreError::is_connection`] tells a lost
//! server from an SQL error); the next call reconnects, so a collector can keep polling in
//! memory and write again once the server is back. Passwords never appear in errors: the
//! target is always the redacted URL.

pub mod feed;
mod history;
pub mod schema;

use std::cell::RefCell;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, GenericClient, NoTls, Statement, Transaction};

use super::open::redact_url;
use super::rows::{Cells, Column, Row};
use super::{Result, StoreError};

/// How long a connection attempt may take when the URL does not say (`connect_timeout=`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PgStore {
    config: Config,
    /// The URL without its password, for messages.
    target: String,
    /// Interior mutability: the trait's reads take `&self`, but a query needs the client
    /// mutably. The store is used from one thread (`Send`, not `Sync`), so no lock is needed.
    client: RefCell<Client>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish()
    }
}

/// Parse a connection URL into the client's config with resou's defaults (connect timeout,
/// `application_name=resou`). Errors name only the redacted URL.
pub(crate) fn config(url: &str) -> Result<Config> {
    let target = redact_url(url);
    let mut config: Config = url.trim().parse().map_err(|source| StoreError::Postgres {
        target,
        op: "parse URL",
        source,
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("resou");
    }
    Ok(config)
}

/// `Err` when called on a thread inside a tokio runtime, where the sync client would panic.
pub(crate) fn outside_runtime(target: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(StoreError::AsyncContext {
            target: target.to_string(),
        });
    }
    Ok(())
}

impl PgStore {
    /// Connect to `url` (`postgres://user:password@host:port/db?…`) and migrate its schema.
    /// Blocking; call it from a plain thread.
    pub fn open(url: &str) -> Result<PgStore> {
        let target = redact_url(url);
        outside_runtime(&target)?;
        let config = config(url)?;
        let mut client = config
            .connect(NoTls)
            .map_err(|source| StoreError::Postgres {
                target: target.clone(),
                op: "connect",
                source,
            })?;
        schema::migrate(&mut client, schema::MIGRATIONS).map_err(|m| match m {
            schema::MigrateError::TooNew { found } => StoreError::TooNew {
                path: target.clone(),
                found,
                known: schema::CURRENT_VERSION,
            },
            schema::MigrateError::Postgres(source) => StoreError::Postgres {
                target: target.clone(),
                op: "migrate schema",
                source,
            },
        })?;
        Ok(PgStore {
            config,
            target,
            client: RefCell::new(client),
        })
    }

    /// The server URL without its password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<i64> {
        const OP: &str = "read schema version";
        self.with(OP, |c| schema::version(c).map_err(self.pg(OP)))
    }

    /// Run `f` on the client, reconnecting first if the last connection was lost.
    fn with<T>(&self, op: &'static str, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        outside_runtime(&self.target)?;
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            *client = self.config.connect(NoTls).map_err(self.pg(op))?;
        }
        f(&mut client)
    }

    /// Wrap a client error for `op`.
    fn pg(&self, op: &'static str) -> impl Fn(postgres::Error) -> StoreError + '_ {
        move |source| StoreError::Postgres {
            target: self.target.clone(),
            op,
            source,
        }
    }

    /// Run `sql` with `params` on `c` (the client or a transaction) and rebuild every row
    /// with `f`.
    fn rows<T>(
        &self,
        c: &mut impl GenericClient,
        op: &'static str,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        f: impl Fn(&Cells<'_, postgres::Row>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = c.query(sql, params).map_err(self.pg(op))?;
        rows.iter()
            .map(|row| {
                f(&Cells {
                    row,
                    place: &self.target,
                    op,
                })
            })
            .collect()
    }

    /// Insert every item with `sql` (through `insert`), in one transaction.
    fn append<T>(
        &self,
        op: &'static str,
        sql: &str,
        items: &[T],
        insert: impl Fn(&mut Transaction<'_>, &Statement, &T) -> Result<u64, postgres::Error>,
    ) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        self.with(op, |c| {
            let e = self.pg(op);
            let mut tx = c.transaction().map_err(&e)?;
            let st = tx.prepare(sql).map_err(&e)?;
            for item in items {
                insert(&mut tx, &st, item).map_err(&e)?;
            }
            tx.commit().map_err(&e)
        })
    }
}

impl Row for postgres::Row {
    type Error = postgres::Error;

    fn column<T: Column>(&self, i: usize) -> Result<T, postgres::Error> {
        self.try_get(i)
    }

    fn error(place: &str, op: &'static str, source: postgres::Error) -> StoreError {
        StoreError::Postgres {
            target: place.to_string(),
            op,
            source,
        }
    }
}

/// The client error with its causes on one line. The client's own `Display` says only
/// "db error" for a server error; the server's message (and SQLSTATE) is in the source chain.
pub(crate) fn describe_error(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string().replace('\n', "; "));
        cause = c.source();
    }
    if let Some(code) = e.code() {
        out.push_str(&format!(" (SQLSTATE {})", code.code()));
    }
    out
}

/// Server-side states that mean "this role or server does not accept writes".
pub(crate) fn is_read_only_state(s: &SqlState) -> bool {
    [
        SqlState::READ_ONLY_SQL_TRANSACTION,
        SqlState::INSUFFICIENT_PRIVILEGE,
    ]
    .contains(s)
}

pub(crate) fn is_disk_full_state(s: &SqlState) -> bool {
    [SqlState::DISK_FULL, SqlState::OUT_OF_MEMORY].contains(s)
}
