//! Kuaishou 热榜, KS1 `www.kuaishou.com/?isHome=1` (more-sources.md §7): the home page's
//! `window.__APOLLO_STATE__=`, an Apollo normalised cache in which the `visionHotRank` result
//! refers to its rows by id.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::{SourceError, wire};
use crate::domain::{Platform, SafeText, Snapshot, Topic, num};

/// Hint shown when Kuaishou answers with a login or verification page.
const LOGIN_HINT: &str = "Kuaishou login or verification page; try again later";

const APOLLO: &str = "window.__APOLLO_STATE__";
/// What may follow the state: the page's inline `(function(){…})` or the end of its script.
const STATE_ENDS: [&str; 2] = [";(function(", "</script>"];
/// The badge of the pinned row (only newsnow filters it).
const PINNED_TAG: &str = "置顶";

/// Parse a KS1 page.
pub fn parse(body: &str, captured_at: DateTime<FixedOffset>) -> Result<Snapshot, SourceError> {
    let state = apollo_state(body)?;
    let client = state
        .get("defaultClient")
        .and_then(Value::as_object)
        .ok_or_else(|| SourceError::Decode("no defaultClient in the Apollo state".into()))?;
    let result = hot_rank(client)?;
    let refs = wire::array(
        result
            .get("items")
            .ok_or_else(|| SourceError::Decode("no visionHotRank items".into()))?,
        "visionHotRank items",
    )?;
    let mut snap = Snapshot::new(Platform::Kuaishou, captured_at);
    for (i, r) in refs.iter().enumerate() {
        let Some(item) = resolve(client, r) else {
            continue;
        };
        let Some(mut t) = topic(item) else { continue };
        if item.get("tagType").and_then(Value::as_str) == Some(PINNED_TAG) {
            snap.pinned.push(t);
        } else {
            t.rank = Some(i as u32 + 1);
            snap.ranked.push(t);
        }
    }
    wire::finish(snap)
}

/// The state object: after `window.__APOLLO_STATE__=` up to the first `;(function(` or
/// `</script>`, cut after the last `}` (trailing `undefined` and the like; DailyHotApi PR #128).
fn apollo_state(body: &str) -> Result<Map<String, Value>, SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return Err(SourceError::WrongBody(
            "JSON instead of the HTML page".into(),
        ));
    }
    let Some(at) = body.find(APOLLO) else {
        return Err(if wire::looks_like_login_wall(body) {
            SourceError::LoginRequired {
                hint: LOGIN_HINT.into(),
            }
        } else {
            SourceError::WrongBody("page without __APOLLO_STATE__".into())
        });
    };
    let after = &body[at + APOLLO.len()..];
    let Some(value) = after.trim_start().strip_prefix('=') else {
        return Err(SourceError::Decode(
            "__APOLLO_STATE__ is not assigned".into(),
        ));
    };
    let value = value.trim_start();
    let start = body.len() - value.len();
    let Some(end) = STATE_ENDS.iter().filter_map(|m| value.find(m)).min() else {
        return Err(SourceError::Decode(
            "truncated page (the Apollo state does not end)".into(),
        ));
    };
    let state = &value[..end];
    let Some(close) = state.rfind('}') else {
        return Err(SourceError::Decode(
            "the Apollo state is not an object".into(),
        ));
    };
    wire::embedded_json(&state[..=close], "Apollo state", |i| start + i)
}

/// The `visionHotRank(…)` result. Its key spells the query's arguments, which changed in
/// 2025-12 (`{"page":"home"}` → `{"page":"home","platform":"web"}`), so it is found by prefix:
/// through `ROOT_QUERY`'s reference first, else the `$ROOT_QUERY.…` entry itself; the home
/// page's list before any other.
fn hot_rank(client: &Map<String, Value>) -> Result<&Map<String, Value>, SourceError> {
    let by_ref = client
        .get("ROOT_QUERY")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("visionHotRank("))
        .filter_map(|(k, v)| Some((k, v.get("id")?.as_str()?)))
        .filter_map(|(k, id)| Some((k.as_str(), client.get(id)?)));
    let direct = client
        .iter()
        .filter(|(k, _)| k.starts_with("$ROOT_QUERY.visionHotRank("))
        .map(|(k, v)| (k.as_str(), v));
    let mut found: Vec<(&str, &Map<String, Value>)> = by_ref
        .chain(direct)
        .filter_map(|(k, v)| Some((k, v.as_object()?)))
        .filter(|(_, v)| v.contains_key("items"))
        .collect();
    found.sort_by_key(|(k, _)| !k.contains(r#""page":"home""#));
    found
        .first()
        .map(|(_, v)| *v)
        .ok_or_else(|| SourceError::Decode("no visionHotRank in the Apollo state".into()))
}

/// A row: the cache entry a `{type:"id", id}` reference names, or the row itself if inline.
fn resolve<'a>(client: &'a Map<String, Value>, r: &'a Value) -> Option<&'a Map<String, Value>> {
    let r = r.as_object()?;
    if r.contains_key("name") {
        return Some(r);
    }
    client.get(r.get("id")?.as_str()?)?.as_object()
}

fn topic(item: &Map<String, Value>) -> Option<Topic> {
    let name = wire::text(item.get("name"))?;
    let mut t = wire::topic(Platform::Kuaishou, None, SafeText::line(&name))?;
    // "123.4万", sometimes absent (§7).
    t.heat = item.get("hotValue").and_then(num::value_count);
    let photo = photo_id(item);
    t.url = match &photo {
        Some(p) => Some(format!("https://www.kuaishou.com/short-video/{p}")),
        None => {
            let mut u = url::Url::parse("https://www.kuaishou.com/search/video").ok()?;
            u.query_pairs_mut()
                .append_pair("searchKey", t.title.as_str());
            Some(u.to_string())
        }
    };
    t.platform_id = photo.or_else(|| {
        wire::text(item.get("id"))
            .map(|id| SafeText::line(&id).into_string())
            .filter(|id| !id.is_empty())
    });
    t.query = Some(t.title.clone());
    Some(t)
}

/// The first of `photoIds.json`: the video the row opens, fit for a URL path.
fn photo_id(item: &Map<String, Value>) -> Option<String> {
    let ids = item.get("photoIds")?;
    let first = ids.get("json").unwrap_or(ids).as_array()?.first()?;
    wire::text(Some(first)).filter(|p| {
        p.len() <= 64
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}
