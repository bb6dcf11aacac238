//! Bilibili 热搜 (more-sources.md §6): BL1 `s.search.bilibili.com/main/hotword` (`{code, list[]}`),
//! BL3 `app.bilibili.com/x/v2/search/trending/ranking` (`data.list[]`) and BL2
//! `api.bilibili.com/x/web-interface/wbi/search/square` (`data.trending.list[]`, WBI-signed).
//!
//! Rows show `show_name` and search by `keyword` (they differ in one row in ten, §0). Promoted
//! rows (`is_commercial`, a string on BL3) are dropped.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Timelike};
use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::chain::{endpoint_profile, endpoint_url};
use super::http::{HttpClient, Profile, Secret};
use super::{Endpoint, SourceError, wire};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, num};

/// What a BL2 reply of `{code:0, data:{v_voucher}}` means: the WBI signature was refused.
pub const WBI_REFUSED: &str = "bilibili wbi signature refused (v_voucher)";

/// `nav`: where the day's WBI keys are published (`data.wbi_img`, also when not logged in).
pub const NAV_URL: &str = "https://api.bilibili.com/x/web-interface/nav";

/// Key of the WBI mixin key in the client's token cache.
const WBI_TOKEN: &str = "bilibili.wbi";

/// The one place `word_type` is mapped (§6): 4 新, 5 热. The others (6 special, 7 直播中, 8 none,
/// 9 梗, 11 话题, 12 独家) have no badge on the board.
pub fn label(word_type: i64) -> Label {
    match word_type {
        4 => Label::New,
        5 => Label::Hot,
        _ => Label::None,
    }
}

/// BL2 has only an `icon`: two file names are known to pair with word_type 5 and 4 in the
/// documented examples; any other icon gives no label (§6).
fn icon_label(icon: &str) -> Label {
    if icon.ends_with("/lrx9rnKo24.png") {
        Label::Hot
    } else if icon.ends_with("/UF7B1wVKT2.png") {
        Label::New
    } else {
        Label::None
    }
}

/// Parse a body fetched from one of Bilibili's list endpoints.
pub fn parse(
    e: Endpoint,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, wire::SITE_LOGIN_HINT)?;
    wire::check_zero(&obj, "code", "message")?;
    let (list, what) = match e {
        Endpoint::BilibiliHotword => (wire::path(&obj, &["list"])?, "list"),
        Endpoint::BilibiliTrending => (wire::path(&obj, &["data", "list"])?, "data.list"),
        Endpoint::BilibiliSquare => {
            // A refused signature still says `code: 0` (§6): look at the data, not the code.
            if let Ok(Value::Object(data)) = wire::path(&obj, &["data"])
                && data.contains_key("v_voucher")
                && !data.contains_key("trending")
            {
                return Err(SourceError::Other(WBI_REFUSED.into()));
            }
            (
                wire::path(&obj, &["data", "trending", "list"])?,
                "data.trending.list",
            )
        }
        other => {
            return Err(SourceError::Other(format!(
                "{} is not a Bilibili endpoint",
                other.label()
            )));
        }
    };
    let list = wire::array(list, what)?;
    let mut snap = Snapshot::new(Platform::Bilibili, captured_at);
    snap.ranked = list
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let item = item.as_object()?;
            (!is_commercial(e, item)).then(|| row(e, item, i)).flatten()
        })
        .collect();
    wire::finish(snap)
}

/// A promoted row: `is_commercial` (BL3, a string `"1"`) or `stat_datas.is_commercial` (BL1),
/// anything but 0.
fn is_commercial(e: Endpoint, item: &Map<String, Value>) -> bool {
    let flag = match e {
        Endpoint::BilibiliHotword => item
            .get("stat_datas")
            .and_then(Value::as_object)
            .and_then(|s| s.get("is_commercial")),
        _ => item.get("is_commercial"),
    };
    wire::int(flag).is_some_and(|f| f != 0)
}

fn row(e: Endpoint, item: &Map<String, Value>, index: usize) -> Option<Topic> {
    let keyword = wire::text(item.get("keyword")).map(|k| SafeText::line(&k));
    let shown = wire::text(item.get("show_name")).map(|s| SafeText::line(&s));
    let title = shown
        .filter(|s| !s.is_empty())
        .or_else(|| keyword.clone())?;
    let rank_key = match e {
        Endpoint::BilibiliHotword => "pos",
        _ => "position",
    };
    let mut t = wire::topic(
        Platform::Bilibili,
        Some(wire::rank(item.get(rank_key), index)),
        title,
    )?;
    let query = keyword.filter(|k| !k.is_empty()).unwrap_or(t.title.clone());
    t.url = Some(search_url(query.as_str()));
    t.query = Some(query);
    t.label = match e {
        Endpoint::BilibiliSquare => wire::text(item.get("icon"))
            .map(|i| icon_label(&i))
            .unwrap_or_default(),
        _ => wire::int(item.get("word_type"))
            .map(label)
            .unwrap_or_default(),
    };
    t.heat = item.get("heat_score").and_then(num::value_count);
    t.platform_id = wire::numeric_id(item.get("hot_id"));
    Some(t)
}

/// The search page for a keyword (what newsnow links, §0).
fn search_url(keyword: &str) -> String {
    format!(
        "https://search.bilibili.com/all?keyword={}",
        encode_component(keyword)
    )
}

// ---- BL2 and its WBI signature (SocialSisterYi/bilibili-API-collect docs/misc/sign/wbi.md) ----

/// The permutation that makes the mixin key out of `img_key + sub_key`.
const MIXIN_KEY_ENC_TAB: [usize; 64] = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19, 29,
    28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25,
    54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
];

/// What `encodeURIComponent` leaves alone, minus `!'()*` (stripped from values before encoding
/// anyway): hex digits come out upper case and a space as `%20`, as the doc requires.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// The mixin key: `img_key + sub_key` permuted by [`MIXIN_KEY_ENC_TAB`], first 32 characters.
/// `None` unless both keys are ASCII alphanumerics making at least 64 characters.
pub fn mixin_key(img_key: &str, sub_key: &str) -> Option<String> {
    let raw = format!("{img_key}{sub_key}");
    if raw.len() < 64 || !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let raw = raw.as_bytes();
    Some(
        MIXIN_KEY_ENC_TAB
            .iter()
            .take(32)
            .map(|&i| char::from(raw[i]))
            .collect(),
    )
}

/// Sign `params`: add `wts`, sort by name, strip `!'()*` from values, encode, and append
/// `w_rid = md5(query + mixin_key)`. Returns the query to send.
pub fn sign(params: &[(String, String)], mixin_key: &str, wts: i64) -> String {
    let mut all: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "wts" && k != "w_rid")
        .map(|(k, v)| (k.clone(), v.replace(['!', '\'', '(', ')', '*'], "")))
        .collect();
    all.push(("wts".into(), wts.to_string()));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let query = all
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    let w_rid = Md5::digest(format!("{query}{mixin_key}").as_bytes());
    format!("{query}&w_rid={w_rid:x}")
}

/// The key in a `wbi_img` URL: its file name without the extension.
fn key_of_url(u: &str) -> Option<&str> {
    let file = u.rsplit('/').next()?;
    let stem = file.split('.').next()?;
    (!stem.is_empty()).then_some(stem)
}

/// The day's mixin key from `nav` (which answers `code: -101` when not logged in, and still
/// carries `data.wbi_img`).
async fn fetch_mixin_key(client: &HttpClient) -> Result<Secret, SourceError> {
    let resp = client
        .get(NAV_URL, Profile::ListApi(Platform::Bilibili))
        .await?;
    let obj = wire::json_object(&resp.body, wire::SITE_LOGIN_HINT)?;
    let img = wire::path(&obj, &["data", "wbi_img", "img_url"])?;
    let sub = wire::path(&obj, &["data", "wbi_img", "sub_url"])?;
    let key = |v: &Value| v.as_str().and_then(key_of_url).map(str::to_string);
    let (Some(img), Some(sub)) = (key(img), key(sub)) else {
        return Err(SourceError::Decode("nav: wbi_img without key URLs".into()));
    };
    mixin_key(&img, &sub)
        .map(Secret::new)
        .ok_or_else(|| SourceError::Decode("nav: wbi_img keys of the wrong form".into()))
}

/// Until the next midnight in China: the keys rotate daily (wbi.md), so they are kept for the
/// day, and dropped sooner when BL2 refuses them.
fn rest_of_day() -> Duration {
    let now = crate::domain::now_cst();
    let secs = 86_400 - i64::from(now.time().num_seconds_from_midnight());
    Duration::from_secs(secs.clamp(60, 86_400) as u64)
}

/// BL2 with its WBI signature. A `v_voucher` reply drops the cached keys (they have rotated, or
/// were never right), so the next poll reads `nav` again.
pub async fn fetch_square(client: &HttpClient) -> Result<Snapshot, SourceError> {
    let mixin = match client.token(WBI_TOKEN) {
        Some(k) => k,
        None => {
            let k = fetch_mixin_key(client).await?;
            client.keep_token(WBI_TOKEN, k.clone(), rest_of_day());
            k
        }
    };
    let e = Endpoint::BilibiliSquare;
    let mut url = url::Url::parse(&endpoint_url(e))
        .map_err(|_| SourceError::Other("bad request URL".into()))?;
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let wts = chrono::Utc::now().timestamp();
    url.set_query(Some(&sign(&params, mixin.expose(), wts)));
    let result = match client.get(url.as_str(), endpoint_profile(e)).await {
        Ok(resp) => parse(e, &resp.body, resp.captured_at()),
        Err(err) => Err(err),
    };
    if matches!(&result, Err(SourceError::Other(m)) if m == WBI_REFUSED) {
        client.forget_token(WBI_TOKEN);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_types_and_icons() {
        assert_eq!(label(4), Label::New);
        assert_eq!(label(5), Label::Hot);
        for other in [6, 7, 8, 9, 11, 12, 0] {
            assert_eq!(label(other), Label::None);
        }
        assert_eq!(
            icon_label(
                "http://i0.hdslb.com/bfs/activity-plat/static/20221213/eaf2dd702d7cc14d8d9511190245d057/lrx9rnKo24.png"
            ),
            Label::Hot
        );
        assert_eq!(
            icon_label(
                "http://i0.hdslb.com/bfs/activity-plat/static/20221118/eaf2dd702d7cc14d8d9511190245d057/UF7B1wVKT2.png"
            ),
            Label::New
        );
        assert_eq!(
            icon_label(
                "http://i0.hdslb.com/bfs/feed-admin/e9e7a2d8497d4063421b685e72680bf1cfb99a0d.png"
            ),
            Label::None
        );
    }

    #[test]
    fn keys_from_nav_urls() {
        assert_eq!(
            key_of_url("https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png"),
            Some("7cd084941338484aae1ad9425b84077c")
        );
        assert_eq!(key_of_url("https://i0.hdslb.com/bfs/wbi/"), None);
        assert_eq!(mixin_key("short", "keys"), None);
        assert_eq!(mixin_key(&"a".repeat(32), &"é".repeat(16)), None);
    }

    #[test]
    fn values_are_stripped_and_encoded_like_encode_uri_component() {
        let q = sign(
            &[
                ("foo".into(), "one one four".into()),
                ("bar".into(), "五一四!'()*".into()),
            ],
            "k",
            1,
        );
        assert!(
            q.starts_with("bar=%E4%BA%94%E4%B8%80%E5%9B%9B&foo=one%20one%20four&wts=1&w_rid="),
            "{q}"
        );
    }
}
