//! Douyin 热榜 (more-sources.md §3): DY1 `www.douyin.com/aweme/v1/web/hot/search/list/` with the
//! DY2 cookie bootstrap, the DY3 app endpoint (same items) and the old iesdouyin billboard
//! (`word_list` at the top level). `{status_code, data:{word_list[]}}`; success iff
//! `status_code == 0` and the list has rows. `trending_list` (a rising-topics strip) is not
//! ranked and is ignored.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::chain::{endpoint_profile, endpoint_url};
use super::http::{HttpClient, Profile, Secret};
use super::{Endpoint, SourceError, wire};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, from_unix, num};

/// DY2: the page whose `Set-Cookie`s DY1 wants (since 2025-12; the older
/// `passport/general/login_guiding_strategy/` stopped setting `passport_csrf_token`).
pub const BOOTSTRAP_URL: &str = "https://login.douyin.com/";

/// The cookie DY1 refuses to answer without.
const CSRF_COOKIE: &str = "passport_csrf_token";

/// Key of the bootstrap cookie in the client's token cache.
const COOKIE_TOKEN: &str = "douyin.cookie";

/// How long a bootstrap cookie is reused (rebang caches it for an hour).
const COOKIE_TTL: Duration = Duration::from_secs(3600);

/// The one place Douyin's `label` code is mapped (§9): 1 新, 3 热, 4 爆. Code 2 (商) is a
/// promoted row and never gets here ([`is_promoted`]); the others (首发, 同城, 独家, …) have no
/// badge on the board.
pub fn label(code: i64) -> Label {
    match code {
        1 => Label::New,
        3 => Label::Hot,
        4 => Label::Explosive,
        _ => Label::None,
    }
}

/// `label` 2 (商): a commercial topic, dropped like an ad.
fn is_promoted(item: &Map<String, Value>) -> bool {
    wire::int(item.get("label")) == Some(2)
}

/// Parse a body fetched from one of Douyin's list endpoints.
pub fn parse(
    e: Endpoint,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, wire::SITE_LOGIN_HINT)?;
    wire::check_zero(&obj, "status_code", "status_msg")?;
    let (path, what): (&[&str], &str) = match e {
        Endpoint::DouyinWeb | Endpoint::DouyinApp => (&["data", "word_list"], "data.word_list"),
        Endpoint::DouyinBillboard => (&["word_list"], "word_list"),
        other => {
            return Err(SourceError::Other(format!(
                "{} is not a Douyin endpoint",
                other.label()
            )));
        }
    };
    let list = wire::array(wire::path(&obj, path)?, what)?;
    let mut snap = Snapshot::new(Platform::Douyin, captured_at);
    snap.ranked = list
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let item = item.as_object()?;
            (!is_promoted(item)).then(|| row(item, i)).flatten()
        })
        .collect();
    wire::finish(snap)
}

fn row(item: &Map<String, Value>, index: usize) -> Option<Topic> {
    let word = wire::text(item.get("word"))?;
    let rank = wire::rank(item.get("position"), index);
    let mut t = wire::topic(Platform::Douyin, Some(rank), SafeText::line(&word))?;
    t.heat = item.get("hot_value").and_then(num::value_count);
    t.label = wire::int(item.get("label")).map(label).unwrap_or_default();
    t.onboard = wire::int(item.get("event_time")).and_then(from_unix);
    t.platform_id = wire::numeric_id(item.get("sentence_id"));
    t.url = t
        .platform_id
        .as_deref()
        .map(|id| format!("https://www.douyin.com/hot/{id}"));
    t.query = Some(t.title.clone());
    Some(t)
}

/// DY1 with its cookie (DY2). The bootstrap cookie is reused for an hour; any failure of DY1
/// drops it, so the next poll bootstraps anew (a stale cookie is the likeliest cause).
pub async fn fetch_web(client: &HttpClient) -> Result<Snapshot, SourceError> {
    let cookie = match client.token(COOKIE_TOKEN) {
        Some(c) => c,
        None => {
            let c = bootstrap(client).await?;
            client.keep_token(COOKIE_TOKEN, c.clone(), COOKIE_TTL);
            c
        }
    };
    let e = Endpoint::DouyinWeb;
    let result = match client
        .get_with_cookie(&endpoint_url(e), endpoint_profile(e), &cookie)
        .await
    {
        Ok(resp) => parse(e, &resp.body, resp.captured_at()),
        Err(err) => Err(err),
    };
    if result.is_err() {
        client.forget_token(COOKIE_TOKEN);
    }
    result
}

/// DY2: `GET login.douyin.com/` and send back every cookie it sets (as newsnow, raycast-trending
/// and website-hot-hub do); without a non-empty `passport_csrf_token` among them it failed.
async fn bootstrap(client: &HttpClient) -> Result<Secret, SourceError> {
    let resp = client
        .get(BOOTSTRAP_URL, Profile::ListPage(Platform::Douyin))
        .await?;
    // A value that could not travel in a `Cookie` header is not sent, nor an empty one; a
    // name set twice keeps its last value, as a browser would.
    let mut pairs: Vec<(String, Secret)> = Vec::new();
    for (n, v) in resp.set_cookies.pairs() {
        if v.expose().is_empty() || !cookie_safe(&n) || !cookie_safe(v.expose()) {
            continue;
        }
        pairs.retain(|(m, _)| *m != n);
        pairs.push((n, v));
    }
    if !pairs.iter().any(|(n, _)| n == CSRF_COOKIE) {
        return Err(SourceError::Other(
            "douyin cookie bootstrap: no passport_csrf_token".into(),
        ));
    }
    let header = pairs
        .iter()
        .map(|(n, v)| format!("{n}={}", v.expose()))
        .collect::<Vec<_>>()
        .join("; ");
    tracing::debug!(cookies = pairs.len(), "douyin cookie obtained");
    Ok(Secret::new(header))
}

/// Printable ASCII without the separators of a `Cookie` header.
fn cookie_safe(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_codes() {
        assert_eq!(label(1), Label::New);
        assert_eq!(label(3), Label::Hot);
        assert_eq!(label(4), Label::Explosive);
        for other in [0, 2, 5, 8, 20, -1] {
            assert_eq!(label(other), Label::None, "{other}");
        }
    }

    #[test]
    fn cookie_values() {
        assert!(cookie_safe("a1b2c3"));
        assert!(!cookie_safe("a;b"));
        assert!(!cookie_safe("a b"));
        assert!(!cookie_safe("\u{1b}[2J"));
    }
}
