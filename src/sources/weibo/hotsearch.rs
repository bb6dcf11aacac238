//! A1 `weibo.com/ajax/side/hotSearch`: `{ok, data:{realtime[], hotgov}}`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::{is_ad_label, label_from_texts};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, from_unix, num};
use crate::sources::SourceError;
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

/// Parse an A1 body. Ads (`is_ad`, `荐`) are dropped; `hotgov`/`hotgovs` become pinned rows.
pub fn parse_hot_search(
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, WEIBO_LOGIN_HINT)?;
    wire::check_weibo_ok(&obj)?;
    let realtime = wire::array(wire::path(&obj, &["data", "realtime"])?, "data.realtime")?;
    let mut snap = Snapshot::new(Platform::Weibo, captured_at);
    for (i, item) in realtime.iter().enumerate() {
        let Some(item) = item.as_object() else {
            continue;
        };
        if is_ad(item) {
            continue;
        }
        if let Some(t) = ranked_topic(item, i) {
            snap.ranked.push(t);
        }
    }
    if let Ok(Value::Object(data)) = wire::path(&obj, &["data"]) {
        let govs = data.get("hotgovs").and_then(Value::as_array);
        let single = data.get("hotgov").and_then(Value::as_object);
        for g in govs
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .chain(single)
        {
            if let Some(t) = pinned_topic(g)
                && !snap.pinned.iter().any(|p| p.key() == t.key())
            {
                snap.pinned.push(t);
            }
        }
    }
    wire::finish(snap)
}

fn label_texts(item: &Map<String, Value>) -> Vec<String> {
    ["label_name", "icon_desc", "small_icon_desc"]
        .iter()
        .filter_map(|k| wire::text(item.get(*k)))
        .collect()
}

fn is_ad(item: &Map<String, Value>) -> bool {
    wire::int(item.get("is_ad")).unwrap_or(0) != 0
        || label_texts(item).iter().any(|s| is_ad_label(s))
}

fn label(item: &Map<String, Value>) -> Label {
    let texts = label_texts(item);
    let l = label_from_texts(texts.iter().map(String::as_str));
    if !l.is_none() {
        return l;
    }
    // Flags as Eurkon/api maps them, strongest first.
    [
        ("is_boom", Label::Explosive),
        ("is_fei", Label::Boiling),
        ("is_hot", Label::Hot),
        ("is_new", Label::New),
    ]
    .into_iter()
    .find(|(k, _)| wire::int(item.get(*k)).unwrap_or(0) != 0)
    .map(|(_, l)| l)
    .unwrap_or_default()
}

fn title_and_query(item: &Map<String, Value>) -> Option<(Topic, String)> {
    let word = wire::text(item.get("word")).or_else(|| wire::text(item.get("note")))?;
    let t = wire::topic(Platform::Weibo, None, SafeText::from_html_line(&word))?;
    let query = wire::text(item.get("word_scheme"))
        .map(|q| SafeText::from_html_line(&q).into_string())
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| format!("#{}#", t.title));
    Some((t, query))
}

fn ranked_topic(item: &Map<String, Value>, index: usize) -> Option<Topic> {
    let (mut t, query) = title_and_query(item)?;
    // realpos is 1-based, rank 0-based; the list order is the last resort.
    let rank = wire::int(item.get("realpos"))
        .filter(|r| *r > 0)
        .or_else(|| wire::int(item.get("rank"))?.checked_add(1))
        .and_then(|r| u32::try_from(r).ok())
        .unwrap_or(index as u32 + 1);
    t.rank = Some(rank);
    t.heat = item
        .get("num")
        .or_else(|| item.get("raw_hot"))
        .and_then(num::value_count);
    t.label = label(item);
    t.url = Some(wire::weibo_search_url(&query));
    t.query = Some(SafeText::line(&query));
    t.category = wire::text(item.get("category"))
        .or_else(|| wire::text(item.get("flag_desc")))
        .map(|c| SafeText::from_html_line(&c))
        .filter(|c| !c.is_empty());
    t.onboard = wire::int(item.get("onboard_time")).and_then(from_unix);
    t.platform_id = wire::text(item.get("mid")).map(|m| SafeText::line(&m).into_string());
    Some(t)
}

fn pinned_topic(g: &Map<String, Value>) -> Option<Topic> {
    let (mut t, query) = title_and_query(g)?;
    t.url = Some(wire::weibo_search_url(&query));
    t.query = Some(SafeText::line(&query));
    t.label = label(g);
    Some(t)
}
