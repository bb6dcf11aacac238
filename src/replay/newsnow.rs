//! The newsnow aggregator's `/api/s?id=<id>` rendered from the served list (more-sources.md §0;
//! ourongxing/newsnow `shared/types.ts` `SourceResponse`): `{status, id, updatedTime,
//! items:[{id, title, url, mobileUrl?}]}`, the list whose newsnow id the route names. The news
//! lists have no heat, label or pinned row. Written from the spec, independently of
//! `crate::sources`.

use serde_json::{Value, json};

use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::stable_hash;
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// The ordinary answer for the served list (the server hands over the route's platform's list).
pub(crate) fn render(line: &SnapshotLine, _tl: &Timeline) -> Reply {
    let p = line.platform;
    let items: Vec<Value> = Rows::of(line)
        .ranked
        .iter()
        .map(|&(_, it)| item(p, it))
        .collect();
    Reply::json(&json!({
        "status": "success",
        "id": p.newsnow_id(),
        "updatedTime": line.captured_at.timestamp_millis(),
        "items": items,
    }))
}

/// The error envelope: `status` neither `success` nor `cache`.
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    match route {
        Route::Newsnow(p) => Some(Reply::json(&json!({
            "status": "error",
            "id": p.newsnow_id(),
            "code": code,
            "message": "Internal Server Error",
            "items": [],
        }))),
        _ => None,
    }
}

/// `status: "success"` for the right list, its `items` not a list.
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    match route {
        Route::Newsnow(p) => Some(json!({
            "status": "success",
            "id": p.newsnow_id(),
            "updatedTime": "now",
            "items": {"title": 1},
        })),
        _ => None,
    }
}

/// The article id: the archive's (taken from newsnow's own URL), else a stable made-up one.
fn article_id(it: &SnapshotItem) -> String {
    it.id
        .clone()
        .unwrap_or_else(|| (1_000_000 + stable_hash(&it.title) % 9_000_000).to_string())
}

/// The article page as newsnow's getter builds it for list `p` (the archive's URL shapes, §0).
fn article_url(p: Platform, id: &str) -> String {
    match p {
        Platform::ThePaper => format!("https://www.thepaper.cn/newsDetail_forward_{id}"),
        Platform::Cls => format!("https://www.cls.cn/detail/{id}"),
        Platform::Ifeng => format!("https://news.ifeng.com/c/{id}"),
        _ => format!("https://wallstreetcn.com/articles/{id}"),
    }
}

fn item(p: Platform, it: &SnapshotItem) -> Value {
    let id = article_id(it);
    let url = it.url.clone().unwrap_or_else(|| article_url(p, &id));
    // `id` is `string | number`: 财联社's and 华尔街见闻's are numeric in their APIs.
    let id_value = match id.parse::<u64>() {
        Ok(n) if matches!(p, Platform::Cls | Platform::WallStreetCn) => json!(n),
        _ => json!(id),
    };
    let mut v = json!({"id": id_value, "title": it.title, "url": url});
    // Only 澎湃's getter adds a mobile link (the archive's MOBILE column).
    if p == Platform::ThePaper
        && let Some(rest) = url.strip_prefix("https://www.thepaper.cn/")
    {
        v["mobileUrl"] = json!(format!("https://m.thepaper.cn/{rest}"));
    }
    v
}
