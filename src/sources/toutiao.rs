//! Toutiao 热榜, TT1 `www.toutiao.com/hot-event/hot-board/?origin=toutiao_pc` (more-sources.md
//! §5): `{status, data[], fixed_top_data[]}`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::{SourceError, wire};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, num};

/// Hint shown when Toutiao answers with a verification page.
const LOGIN_HINT: &str = "Toutiao verification page; try again later";

/// The one place `LabelDesc` is mapped; 辟谣, 新进展, 解读, 现场 have no board label.
pub fn label_of(desc: &str) -> Label {
    match desc.trim() {
        "新事件上榜" => Label::New,
        "热门事件" => Label::Hot,
        _ => Label::None,
    }
}

/// Parse a TT1 body. `fixed_top_data` is the pinned headline, kept apart from the ranking.
pub fn parse(body: &str, captured_at: DateTime<FixedOffset>) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, LOGIN_HINT)?;
    if obj.get("status").and_then(Value::as_str) != Some("success") {
        return Err(SourceError::Envelope {
            code: wire::int(obj.get("code")).unwrap_or(-1),
            msg: wire::message(&obj, &["message", "msg", "status"]),
        });
    }
    let data = wire::array(wire::path(&obj, &["data"])?, "data")?;
    let mut snap = Snapshot::new(Platform::Toutiao, captured_at);
    for (i, item) in data.iter().enumerate() {
        if let Some(mut t) = item.as_object().and_then(topic) {
            t.rank = Some(i as u32 + 1);
            snap.ranked.push(t);
        }
    }
    // A malformed headline costs only itself.
    if let Some(top) = obj.get("fixed_top_data").and_then(Value::as_array) {
        snap.pinned
            .extend(top.iter().filter_map(Value::as_object).filter_map(topic));
    }
    wire::finish(snap)
}

fn topic(item: &Map<String, Value>) -> Option<Topic> {
    let title = wire::text(item.get("Title")).or_else(|| wire::text(item.get("QueryWord")))?;
    let mut t = wire::topic(Platform::Toutiao, None, SafeText::line(&title))?;
    let id = cluster_id(item);
    t.query = Some(
        wire::text(item.get("QueryWord"))
            .map(|q| SafeText::line(&q))
            .filter(|q| !q.is_empty())
            .unwrap_or_else(|| t.title.clone()),
    );
    t.heat = item.get("HotValue").and_then(num::value_count);
    t.label = item
        .get("LabelDesc")
        .and_then(Value::as_str)
        .map(label_of)
        .unwrap_or_default();
    // The clean page newsnow links instead of `Url`, which carries a tracking query.
    t.url = match &id {
        Some(id) => Some(format!("https://www.toutiao.com/trending/{id}/")),
        None => wire::text(item.get("Url")).and_then(|u| wire::safe_url(&u)),
    };
    t.platform_id = id;
    Some(t)
}

/// `ClusterIdStr`, else `ClusterId`. The number exceeds 2^53, so it is read as the u64 the JSON
/// text spells, never through f64 (which would round it, §5); a float there is no id.
fn cluster_id(item: &Map<String, Value>) -> Option<String> {
    ["ClusterIdStr", "ClusterId"]
        .iter()
        .filter_map(|k| match item.get(*k)? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => n.as_u64().map(|n| n.to_string()),
            _ => None,
        })
        .find(|id| !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
}
