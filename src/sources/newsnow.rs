//! The newsnow aggregator's list API, `GET newsnow.busiyi.world/api/s?id=<id>&latest`
//! (more-sources.md §0): `{status, id, updatedTime, items:[{id, title, url, mobileUrl?, extra?}]}`
//! (ourongxing/newsnow `shared/types.ts` `SourceResponse`). The lists carry no heat or label;
//! rank is list position.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::{SourceError, wire};
use crate::domain::{Platform, SafeText, Snapshot, Topic};

/// Hint shown if the aggregator ever answers with a login page.
const LOGIN_HINT: &str = "newsnow answered with a login page";

/// Parse a newsnow `/api/s` body for list `platform`. `status` must be `success` or `cache`
/// (what TrendRadar accepts) and `id` the list asked for.
pub fn parse(
    platform: Platform,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, LOGIN_HINT)?;
    if !matches!(
        obj.get("status").and_then(Value::as_str),
        Some("success" | "cache")
    ) {
        return Err(SourceError::Envelope {
            code: wire::int(obj.get("code")).unwrap_or(-1),
            msg: wire::message(&obj, &["message", "msg", "status"]),
        });
    }
    let want = platform.newsnow_id();
    let id = obj.get("id").and_then(Value::as_str);
    if id != Some(want) {
        let got = id
            .map(|i| SafeText::line(i).into_string().chars().take(40).collect())
            .unwrap_or_else(|| "no id".to_string());
        return Err(SourceError::WrongBody(format!(
            "list {got:?} instead of {want:?}"
        )));
    }
    let items = wire::array(wire::path(&obj, &["items"])?, "items")?;
    let mut snap = Snapshot::new(platform, captured_at);
    for (i, item) in items.iter().enumerate() {
        if let Some(mut t) = item.as_object().and_then(|o| topic(platform, o)) {
            t.rank = Some(i as u32 + 1);
            snap.ranked.push(t);
        }
    }
    wire::finish(snap)
}

fn topic(platform: Platform, item: &Map<String, Value>) -> Option<Topic> {
    let title = wire::text(item.get("title"))?;
    let mut t = wire::topic(platform, None, SafeText::line(&title))?;
    t.url = wire::text(item.get("url"))
        .or_else(|| wire::text(item.get("mobileUrl")))
        .and_then(|u| wire::safe_url(&u));
    t.platform_id = item_id(item.get("id"));
    t.query = Some(t.title.clone());
    Some(t)
}

/// `id` is a string or a number (`string | number`); some getters put the article URL there,
/// whose last path segment is then the id.
fn item_id(v: Option<&Value>) -> Option<String> {
    let raw = match v? {
        Value::Number(n) => n.as_u64()?.to_string(),
        v => wire::text(Some(v))?,
    };
    let id = if raw.starts_with("http://") || raw.starts_with("https://") {
        let path = raw.split(['?', '#']).next()?;
        path.trim_end_matches('/').rsplit('/').next()?.to_string()
    } else {
        raw
    };
    let id = SafeText::line(&id).into_string();
    (!id.is_empty() && id.chars().count() <= 64).then_some(id)
}
