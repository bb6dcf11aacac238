//! Tieba B1 `hottopic/browse/topicList` JSON rendered from a snapshot (data-sources.md §3).

use serde_json::{Value, json};

use super::timeline::Timeline;
use super::wire::{encode, param, stable_hash};
use crate::domain::snapshot_file::{SnapshotItem, SnapshotLine};

const DEFAULT_AVATAR: &str =
    "https://tb1.bdstatic.com/tb/%E8%AF%9D%E9%A2%98%E6%89%93%E5%BA%95%E5%9B%BE.PNG";

/// The archives hold no `discuss_num`. When a snapshot has no heat the server derives a
/// plain, fixed curve from the rank (3,000,000 × 0.9^(rank−1)) so the heat column has
/// plausible, strictly decreasing values; it is not real data.
pub(crate) fn derived_discuss_num(rank: u32) -> u64 {
    (3_000_000f64 * 0.9f64.powi(rank.saturating_sub(1).min(1000) as i32)).round() as u64
}

/// `topic_id`: the archive URL's own id when it has one, else a stable hash of the title.
fn topic_id(it: &SnapshotItem) -> u64 {
    it.url
        .as_deref()
        .and_then(|u| u.split_once('?'))
        .and_then(|(_, q)| param(q, "topic_id"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| 10_000_000 + stable_hash(&it.title) % 90_000_000)
}

fn tag(label: Option<&str>) -> u8 {
    match label.map(str::trim) {
        Some("新") => 1,
        Some("热") => 2,
        _ => 0,
    }
}

pub(crate) fn topic_list(line: Option<&SnapshotLine>, tl: &Timeline) -> Value {
    let mut ranked: Vec<&SnapshotItem> = line
        .map(|l| l.items.iter().filter(|i| !i.pinned).collect())
        .unwrap_or_default();
    ranked.sort_by_key(|i| i.rank.unwrap_or(u32::MAX));
    let list: Vec<Value> = ranked
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let n = i as u32 + 1;
            let id = topic_id(it);
            // The real B1 escapes `&` in topic_url as `&amp;`; snapshots hold the plain URL.
            let url = it.url.clone().unwrap_or_else(|| {
                format!(
                    "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id={id}&topic_name={}",
                    encode(&it.title)
                )
            });
            json!({
                "topic_id": id,
                "topic_name": it.title,
                // The archives have no descriptions.
                "topic_desc": "",
                "abstract": "",
                "topic_pic": "",
                "tag": tag(it.label.as_deref()),
                "discuss_num": it.heat.unwrap_or_else(|| derived_discuss_num(n)),
                "idx_num": n,
                "create_time": tl.first_seen(&it.title).or(line.map(|l| l.captured_at.timestamp())),
                "content_num": 0,
                "topic_avatar": "",
                "is_video_topic": "0",
                "topic_url": url.replace('&', "&amp;"),
                "topic_default_avatar": DEFAULT_AVATAR,
            })
        })
        .collect();
    json!({
        "errno": 0,
        "errmsg": "success",
        "data": {
            "bang_head_pic": "",
            "timestamp": line.map(|l| l.captured_at.timestamp()),
            "bang_topic": {"module_title": "贴吧热议榜", "topic_list": list},
            "manual_topic": {"module_title": "", "topic_list": []},
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_heat_decreases_with_rank() {
        let v: Vec<u64> = (1..=30).map(derived_discuss_num).collect();
        assert!(v.windows(2).all(|w| w[0] > w[1]), "{v:?}");
        assert_eq!(v[0], 3_000_000);
    }
}
