//! C4 `m.s.weibo.com/ajax_topic/detail` rendered from the bundled topic table
//! (`data/demo/topics.json.gz`: the real nateafish `meta.json` values of 81 topics of the demo
//! day, plus read/mention sums of their archived trend series; see data/demo/README.md).
//! The shape is the reconstructed example of data-sources.md §4 C4, written from the spec.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::normalize::normalize_title;

static TOPICS_GZ: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/topics.json.gz"
));

/// One topic as bundled: the `meta.json` fields the detail page carries.
#[derive(Debug, Deserialize)]
struct Rec {
    topic_id: String,
    title: String,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    sub_category: Option<String>,
    /// Unix seconds; a number on 77 topics, a string on 2, `null` on 2 — served as archived.
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    search_url: Option<String>,
    /// `cur_claim_info` as archived, or `null` (no host).
    #[serde(default)]
    host: Option<Value>,
    #[serde(default)]
    media_info: Option<Value>,
    #[serde(default)]
    sum_all: Option<Value>,
    #[serde(default)]
    sum_24h: Option<Value>,
}

/// The bundled topics, looked up by normalised title and by normalised query.
pub(crate) struct Topics {
    recs: Vec<Rec>,
    by_key: HashMap<String, usize>,
}

impl Topics {
    fn parse(gz: &[u8]) -> Result<Topics, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .map_err(|e| format!("gzip: {e}"))?;
        let recs: Vec<Rec> = serde_json::from_str(&text).map_err(|e| format!("json: {e}"))?;
        let mut by_key = HashMap::new();
        for (i, r) in recs.iter().enumerate() {
            for k in std::iter::once(&r.title).chain(r.query.as_ref()) {
                by_key.entry(normalize_title(k)).or_insert(i);
            }
        }
        Ok(Topics { recs, by_key })
    }

    fn get(&self, q: &str) -> Option<&Rec> {
        self.by_key
            .get(&normalize_title(q))
            .and_then(|&i| self.recs.get(i))
    }
}

/// The bundled table, decoded once per process. A broken bundle (a build problem, caught by
/// the tests) serves every topic as unknown rather than failing the server.
pub(crate) fn topics() -> &'static Topics {
    static TABLE: OnceLock<Topics> = OnceLock::new();
    TABLE.get_or_init(|| {
        Topics::parse(TOPICS_GZ).unwrap_or_else(|e| {
            tracing::warn!("bundled topics unreadable: {e}");
            Topics {
                recs: Vec::new(),
                by_key: HashMap::new(),
            }
        })
    })
}

/// The archive's `topic_id` of the topic titled or queried `q` (`#…#` or bare), for the
/// other routes keyed by topic (C1 posts).
pub(crate) fn topic_id(q: &str) -> Option<&'static str> {
    topics().get(q).map(|r| r.topic_id.as_str())
}

/// The answer for `q` (`#…#`, URL-decoded). `empty` forces the unknown-topic answer.
///
/// No real answer for an unknown topic is recorded anywhere; nateafish reads every section
/// with `or {}` and rejects a detail without id or title, so an unknown topic gets a valid
/// envelope whose sections are empty objects.
pub(crate) fn detail(q: Option<&str>, empty: bool) -> Value {
    let rec = q.filter(|_| !empty).and_then(|q| topics().get(q));
    let Some(r) = rec else {
        return json!({
            "code": "100000",
            "msg": "",
            "data": {"baseInfo": {}, "baseData": {}, "baseClaimList": {}, "media_info": {}},
        });
    };
    // The archive lowercases Latin in `title`; the query keeps the page's own spelling.
    let name = r
        .query
        .as_deref()
        .map(|q| q.trim().trim_matches('#'))
        .filter(|q| normalize_title(q) == normalize_title(&r.title))
        .unwrap_or(&r.title);
    let mut data = json!({
        "baseInfo": {
            "object": {
                "display_name": format!("#{name}#"),
                "summary": r.summary.as_deref().unwrap_or(""),
                "category_str": r.category,
                "sub_category_str": r.sub_category,
                "url": r.search_url,
                "create_at": r.created_at,
                "biz": {"containerid": r.topic_id},
            },
            // The archives hold no contributor ranking.
            "lists": [],
            "lists_users": [],
        },
        "baseData": {
            "sum_all": r.sum_all.clone().unwrap_or_else(|| json!({})),
            "sum_24h": r.sum_24h.clone().unwrap_or_else(|| json!({})),
        },
        "baseClaimList": {"cur_claim_info": r.host.clone().unwrap_or(Value::Null)},
    });
    if let (Some(m), Some(obj)) = (&r.media_info, data.as_object_mut()) {
        obj.insert("media_info".into(), m.clone());
    }
    json!({"code": "100000", "msg": "", "data": data})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_loads_every_topic_and_finds_them_by_title_or_hashtag() {
        let t = Topics::parse(TOPICS_GZ).unwrap();
        assert_eq!(t.recs.len(), 81);
        let hosted = t
            .recs
            .iter()
            .filter(|r| r.host.as_ref().is_some_and(Value::is_object))
            .count();
        assert_eq!(hosted, 58, "hosts as in the archive (null on 23 topics)");
        // title lowercased in the archive, query in the page's spelling: both find it
        assert!(t.get("#中国China成为潮流#").is_some());
        assert!(t.get("中国china成为潮流").is_some());
        assert!(t.get("#不存在的话题#").is_none());
    }

    #[test]
    fn display_name_keeps_the_page_spelling() {
        let v = detail(Some("#中国china成为潮流#"), false);
        assert_eq!(
            v["data"]["baseInfo"]["object"]["display_name"],
            "#中国China成为潮流#"
        );
        let v = detail(Some("#中国China成为潮流#"), true);
        assert_eq!(v["data"]["baseInfo"], json!({}));
    }
}
