//! Shared HTTP client: timeouts, browser-like headers, cookies, origin override, body cap.
// STUB: implemented by the sources work.

use std::fmt;
use std::time::Duration;

/// A cookie or token: never printed by `Debug` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Redirect every platform host to this origin (`http://127.0.0.1:PORT`), paths and queries kept.
    pub origin: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// User-supplied Weibo cookie (env `RESOU_WEIBO_COOKIE` or the 0600 cookie file).
    pub weibo_cookie: Option<Secret>,
    /// Bodies larger than this are refused (remote data is hostile).
    pub max_body_bytes: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            origin: None,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            weibo_cookie: None,
            max_body_bytes: 8 * 1024 * 1024,
        }
    }
}
