//! Baidu 热搜 in its three wire formats (more-sources.md §2), rendered from the served list:
//! BD1 the board page with its `<!--s-data:…-->` comment; BD2′ `api/board?platform=pc`, the
//! shape of the verbatim 2026-06 payload (`hotScore` strings, 0-based `index`, the pinned row in
//! `topContent`); BD2 `platform=wise`, the 2026 shape (rows one level deeper, no heat, the
//! label as `newHotName`). Written from the spec, independently of `crate::sources`.

use serde_json::{Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::{param, stable_hash};
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

const BOARD_URL: &str = "https://top.baidu.com/board?tab=realtime&sa=fyb_realtime";
/// The label icons of the verbatim payload, by `hotTag`.
const TAG_IMG_1: &str =
    "https://search-operate.cdn.bcebos.com/42e626c5469cc4cd3b91131bcfe53d44.png";
const TAG_IMG_3: &str =
    "https://search-operate.cdn.bcebos.com/54a1ed72d00cd07334860b0509489d8b.png";

/// The route's ordinary answer for the served list: BD1 on `/board`, BD2 on `/api/board` in
/// the form its `platform` parameter asks for (`pc` unless `wise`).
pub(crate) fn render(route: Route, query: &str, line: &SnapshotLine, _tl: &Timeline) -> Reply {
    let rows = Rows::of(line);
    match route {
        Route::BaiduBoard => Reply::html(board_page(line, &rows)),
        _ if param(query, "platform").as_deref() == Some("wise") => Reply::json(&wise(&rows)),
        _ => Reply::json(&pc(line, &rows)),
    }
}

/// BD2's error envelope (`success:false`); the board page has none.
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    (route == Route::BaiduApi).then(|| {
        Reply::json(&json!({
            "success": false,
            "data": {},
            "error": {"code": code, "message": "请求异常"},
        }))
    })
}

/// BD2's success envelope around a card list of the wrong type (the page, BD1, is HTML).
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    (route == Route::BaiduApi).then(|| {
        json!({
            "success": true,
            "data": {"cards": {"content": "热搜榜"}},
            "error": {"code": 0, "message": "api response ok"},
        })
    })
}

/// `hotTag` as the spec maps it (§2: 1 新, 3 热, 0 none).
fn hot_tag(it: &SnapshotItem) -> &'static str {
    match it.label.as_deref().map(str::trim) {
        Some("新") => "1",
        Some("热") => "3",
        _ => "0",
    }
}

fn query(it: &SnapshotItem) -> &str {
    it.query
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .unwrap_or(&it.title)
}

/// The plain search link (`rawUrl`): the archive's own URL, which is that link (§0).
fn raw_url(it: &SnapshotItem) -> String {
    it.url.clone().unwrap_or_else(|| {
        let wd: String = url::form_urlencoded::byte_serialize(query(it).as_bytes()).collect();
        format!("https://www.baidu.com/s?wd={wd}")
    })
}

/// A BD1/BD2′ row (keys as in the verbatim payload).
fn row(it: &SnapshotItem, index: u32) -> Value {
    let raw = raw_url(it);
    let tracked = format!("{raw}&sa=fyb_news&rsv_dl=fyb_news");
    let tag = hot_tag(it);
    let mut v = json!({
        "appUrl": tracked,
        // The archive keeps no summaries.
        "desc": "",
        "hotChange": "same",
        "hotScore": heat_or_derived(Platform::Baidu, it).to_string(),
        "hotTag": tag,
        // A cover of the verbatim payload's form; its host puts a `-` in every row (BD1's `\-`).
        "img": format!(
            "https://fyb-2.cdn.bcebos.com/hotboard_image/{:016x}{:016x}",
            stable_hash(&it.title),
            stable_hash(query(it))
        ),
        "index": index,
        "indexUrl": "",
        "query": query(it),
        "rawUrl": raw,
        "show": [],
        "url": tracked,
        "word": it.title,
    });
    match tag {
        "1" => v["hotTagImg"] = json!(TAG_IMG_1),
        "3" => v["hotTagImg"] = json!(TAG_IMG_3),
        _ => {}
    }
    v
}

fn ranked_rows(rows: &Rows) -> Vec<Value> {
    rows.ranked.iter().map(|&(n, it)| row(it, n - 1)).collect()
}

/// The card both BD1 and BD2′ carry, `content` given.
fn card(line: &SnapshotLine, content: Vec<Value>) -> Value {
    json!({
        "component": "hotList",
        "content": content,
        "more": 0,
        "moreAppUrl": BOARD_URL,
        "moreUrl": BOARD_URL,
        "text": "热搜榜",
        "typeName": "realtime",
        "updateTime": line.captured_at.timestamp().to_string(),
    })
}

fn data(line: &SnapshotLine, card: Value) -> Value {
    json!({
        "cards": [card],
        "curBoardName": "热搜榜",
        "logid": (stable_hash(&line.captured_at.to_rfc3339()) % 10_000_000_000).to_string(),
        "platform": "pc",
        "tabBoard": [
            {"index": 0, "text": "首页", "typeName": "homepage"},
            {"index": 1, "text": "热搜榜", "typeName": "realtime"},
            {"index": 2, "text": "小说榜", "typeName": "novel"},
            {"index": 3, "text": "电影榜", "typeName": "movie"},
            {"index": 4, "text": "电视剧榜", "typeName": "teleplay"},
        ],
        "tag": [{"typeName": "category", "text": "类型", "content": ["全部类型"], "curIndex": 0}],
    })
}

/// BD2′: the pinned rows in `topContent`, apart from the ranked `content`.
fn pc(line: &SnapshotLine, rows: &Rows) -> Value {
    let mut c = card(line, ranked_rows(rows));
    c["topContent"] = rows.pinned.iter().map(|p| row(p, 0)).collect();
    json!({
        "success": true,
        "data": data(line, c),
        "error": {"code": 0, "message": "api response ok"},
    })
}

/// BD1: the pinned row first in `content` with `isTop` (§2), the JSON in the page's comment.
fn board_page(line: &SnapshotLine, rows: &Rows) -> String {
    let mut content: Vec<Value> = rows
        .pinned
        .iter()
        .map(|p| {
            let mut v = row(p, 0);
            v["isTop"] = json!(true);
            v
        })
        .collect();
    content.extend(ranked_rows(rows));
    let s_data = json!({ "data": data(line, card(line, content)) });
    // The page writes `-` as `\-` inside the comment (which JSON does not allow, §2): no
    // `-->` in a title or URL can end the comment early.
    let s_data = s_data.to_string().replace('-', "\\-");
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>百度热搜</title>
<meta name="description" content="百度热搜以数亿用户海量真实数据为基础">
<link rel="stylesheet" href="https://fyb-pc-static.cdn.bcebos.com/static/asset/css/index.css"></head>
<body><div id="sanRoot"><!--s-data:{s_data}--></div>
<script src="https://fyb-pc-static.cdn.bcebos.com/static/asset/js/index.js"></script></body></html>
"#
    )
}

/// BD2 wise (2026): `cards[0].content[0].content[]` with `word`, `url`, `index`, `newHotName`
/// and no heat; the pinned row first with `isTop`.
fn wise(rows: &Rows) -> Value {
    let item = |it: &SnapshotItem, index: u32| {
        let word: String = url::form_urlencoded::byte_serialize(query(it).as_bytes()).collect();
        json!({
            "word": it.title,
            "query": query(it),
            "url": format!("https://m.baidu.com/s?word={word}&sa=fyb_news"),
            "index": index,
            "hotTag": hot_tag(it),
            "newHotName": it.label.as_deref().map(str::trim).unwrap_or(""),
        })
    };
    let mut list: Vec<Value> = rows
        .pinned
        .iter()
        .map(|p| {
            let mut v = item(p, 0);
            v["isTop"] = json!(true);
            v
        })
        .collect();
    list.extend(rows.ranked.iter().map(|&(n, it)| item(it, n - 1)));
    json!({
        "success": true,
        "data": {
            "cards": [{"component": "tabTextList", "content": [{"content": list}]}],
            "platform": "wise",
        },
        "error": {"code": 0, "message": "api response ok"},
    })
}
