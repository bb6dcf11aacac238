//! Choosing the history engine from one user-supplied string: a `postgres://` /
//! `postgresql://` URL means a shared PostgreSQL server (team mode), anything else is the path
//! of an SQLite file.

use std::path::PathBuf;

use super::{HistoryStore, PgStore, Result, SqliteStore};

/// Where the history lives.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreSpec {
    Sqlite(PathBuf),
    /// A connection URL, password included: never print it, use [`StoreSpec::describe`].
    Postgres(String),
}

impl StoreSpec {
    /// `postgres://…` or `postgresql://…` (scheme in any case) is a server; anything else a path.
    pub fn parse(s: &str) -> StoreSpec {
        let t = s.trim();
        let is_url = ["postgres://", "postgresql://"].iter().any(|scheme| {
            t.get(..scheme.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        });
        if is_url {
            StoreSpec::Postgres(t.to_string())
        } else {
            StoreSpec::Sqlite(PathBuf::from(s))
        }
    }

    /// For messages and logs: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            StoreSpec::Sqlite(p) => p.display().to_string(),
            StoreSpec::Postgres(url) => redact_url(url),
        }
    }
}

/// Debug shows the redacted form too, so `{:?}` in a log line cannot leak the password.
impl std::fmt::Debug for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreSpec::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            StoreSpec::Postgres(_) => f.debug_tuple("Postgres").field(&self.describe()).finish(),
        }
    }
}

/// Open (creating and migrating as needed) the store `spec` names. Blocking; for PostgreSQL
/// call it from a plain thread, never from inside the tokio runtime (see [`PgStore`]).
pub fn open(spec: &StoreSpec) -> Result<Box<dyn HistoryStore>> {
    Ok(match spec {
        StoreSpec::Sqlite(path) => Box::new(SqliteStore::open(path)?),
        StoreSpec::Postgres(url) => Box::new(PgStore::open(url)?),
    })
}

/// `url` with the password (in the authority or a `password=` query parameter) removed.
/// Something that does not parse as a URL is not echoed at all: it may be mostly password.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url.trim()) else {
        return "postgres://(unparsable URL)".to_string();
    };
    if u.password().is_some() {
        // Only fails for URLs that cannot have a password, which this one just had.
        let _ = u.set_password(None);
    }
    if u.query_pairs().any(|(k, _)| k == "password") {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| k != "password")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_servers_and_everything_else_a_path() {
        for url in [
            "postgres://u:p@db.example/resou",
            "postgresql://db/resou",
            " POSTGRES://db/x ",
        ] {
            assert!(
                matches!(StoreSpec::parse(url), StoreSpec::Postgres(_)),
                "{url}"
            );
        }
        for path in [
            "history.sqlite3",
            "/var/lib/resou/postgres://x",
            "postgres.db",
        ] {
            assert_eq!(StoreSpec::parse(path), StoreSpec::Sqlite(path.into()));
        }
    }

    #[test]
    fn passwords_never_show() {
        let spec =
            StoreSpec::parse("postgres://ops:s3cr%40t@db.example:5433/resou?password=hunter2");
        let shown = format!("{} {:?}", spec.describe(), spec);
        assert!(
            !shown.contains("s3cr") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("ops@db.example:5433/resou"), "{shown}");
        assert_eq!(
            redact_url("postgresql://ops@db/r?sslmode=disable&password=x"),
            "postgresql://ops@db/r?sslmode=disable"
        );
        assert!(!redact_url("postgres://ops:pw@[bad").contains("pw"));
    }
}
