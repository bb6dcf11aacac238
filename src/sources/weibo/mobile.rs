//! A3 `m.weibo.cn` realtimehot: `{ok, data:{cards:[{card_group:[…]}]}}` (verbatim 2020 excerpt in fixtures).

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::is_ad_label;
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, num};
use crate::sources::SourceError;
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

/// Parse an A3 body: the first card with a `card_group` is the hot list.
pub fn parse_mobile(
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, WEIBO_LOGIN_HINT)?;
    wire::check_weibo_ok(&obj)?;
    let cards = wire::array(wire::path(&obj, &["data", "cards"])?, "data.cards")?;
    let group = cards
        .iter()
        .find_map(|c| c.get("card_group"))
        .ok_or(SourceError::Empty)?;
    let group = wire::array(group, "card_group")?;
    let mut snap = Snapshot::new(Platform::Weibo, captured_at);
    for (i, row) in group.iter().enumerate() {
        let Some(row) = row.as_object() else { continue };
        if is_ad(row) {
            continue;
        }
        let Some(t) = row_topic(row, i) else { continue };
        if t.pinned {
            snap.pinned.push(t);
        } else {
            snap.ranked.push(t);
        }
    }
    wire::finish(snap)
}

fn pic(row: &Map<String, Value>) -> String {
    wire::text(row.get("pic")).unwrap_or_default()
}

fn is_ad(row: &Map<String, Value>) -> bool {
    let ext = row
        .get("actionlog")
        .and_then(|a| a.get("ext"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    pic(row).contains("search_point")
        || ext.contains("ads_word")
        || row.get("promotion").is_some_and(|p| !p.is_null())
        || wire::text(row.get("icon_desc")).is_some_and(|d| is_ad_label(&d))
}

/// `extparam` of the row's `scheme`, decoded (`cate=0&pos=0&realpos=1&flag=2&…`).
fn extparam(scheme: &str) -> Vec<(String, String)> {
    let Ok(u) = url::Url::parse(scheme) else {
        return Vec::new();
    };
    let Some(ext) = u
        .query_pairs()
        .find(|(k, _)| k == "extparam")
        .map(|(_, v)| v)
    else {
        return Vec::new();
    };
    url::form_urlencoded::parse(ext.as_bytes())
        .into_owned()
        .collect()
}

/// The `q` inside the scheme's `containerid` (`100103type=1&t=10&q=#…#`).
fn scheme_query(scheme: &str) -> Option<String> {
    let u = url::Url::parse(scheme).ok()?;
    let cid = u.query_pairs().find(|(k, _)| k == "containerid")?.1;
    url::form_urlencoded::parse(cid.as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .filter(|q| !q.trim().is_empty())
}

/// Label from the icon file name; old icons are `…_new.png`/`…_hot.png`, new ones `moter/flags/N_0.png`.
fn icon_label(icon: &str) -> Label {
    if icon.contains("_new") || icon.contains("flags/1_0") {
        Label::New
    } else if icon.contains("_hot") || icon.contains("flags/2_0") {
        Label::Hot
    } else if icon.contains("_fei") {
        Label::Boiling
    } else if icon.contains("_boom") || icon.contains("flags/4_0") {
        Label::Explosive
    } else {
        Label::None
    }
}

/// `extparam` `flag`: 1 新, 2 热 (2020 payload); anything else no label (§2 "unknown codes").
fn flag_label(flag: &str) -> Label {
    match flag {
        "1" => Label::New,
        "2" => Label::Hot,
        _ => Label::None,
    }
}

/// Rank from `…img_search_<N>.png`.
fn pic_rank(pic: &str) -> Option<u32> {
    let rest = pic.split("img_search_").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| *n > 0)
}

fn row_topic(row: &Map<String, Value>, index: usize) -> Option<Topic> {
    let desc = wire::text(row.get("desc"))?;
    let mut t = wire::topic(Platform::Weibo, None, SafeText::from_html_line(&desc))?;
    let pic = pic(row);
    let scheme = wire::text(row.get("scheme")).unwrap_or_default();
    let ext = extparam(&scheme);
    let ext_get = |k: &str| ext.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let query = scheme_query(&scheme).unwrap_or_else(|| format!("#{}#", t.title));
    t.url = Some(wire::weibo_search_url(&query));
    t.query = Some(SafeText::line(&query));
    let icon = wire::text(row.get("icon")).unwrap_or_default();
    t.label = match icon_label(&icon) {
        Label::None => flag_label(ext_get("flag").unwrap_or_default()),
        l => l,
    };
    if pic.contains("stick") {
        t.pinned = true;
        return Some(t);
    }
    t.rank = pic_rank(&pic)
        .or_else(|| ext_get("realpos").and_then(|r| r.parse().ok()))
        .or(Some(index as u32 + 1));
    if let Some(h) = row.get("desc_extr") {
        match h {
            Value::String(s) => {
                let (category, heat) = num::parse_prefixed_count(s);
                t.heat = heat;
                t.category = category
                    .map(|c| SafeText::line(&c))
                    .filter(|c| !c.is_empty());
            }
            other => t.heat = num::value_count(other),
        }
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_labels() {
        assert_eq!(
            pic_rank("https://simg.s.weibo.com/20170303_img_search_12.png"),
            Some(12)
        );
        assert_eq!(
            pic_rank("https://simg.s.weibo.com/x_img_search_stick%403x.png"),
            None
        );
        assert_eq!(
            icon_label("https://simg.s.weibo.com/moter/flags/4_0.png"),
            Label::Explosive
        );
        assert_eq!(
            icon_label("https://simg.s.weibo.com/20190429_new.png"),
            Label::New
        );
        assert_eq!(flag_label("32768"), Label::None);
    }
}
