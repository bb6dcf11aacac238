//! Douyin hot-list endpoints in the platform's wire format (more-sources.md §3), written from the
//! spec: DY2 `login.douyin.com/` setting `passport_csrf_token`, DY1 (which wants that cookie),
//! the DY3 app endpoint and the old iesdouyin billboard. No verbatim payload exists; fields are
//! the typed interfaces of 60s/rebang, values from the served snapshot.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::stable_hash;
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// The cookie DY1 wants (any non-empty value, imsyy/DailyHotApi PR #143).
const CSRF_COOKIE: &str = "passport_csrf_token";

/// The route's ordinary answer for the served list.
pub(crate) fn render(
    route: Route,
    headers: &HeaderMap,
    line: &SnapshotLine,
    tl: &Timeline,
) -> Reply {
    match route {
        Route::DouyinLogin => login_page(),
        Route::DouyinWeb if !has_csrf_cookie(headers) => Reply::json(&without_cookie(line)),
        Route::DouyinWeb | Route::DouyinApp => Reply::json(&json!({
            "status_code": 0,
            "data": {
                "active_time": active_time(line),
                "word_list": word_list(line, tl),
                // A separate rising-topics strip, not ranked rows: clients must not mix it in.
                "trending_list": trending_list(line),
                "recommend_list": null,
            },
            "extra": {"now": line.captured_at.timestamp_millis()},
        })),
        Route::DouyinBillboard => Reply::json(&json!({
            "status_code": 0,
            "active_time": active_time(line),
            "word_list": word_list(line, tl),
        })),
        _ => super::lists::not_yet(),
    }
}

/// The platform's error envelope with `code` (`None` where the route has none).
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    match route {
        Route::DouyinWeb | Route::DouyinApp | Route::DouyinBillboard => Some(Reply::json(
            &json!({"status_code": code, "status_msg": "error"}),
        )),
        // DY2 is a page: it has no envelope.
        _ => None,
    }
}

/// `status_code: 0` around a `word_list` that is not a list (DY2 is a page).
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    let words = json!({"word": 1, "position": "一"});
    match route {
        Route::DouyinWeb | Route::DouyinApp => {
            Some(json!({"status_code": 0, "data": {"word_list": words}}))
        }
        Route::DouyinBillboard => Some(json!({"status_code": 0, "word_list": words})),
        _ => None,
    }
}

/// DY2: a page that sets the cookies, `passport_csrf_token` and its `_default` twin (what the
/// browser receives from login.douyin.com; values are fresh random hex).
fn login_page() -> Reply {
    let token = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let mut r = Reply::html(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>抖音</title></head><body><div id=\"root\"></div></body></html>\n"
            .into(),
    );
    let attrs = "Path=/; Domain=douyin.com; Max-Age=5184000";
    r.headers.push((
        header::SET_COOKIE,
        format!("{CSRF_COOKIE}={token}; {attrs}; Secure; SameSite=None"),
    ));
    r.headers.push((
        header::SET_COOKIE,
        format!("{CSRF_COOKIE}_default={token}; {attrs}"),
    ));
    r
}

fn has_csrf_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .any(|(k, v)| k.trim() == CSRF_COOKIE && !v.trim().is_empty())
}

/// DY1 without the cookie: a success envelope holding no rows, the reply PR #143's check on an
/// empty `word_list` was written against (reconstructed: no verbatim body is published).
fn without_cookie(line: &SnapshotLine) -> Value {
    json!({
        "status_code": 0,
        "data": {"active_time": active_time(line), "word_list": [], "trending_list": []},
    })
}

fn active_time(line: &SnapshotLine) -> String {
    line.captured_at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `sentence_id`: the archive's own (newsnow's `/hot/<id>`), else a stable 7-digit one.
fn sentence_id(it: &SnapshotItem) -> String {
    match it.id.as_deref() {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => id.to_string(),
        _ => (2_000_000 + stable_hash(&it.title) % 1_000_000).to_string(),
    }
}

/// Label code (§9): 1 新, 2 商, 3 热, 4 爆, 0 none.
fn label_code(it: &SnapshotItem) -> u8 {
    match it.label.as_deref().map(str::trim) {
        Some("新") => 1,
        Some("商") => 2,
        Some("热") => 3,
        Some("爆") => 4,
        _ => 0,
    }
}

fn word_list(line: &SnapshotLine, tl: &Timeline) -> Vec<Value> {
    Rows::of(line)
        .ranked
        .into_iter()
        .map(|(n, it)| {
            let h = stable_hash(&it.title);
            json!({
                "word": it.title,
                "sentence_id": sentence_id(it),
                "group_id": format!("75{:017}", h % 100_000_000_000_000_000),
                "position": n,
                "hot_value": heat_or_derived(Platform::Douyin, it),
                "event_time": tl.first_seen(&it.title).unwrap_or(line.captured_at.timestamp()),
                "label": label_code(it),
                "sentence_tag": 5000,
                "word_type": 1,
                "video_count": 1 + h % 12,
                "discuss_video_count": h % 3,
                "article_detail_count": 0,
                "display_style": 0,
                "can_extend_detail": false,
                "hotlist_param": "{\"version\":1}",
                "word_cover": {"uri": "", "url_list": []},
                "related_words": null,
                "aweme_infos": null,
                "drift_info": null,
                "word_sub_board": null,
            })
        })
        .collect()
}

/// The rising-topics strip: the two lowest rows again, in another shape (no `position`).
fn trending_list(line: &SnapshotLine) -> Vec<Value> {
    let rows = Rows::of(line).ranked;
    rows.iter()
        .rev()
        .take(2)
        .map(|(_, it)| json!({"word": it.title, "sentence_id": sentence_id(it), "word_type": 10}))
        .collect()
}
