//! C4 `m.s.weibo.com/ajax_topic/detail?q=%23…%23&show_rank_info=1` (data-sources.md §4):
//! `{code:"100000", data:{baseInfo:{object, lists, lists_users}, baseData:{sum_all},
//! baseClaimList:{cur_claim_info}, media_info:{users}}}`. Read paths follow nateafish `topic.py`.

use std::collections::{HashMap, HashSet};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::{Account, AccountRole, TopicDetail};
use crate::domain::{SafeText, from_unix, num};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

const DETAIL_URL: &str = "https://m.s.weibo.com/ajax_topic/detail";

/// Most accounts kept per list (a real page names a handful; hostile data could name millions).
const MAX_ACCOUNTS: usize = 200;

/// The `#…#` form the topic API expects (surrounding `#` and spaces trimmed, then added back);
/// `None` when nothing is left. Space-separated keyword queries are wrapped too, as nateafish does.
pub fn hashtag(topic: &str) -> Option<String> {
    let inner = topic.trim().trim_matches('#').trim();
    (!inner.is_empty()).then(|| format!("#{inner}#"))
}

/// The detail URL for a hashtag in `#…#` form (`#` → `%23`, space → `%20`).
pub fn detail_url(hashtag: &str) -> String {
    let q = utf8_percent_encode(hashtag, NON_ALPHANUMERIC);
    format!("{DETAIL_URL}?q={q}&show_rank_info=1")
}

/// Fetch and parse the detail page of `topic` (a title, query or `#hashtag#`).
pub async fn fetch_detail(client: &HttpClient, topic: &str) -> Result<TopicDetail, SourceError> {
    let tag = hashtag(topic).ok_or_else(|| SourceError::Other("empty hashtag".into()))?;
    let resp = client.get(&detail_url(&tag), Profile::WeiboTopic).await?;
    parse_detail(&resp.body, &tag)
}

/// Parse a detail body. Success iff `code` is 100000 (string or number) and `data` is an object.
/// A valid envelope without a topic object (an unknown topic) is `SourceError::Empty`.
pub fn parse_detail(body: &str, hashtag: &str) -> Result<TopicDetail, SourceError> {
    let obj = wire::json_object(body, WEIBO_LOGIN_HINT)?;
    wire::check_topic_code(&obj)?;
    let Some(Value::Object(data)) = obj.get("data") else {
        return Err(SourceError::Decode("data is not an object".into()));
    };
    let base_info = section(data, "baseInfo")?;
    let Some(object) = base_info
        .map(|b| section(b, "object"))
        .transpose()?
        .flatten()
    else {
        return Err(SourceError::Empty);
    };
    let title = wire::text(object.get("display_name"))
        .map(|n| SafeText::line(n.trim().trim_matches('#').trim()))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| SourceError::Decode("topic without display_name".into()))?;
    let sum_all = object_at(data, &["baseData", "sum_all"]);
    let count = |k: &str| sum_all.and_then(|s| s.get(k)).and_then(num::value_count);
    Ok(TopicDetail {
        hashtag: hashtag.to_string(),
        title,
        topic_id: object_at(object, &["biz"])
            .and_then(|b| wire::text(b.get("containerid")))
            .or_else(|| wire::text(object.get("id")))
            .filter(|id| id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())),
        summary: line(object.get("summary")),
        category: line(object.get("category_str")),
        created_at: wire::int(object.get("create_at")).and_then(from_unix),
        reads: count("r"),
        mentions: count("m"),
        interactions: count("interact"),
        originals: count("ori_m"),
        host: object_at(data, &["baseClaimList", "cur_claim_info"])
            .and_then(|h| account(h, &["uid"], AccountRole::Host)),
        media: media(data),
        contributors: base_info.map(contributors).unwrap_or_default(),
    })
}

/// An object that must have the right type when present: absent, `null` and the PHP-style
/// empty list `[]` mean "not there"; anything else but an object is a decode error.
fn section<'a>(
    m: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, SourceError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if a.is_empty() => Ok(None),
        Some(Value::Object(o)) => Ok((!o.is_empty()).then_some(o)),
        Some(_) => Err(SourceError::Decode(format!("{key} is not an object"))),
    }
}

/// An optional object along `keys`; any other type on the way reads as absent.
fn object_at<'a>(m: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Map<String, Value>> {
    keys.iter()
        .try_fold(m, |cur, k| cur.get(*k).and_then(Value::as_object))
}

fn line(v: Option<&Value>) -> Option<SafeText> {
    wire::text(v)
        .map(|s| SafeText::line(&s))
        .filter(|s| !s.is_empty())
}

/// A Weibo uid: digits only (numbers and strings both occur, §9.6).
fn uid(v: Option<&Value>) -> Option<String> {
    wire::text(v)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit()))
}

/// An account from a user object; `uid_keys` are tried in order (`idstr` before `id`).
fn account(m: &Map<String, Value>, uid_keys: &[&str], role: AccountRole) -> Option<Account> {
    let name = line(m.get("screen_name"))?;
    Some(Account {
        uid: uid_keys.iter().find_map(|k| uid(m.get(*k))),
        name,
        verified_type: wire::int(m.get("verified_type")),
        role,
    })
}

/// Keeps the first account per uid (or per name when there is no uid), up to `MAX_ACCOUNTS`.
fn dedup(accounts: impl Iterator<Item = Account>) -> Vec<Account> {
    let mut seen = HashSet::new();
    accounts
        .filter(|a| {
            let key = a.uid.clone().unwrap_or_else(|| a.name.to_string());
            seen.insert(key)
        })
        .take(MAX_ACCOUNTS)
        .collect()
}

fn objects(v: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn media(data: &Map<String, Value>) -> Vec<Account> {
    let users = object_at(data, &["media_info"]).and_then(|m| m.get("users"));
    dedup(objects(users).filter_map(|u| account(u, &["idstr", "id"], AccountRole::Media)))
}

/// `lists` (ranked `{uid, contribution}`) joined to `lists_users` by uid; entries without a
/// matching user (so without a name) are skipped.
fn contributors(base_info: &Map<String, Value>) -> Vec<Account> {
    let users: HashMap<String, &Map<String, Value>> = objects(base_info.get("lists_users"))
        .filter_map(|u| Some((uid(u.get("idstr")).or_else(|| uid(u.get("id")))?, u)))
        .collect();
    dedup(objects(base_info.get("lists")).filter_map(|item| {
        let id = uid(item.get("uid"))?;
        let mut a = account(users.get(&id)?, &["idstr", "id"], AccountRole::Contributor)?;
        a.uid = Some(id);
        Some(a)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtag_forms() {
        assert_eq!(hashtag("旺旺 配料表").as_deref(), Some("#旺旺 配料表#"));
        assert_eq!(hashtag(" #台风白海豚# ").as_deref(), Some("#台风白海豚#"));
        assert_eq!(hashtag("##"), None);
        assert_eq!(hashtag("  "), None);
    }

    #[test]
    fn url_encodes_hash_and_space() {
        assert_eq!(
            detail_url("#旺 a#"),
            "https://m.s.weibo.com/ajax_topic/detail?q=%23%E6%97%BA%20a%23&show_rank_info=1"
        );
    }
}
