//! Zhihu hot-list endpoints in the platform's wire format (more-sources.md §4), written from the
//! spec: ZH1 web JSON, ZH2 app JSON (question ids as raw JSON integers, 19 digits for new
//! questions) and the ZH4 billboard page. Values from the served snapshot; heat as Zhihu shows
//! it, whole 万.

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::stable_hash;
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// The route's ordinary answer for the served list.
pub(crate) fn render(
    route: Route,
    _headers: &HeaderMap,
    line: &SnapshotLine,
    tl: &Timeline,
) -> Reply {
    let rows = Rows::of(line).ranked;
    match route {
        Route::ZhihuWeb => Reply::json(&json!({
            "data": rows.iter().map(|&(n, it)| web_item(n, it, line)).collect::<Vec<_>>(),
            "paging": {"is_end": true, "next": "", "previous": ""},
            "fresh_text": "热榜已更新",
        })),
        Route::ZhihuApp => Reply::json(&json!({
            "data": rows.iter().map(|&(n, it)| app_item(n, it, line, tl)).collect::<Vec<_>>(),
            "paging": {
                "is_end": true, "is_start": true, "totals": rows.len(),
                "next": "https://api.zhihu.com/topstory/hot-lists/total?limit=50&offset=50",
                "previous": "https://api.zhihu.com/topstory/hot-lists/total?limit=50&offset=0",
            },
            "fresh_text": "热榜已更新",
            "display_first": true,
            "display_num": rows.len(),
            "fb_bill_main_rise": 0,
        })),
        Route::ZhihuBillboard => Reply::html(billboard(&rows)),
        _ => super::lists::not_yet(),
    }
}

/// Zhihu's `{"error":{code,name,message}}`. Code 101 is the documented 401 of an API called
/// without a cookie (rehiy/dailyhot-docker#9); code 100 (a refused cookie, DIYgod/RSSHub#19228)
/// and others come with an unpublished status and are served with 200, so a client must read
/// the body, not just the status. The page (ZH4) has no envelope.
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    if !matches!(route, Route::ZhihuWeb | Route::ZhihuApp) {
        return None;
    }
    let (name, message) = match code {
        101 => ("AuthenticationError", "身份未经过验证"),
        100 => ("AuthenticationInvalidRequest", "请求头或参数封装错误"),
        _ => ("ERR_UNKNOWN", "请求失败"),
    };
    let mut r = Reply::json(&json!({"error": {"code": code, "name": name, "message": message}}));
    if code == 101 {
        r.status = StatusCode::UNAUTHORIZED;
    }
    Some(r)
}

/// No error object, and `data` not a list (ZH4 is a page).
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    matches!(route, Route::ZhihuWeb | Route::ZhihuApp)
        .then(|| json!({"data": {"target": {"title": 1}}, "paging": {"is_end": "true"}}))
}

/// The question id: the archive's own (newsnow's `/question/<qid>`), else a stable id in the
/// 19-digit range of new questions.
fn qid(it: &SnapshotItem) -> u64 {
    it.id
        .as_deref()
        .filter(|id| id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| {
            1_900_000_000_000_000_000 + stable_hash(&it.title) % 100_000_000_000_000_000
        })
}

/// `"1163 万热度"` (whole 万, as the site shows it), or `"8237 热度"` below ten thousand.
fn heat_text(it: &SnapshotItem) -> String {
    match heat_or_derived(Platform::Zhihu, it) {
        h if h >= 10_000 => format!("{} 万热度", h / 10_000),
        h => format!("{h} 热度"),
    }
}

fn question_url(id: u64) -> String {
    format!("https://www.zhihu.com/question/{id}")
}

/// ZH1 row (newsnow's `server/sources/zhihu.ts` type).
fn web_item(n: u32, it: &SnapshotItem, line: &SnapshotLine) -> Value {
    let id = qid(it);
    json!({
        "type": "hot_list_feed",
        "style_type": "1",
        "id": format!("{}_{}_{id}", n - 1, line.captured_at.timestamp()),
        "card_id": format!("Q_{id}"),
        "feed_specific": {"answer_count": stable_hash(&it.title) % 2000},
        "target": {
            "title_area": {"text": it.title},
            "excerpt_area": {"text": ""},
            "image_area": {"url": ""},
            "metrics_area": {"text": heat_text(it), "font_color": "", "background": "", "weight": ""},
            "label_area": {"type": "trend", "trend": 0, "night_color": "#B7302D", "normal_color": "#F1403C"},
            "link": {"url": question_url(id)},
        },
        "attached_info": "",
    })
}

/// ZH2 row (rebang's `zhihu.type.ts`): `target.id` a JSON integer (serde_json writes a `u64`
/// exactly; a JS client reading it loses the last digits, which is the point).
fn app_item(n: u32, it: &SnapshotItem, line: &SnapshotLine, tl: &Timeline) -> Value {
    let id = qid(it);
    let h = stable_hash(&it.title);
    json!({
        "type": "hot_list_feed",
        "style_type": "1",
        "id": format!("{}_{}_0", n - 1, line.captured_at.timestamp()),
        "card_id": format!("Q_{id}"),
        "target": {
            "id": id,
            "type": "question",
            "url": format!("https://api.zhihu.com/questions/{id}"),
            "title": it.title,
            "created": tl.first_seen(&it.title).unwrap_or(line.captured_at.timestamp()),
            "answer_count": h % 2000,
            "follower_count": h % 5000,
            "comment_count": 0,
            "excerpt": "",
            "author": {"type": "people", "id": "0", "name": "知乎用户", "url_token": "", "avatar_url": ""},
            "bound_topic_ids": [],
            "is_following": false,
        },
        "detail_text": heat_text(it),
        "trend": 0,
        "debut": false,
        "children": [{"type": "answer", "thumbnail": ""}],
        "attached_info": "",
    })
}

/// ZH4: the page with its state in `<script id="js-initialData">` (rebang's `billboard()`).
fn billboard(rows: &[(u32, &SnapshotItem)]) -> String {
    let hot_list: Vec<Value> = rows
        .iter()
        .map(|&(_, it)| {
            let id = qid(it);
            json!({
                "id": format!("{id}"),
                "type": "hot_list_feed",
                "cardId": format!("Q_{id}"),
                "target": {
                    "titleArea": {"text": it.title},
                    "excerptArea": {"text": ""},
                    "imageArea": {"url": ""},
                    "metricsArea": {"text": heat_text(it)},
                    "link": {"url": question_url(id)},
                },
                "feedSpecific": {"answerCount": stable_hash(&it.title) % 2000},
            })
        })
        .collect();
    let state = json!({"initialState": {"topstory": {"hotList": hot_list}}});
    // Inside a script element only `</script` could end it early: `<` goes as `\u003c`.
    let data = state.to_string().replace('<', "\\u003c");
    format!(
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>知乎热榜 - 知乎</title></head>\n<body><div id=\"root\"></div>\n<script id=\"js-initialData\" type=\"text/json\">{data}</script>\n</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot_file::SnapshotItem;

    #[test]
    fn nineteen_digit_ids_go_out_as_exact_integers() {
        let line = SnapshotLine {
            captured_at: chrono::DateTime::parse_from_rfc3339("2025-10-15T12:05:00+08:00").unwrap(),
            platform: Platform::Zhihu,
            items: vec![SnapshotItem {
                rank: Some(1),
                title: "标题</script><b>".into(),
                query: None,
                heat: Some(11_630_000),
                label: None,
                url: None,
                pinned: false,
                id: Some("1961547025481950918".into()),
            }],
        };
        let tl = Timeline::new(vec![line.clone()]);
        let r = render(Route::ZhihuApp, &HeaderMap::new(), &line, &tl);
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains("\"id\":1961547025481950918,"), "{body}");
        assert!(body.contains("\"detail_text\":\"1163 万热度\""), "{body}");
        let page = render(Route::ZhihuBillboard, &HeaderMap::new(), &line, &tl);
        let page = String::from_utf8(page.body).unwrap();
        assert_eq!(page.matches("</script>").count(), 1, "{page}");
    }
}
