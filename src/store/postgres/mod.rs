//! Team-mode history store: the same tables and behaviour as the SQLite [`super::Store`], on a
//! shared PostgreSQL server, so one `resou collect` writes and every viewer reads (and hears of
//! new polls through [`super::feed::subscribe`]).
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

mod polls;
pub mod schema;

use std::cell::RefCell;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use super::backend::TriageRecord;
use super::open::redact_url;
use super::{KeywordPoint, KolMention, Result, StoreError};
use crate::domain::Platform;

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

    fn bad_value(&self, op: &'static str, msg: String) -> StoreError {
        StoreError::BadValue {
            path: self.target.clone(),
            op,
            msg,
        }
    }

    fn time(&self, op: &'static str, secs: i64) -> Result<DateTime<FixedOffset>> {
        super::to_time(secs)
            .ok_or_else(|| self.bad_value(op, format!("timestamp {secs} out of range")))
    }
}

/// The platform as stored (`weibo`/`tieba`, as in the SQLite file).
pub(crate) fn platform_sql(p: Platform) -> String {
    p.name().to_ascii_lowercase()
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

impl super::HistoryStore for PgStore {
    fn describe(&self) -> String {
        self.target.clone()
    }

    fn insert_poll(&mut self, snap: &crate::domain::Snapshot, endpoint: &str) -> Result<i64> {
        PgStore::insert_poll(self, snap, endpoint)
    }

    fn polls_between(
        &self,
        platform: Platform,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<super::PollRef>> {
        PgStore::polls_between(self, platform, from, to)
    }

    fn snapshot_at(
        &self,
        platform: Platform,
        at: DateTime<FixedOffset>,
    ) -> Result<Option<crate::domain::Snapshot>> {
        PgStore::snapshot_at(self, platform, at)
    }

    fn topic_history(&self, key: &crate::domain::TopicKey) -> Result<Option<super::TopicHistory>> {
        PgStore::topic_history(self, key)
    }

    fn retain(
        &mut self,
        now: DateTime<FixedOffset>,
        keep_days: u32,
    ) -> Result<super::RetainReport> {
        PgStore::retain(self, now, keep_days)
    }

    fn put_kv(&mut self, key: &str, value: &[u8]) -> Result<()> {
        const OP: &str = "put kv";
        self.with(OP, |c| {
            c.execute(
                "INSERT INTO kv (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .map(drop)
            .map_err(self.pg(OP))
        })
    }

    fn get_kv(&self, key: &str) -> Result<Option<Vec<u8>>> {
        const OP: &str = "get kv";
        self.with(OP, |c| {
            let row = c
                .query_opt("SELECT value FROM kv WHERE key = $1", &[&key])
                .map_err(self.pg(OP))?;
            row.map(|r| r.try_get(0)).transpose().map_err(self.pg(OP))
        })
    }

    fn append_keyword_points(&mut self, points: &[KeywordPoint]) -> Result<()> {
        const OP: &str = "append keyword points";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let mut tx = c.transaction().map_err(&e)?;
            let st = tx
                .prepare(
                    "INSERT INTO keyword_points (keyword, at, share, score, rising)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .map_err(&e)?;
            for p in points {
                let at = p.at.timestamp();
                tx.execute(&st, &[&p.keyword, &at, &p.share, &p.score, &p.rising])
                    .map_err(&e)?;
            }
            tx.commit().map_err(&e)
        })
    }

    fn keyword_series(
        &self,
        keyword: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KeywordPoint>> {
        const OP: &str = "read keyword series";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let rows = c
                .query(
                    "SELECT at, share, score, rising FROM keyword_points
                     WHERE keyword = $1 AND at BETWEEN $2 AND $3 ORDER BY at, id",
                    &[&keyword, &from.timestamp(), &to.timestamp()],
                )
                .map_err(&e)?;
            rows.iter()
                .map(|r| {
                    Ok(KeywordPoint {
                        keyword: keyword.to_string(),
                        at: self.time(OP, r.try_get(0).map_err(&e)?)?,
                        share: r.try_get(1).map_err(&e)?,
                        score: r.try_get(2).map_err(&e)?,
                        rising: r.try_get(3).map_err(&e)?,
                    })
                })
                .collect()
        })
    }

    fn append_kol_mentions(&mut self, mentions: &[KolMention]) -> Result<()> {
        const OP: &str = "append KOL mentions";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let mut tx = c.transaction().map_err(&e)?;
            let st = tx
                .prepare("INSERT INTO kol_mentions (name, at, titles) VALUES ($1, $2, $3)")
                .map_err(&e)?;
            for m in mentions {
                // ok: serialising a Vec<String> to JSON cannot fail.
                let titles = serde_json::to_string(&m.titles).unwrap_or_else(|_| "[]".into());
                tx.execute(&st, &[&m.name, &m.at.timestamp(), &titles])
                    .map_err(&e)?;
            }
            tx.commit().map_err(&e)
        })
    }

    fn kol_mentions(
        &self,
        name: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<KolMention>> {
        const OP: &str = "read KOL mentions";
        self.with(OP, |c| {
            let e = self.pg(OP);
            let rows = c
                .query(
                    "SELECT at, titles FROM kol_mentions
                     WHERE name = $1 AND at BETWEEN $2 AND $3 ORDER BY at, id",
                    &[&name, &from.timestamp(), &to.timestamp()],
                )
                .map_err(&e)?;
            rows.iter()
                .map(|r| {
                    let titles: String = r.try_get(1).map_err(&e)?;
                    let titles: Vec<String> = serde_json::from_str(&titles)
                        .map_err(|err| self.bad_value(OP, format!("titles of {name}: {err}")))?;
                    Ok(KolMention {
                        name: name.to_string(),
                        at: self.time(OP, r.try_get(0).map_err(&e)?)?,
                        titles,
                    })
                })
                .collect()
        })
    }

    fn save_triage(&mut self, record: &TriageRecord) -> Result<()> {
        const OP: &str = "save triage";
        self.with(OP, |c| {
            c.execute(
                r#"INSERT INTO triage ("user", json, updated_at) VALUES ($1, $2, $3)
                   ON CONFLICT ("user") DO UPDATE SET json = excluded.json,
                                                      updated_at = excluded.updated_at"#,
                &[&record.user, &record.json, &record.updated_at.timestamp()],
            )
            .map(drop)
            .map_err(self.pg(OP))
        })
    }

    fn load_triage(&self) -> Result<Vec<TriageRecord>> {
        const OP: &str = "load triage";
        self.with(OP, |c| {
            let e = self.pg(OP);
            // Byte order, as SQLite sorts, whatever the database's collation.
            let rows = c
                .query(
                    r#"SELECT "user", json, updated_at FROM triage ORDER BY "user" COLLATE "C""#,
                    &[],
                )
                .map_err(&e)?;
            rows.iter()
                .map(|r| {
                    Ok(TriageRecord {
                        user: r.try_get(0).map_err(&e)?,
                        json: r.try_get(1).map_err(&e)?,
                        updated_at: self.time(OP, r.try_get(2).map_err(&e)?)?,
                    })
                })
                .collect()
        })
    }
}
