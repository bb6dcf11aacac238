//! `resou serve`: a read-only HTTP feed of what the collector stored, for other tools — the
//! latest lists, rising keywords, cross-platform events, flagged topics and reports, as JSON
//! and as JSON Feed 1.1, Atom (RFC 4287) and RSS 2.0 (team-alerts.md §14). Rising keywords
//! and events are the sections of [`crate::report::build`] for the period asked for
//! ([`reports`] keeps the last build per period until the minute turns or a poll arrives).
//!
//! A reader only: the store is opened read-only where the engine allows (SQLite) and queried
//! on plain store threads ([`pool`]: the engines block, and the PostgreSQL client must not run
//! inside the async runtime); nothing here writes. Every answer is JSON or a feed, errors
//! included: `{"error":{"status":404,"message":"…"}}`.
//!
//! What a request passes, outermost first ([`http`]): a connection limit (accept waits), the
//! header-read timeout and a hard header size cap (hyper), then [`Server::admit`] — GET/HEAD
//! only (405), URI and header bytes (414/431), a per-client token bucket (429 with
//! Retry-After), the bearer token (401) — then a limit on requests in flight (503) and the
//! request timeout (503).

mod auth;
mod error;
mod feed;
mod http;
mod limit;
mod model;
mod pool;
mod reports;
mod routes;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

pub use auth::{MIN_TOKEN_CHARS, Token, TokenError};
pub use http::run;
pub use limit::{Clock, Limits, Rate, system_clock};
pub use pool::Opener;

use error::ApiError;

/// The address `resou serve` listens on unless told otherwise: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// Wall time, for "recently" (tests pin it to their fixtures' day).
pub type Now = Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>;

/// How a server answers, besides where its data comes from.
pub struct Options {
    /// Required on every request when set; a server reachable beyond loopback must have one
    /// ([`check_exposure`]).
    pub token: Option<Token>,
    /// Base of the links in feeds (`https://feeds.example.net/resou`), no trailing slash.
    pub public_url: String,
    pub limits: Limits,
    /// Monotonic time of the rate limiter.
    pub clock: Clock,
    /// Wall time: the end of the report periods served.
    pub now: Now,
    /// Report times a `shift` starts from (`[report] at`).
    pub schedule: crate::report::Schedule,
    /// How reports, and the rising keywords and events taken from them, are built.
    pub report: crate::report::Options,
}

impl Options {
    /// Defaults: no token, the limits of [`Limits::default`], the system clocks, no report
    /// schedule (a shift is the last 12 h), the reports' default options.
    pub fn new(public_url: &str) -> Options {
        Options {
            token: None,
            public_url: public_url.trim_end_matches('/').to_string(),
            limits: Limits::default(),
            clock: system_clock(),
            now: Arc::new(crate::domain::now_cst),
            schedule: crate::report::Schedule::default(),
            report: crate::report::Options::default(),
        }
    }
}

/// One server's shared state: the store threads, the limits' state, the options.
pub struct Server {
    pool: pool::Pool,
    options: Options,
    buckets: limit::Buckets,
    in_flight: Arc<tokio::sync::Semaphore>,
    reports: reports::Cache,
}

impl Server {
    /// Start the store threads (each opens its own store with `opener` on first use, so a
    /// store that is down now is retried on the next request).
    pub fn new(opener: Opener, options: Options) -> Arc<Server> {
        let limits = &options.limits;
        Arc::new(Server {
            pool: pool::Pool::start(opener, limits.store_threads),
            buckets: limit::Buckets::new(limits.rate, options.clock.clone()),
            in_flight: Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight.max(1))),
            reports: reports::Cache::default(),
            options,
        })
    }

    /// The checks every request passes before routing, cheapest first; the rate limit comes
    /// before the token so guessing tokens is rate-limited too.
    fn admit<B>(&self, req: &axum::http::Request<B>, client: IpAddr) -> Result<(), ApiError> {
        use axum::http::Method;
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Err(ApiError::method_not_allowed(req.method()));
        }
        let limits = &self.options.limits;
        let uri_len = req.uri().to_string().len();
        if uri_len > limits.max_uri_bytes {
            return Err(ApiError::new(
                axum::http::StatusCode::URI_TOO_LONG,
                format!("URI of {uri_len} bytes (at most {})", limits.max_uri_bytes),
            ));
        }
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum();
        if header_bytes > limits.max_header_bytes {
            return Err(ApiError::new(
                axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!(
                    "request headers of {header_bytes} bytes (at most {})",
                    limits.max_header_bytes
                ),
            ));
        }
        self.buckets.take(client).map_err(ApiError::too_many)?;
        if let Some(token) = &self.options.token {
            auth::check(token, req)?;
        }
        Ok(())
    }
}

/// Why a server may not start as configured.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on {addr} without a token: anyone who can reach it could read the \
         feed; give --token-file FILE (or [serve] token_file, mode 0600), or listen on \
         127.0.0.1"
    )]
    ExposedWithoutToken { addr: SocketAddr },
}

/// A server reachable from other machines must ask for a token; loopback alone may go
/// without (other local users can still reach loopback: give a token on shared machines).
pub fn check_exposure(addr: SocketAddr, has_token: bool) -> Result<(), ServeError> {
    if addr.ip().is_loopback() || has_token {
        Ok(())
    } else {
        Err(ServeError::ExposedWithoutToken { addr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_goes_without_a_token() {
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(check_exposure(addr("127.0.0.1:8787"), false).is_ok());
        assert!(check_exposure(addr("[::1]:8787"), false).is_ok());
        assert!(check_exposure(addr("0.0.0.0:8787"), true).is_ok());
        for open in ["0.0.0.0:8787", "192.168.1.5:80", "[::]:8787"] {
            let e = check_exposure(addr(open), false).unwrap_err().to_string();
            assert!(e.contains("without a token") && e.contains(open), "{e}");
        }
    }
}
