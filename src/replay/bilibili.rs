//! Bilibili hot-search endpoints in the platform's wire format (more-sources.md §6), shaped after
//! the verbatim doc examples of SocialSisterYi/bilibili-API-collect (`docs/search/hot.md`,
//! `docs/misc/sign/wbi.md`): BL1 `main/hotword`, BL3 app ranking (with one promoted row), and
//! BL2 `wbi/search/square`, which checks the WBI signature against the keys `nav` hands out and
//! answers `v_voucher` when it is wrong.
//!
//! The signature check is written here from wbi.md, apart from the client's signer, so that a
//! bug in one cannot hide behind the same bug in the other.

use md5::{Digest, Md5};
use serde_json::{Value, json};

use super::lists::heat_or_derived;
use super::reply::{Reply, Route};
use super::timeline::Timeline;
use super::weibo::Rows;
use super::wire::{encode, param, stable_hash};
use crate::domain::Platform;
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

/// BL2's answer to a missing or wrong signature: verbatim from wbi.md (voucher redacted there).
pub(crate) const V_VOUCHER: &str =
    r#"{"code":0,"message":"0","ttl":1,"data":{"v_voucher":"voucher_******"}}"#;

/// Icons of the documented examples: 热 (word_type 5) and 新 (word_type 4).
const ICON_HOT: &str = "http://i0.hdslb.com/bfs/activity-plat/static/20221213/eaf2dd702d7cc14d8d9511190245d057/lrx9rnKo24.png";
const ICON_NEW: &str = "http://i0.hdslb.com/bfs/activity-plat/static/20221118/eaf2dd702d7cc14d8d9511190245d057/UF7B1wVKT2.png";

/// The promoted row BL3 carries (`is_commercial: "1"`): synthetic, with an invented title, so
/// clients must drop it. Its place in the list.
pub(crate) const PROMOTED_POSITION: usize = 2;
pub(crate) const PROMOTED_WORD: &str = "新游公测预约领限定皮肤";

/// wbi.md's permutation of `img_key + sub_key`.
const MIXIN_KEY_ENC_TAB: [usize; 64] = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19, 29,
    28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25,
    54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
];

/// The route's ordinary answer for the served list.
pub(crate) fn render(route: Route, query: &str, line: &SnapshotLine, _tl: &Timeline) -> Reply {
    match route {
        Route::BiliNav => Reply::json(&nav(line)),
        Route::BiliHotword => Reply::json(&hotword(line)),
        Route::BiliTrending => Reply::json(&trending(line)),
        Route::BiliSquare if !signed(query, line) => {
            let mut r = Reply::json(&Value::Null);
            r.body = V_VOUCHER.as_bytes().to_vec();
            r
        }
        Route::BiliSquare => Reply::json(&square(query, line)),
        _ => super::lists::not_yet(),
    }
}

/// Bilibili's `{code, message}` envelope (`ttl` on the api hosts).
pub(crate) fn envelope(route: Route, code: i64) -> Option<Reply> {
    let message = match code {
        -101 => "账号未登录",
        -352 => "风控校验失败",
        -412 => "请求被拦截",
        _ => "error",
    };
    match route {
        Route::BiliHotword => Some(Reply::json(&json!({"code": code, "message": message}))),
        Route::BiliTrending | Route::BiliSquare | Route::BiliNav => Some(Reply::json(
            &json!({"code": code, "message": message, "ttl": 1}),
        )),
        _ => None,
    }
}

/// `code: 0` around rows of the wrong type, in each route's envelope.
pub(crate) fn wrong_shape(route: Route) -> Option<Value> {
    let rows = json!({"keyword": 1, "show_name": ["热搜"]});
    match route {
        Route::BiliHotword => Some(json!({"code": 0, "message": "success", "list": rows})),
        Route::BiliTrending => {
            Some(json!({"code": 0, "message": "0", "ttl": 1, "data": {"list": rows}}))
        }
        Route::BiliSquare => {
            Some(json!({"code": 0, "message": "0", "ttl": 1, "data": {"trending": {"list": rows}}}))
        }
        Route::BiliNav => Some(
            json!({"code": -101, "message": "账号未登录", "ttl": 1, "data": {"wbi_img": {"img_url": 1, "sub_url": []}}}),
        ),
        _ => None,
    }
}

/// The day's WBI keys (`img_key`, `sub_key`): 32 hex digits each, new every day of the served
/// snapshot, as the real ones rotate daily.
pub(crate) fn wbi_keys(line: &SnapshotLine) -> (String, String) {
    let day = line.captured_at.date_naive();
    let key = |which: &str| format!("{:x}", Md5::digest(format!("wbi {which} {day}").as_bytes()));
    (key("img"), key("sub"))
}

/// The mixin key of two 32-character keys.
fn mixin_key(img: &str, sub: &str) -> String {
    let raw = format!("{img}{sub}").into_bytes();
    MIXIN_KEY_ENC_TAB[..32]
        .iter()
        .filter_map(|&i| raw.get(i).copied().map(char::from))
        .collect()
}

/// `nav` of a visitor: code -101 (not logged in), still with `wbi_img` (wbi.md's example).
fn nav(line: &SnapshotLine) -> Value {
    let (img, sub) = wbi_keys(line);
    json!({
        "code": -101,
        "message": "账号未登录",
        "ttl": 1,
        "data": {
            "isLogin": false,
            "wbi_img": {
                "img_url": format!("https://i0.hdslb.com/bfs/wbi/{img}.png"),
                "sub_url": format!("https://i0.hdslb.com/bfs/wbi/{sub}.png"),
            },
        },
    })
}

/// Does the request carry `wts` and the right `w_rid`: md5 of every other parameter sorted by
/// name, `!'()*` stripped from values, encoded as `encodeURIComponent` does, plus the mixin key.
fn signed(query: &str, line: &SnapshotLine) -> bool {
    let (img, sub) = wbi_keys(line);
    signature_ok(query, &mixin_key(&img, &sub))
}

fn signature_ok(query: &str, mixin_key: &str) -> bool {
    let Some(w_rid) = param(query, "w_rid") else {
        return false;
    };
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "w_rid")
        .collect();
    if !pairs.iter().any(|(k, v)| k == "wts" && !v.is_empty()) {
        return false;
    }
    pairs.sort();
    let canonical = pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v.chars().filter(|c| !"!'()*".contains(*c)).collect();
            format!("{}={}", encode(k), encode(&v))
        })
        .collect::<Vec<_>>()
        .join("&");
    let expected = Md5::digest(format!("{canonical}{mixin_key}").as_bytes());
    format!("{expected:x}") == w_rid
}

fn keyword(it: &SnapshotItem) -> &str {
    it.query
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .unwrap_or(&it.title)
}

fn hot_id(it: &SnapshotItem) -> u64 {
    100_000 + stable_hash(keyword(it)) % 100_000
}

/// `word_type` (§6): 4 新, 5 热, 8 none.
fn word_type(it: &SnapshotItem) -> u8 {
    match it.label.as_deref().map(str::trim) {
        Some("新") => 4,
        Some("热") => 5,
        _ => 8,
    }
}

fn icon(it: &SnapshotItem) -> &'static str {
    match word_type(it) {
        4 => ICON_NEW,
        5 => ICON_HOT,
        _ => "",
    }
}

/// BL1: the 2022 doc example's envelope and rows, with newsnow's later `heat_score` and
/// `stat_datas` fields.
fn hotword(line: &SnapshotLine) -> Value {
    let t = line.captured_at.timestamp();
    let list: Vec<Value> = Rows::of(line)
        .ranked
        .into_iter()
        .map(|(n, it)| {
            json!({
                "status": "",
                "hot_id": hot_id(it),
                "keyword": keyword(it),
                "resource_id": 0,
                "goto_type": 0,
                "res": [],
                "show_name": it.title,
                "pos": n,
                "word_type": word_type(it),
                "id": n,
                "goto_value": "",
                "live_id": [],
                "name_type": "",
                "icon": icon(it),
                "heat_score": heat_or_derived(Platform::Bilibili, it),
                "stat_datas": {"etime": (t + 3600).to_string(), "stime": (t - 3600).to_string(), "is_commercial": "0"},
            })
        })
        .collect();
    json!({
        "exp_str": "8104#8200#8300#8401#8500#5502#6699",
        "code": 0,
        "cost": {"total": "0.002479", "main_handler": "0.002252"},
        "seid": (stable_hash(&t.to_string()) % 10_000_000_000_000_000_000).to_string(),
        "timestamp": t,
        "message": "success",
        "list": list,
    })
}

/// BL3: the 2023 doc example's shape (`is_commercial` a string, `icon` absent on type 8), with
/// one promoted row at [`PROMOTED_POSITION`].
fn trending(line: &SnapshotLine) -> Value {
    let mut rows: Vec<Value> = Rows::of(line)
        .ranked
        .into_iter()
        .map(|(_, it)| {
            let mut v = json!({
                "keyword": keyword(it),
                "show_name": it.title,
                "word_type": word_type(it),
                "hot_id": hot_id(it),
                "is_commercial": "0",
            });
            if !icon(it).is_empty() {
                v["icon"] = json!(icon(it));
            }
            v
        })
        .collect();
    if !rows.is_empty() {
        rows.insert(
            PROMOTED_POSITION.min(rows.len()),
            json!({"keyword": PROMOTED_WORD, "show_name": PROMOTED_WORD, "word_type": 8,
                   "hot_id": 199_999, "is_commercial": "1"}),
        );
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r["position"] = json!(i + 1);
    }
    json!({
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "trackid": (stable_hash(&line.captured_at.to_rfc3339()) % 10_000_000_000_000_000_000).to_string(),
            "list": rows,
            "exp_str": "8000#5502#6600#6701",
            "hotword_egg_info": "",
        },
    })
}

/// BL2: the 2024 doc example's shape, `limit` rows (1–50, default 10): no `word_type`, no heat.
fn square(query: &str, line: &SnapshotLine) -> Value {
    let limit = param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 50);
    let list: Vec<Value> = Rows::of(line)
        .ranked
        .into_iter()
        .take(limit)
        .map(|(_, it)| {
            json!({"keyword": keyword(it), "show_name": it.title, "icon": icon(it), "uri": "", "goto": ""})
        })
        .collect();
    json!({
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "trending": {
                "title": "bilibili热搜",
                "trackid": (stable_hash(&line.captured_at.to_rfc3339()) % 10_000_000_000_000_000_000).to_string(),
                "list": list,
                "top_list": [],
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_wbi_md_example() {
        // wbi.md: these keys give mixin `ea1db124…` and this query its `w_rid`.
        let mixin = mixin_key(
            "7cd084941338484aae1ad9425b84077c",
            "4932caff0ff746eab6f01bf08b70ac45",
        );
        assert_eq!(mixin, "ea1db124af3c7062474693fa704f4ff8");
        let good =
            "bar=514&foo=114&zab=1919810&w_rid=8f6f2b5b3d485fe1886cec6a0be8c5d4&wts=1702204169";
        assert!(signature_ok(good, &mixin));
        assert!(!signature_ok(
            &good.replace("zab=1919810", "zab=1919811"),
            &mixin
        ));
        assert!(!signature_ok(&good.replace("&wts=1702204169", ""), &mixin));
        assert!(!signature_ok("bar=514&foo=114&zab=1919810", &mixin));
    }

    #[test]
    fn v_voucher_body_is_the_documented_one() {
        let v: Value = serde_json::from_str(V_VOUCHER).unwrap();
        assert_eq!(v["code"], 0);
        assert!(v["data"]["v_voucher"].is_string());
    }
}
