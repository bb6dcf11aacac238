//! Small encoding helpers shared by the wire renderers.

use chrono::{DateTime, FixedOffset, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What `encodeURIComponent` leaves alone, so `#` → `%23` and space → `%20` as on the real pages.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'!')
    .remove(b'*')
    .remove(b'(')
    .remove(b')')
    .remove(b'\'');

pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// RFC 7231 HTTP date (`Sat, 15 Aug 2026 04:00:00 GMT`).
pub(crate) fn http_date(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// A decoded query parameter from `a=b&c=d`.
pub(crate) fn param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The search query for a row: the stored one, else the `#title#` hashtag form.
pub(crate) fn query_or_hashtag(query: Option<&str>, title: &str) -> String {
    match query {
        Some(q) if !q.trim().is_empty() => q.to_string(),
        _ => format!("#{title}#"),
    }
}

/// FNV-1a: a stable hash (std's hasher is randomly seeded per process).
pub(crate) fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_real_links() {
        assert_eq!(encode("#旺 配#"), "%23%E6%97%BA%20%E9%85%8D%23");
        let t = DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap();
        assert_eq!(http_date(t), "Sat, 15 Aug 2026 04:00:00 GMT");
        assert_eq!(stable_hash("x"), stable_hash("x"));
        assert_ne!(stable_hash("x"), stable_hash("y"));
    }
}
