//! Kuaishou 热榜 KS1 rendered from the served list (more-sources.md §7): the home page with
//! `window.__APOLLO_STATE__=` holding an Apollo normalised cache, in its 2025-12 form (the
//! `visionHotRank` key carries `"platform":"web"`) and followed by the page's `;(function(`
//! script, as clients must cut it. Written from the spec, independently of `crate::sources`.

use serde_json::{Map, Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::stable_hash;
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

const HOT_RANK_KEY: &str = r#"visionHotRank({"page":"home","platform":"web"})"#;
/// Base-36 digits of the generated photo ids (real ones look like `3xq5xfdec5rr779`).
const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The ordinary answer for the served list.
pub(crate) fn render(line: &SnapshotLine, _tl: &Timeline) -> Reply {
    // Inside a <script>, `<` is written as a JSON escape so no title can close the script.
    let state = apollo_state(&Rows::of(line))
        .to_string()
        .replace('<', "\\u003C");
    Reply::html(format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="UTF-8"><title>快手短视频-拥抱每一种生活</title>
<link rel="stylesheet" href="https://s1-11508.kwimgs.com/kos/nlav11508/vision-pc/index.css"></head>
<body><div id="app"></div>
<script>window.__APOLLO_STATE__={state};(function(){{var s;(s=document.currentScript||document.scripts[document.scripts.length-1]).parentNode.removeChild(s);}}());</script>
<script src="https://s1-11508.kwimgs.com/kos/nlav11508/vision-pc/index.js"></script></body></html>
"#
    ))
}

/// The home page has no error envelope.
pub(crate) fn envelope(_route: Route, _code: i64) -> Option<Reply> {
    None
}

/// `hotValue` as the page shows it: one decimal of 万 or 亿.
fn hot_value(h: u64) -> String {
    if h >= 100_000_000 {
        format!("{:.1}亿", h as f64 / 1e8)
    } else if h >= 10_000 {
        format!("{:.1}万", h as f64 / 1e4)
    } else {
        h.to_string()
    }
}

/// The video the row opens: the archive's id, the `/short-video/<id>` of its URL, else a
/// stable made-up one.
fn photo_id(it: &SnapshotItem) -> String {
    let from_url = || {
        let u = it.url.as_deref()?;
        let id = u
            .split("/short-video/")
            .nth(1)?
            .split(['?', '#', '/'])
            .next()?;
        (!id.is_empty()).then(|| id.to_string())
    };
    it.id.clone().or_else(from_url).unwrap_or_else(|| {
        let mut h = stable_hash(&it.title);
        let mut id = String::from("3x");
        for _ in 0..13 {
            id.push(BASE36[(h % 36) as usize] as char);
            h /= 36;
        }
        id
    })
}

fn apollo_state(rows: &Rows) -> Value {
    let result_key = format!("$ROOT_QUERY.{HOT_RANK_KEY}");
    let mut client = Map::new();
    let mut root = Map::new();
    root.insert(
        HOT_RANK_KEY.to_string(),
        json!({"type": "id", "generated": true, "id": result_key, "typename": "VisionHotRankResult"}),
    );
    client.insert("ROOT_QUERY".into(), Value::Object(root));
    let rows_in_order = rows
        .pinned
        .iter()
        .map(|&p| (0, p, true))
        .chain(rows.ranked.iter().map(|&(n, it)| (n, it, false)));
    let mut refs = Vec::new();
    for (rank, it, pinned) in rows_in_order {
        // newsnow reads the part after `VisionHotRankItem:` as the hot word (§7).
        let key = format!("VisionHotRankItem:{}", it.title);
        let photo = photo_id(it);
        client.insert(
            key.clone(),
            json!({
                "id": it.title,
                "rank": rank,
                "name": it.title,
                "hotValue": hot_value(heat_or_derived(Platform::Kuaishou, it)),
                "iconUrl": "",
                "poster": format!("https://p2.a.yximgs.com/upic/{photo}.jpg?tag=1-1&clientCacheKey={photo}.jpg&di=1&bp=10000"),
                "photoIds": {"type": "json", "json": [photo]},
                "tagType": if pinned { "置顶" } else { "" },
                "__typename": "VisionHotRankItem",
            }),
        );
        refs.push(
            json!({"type": "id", "generated": false, "id": key, "typename": "VisionHotRankItem"}),
        );
    }
    client.insert(
        result_key,
        json!({"result": 1, "pcursor": "", "webPageArea": "", "items": refs, "__typename": "VisionHotRankResult"}),
    );
    json!({ "defaultClient": client })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_values_as_shown() {
        assert_eq!(hot_value(10_293_000), "1029.3万");
        assert_eq!(hot_value(123_000_000), "1.2亿");
        assert_eq!(hot_value(9_999), "9999");
    }
}
