//! Toutiao 热榜 TT1 `hot-event/hot-board/` rendered from the served list (more-sources.md §5):
//! `{data[], fixed_top_data[], status:"success"}`, the 19-digit `ClusterId` as a JSON number
//! beside its `ClusterIdStr`, `HotValue` as a string, pinned rows as the `fixed_top_data`
//! headline. Written from the spec, independently of `crate::sources`.

use serde_json::{Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::{encode, stable_hash};
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// The ordinary answer for the served list.
pub(crate) fn render(line: &SnapshotLine, _tl: &Timeline) -> Reply {
    let rows = Rows::of(line);
    let data: Vec<Value> = rows.ranked.iter().map(|&(n, it)| item(it, n)).collect();
    let fixed: Vec<Value> = rows.pinned.iter().map(|p| item(p, 0)).collect();
    Reply::json(&json!({
        "data": data,
        "fixed_top_data": fixed,
        "status": "success",
        "impr_id": format!("{}{:08X}", line.captured_at.format("%Y%m%d%H%M%S"), stable_hash(&line.captured_at.to_rfc3339()) as u32),
    }))
}

/// The error envelope: `status` other than `success`.
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    (route == Route::ToutiaoHotBoard).then(|| {
        Reply::json(&json!({"status": "error", "code": code, "message": "系统繁忙", "data": []}))
    })
}

/// `status: "success"` around a `data` that is not a list.
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    (route == Route::ToutiaoHotBoard)
        .then(|| json!({"status": "success", "data": {"Title": 1}, "fixed_top_data": "头条"}))
}

/// The archive's id (`ClusterIdStr`, from newsnow's `/trending/<id>/` links), else a stable
/// 19-digit one from the title.
fn cluster_id(it: &SnapshotItem) -> u64 {
    it.id
        .as_deref()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| {
            7_560_000_000_000_000_000 + stable_hash(&it.title) % 1_000_000_000_000_000
        })
}

/// `Label` code and `LabelDesc` text (raycast-trending's table, §5).
fn label(it: &SnapshotItem) -> Option<(&'static str, &'static str)> {
    match it.label.as_deref().map(str::trim) {
        Some("新") => Some(("new", "新事件上榜")),
        Some("热") => Some(("hot", "热门事件")),
        _ => None,
    }
}

fn item(it: &SnapshotItem, rank: u32) -> Value {
    let id = cluster_id(it);
    let query = it
        .query
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .unwrap_or(&it.title);
    let image = json!({
        "uri": format!("tos-cn-i-0022/{:016x}", stable_hash(&it.title)),
        "url": format!("https://p3-sign.toutiaoimg.com/tos-cn-i-0022/{:016x}~cs_noop.png", stable_hash(&it.title)),
        "width": 300, "height": 300,
        "url_list": [],
        "image_type": 1,
    });
    let mut v = json!({
        "ClusterId": id,
        "ClusterIdStr": id.to_string(),
        "ClusterType": 0,
        "QueryWord": query,
        "Title": it.title,
        "HotValue": heat_or_derived(Platform::Toutiao, it).to_string(),
        "Url": format!("https://www.toutiao.com/trending/{id}/?category_name=topic_innerflow&event_type=hot_board&log_pb=%7B%22cluster_type%22%3A%220%22%7D&rank={rank}&style_id=40132&topic_id={id}"),
        "Schema": format!("sslocal://concern?cid={id}&tab_sname=thread&style_id=40132&hot_board_rank={rank}&word={}", encode(query)),
        "Label": "",
        "LabelUrl": "",
        "Image": image,
        "InterestCategory": [],
    });
    if let Some((code, desc)) = label(it) {
        v["Label"] = json!(code);
        v["LabelDesc"] = json!(desc);
    }
    v
}
