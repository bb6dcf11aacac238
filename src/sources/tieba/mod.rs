//! Tieba hot topics, B1 `tieba.baidu.com/hottopic/browse/topicList`:
//! `{errno, data:{bang_topic:{topic_list[]}}}`.

pub mod drill;

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, from_unix, num};
use crate::sources::SourceError;
use crate::sources::wire::{self, TIEBA_LOGIN_HINT};

/// The one place the Tieba `tag` code is mapped: 1 新, 2 热 (rebang, TiebaLite). One unnamed
/// interface claims the reverse; if live data disagrees, change it here only.
pub fn tag_label(tag: i64) -> Label {
    match tag {
        1 => Label::New,
        2 => Label::Hot,
        _ => Label::None,
    }
}

/// Parse a B1 body.
pub fn parse_topic_list(
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let obj = wire::json_object(body, TIEBA_LOGIN_HINT)?;
    wire::check_errno(&obj)?;
    let list = wire::array(
        wire::path(&obj, &["data", "bang_topic", "topic_list"])?,
        "data.bang_topic.topic_list",
    )?;
    let mut snap = Snapshot::new(Platform::Tieba, captured_at);
    snap.ranked = list
        .iter()
        .enumerate()
        .filter_map(|(i, item)| item_topic(item.as_object()?, i))
        .collect();
    wire::finish(snap)
}

fn item_topic(item: &Map<String, Value>, index: usize) -> Option<Topic> {
    let name = wire::text(item.get("topic_name"))?;
    let rank = wire::int(item.get("idx_num"))
        .and_then(|r| u32::try_from(r).ok())
        .filter(|r| *r > 0)
        .unwrap_or(index as u32 + 1);
    let mut t = wire::topic(Platform::Tieba, Some(rank), SafeText::from_html_line(&name))?;
    t.heat = item.get("discuss_num").and_then(num::value_count);
    t.label = wire::int(item.get("tag"))
        .map(tag_label)
        .unwrap_or_default();
    t.onboard = wire::int(item.get("create_time")).and_then(from_unix);
    t.platform_id = wire::text(item.get("topic_id"))
        .map(|id| SafeText::line(&id).into_string())
        .filter(|id| !id.is_empty());
    t.url = wire::text(item.get("topic_url"))
        // the wire value carries a literal `&amp;` (§3)
        .and_then(|u| wire::safe_url(&html_escape::decode_html_entities(&u)))
        .or_else(|| fallback_url(t.platform_id.as_deref()?, t.title.as_str()));
    t.query = Some(t.title.clone());
    Some(t)
}

fn fallback_url(topic_id: &str, name: &str) -> Option<String> {
    let mut u = url::Url::parse("https://tieba.baidu.com/hottopic/browse/hottopic").ok()?;
    u.query_pairs_mut()
        .append_pair("topic_id", topic_id)
        .append_pair("topic_name", name);
    Some(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_mapping() {
        assert_eq!(tag_label(1), Label::New);
        assert_eq!(tag_label(2), Label::Hot);
        assert_eq!(tag_label(7), Label::None);
    }
}
